"""RELIABILITY row 9 and the Core issue's item 9: bad arguments fail at once, and the
message names the parameter and the value received (``Received: name=value``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select

BAD_NUMBERS = [-0.1, -1, math.nan, math.inf, -math.inf]

# (constructor, the keyword it takes, the name the message must use)
STRENGTHS = [
    (nr.L1, "l1"),
    (nr.L2, "l2"),
    (nr.ElasticNet, "l1"),
    (nr.ElasticNet, "l2"),
    (nr.GroupLasso, "lam"),
    (nr.SparseGroupLasso, "lam"),
    (nr.ElasticNet.from_sklearn, "alpha"),
    (nr.ElasticNet.from_glmnet, "lam"),
    (nr.ElasticNet.naive, "lam"),
]


def _check_message(message: str, name: str, value) -> None:
    assert name in message, message
    assert f"{name}={value!r}" in message, message


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("build, name", STRENGTHS, ids=lambda x: getattr(x, "__qualname__", x))
def test_bad_strengths_are_refused_naming_parameter_and_value(build, name, value):
    with pytest.raises(ValueError) as info:
        build(**{name: value})
    _check_message(str(info.value), name, value)


@pytest.mark.parametrize("value", [True, False], ids=repr)
@pytest.mark.parametrize("build, name", STRENGTHS, ids=lambda x: getattr(x, "__qualname__", x))
def test_a_bool_is_not_a_strength(build, name, value):
    with pytest.raises(TypeError) as info:
        build(**{name: value})
    _check_message(str(info.value), name, value)


@pytest.mark.parametrize("value", [np.True_, torch.tensor(True)], ids=["numpy", "torch"])
def test_array_bools_are_not_strengths_either(value):
    with pytest.raises(TypeError) as info:
        nr.L1(value)
    assert "l1=" in str(info.value)


@pytest.mark.parametrize("value", ["0.1", None, [0.1]], ids=repr)
def test_a_non_number_is_not_a_strength(value):
    with pytest.raises(TypeError) as info:
        nr.L1(value)
    _check_message(str(info.value), "l1", value)


FRACTIONS = [
    (nr.SparseGroupLasso, "l1_ratio"),
    (lambda **kw: nr.ElasticNet.from_sklearn(0.1, **kw), "l1_ratio"),
    (lambda **kw: nr.ElasticNet.from_glmnet(0.1, **kw), "alpha"),
    (lambda **kw: nr.ElasticNet.naive(0.1, **kw), "alpha"),
    (nr.MinMaxNorm, "rate"),
]


@pytest.mark.parametrize("value", [-0.01, 1.01, 2, math.nan, math.inf], ids=repr)
@pytest.mark.parametrize("build, name", FRACTIONS, ids=[n for _, n in FRACTIONS])
def test_fractions_outside_zero_one_are_refused(build, name, value):
    with pytest.raises(ValueError) as info:
        build(**{name: value})
    _check_message(str(info.value), name, value)


@pytest.mark.parametrize("cls", [nr.GroupLasso, nr.SparseGroupLasso])
def test_unknown_group_kind_and_weighting(cls):
    with pytest.raises(ValueError) as info:
        cls(groups="filters")
    _check_message(str(info.value), "groups", "filters")
    assert "'units'" in str(info.value) and "'inputs'" in str(info.value)  # says what is valid
    with pytest.raises(ValueError) as info:
        cls(weighting="l2")
    _check_message(str(info.value), "weighting", "l2")


@pytest.mark.parametrize("value", [0, 0.0, -1.0, math.nan, math.inf], ids=repr)
@pytest.mark.parametrize("cls", [nr.MaxNorm, nr.MinMaxNorm])
def test_max_value_must_be_positive_and_finite(cls, value):
    with pytest.raises(ValueError) as info:
        cls(max_value=value)
    _check_message(str(info.value), "max_value", value)


def test_min_max_norm_refuses_min_above_max():
    with pytest.raises(ValueError) as info:
        nr.MinMaxNorm(min_value=2.0, max_value=1.0)
    message = str(info.value)
    _check_message(message, "min_value", 2.0)
    _check_message(message, "max_value", 1.0)
    with pytest.raises(ValueError) as info:
        nr.MinMaxNorm(min_value=-0.5)
    _check_message(str(info.value), "min_value", -0.5)


@pytest.mark.parametrize("axis", ["rows", 1.5, [], True], ids=repr)
def test_bad_constraint_axis(axis):
    with pytest.raises(ValueError) as info:
        nr.MaxNorm(axis=axis)
    _check_message(str(info.value), "axis", axis)


def test_axis_out_of_range_for_the_parameter():
    with pytest.raises(ValueError) as info:
        nr.MaxNorm(1.0, (3,)).project(torch.ones(4, 2))
    _check_message(str(info.value), "axis", (3,))


def test_negative_scale_factor():
    with pytest.raises(ValueError) as info:
        nr.L1(0.1).scaled(-2.0)
    _check_message(str(info.value), "factor", -2.0)


def _mlp():
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))


def test_regularizer_scale_is_validated():
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(_mlp())
    for value in (-1.0, math.nan):
        with pytest.raises(ValueError) as info:
            reg.scale = value
        _check_message(str(info.value), "scale", value)


def test_group_penalty_on_a_vector_names_its_shape():
    with pytest.raises(ValueError) as info:
        nr.GroupLasso(0.1).prox(torch.ones(5), 1.0)
    assert "shape=(5,)" in str(info.value)


# -- plans --------------------------------------------------------------------------------
def test_a_selector_that_matches_nothing():
    selector = select.name("head.*")
    with pytest.raises(ValueError) as info:
        nr.Plan({selector: nr.L1(0.1)}).bind(_mlp())
    message = str(info.value)
    _check_message(message, "selector", selector)
    assert "'head.*'" in message and "0.weight" in message  # the pattern and the real names


def test_a_selector_that_matches_only_excluded_parameters_says_so():
    model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3))
    with pytest.raises(ValueError) as info:
        nr.Plan({select.name("1.*"): nr.L1(0.1)}).bind(model)
    assert "excluded by default" in str(info.value) and "1.weight" in str(info.value)


def test_two_prox_penalties_on_one_parameter_name_both():
    plan = nr.Plan({select.name("0.weight"): nr.L1(0.1), select.weights(): nr.GroupLasso(0.2)})
    with pytest.raises(ValueError) as info:
        plan.bind(_mlp())
    message = str(info.value)
    assert "'0.weight'" in message
    assert repr(nr.L1(0.1)) in message and repr(nr.GroupLasso(0.2)) in message
    # one in the loss is fine
    nr.Plan(
        {select.name("0.weight"): (nr.L1(0.1), "loss"), select.weights(): nr.GroupLasso(0.2)}
    ).bind(_mlp())


@pytest.mark.parametrize("model", [42, "model", torch.ones(3)], ids=["int", "str", "tensor"])
def test_bind_needs_a_module(model):
    with pytest.raises(TypeError) as info:
        nr.Plan({select.weights(): nr.L1(0.1)}).bind(model)
    message = str(info.value)
    assert "model" in message and type(model).__name__ in message


def test_bad_mode():
    with pytest.raises(ValueError) as info:
        nr.Plan({select.weights(): nr.L1(0.1)}, mode="fast")
    _check_message(str(info.value), "mode", "fast")
    with pytest.raises(ValueError) as info:
        nr.Plan({select.weights(): (nr.L1(0.1), "auto-prox")})
    _check_message(str(info.value), "mode", "auto-prox")


def test_bad_step_rule_in_attach():
    model = _mlp()
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(model)
    with pytest.raises(ValueError) as info:
        reg.attach(torch.optim.SGD(model.parameters(), lr=0.1), step="adam")
    _check_message(str(info.value), "step", "adam")
    assert "'auto'" in str(info.value) and "'lr'" in str(info.value)


def test_attach_needs_an_optimizer():
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(_mlp())
    with pytest.raises(TypeError) as info:
        reg.attach([1, 2])
    assert "optimizer" in str(info.value) and "list" in str(info.value)


def test_plan_keys_must_be_selectors():
    with pytest.raises(TypeError) as info:
        nr.Plan({"0.weight": nr.L1(0.1)})
    _check_message(str(info.value), "selector", "0.weight")


def test_unknown_penalty_in_a_plan():
    with pytest.raises(ValueError) as info:
        nr.Plan({select.weights(): "l3"})
    _check_message(str(info.value), "identifier", "l3")


def test_selector_arguments():
    with pytest.raises(TypeError) as info:
        select.weights(int)
    assert "type=<class 'int'>" in str(info.value)
    with pytest.raises(ValueError) as info:
        select.name()
    assert "patterns=()" in str(info.value)
