"""What the advisor hands out: JSON for files, text for people, and a plan sized to the budget."""

from __future__ import annotations

import json

import numpy as np
import pytest

from netreg.advisor import advise
from netreg.advisor.advice import FAMILY_TITLES, QUESTION_TITLES
from netreg.data import sparse_signal

FAMILIES = {"l1", "l2", "elasticnet", "group", "none"}


@pytest.fixture(scope="module")
def sparse_data() -> tuple[np.ndarray, np.ndarray]:
    df = sparse_signal(n=150, p=30, k=4, seed=2)
    return df.drop(columns="y").to_numpy(), df["y"].to_numpy()


@pytest.fixture(scope="module")
def checked(sparse_data):
    return advise(*sparse_data, check=True)


def test_json_has_the_recommendation_family_and_reasons(checked) -> None:
    text = json.dumps(checked.to_dict(), allow_nan=False)  # strict JSON: no NaN/inf
    data = json.loads(text)
    rec = data["recommendation"]
    assert rec["family"] in FAMILIES and rec["family"] == checked.recommendation.family
    assert rec["reasons"] and all(isinstance(r, str) and len(r) > 20 for r in rec["reasons"])
    assert rec["confidence"] in {"high", "medium", "low"}
    low, high = rec["lambda_range"]
    assert 0 < low < high
    assert {a["family"] for a in data["alternatives"]} <= FAMILIES - {rec["family"]}
    assert set(data["answers"]) == {"prior_knowledge", "validation", "compute"}
    assert data["check"]["agrees"] is True and data["check"]["metric"] == "mse"
    assert len(data["diagnostics"]["zero_fraction"]) == 30


def test_infinite_condition_number_is_null_in_json() -> None:
    df = sparse_signal(n=30, p=60, k=3, seed=0)
    advice = advise(df.drop(columns="y").to_numpy(), df["y"].to_numpy())
    assert advice.diagnostics.condition_number == float("inf")
    data = json.loads(json.dumps(advice.to_dict(), allow_nan=False))
    assert data["diagnostics"]["condition_number"] is None


def test_text_answers_the_three_questions_and_shows_the_check(checked) -> None:
    text = checked.render_text()
    assert FAMILY_TITLES[checked.recommendation.family] in text
    for title in QUESTION_TITLES.values():
        assert title in text
    for reason in checked.recommendation.reasons:
        assert reason in text
    assert "Verdict: agrees" in text and "← recommended" in text
    assert "[" not in text.split("\n")[0]  # plain text: no markup in the headline


def test_tiny_budget_leaves_no_room_and_says_so(sparse_data) -> None:
    advice = advise(*sparse_data, budget_seconds=1e-9)
    plan = advice.validation
    assert plan.affordable is False
    assert any("No room for validation" in line for line in advice.answers["validation"])


def test_bigger_budget_never_buys_a_smaller_plan(sparse_data) -> None:
    sizes = []
    for budget in (1e-6, 1e-3, 0.05, 1e4):
        plan = advise(*sparse_data, budget_seconds=budget).validation
        assert plan.budget_seconds == budget
        if plan.affordable:
            assert plan.seconds[advise(*sparse_data).recommendation.family] <= budget
        sizes.append(plan.folds * plan.n_lambdas * max(1, len(plan.l1_ratios)) * plan.affordable)
    assert sizes == sorted(sizes)
    assert sizes[-1] > 0


def test_elastic_net_plan_and_cost_note() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((150, 1))
    X = np.hstack([z + 0.3 * rng.standard_normal((150, 4)), rng.standard_normal((150, 10))])
    y = X[:, :4].sum(1) + 2 * rng.standard_normal(150)
    advice = advise(X, y)
    assert advice.recommendation.family == "elasticnet"
    assert advice.validation.l1_ratios == [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0]
    assert any("two hyperparameters" in line for line in advice.answers["compute"])
    start = advice.recommendation.lambda_start
    low, high = advice.recommendation.lambda_range
    assert low <= start <= high
    # λ_max of Elastic Net at l1_ratio 0.5 is twice the lasso's
    assert high == pytest.approx(2 * advice.diagnostics.signal.lambda_max_l1)


def test_few_rows_mean_more_folds_a_fixed_l1_ratio_and_the_one_se_rule() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((60, 1))
    X = np.hstack([z + 0.3 * rng.standard_normal((60, 4)), rng.standard_normal((60, 6))])
    y = X[:, :4].sum(1) + 3 * rng.standard_normal(60)
    advice = advise(X, y)
    plan = advice.validation
    assert plan.n_effective == 60 and plan.folds == 10 and plan.rule == "1se"
    assert advice.recommendation.family == "elasticnet"
    assert plan.l1_ratios == [0.5]
    assert "Only 60 effective rows" in advice.answers["validation"][0]
