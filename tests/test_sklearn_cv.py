"""The CV variants: the grid, the rule, and the refit at ``alpha_``.

The linear engine must agree with scikit-learn's ``LassoCV`` given the same folds and
grid (their choice is ``rule="min"``); ``"1se"`` never picks a smaller alpha; the final
model is the all-rows path's point at ``alpha_``, for both engines.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import Lasso, LassoCV
from sklearn.model_selection import KFold

from netreg.path import linear_lambda_max
from netreg.sklearn import (
    NetRegClassifier,
    NetRegClassifierCV,
    NetRegRegressorCV,
)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def test_linear_cv_chooses_lasso_cvs_alpha(diabetes):
    X, y = diabetes
    folds = KFold(5, shuffle=True, random_state=0)
    est = NetRegRegressorCV(hidden=(), penalty="l1", rule="min", cv=folds, eps=1e-3).fit(X, y)
    ref = LassoCV(alphas=est.alphas_, cv=folds).fit(X, y)
    assert est.alpha_ == pytest.approx(ref.alpha_)
    np.testing.assert_allclose(est.coef_, Lasso(alpha=est.alpha_).fit(X, y).coef_, atol=1e-10)
    assert est.engine_ == "coordinate_descent"
    one_se = NetRegRegressorCV(hidden=(), penalty="l1", rule="1se", cv=folds, eps=1e-3).fit(X, y)
    assert one_se.alpha_ >= est.alpha_
    assert one_se.alpha_ == one_se.cv_result_.lambda_1se
    assert len(one_se.selected_features_) <= len(est.selected_features_)


def test_ridge_grid_spans_glmnets_start_to_the_lasso_floor(diabetes):
    X, y = diabetes
    est = NetRegRegressorCV(hidden=(), penalty="l2", n_alphas=10, eps=1e-2, cv=3).fit(X, y)
    assert est.alphas_[0] == pytest.approx(linear_lambda_max(X, y, 1e-3))
    assert est.alphas_[-1] == pytest.approx(1e-2 * linear_lambda_max(X, y, 1.0))
    assert est.engine_ == "least_squares"


def test_network_cv_final_model_is_the_all_rows_paths_point_at_alpha():
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    params = dict(hidden=(4,), penalty="group", lr=0.03, max_epochs=20, batch_size=None)
    cv = NetRegClassifierCV(**params, n_alphas=4, cv=3).fit(X, y)
    assert cv.engine_ == "network"
    assert cv.alpha_ in cv.alphas_ and cv.cv_result_.fold_errors.shape[0] == 3
    assert cv.cv_result_.metric == "cross_entropy"
    # one grid, one meaning of alpha: the path's λ, the regularizer's scale
    np.testing.assert_array_equal(cv.alphas_, cv.path_.lambdas)
    index = int(np.flatnonzero(cv.path_.lambdas == cv.alpha_)[0])
    assert cv.regularizer_.scale == cv.alpha_
    state = cv.model_.state_dict()
    for name, tensor in cv.path_.states[index].items():
        torch.testing.assert_close(state[name], tensor, rtol=0, atol=0)
    assert cv.n_iter_ == cv.path_.epochs[index]


def test_linear_cv_final_model_is_the_coordinate_descent_paths_solution(diabetes):
    X, y = diabetes
    est = NetRegRegressorCV(hidden=(), penalty="elasticnet", n_alphas=8, cv=3).fit(X, y)
    index = int(np.flatnonzero(est.path_.lambdas == est.alpha_)[0])
    np.testing.assert_allclose(est.coef_, est.path_.coefs[index], rtol=1e-3, atol=1e-3)
    assert est.intercept_ == pytest.approx(est.path_.intercepts[index], abs=1e-3)
    assert est.regularizer_.scale == est.alpha_


def test_plain_estimator_alpha_is_the_regularizers_scale_on_a_unit_plan():
    X, y = load_iris(return_X_y=True)
    est = NetRegClassifier(hidden=(3,), penalty="l1", alpha=0.02, max_epochs=2).fit(X, y)
    reg = est.regularizer_
    assert reg.scale == 0.02
    weights = [m.weight for m in est.model_ if isinstance(m, torch.nn.Linear)]
    l1 = float(sum(w.detach().abs().sum() for w in weights))
    assert float(reg.value()) == pytest.approx(0.02 * l1)  # alpha·‖w‖₁ on a unit plan


def test_network_regressor_cv_runs_with_a_given_grid(diabetes):
    X, y = diabetes
    alphas = [1.0, 0.1, 0.01]
    est = NetRegRegressorCV(
        hidden=(4,),
        penalty="l1",
        alphas=alphas,
        lr=0.2,
        max_epochs=20,
        cv=3,
        rule="min",
        batch_size=None,
    ).fit(X, y)
    np.testing.assert_allclose(est.alphas_, sorted(alphas, reverse=True))
    assert est.alpha_ == est.cv_result_.lambda_min
    assert est.score(X, y) > 0.3


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"penalty": "none"}, "no alpha to choose"),
        ({"penalty": "elasticnet", "correction": "zou-hastie"}, "not available in the CV"),
        ({"penalty": "l1", "rule": "best"}, "rule"),
        ({"penalty": "l1", "cv": 1}, "cv"),
        ({"penalty": "l1", "alphas": [0.1, -1.0]}, "alphas"),
    ],
)
def test_cv_refusals_say_why(diabetes, params, match):
    X, y = diabetes
    with pytest.raises(ValueError, match=match) as info:
        NetRegRegressorCV(hidden=(), **params).fit(X, y)
    assert "Received:" in str(info.value)


@pytest.mark.slow  # spawns worker processes that import torch (~10 s)
def test_network_cv_in_processes_equals_serial():
    X, y = load_iris(return_X_y=True)
    params = dict(hidden=(4,), penalty="group", alphas=(0.01, 0.001), cv=2, max_epochs=5)
    serial = NetRegClassifierCV(**params, batch_size=None).fit(X, y)
    parallel = NetRegClassifierCV(**params, batch_size=None, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(parallel.cv_result_.fold_errors, serial.cv_result_.fold_errors)
