"""RELIABILITY row 10: every penalty and constraint survives ``from_config(get_config())``,
``deserialize(serialize())`` and JSON; Keras ids and Keras 2/3 config dicts mean what they
mean in Keras."""

from __future__ import annotations

import json

import pytest

import netreg as nr
from netreg import constraints as C
from netreg import penalties as P

# Several instances per class, away from the defaults, so that a field that is dropped or
# renamed on the way shows up. A new class without an entry here fails the coverage tests.
PENALTY_CASES: dict[str, list[P.Penalty]] = {
    "L1": [nr.L1(), nr.L1(0.25), nr.L1(0.0)],
    "L2": [nr.L2(), nr.L2(1.5)],
    "ElasticNet": [nr.ElasticNet(), nr.ElasticNet(0.3, 0.0), nr.ElasticNet.from_sklearn(0.2, 0.7)],
    "GroupLasso": [
        nr.GroupLasso(),
        nr.GroupLasso(0.4, "inputs", "none"),
        nr.GroupLasso(2.0, "units"),
    ],
    "SparseGroupLasso": [
        nr.SparseGroupLasso(),
        nr.SparseGroupLasso(0.3, 0.9, "inputs", "none"),
        nr.SparseGroupLasso(1.0, 0.0),
    ],
}
CONSTRAINT_CASES: dict[str, list[C.Constraint]] = {
    "MaxNorm": [
        nr.MaxNorm(),
        nr.MaxNorm(3.0, "inputs"),
        nr.MaxNorm(1.5, (1, 2, 3)),
        nr.MaxNorm(2, 1),
    ],
    "UnitNorm": [nr.UnitNorm(), nr.UnitNorm("inputs"), nr.UnitNorm((0,))],
    "MinMaxNorm": [
        nr.MinMaxNorm(),
        nr.MinMaxNorm(0.5, 2.0, 0.3, "inputs"),
        nr.MinMaxNorm(1.0, 1.0),
    ],
    "NonNeg": [nr.NonNeg()],
}


def _ours(registry: dict[str, type]) -> set[str]:
    """Classes defined by netreg itself (tests may define their own subclasses)."""
    return {name for name, cls in registry.items() if cls.__module__.startswith("netreg")}


def test_every_registered_penalty_has_a_case():
    assert _ours(P.registered_penalties()) <= set(PENALTY_CASES)
    assert {"L1", "L2", "ElasticNet", "GroupLasso", "SparseGroupLasso"} <= _ours(
        P.registered_penalties()
    )


def test_every_registered_constraint_has_a_case():
    assert _ours(C.registered_constraints()) <= set(CONSTRAINT_CASES)
    assert {"MaxNorm", "UnitNorm", "MinMaxNorm", "NonNeg"} <= _ours(C.registered_constraints())


def _penalties():
    return [
        p for name in sorted(_ours(P.registered_penalties())) for p in PENALTY_CASES.get(name, [])
    ]


def _constraints():
    return [
        c
        for name in sorted(_ours(C.registered_constraints()))
        for c in CONSTRAINT_CASES.get(name, [])
    ]


@pytest.mark.parametrize("penalty", _penalties(), ids=repr)
def test_penalty_config_round_trip(penalty):
    cls = type(penalty)
    config = penalty.get_config()
    assert cls.from_config(config) == penalty
    assert P.deserialize(P.serialize(penalty)) == penalty
    text = json.dumps(P.serialize(penalty))
    assert P.deserialize(json.loads(text)) == penalty
    assert P.get(json.loads(text)) == penalty
    assert P.get(penalty) is penalty


@pytest.mark.parametrize("constraint", _constraints(), ids=repr)
def test_constraint_config_round_trip(constraint):
    cls = type(constraint)
    assert cls.from_config(constraint.get_config()) == constraint
    assert C.deserialize(C.serialize(constraint)) == constraint
    text = json.dumps(C.serialize(constraint))
    assert C.deserialize(json.loads(text)) == constraint
    assert C.get(json.loads(text)) == constraint
    assert C.get(constraint) is constraint


def test_round_trip_keeps_distinct_objects_distinct():
    """Equality is not vacuous: objects differing in one field compare unequal after the trip."""
    a, b = nr.GroupLasso(0.4, "units"), nr.GroupLasso(0.4, "inputs")
    assert P.deserialize(P.serialize(a)) != b
    c, d = nr.MaxNorm(2.0, "units"), nr.MaxNorm(2.0, (1,))
    assert C.deserialize(C.serialize(c)) != d


