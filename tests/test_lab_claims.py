"""The lab's experiments: the verdicts the issue requires, reproducibility, and the algebra they use."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso
from torch import nn

from netreg.lab import CLAIM_IDS, run_claim
from netreg.lab.claims import _zou_hastie as Z
from netreg.lab.claims._shrink import n_parameters, shrink
from netreg.lab.claims.naive_vs_corrected import ols_prostate_test_mse

FAST = (
    "l1-norm-examples",
    "l2-proportional",
    "l1-sparsity",
    "weight-decay-sgd",
    "weight-decay-adam",
    "lasso-n-limit",
)


@pytest.fixture(scope="module")
def fast_results() -> dict[str, object]:
    return {claim_id: run_claim(claim_id) for claim_id in FAST}


def test_l1_norm_examples_hold_exactly(fast_results) -> None:
    result = fast_results["l1-norm-examples"]
    assert result.verdict == "holds"
    assert result.numbers["pos_L1"] == 6.0 and result.numbers["neg_L1"] == 3.5


def test_l2_shrinks_by_a_proportion_and_l1_by_a_constant(fast_results) -> None:
    result = fast_results["l2-proportional"]
    assert result.verdict == "holds"
    n = result.numbers
    assert n["l2_update_over_weight"] == pytest.approx(n["l2_expected_proportion"], abs=1e-12)
    assert n["l1_update"] == pytest.approx(n["l1_expected_constant"], abs=1e-12)


def test_l1_sparsity_tells_loss_mode_from_prox(fast_results) -> None:
    result = fast_results["l1-sparsity"]
    assert result.verdict == "holds only when the L1 penalty is applied by a proximal step"
    zeros = result.numbers["zero_fraction"]
    for setting in ("L1 in loss, SGD", "L1 in loss, Adam", "L2 in loss, SGD", "L2 in loss, Adam"):
        assert max(zeros[setting]) == 0.0, setting
    assert min(max(zeros["L1 prox, SGD"]), max(zeros["L1 prox, Adam"])) >= 0.10


def test_weight_decay_is_l2_under_sgd(fast_results) -> None:
    result = fast_results["weight-decay-sgd"]
    assert result.verdict == "holds"
    assert result.numbers["max_abs_difference"] <= 1e-10
    assert result.numbers["penalty_effect_max_abs"] > 1e-3  # the penalty did something


def test_weight_decay_is_not_l2_under_adam(fast_results) -> None:
    result = fast_results["weight-decay-adam"]
    assert result.verdict == "does not hold"
    n = result.numbers
    assert n["max_abs_difference_l2_vs_adamw"] > 1e-3
    # torch's Adam(weight_decay) is the coupled L2 gradient, identical to the loss penalty
    assert n["max_abs_difference_l2_vs_torch_adam_weight_decay"] <= 1e-10


def test_lasso_keeps_at_most_n_variables(fast_results) -> None:
    result = fast_results["lasso-n-limit"]
    assert result.verdict == "holds"
    n = result.numbers
    assert max(n["lasso_max_nonzero"]) <= n["n"]
    assert max(n["enet_max_nonzero"]) > n["n"]
    assert n["max_kkt_violation"] <= 1e-3


@pytest.mark.parametrize("claim_id", FAST)
def test_fast_results_are_complete_and_json_ready(fast_results, claim_id: str) -> None:
    result = fast_results[claim_id]
    assert result.id == claim_id and result.explanation and result.rule
    assert result.figure is not None
    json.dumps(result.to_dict())


@pytest.mark.parametrize("claim_id", ["l1-sparsity", "weight-decay-adam"])
def test_two_runs_give_the_same_verdict_and_numbers(fast_results, claim_id: str) -> None:
    again = run_claim(claim_id)
    first = fast_results[claim_id]
    assert again.verdict == first.verdict
    assert again.explanation == first.explanation
    assert again.reproducible_numbers() == first.reproducible_numbers()


def test_prostate_least_squares_matches_the_published_test_mse() -> None:
    # The Elements of Statistical Learning, Table 3.3: LS test error 0.521 on the 67/30 split.
    assert ols_prostate_test_mse() == pytest.approx(0.521, abs=1e-3)


def test_lab_ols_candidate_gives_the_same_prostate_fit() -> None:
    from netreg.data import load_prostate

    df = load_prostate()
    train = df[df.attrs["split"]].to_numpy(bool)
    X = df.drop(columns=[df.attrs["target"], df.attrs["split"]]).to_numpy(float)
    y = df[df.attrs["target"]].to_numpy(float)
    fit = Z.fit_candidates(X[train], y[train], "ols", Z.make_grid(X[train], y[train], "ols"))
    assert float(((fit.predict(X[~train])[0] - y[~train]) ** 2).mean()) == pytest.approx(
        0.521, abs=1e-3
    )


@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.3, 0.5), (0.05, 0.9), (1.0, 0.2)])
def test_correction_factor_matches_zou_hastie_on_a_unit_variance_design(
    alpha: float, l1_ratio: float
) -> None:
    """(1 + α(1 − r))·β̂_sklearn equals Zou & Hastie's elastic net from their Lemma 1.

    The paper: columns of unit norm, naive EN = a lasso on augmented data
    X* = (1 + λ₂)^(-1/2)·[X; √λ₂·I], y* = [y; 0], with penalty γ = λ₁/√(1 + λ₂) on β*;
    β̂_naive = β̂*/√(1 + λ₂) and the elastic net β̂ = √(1 + λ₂)·β̂*. With unit-variance columns
    X = √n·Z the derived mapping is λ₂ = α(1 − r), λ₁ = 2√n·α·r, β = γ/√n.
    """
    rng = np.random.default_rng(1)
    n, p = 60, 6
    X = (
        rng.standard_normal((n, p))
        @ np.linalg.cholesky(0.5 ** np.abs(np.subtract.outer(range(p), range(p)))).T
    )
    X = (X - X.mean(0)) / X.std(0)  # unit variance
    y = X @ np.array([3.0, 1.5, 0, 0, 2.0, 0]) + rng.standard_normal(n)
    y = y - y.mean()
    naive = (
        ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14, max_iter=100_000)
        .fit(X, y)
        .coef_
    )
    corrected = Z.correction_factor(alpha, l1_ratio) * naive

    unit_norm = X / np.sqrt(n)
    lam2, lam1 = alpha * (1 - l1_ratio), 2 * np.sqrt(n) * alpha * l1_ratio
    X_aug = np.vstack([unit_norm, np.sqrt(lam2) * np.eye(p)]) / np.sqrt(1 + lam2)
    y_aug = np.concatenate([y, np.zeros(p)])
    gamma = lam1 / np.sqrt(1 + lam2)
    # scikit-learn's lasso is 1/(2m)‖y* − X*β*‖² + a‖β*‖₁, so a = γ/(2m)
    star = (
        Lasso(alpha=gamma / (2 * (n + p)), fit_intercept=False, tol=1e-14, max_iter=100_000)
        .fit(X_aug, y_aug)
        .coef_
    )
    assert np.abs(star).sum() > 0
    np.testing.assert_allclose(star / np.sqrt(1 + lam2) / np.sqrt(n), naive, atol=1e-7)
    np.testing.assert_allclose(np.sqrt(1 + lam2) * star / np.sqrt(n), corrected, atol=1e-7)


def test_corrected_candidates_are_the_naive_ones_rescaled() -> None:
    design = Z.DESIGNS["example 1"]
    s = design.sample(np.random.default_rng(0))
    grids = {m: Z.make_grid(s["X_train"], s["y_train"], m) for m in ("naive", "corrected")}
    fits = Z.fit_methods(s["X_train"], s["y_train"], grids)
    factors = np.array(
        [Z.correction_factor(q["lambda"], q["l1_ratio"]) for q in fits["naive"].params]
    )
    np.testing.assert_allclose(fits["corrected"].coefs, fits["naive"].coefs * factors[:, None])


def test_shrink_removes_zero_units_and_keeps_the_outputs() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 2)
    ).double()
    with torch.no_grad():
        for layer, rows in ((model[0], [1, 4, 5]), (model[2], [0, 3])):
            layer.weight[rows] = 0.0
            layer.bias[rows] = 0.0
    small = shrink(model)
    assert [m.out_features for m in small if isinstance(m, nn.Linear)] == [5, 4, 2]
    assert n_parameters(small) < n_parameters(model)
    X = torch.randn(50, 5, dtype=torch.float64)
    with torch.no_grad():
        assert float((model(X) - small(X)).abs().max()) <= 1e-12


# -- the slower experiments: run on demand (`make test-slow`) ------------------------------

SLOW = tuple(c for c in CLAIM_IDS if c not in FAST)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", SLOW)
def test_slow_claims_run_and_give_a_computed_verdict(claim_id: str) -> None:
    result = run_claim(claim_id)
    assert result.status in ("holds", "partial", "does not hold", "not run")
    assert result.explanation and result.rule and result.figure is not None
    assert result.figure_png().startswith(b"\x89PNG")
    json.dumps(result.to_dict())
    assert result.seconds < 60


@pytest.mark.slow
def test_naive_vs_corrected_reports_prostate_beside_the_simulations() -> None:
    result = run_claim("naive-vs-corrected")
    assert result.numbers["prostate_ols_test_mse"] == pytest.approx(0.521, abs=1e-3)
    prostate = [row for row in result.table if row["data"] == "prostate"]
    assert [row["method"] for row in prostate] == [
        "OLS",
        "ridge",
        "lasso",
        "naive EN",
        "corrected EN",
    ]
    assert set(result.numbers["median_test_error"]) == set(Z.DESIGNS)


@pytest.mark.slow
def test_decision_guide_is_not_run_without_the_advisor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "netreg.advisor", None)  # import now raises ImportError
    result = run_claim("decision-guide")
    assert result.verdict == "not run"
    assert "netreg.advise" in result.explanation
