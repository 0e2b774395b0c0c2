"""The lab's registry: every claim of the claims table is there, with a runnable experiment."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from netreg.lab import CLAIM_IDS, ClaimResult, get_claim, list_claims, run_claim, run_claims
from netreg.lab.registry import _module

# The ids of ../shared/CLAIMS.md, copied here on purpose: the test fails when they drift.
TABLE_IDS = (
    "overfit-polyfit",
    "l1-norm-examples",
    "l1-sparsity",
    "l2-proportional",
    "lasso-n-limit",
    "correlated-features",
    "naive-vs-corrected",
    "weight-decay-sgd",
    "weight-decay-adam",
    "lr-lambda-confounded",
    "per-layer",
    "group-smaller-net",
    "max-norm-dropout",
    "l2-vs-dropout",
    "en-cost",
    "decision-guide",
)


def test_every_claim_of_the_table_is_registered_in_order() -> None:
    assert CLAIM_IDS == TABLE_IDS
    assert [spec.id for spec in list_claims()] == list(TABLE_IDS)


@pytest.mark.parametrize("claim_id", TABLE_IDS)
def test_each_claim_has_a_spec_and_a_run_function(claim_id: str) -> None:
    spec = get_claim(claim_id)
    assert spec.id == claim_id
    assert spec.title and spec.claim and spec.experiment
    assert spec.seeds and set(spec.seeds) <= {"000", "001", "002", "003"}
    run = _module(claim_id).run
    parameters = inspect.signature(run).parameters
    assert list(parameters) == ["full", "seed"]
    assert parameters["full"].default is False
    assert parameters["seed"].default == 0


def test_unknown_ids_are_refused_with_the_valid_ones_listed() -> None:
    with pytest.raises(ValueError, match="l1-sparsity") as info:
        run_claims(["l1-sparsity", "no-such-claim"])
    assert "no-such-claim" in str(info.value)
    with pytest.raises(ValueError, match="Received: claim='nope'"):
        run_claim("nope")


def test_run_claims_keeps_order_drops_duplicates_and_times_each() -> None:
    results = run_claims(["l2-proportional", "l1-norm-examples", "l2-proportional"])
    assert [r.id for r in results] == ["l2-proportional", "l1-norm-examples"]
    assert all(r.seconds > 0 for r in results)


def test_result_is_json_ready_and_round_trips_without_its_figure() -> None:
    result = run_claim("l2-proportional")
    data = result.to_dict()
    assert "figure" not in data
    text = json.dumps(data)
    again = ClaimResult.from_dict(json.loads(text))
    assert again.to_dict() == data
    assert isinstance(result.figure, Figure)
    assert result.figure_png().startswith(b"\x89PNG")


def test_numbers_become_plain_python_and_non_finite_becomes_null() -> None:
    result = ClaimResult(
        "x",
        "t",
        ["000"],
        "c",
        "holds",
        "e",
        {"a": np.float32(1.5), "b": np.arange(3), "c": float("nan"), "d": {1: np.bool_(True)}},
    )
    assert result.to_dict()["numbers"] == {"a": 1.5, "b": [0, 1, 2], "c": None, "d": {"1": True}}


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        ("holds", "holds"),
        ("does not hold", "does not hold"),
        ("not run", "not run"),
        ("holds only when λ is small", "partial"),
    ],
)
def test_verdicts_and_their_status(verdict: str, status: str) -> None:
    assert ClaimResult("x", "t", [], "c", verdict, "e").status == status


@pytest.mark.parametrize("verdict", ["true", "holds only when ", "Holds", ""])
def test_other_verdicts_are_refused(verdict: str) -> None:
    with pytest.raises(ValueError, match="Received: verdict="):
        ClaimResult("x", "t", [], "c", verdict, "e")


def test_from_dict_names_unknown_keys() -> None:
    data = ClaimResult("x", "t", [], "c", "holds", "e").to_dict() | {"colour": 1}
    with pytest.raises(ValueError, match="colour"):
        ClaimResult.from_dict(data)


def test_timings_are_left_out_of_the_reproducible_numbers() -> None:
    result = ClaimResult(
        "x", "t", [], "c", "holds", "e", {"a": 1, "b_seconds": 2.0, "c_ms": 3.0, "d_timing": 4.0}
    )
    assert result.reproducible_numbers() == {"a": 1}
