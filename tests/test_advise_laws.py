"""Laws behind the advisor's measurements: closed forms equal iterative solvers, limits hold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso

from netreg.advisor.diagnostics import _clusters, _condition, _same_block
from netreg.advisor.group_path import group_ids, group_lambda_max, group_lasso_path
from netreg.advisor.inputs import check_inputs
from netreg.advisor.sampling import make_sample, sample_rows
from netreg.advisor.signal import participation_ratio, ridge_cv
from netreg.path import cross_validate_linear, make_folds


def standardized(n: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X = (X - X.mean(0)) / X.std(0)
    return X, X[:, :3] @ np.array([2.0, -1.0, 0.5]) + rng.standard_normal(n)


@pytest.mark.parametrize(("n", "p"), [(80, 12), (40, 100)])  # primal and dual Gram matrix
def test_closed_form_ridge_equals_coordinate_descent(n, p) -> None:
    X, y = standardized(n, p)
    folds = make_folds(n, 4, seed=1)
    lambdas = np.geomspace(10.0, 5e-2, 6)
    (closed,), W = ridge_cv(X, y[:, None], folds, lambdas)
    cd = cross_validate_linear(
        X, y, l1_ratio=0.0, lambdas=lambdas, folds=folds, tol=1e-12, max_iter=100_000
    )
    np.testing.assert_allclose(closed.fold_errors, cd.fold_errors, rtol=1e-6)
    assert cd.path is not None and cd.path.coefs is not None
    at_min = cd.path.coefs[cd.index_min]
    np.testing.assert_allclose(W[:, 0], at_min, rtol=1e-5, atol=1e-8)


def test_group_lasso_with_singleton_groups_is_the_lasso() -> None:
    X, y = standardized(100, 8)
    ids = group_ids(8, [])
    lambdas = np.array([0.5, 0.1, 0.02])
    coefs, intercepts = group_lasso_path(X, y, ids, lambdas, tol=1e-10, max_iter=20_000)
    for lam, w, b in zip(lambdas, coefs, intercepts, strict=True):
        ref = Lasso(alpha=lam, tol=1e-12, max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(w, ref.coef_, atol=1e-6)
        assert b == pytest.approx(ref.intercept_, abs=1e-6)


def test_group_lambda_max_zeroes_every_group_and_no_less() -> None:
    X, y = standardized(100, 9, seed=3)
    ids = group_ids(9, [[0, 1, 2], [3, 4]])
    lam = group_lambda_max(X, y, ids)
    at_max, _ = group_lasso_path(X, y, ids, np.array([lam * (1 + 1e-9)]))  # rounding at equality
    below, _ = group_lasso_path(X, y, ids, np.array([0.98 * lam]))
    assert np.all(at_max == 0.0)
    assert np.any(below != 0.0)


def test_group_lasso_solution_satisfies_kkt() -> None:
    X, y = standardized(120, 9, seed=4)
    blocks = [[0, 1, 2], [3, 4], [5, 6, 7, 8]]
    ids = group_ids(9, blocks)
    lam = 0.3 * group_lambda_max(X, y, ids)
    (w,), (b,) = group_lasso_path(X, y, ids, np.array([lam]), tol=1e-12, max_iter=50_000)
    grad = -X.T @ (y - b - X @ w) / len(y)
    for block in blocks:
        g, wb, weight = grad[block], w[block], np.sqrt(len(block))
        if np.linalg.norm(wb) == 0:
            assert np.linalg.norm(g) <= lam * weight + 1e-6
        else:
            np.testing.assert_allclose(-g, lam * weight * wb / np.linalg.norm(wb), atol=1e-5)


def test_participation_ratio_limits() -> None:
    assert participation_ratio(np.ones(10)) == pytest.approx(1.0)
    assert participation_ratio(np.r_[3.0, np.zeros(9)]) == pytest.approx(0.1)
    assert participation_ratio(np.r_[np.ones(4), np.zeros(16)]) == pytest.approx(0.2)
    assert participation_ratio(np.zeros(5)) == 0.0


def test_condition_number_of_a_known_design() -> None:
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((400, 3)))
    Q -= Q.mean(0)
    X = Q * np.array([1.0, 2.0, 5.0])
    Xs = X / X.std(0)
    assert _condition(Xs, X, []) == pytest.approx(np.linalg.cond(Xs), rel=1e-6)
    collinear = np.column_stack([Xs, Xs[:, 0] + Xs[:, 1]])
    assert _condition(collinear, collinear, []) == float("inf")


def test_one_hot_block_is_not_rank_deficiency_nor_a_cluster() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    onehot = np.column_stack([labels == 0, labels == 1]).astype(float)  # r = −1 by construction
    X = np.column_stack([rng.standard_normal(300), onehot])
    Xs = (X - X.mean(0)) / X.std(0)
    block = [[1, 2]]
    assert np.isfinite(_condition(Xs, X, block))
    corr = np.corrcoef(Xs, rowvar=False)
    assert _clusters(corr, _same_block(3, block)) == []
    assert _clusters(corr, _same_block(3, [])) == [[1, 2]]


def test_sampling_keeps_class_proportions_and_standardizes() -> None:
    y = np.r_[np.zeros(9000, dtype=int), np.ones(1000, dtype=int)]
    rows = sample_rows(len(y), 1000, seed=0, classes=y)
    assert len(rows) == 1000 and np.bincount(y[rows]).tolist() == [900, 100]
    X = np.random.default_rng(0).normal(5.0, 3.0, (10_000, 4))
    X[:, 2] = 7.0
    sample = make_sample(X, y, classification=True, max_rows=1000, seed=0)
    assert sample.Xs.shape == (1000, 3) and sample.constant.tolist() == [2]
    np.testing.assert_allclose(sample.Xs.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(sample.Xs.std(0), 1.0)
    assert sample.stratified


def test_same_seed_same_advice_and_inputs_are_not_modified() -> None:
    from netreg.advisor import advise

    X, y = standardized(60, 6, seed=5)
    X_before, y_before = X.copy(), y.copy()
    first, second = advise(X, y, seed=3).to_dict(), advise(X, y, seed=3).to_dict()
    for result in (first, second):  # timings differ run to run; everything else must not
        result["diagnostics"].pop("seconds")
        result["validation"] = None
        for key in ("seconds", "lasso_seconds", "ridge_seconds"):
            result["diagnostics"]["signal"].pop(key)
        result["answers"].pop("validation")
        result["answers"].pop("compute")
    assert first == second
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert check_inputs(X, y).task == "regression"