# -- Keras ids and configs ----------------------------------------------------------------
def test_keras_string_ids():
    assert P.get("l1") == nr.L1(0.01)
    assert P.get("l2") == nr.L2(0.01)
    assert P.get("l1_l2") == nr.ElasticNet(0.01, 0.01)
    assert P.get("L1") == nr.L1(0.01)
    assert P.get(None) is None
    assert C.get("max_norm") == nr.MaxNorm()
    assert C.get("non_neg") == nr.NonNeg()
    assert C.get("unit_norm") == nr.UnitNorm()
    assert C.get("min_max_norm") == nr.MinMaxNorm()


def test_keras3_regularizer_dicts():
    keras3 = {
        "module": "keras.regularizers",
        "class_name": "L1L2",
        "config": {"l1": 0.0, "l2": 0.1},
        "registered_name": None,
    }
    assert P.deserialize(keras3) == nr.ElasticNet(0.0, 0.1)
    assert P.get(keras3) == nr.ElasticNet(0.0, 0.1)
    l1 = {
        "module": "keras.regularizers",
        "class_name": "L1",
        "config": {"l1": 0.05},
        "registered_name": None,
    }
    assert P.deserialize(l1) == nr.L1(0.05)
    l2 = {"class_name": "L2", "config": {"l2": 0.2}}  # Keras 2 form
    assert P.deserialize(l2) == nr.L2(0.2)
    # Keras's L1L2 may write None for a part it does not use
    assert P.deserialize(
        {"class_name": "L1L2", "config": {"l1": None, "l2": 0.3}}
    ) == nr.ElasticNet(0.0, 0.3)


@pytest.mark.parametrize(
    "axis, expected",
    [(0, "units"), (1, "inputs"), ([0, 1, 2], "units"), ([0, 1], "units"), ([0], "units")],
)
def test_keras_constraint_dicts_map_the_axis_onto_torch_layout(axis, expected):
    config = {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": axis}}
    assert C.deserialize(config) == nr.MaxNorm(3, axis=expected)
    keras3 = {
        "module": "keras.constraints",
        "class_name": "UnitNorm",
        "config": {"axis": axis},
        "registered_name": None,
    }
    assert C.get(keras3) == nr.UnitNorm(expected)


def test_keras_min_max_norm_dict():
    config = {
        "class_name": "MinMaxNorm",
        "config": {"min_value": 0.5, "max_value": 2.0, "rate": 0.5, "axis": 0},
    }
    assert C.deserialize(config) == nr.MinMaxNorm(0.5, 2.0, 0.5, "units")
    assert C.deserialize({"class_name": "NonNeg", "config": {}}) == nr.NonNeg()


def test_an_unmappable_keras_axis_is_refused_with_the_axis():
    with pytest.raises(ValueError, match=r"axis=\[1, 2\]"):
        C.deserialize({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": [1, 2]}})


@pytest.mark.parametrize(
    "build",
    [
        lambda: nr.L1.from_config({"l1": 0.1, "l2": 0.2}),
        lambda: P.deserialize({"class_name": "L1", "config": {"l1": 0.1, "l2": 0.2}}),
        lambda: P.deserialize({"class_name": "GroupLasso", "config": {"lam": 0.1, "l2": 0.2}}),
        lambda: nr.MaxNorm.from_config({"max_value": 2.0, "l2": 0.2}),
        lambda: C.deserialize({"class_name": "NonNeg", "config": {"l2": 0.2}}),
    ],
)
def test_unknown_config_key_is_an_error_naming_it(build):
    with pytest.raises(ValueError, match="'l2'") as info:
        build()
    assert "Unknown config key" in str(info.value)


def test_unknown_class_names_and_ids_are_errors_naming_them():
    with pytest.raises(ValueError, match="'Orthogonal'"):
        P.deserialize({"class_name": "Orthogonal", "config": {}})
    with pytest.raises(ValueError, match="'Orthogonal'"):
        C.deserialize({"class_name": "Orthogonal", "config": {}})
    with pytest.raises(ValueError, match="'l3'"):
        P.get("l3")
    with pytest.raises(ValueError, match="'max'"):
        C.get("max")
