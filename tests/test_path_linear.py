"""The linear engine against scikit-learn (issue 'Choosing λ', items 1 and 2)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet, ElasticNetCV, LassoCV, enet_path
from sklearn.model_selection import KFold

from netreg.path.cv import cross_validate_linear, summarize
from netreg.path.linear import linear_lambda_max, linear_path
from netreg.path.one_se import choose_lambdas, cv_summary


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _sklearn_alpha_max(X, y, l1_ratio):
    Xc, yc = X - X.mean(0), y - y.mean()
    return np.abs(Xc.T @ yc).max() / (len(y) * l1_ratio)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_lambda_max_equals_sklearns_alpha_max(diabetes, l1_ratio):
    X, y = diabetes
    ours = linear_lambda_max(X, y, l1_ratio)
    assert ours == pytest.approx(_sklearn_alpha_max(X, y, l1_ratio), rel=1e-9)
    # and it is the first value of scikit-learn's own automatic grid
    sk_alphas, _, _ = enet_path(X - X.mean(0), y - y.mean(), l1_ratio=l1_ratio, alphas=3)
    assert ours == pytest.approx(sk_alphas[0], rel=1e-9)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_all_zero_at_lambda_max_and_not_just_below(diabetes, l1_ratio):
    X, y = diabetes
    lam = linear_lambda_max(X, y, l1_ratio)
    path = linear_path(X, y, l1_ratio=l1_ratio, lambdas=np.array([lam, 0.99 * lam]), tol=1e-12)
    assert path.nonzero[0] == 0
    assert path.nonzero[1] > 0


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_equals_independent_sklearn_fits(diabetes, l1_ratio):
    """Each λ of the warm-started path equals a cold scikit-learn ElasticNet fit (≤ 1e-5)."""
    X, y = diabetes
    path = linear_path(X, y, l1_ratio=l1_ratio, n_lambdas=12, tol=1e-12, max_iter=100_000)
    for lam, coef, intercept in zip(path.lambdas, path.coefs, path.intercepts, strict=True):
        cold = ElasticNet(alpha=lam, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
        assert np.abs(coef - cold.coef_).max() <= 1e-5 * max(1.0, np.abs(cold.coef_).max())
        assert intercept == pytest.approx(cold.intercept_, rel=1e-7)
        assert np.array_equal(coef == 0, cold.coef_ == 0)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.9])
def test_cv_picks_the_same_alpha_as_sklearn_given_the_same_folds(diabetes, l1_ratio):
    X, y = diabetes
    folds = list(KFold(5, shuffle=True, random_state=3).split(X))
    ours = cross_validate_linear(X, y, l1_ratio=l1_ratio, folds=folds)
    sk = (LassoCV(cv=folds) if l1_ratio == 1.0 else ElasticNetCV(l1_ratio=l1_ratio, cv=folds)).fit(
        X, y
    )
    np.testing.assert_allclose(ours.lambdas, sk.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.fold_errors, sk.mse_path_.T, rtol=1e-6)
    assert ours.lambda_min == pytest.approx(sk.alpha_, rel=1e-12)


def test_one_se_rule_takes_the_largest_lambda_within_one_se():
    """glmnet's lambda.1se is the LARGEST λ (the sparser model) within one SE of the minimum."""
    lambdas = np.array([10.0, 5.0, 2.0, 1.0, 0.5, 0.2])
    fold_errors = np.array(
        [
            [9.0, 4.2, 3.05, 3.0, 3.05, 3.3],
            [9.4, 4.0, 3.10, 2.8, 3.10, 3.5],
            [9.2, 4.4, 3.00, 3.2, 2.95, 3.4],
        ]
    )
    mean, se = cv_summary(fold_errors)
    i_min, i_1se = choose_lambdas(lambdas, mean, se)
    assert lambdas[i_min] == 1.0
    within = lambdas[mean <= mean[i_min] + se[i_min]]
    assert lambdas[i_1se] == within.max() == 2.0  # not the smallest such λ (0.5)
    assert lambdas[i_1se] > lambdas[i_min]


def test_cv_summary_matches_glmnets_cvsd():
    rng = np.random.default_rng(0)
    errors = rng.random((7, 5))
    mean, se = cv_summary(errors)
    np.testing.assert_allclose(mean, errors.mean(axis=0))
    np.testing.assert_allclose(se, errors.std(axis=0, ddof=1) / np.sqrt(7))
    result = summarize(np.geomspace(1, 0.01, 5), errors)
    assert result.lambda_1se >= result.lambda_min
    assert result.choice("min") == result.lambda_min and result.choice("1se") == result.lambda_1se


def test_ridge_needs_an_explicit_grid(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="l1_ratio=0"):
        linear_path(X, y, l1_ratio=0.0)
    path = linear_path(X, y, l1_ratio=0.0, lambdas=np.array([1.0, 0.1]))
    assert (path.nonzero == X.shape[1]).all()


def test_result_is_json_ready(diabetes):
    import json

    X, y = diabetes
    cv = cross_validate_linear(X, y, n_lambdas=8, folds=3)
    data = json.loads(json.dumps(cv.to_dict()))
    assert data["lambda_1se"] == cv.lambda_1se and len(data["path"]["lambdas"]) == 8
