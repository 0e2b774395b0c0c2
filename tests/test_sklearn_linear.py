"""Linear regression through the estimators: alpha means scikit-learn's alpha (RELIABILITY #12).

``hidden=()`` with none / l1 / l2 / elasticnet goes to scikit-learn's exact solvers, so
``coef_`` is scikit-learn's; the training loop (group lasso on inputs, which for one
output is the lasso) reaches the same coefficients, which pins the meaning of ``alpha``
in both engines. Zou & Hastie's correction is checked against its formula.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

from netreg.sklearn import NetRegClassifier, NetRegRegressor


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    return X, y


@pytest.mark.parametrize(
    ("penalty", "l1_ratio", "reference"),
    [
        ("l1", 0.5, lambda a, n: Lasso(alpha=a)),
        ("elasticnet", 0.3, lambda a, n: ElasticNet(alpha=a, l1_ratio=0.3)),
        ("l2", 0.5, lambda a, n: Ridge(alpha=a * n)),
        ("none", 0.5, lambda a, n: LinearRegression()),
    ],
)
def test_linear_coefficients_are_scikit_learns(diabetes, penalty, l1_ratio, reference):
    X, y = diabetes
    est = NetRegRegressor(hidden=(), penalty=penalty, alpha=0.5, l1_ratio=l1_ratio).fit(X, y)
    ref = reference(0.5, len(y)).fit(X, y)
    assert est.engine_ in ("coordinate_descent", "least_squares")
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-10, atol=1e-10)
    assert est.intercept_ == pytest.approx(ref.intercept_, rel=1e-10)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-10)
    np.testing.assert_array_equal(est.selected_features_, np.flatnonzero(ref.coef_))


def test_ridge_branch_solves_the_half_mse_objective(diabetes):
    """l2 is ½·alpha·‖w‖² on ½·MSE: ElasticNet(l1_ratio=0) converged hard gives the same."""
    X, y = diabetes
    est = NetRegRegressor(hidden=(), penalty="l2", alpha=0.3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # l1_ratio=0 coordinate descent warns it is slow
        ref = ElasticNet(alpha=0.3, l1_ratio=0.0, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)


def test_weighted_lasso_satisfies_kkt_of_the_weighted_mean_objective(diabetes):
    """Σwᵢ·½rᵢ² / Σwᵢ + alpha·‖β‖₁: gradient within alpha on zeros, equal to −alpha·sign else."""
    X, y = diabetes
    w = np.random.default_rng(0).uniform(0.0, 3.0, size=len(y))
    alpha = 0.8
    est = NetRegRegressor(hidden=(), penalty="l1", alpha=alpha).fit(X, y, sample_weight=w)
    r = y - est.predict(X)
    grad = -(X.T @ (w * r)) / w.sum()
    beta = est.coef_
    on = beta != 0
    assert on.any() and (~on).any()
    scale = np.abs(X.T @ (w * y)).max() / w.sum()  # sklearn's duality-gap tol is relative
    np.testing.assert_allclose(grad[on], -alpha * np.sign(beta[on]), atol=1e-3 * scale)
    assert np.all(np.abs(grad[~on]) <= alpha + 1e-3 * scale)
    assert abs(np.sum(w * r)) / w.sum() < 1e-8  # the intercept is optimal


def test_network_loop_reaches_the_lasso_with_the_same_alpha(diabetes):
    """Group lasso on inputs of a one-output linear model is the lasso; ISTA gets there."""
    X, y = diabetes
    y = (y - y.mean()) / y.std()
    alpha = 0.05
    lipschitz = float(np.linalg.eigvalsh(X.T @ X / len(y))[-1])
    est = NetRegRegressor(
        hidden=(),
        penalty="group",
        alpha=alpha,
        optimizer="sgd",
        lr=1.0 / lipschitz,
        batch_size=None,
        max_epochs=400,
        early_stopping=False,
        patience=None,
    ).fit(X, y)
    ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    assert est.engine_ == "network"
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-8)
    np.testing.assert_array_equal(est.coef_ == 0, ref.coef_ == 0)


@pytest.mark.parametrize("mode", ["auto", "loss"])  # coordinate descent, training loop
def test_zou_hastie_rescales_by_one_plus_lambda2(diabetes, mode):
    X, y = diabetes
    alpha, l1_ratio = 0.4, 0.3
    naive = NetRegRegressor(
        hidden=(), penalty="elasticnet", alpha=alpha, l1_ratio=l1_ratio, mode=mode, max_epochs=20
    )
    corrected = clone(naive).set_params(correction="zou-hastie")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # standardized columns: no warning
        corrected.fit(X, y)
    naive.fit(X, y)
    factor = 1.0 + alpha * (1.0 - l1_ratio)
    np.testing.assert_allclose(corrected.coef_, factor * naive.coef_, rtol=1e-12)
    assert corrected.intercept_ == pytest.approx(y.mean() - X.mean(0) @ corrected.coef_)
    np.testing.assert_allclose(corrected.predict(X), X @ corrected.coef_ + corrected.intercept_)


def test_zou_hastie_warns_on_unstandardized_columns(diabetes):
    X, y = diabetes
    est = NetRegRegressor(hidden=(), penalty="elasticnet", alpha=0.1, correction="zou-hastie")
    with pytest.warns(UserWarning, match="unit variance"):
        est.fit(X * 3.0, y)


@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (NetRegRegressor(hidden=(4,), penalty="elasticnet"), "linear models only"),
        (NetRegRegressor(hidden=(), penalty="l1"), "penalty='elasticnet'"),
        (NetRegClassifier(hidden=(), penalty="elasticnet"), "least-squares"),
    ],
)
def test_zou_hastie_is_refused_where_it_has_no_meaning(diabetes, estimator, match):
    X, y = diabetes
    if isinstance(estimator, NetRegClassifier):
        y = (y > np.median(y)).astype(int)
    estimator.set_params(correction="zou-hastie")
    with pytest.raises(ValueError, match=match) as info:
        estimator.fit(X, y)
    assert "Received:" in str(info.value)
