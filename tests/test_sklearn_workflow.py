"""The estimators in scikit-learn workflows (RELIABILITY #2): search, pipelines, pickling,
feature names, selected features, pruning, and parameter errors that say what is wrong."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from netreg.data import sparse_signal
from netreg.sklearn import NetRegClassifier, NetRegRegressor


@pytest.fixture(scope="module")
def sparse():
    """200 rows, 12 features of which the first few matter."""
    frame = sparse_signal(200, 12, 3, noise=0.3, seed=0)
    y = frame.pop("y").to_numpy()
    return frame, y


def test_grid_search_over_alpha_and_l1_ratio(sparse):
    X, y = sparse
    grid = {"alpha": [1e-3, 1e-2, 1e-1], "l1_ratio": [0.2, 0.8]}
    search = GridSearchCV(NetRegRegressor(hidden=(), penalty="elasticnet"), grid, cv=3)
    search.fit(X, y)
    assert set(search.best_params_) == {"alpha", "l1_ratio"}
    assert len(search.cv_results_["mean_test_score"]) == 6
    assert search.best_estimator_.score(X, y) > 0.8

    network = GridSearchCV(
        NetRegRegressor(hidden=(4,), penalty="elasticnet", lr=0.05, max_epochs=15),
        {"alpha": [1e-3, 1e-1], "l1_ratio": [0.5, 1.0]},
        cv=2,
    ).fit(X, y)
    assert np.isfinite(network.cv_results_["mean_test_score"]).all()


def test_pipeline_with_scaler_keeps_feature_names(sparse):
    X, y = sparse
    pipe = Pipeline(
        [("scale", StandardScaler()), ("net", NetRegRegressor(hidden=(), penalty="l1", alpha=0.05))]
    ).set_output(transform="pandas")  # the scaler hands the names on
    pipe.fit(X, y)
    net = pipe.named_steps["net"]
    assert pipe.score(X, y) > 0.8
    np.testing.assert_array_equal(net.feature_names_in_, X.columns)
    assert net.n_features_in_ == X.shape[1]
    assert 0 < len(net.selected_features_) < X.shape[1]
    np.testing.assert_array_equal(net.selected_feature_names_, X.columns[net.selected_features_])
    np.testing.assert_array_equal(net.selected_features_, np.flatnonzero(net.coef_))


def test_selected_features_of_a_network_are_the_nonzero_input_columns(sparse):
    X, y = sparse
    X = StandardScaler().fit_transform(X)
    est = NetRegRegressor(
        hidden=(16,), penalty="group", groups="inputs", alpha=0.05, lr=0.01, max_epochs=80
    ).fit(X, y)
    weight = est.model_[0].weight.detach().numpy()
    columns = np.flatnonzero(np.abs(weight).sum(axis=0) > 0)
    np.testing.assert_array_equal(est.selected_features_, columns)
    assert 0 < len(columns) < X.shape[1]  # group lasso zeroed some inputs exactly
    assert not hasattr(est, "coef_")  # coef_ is for linear models only
    assert est.regularizer_.n_steps == est.fit_result_.n_steps  # the one that trained


@pytest.mark.parametrize(
    "estimator",
    [
        NetRegRegressor(hidden=(), penalty="l1", alpha=0.05),
        NetRegRegressor(hidden=(8,), penalty="group", groups="units", alpha=0.01, max_epochs=10),
        NetRegClassifier(hidden=(8,), penalty="l1", dropout=0.2, max_epochs=10),
    ],
)
def test_pickle_round_trip_gives_the_same_predictions(sparse, estimator):
    X, y = sparse
    if isinstance(estimator, NetRegClassifier):
        y = np.where(y > np.median(y), "high", "low")
    fitted = clone(estimator).fit(X, y)
    plan = None if fitted.regularizer_ is None else fitted.regularizer_.plan
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict(X), fitted.predict(X))
    if plan is not None:
        assert fitted.regularizer_.plan is plan  # pickling left the fitted estimator alone
    if fitted.regularizer_ is not None:
        # the rows still point at the copy's own parameters
        params = {id(p) for p in copy.model_.parameters()}
        assert all(id(row.param) in params for row in copy.regularizer_.rows)


def test_sample_weight_integer_weights_equal_repeated_rows(sparse):
    X, y = sparse
    X = X.to_numpy()[:40]
    y = y[:40]
    w = np.random.default_rng(1).integers(0, 4, size=40)
    params = dict(
        hidden=(4,),
        penalty="l1",
        alpha=1e-3,
        lr=0.05,
        batch_size=None,
        max_epochs=25,
        early_stopping=False,
    )
    weighted = NetRegRegressor(**params).fit(X, y, sample_weight=w)
    repeated = NetRegRegressor(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-9)


def test_pruned_model_predicts_the_same(sparse):
    X, y = sparse
    X = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
    est = NetRegRegressor(
        hidden=(32, 16), penalty="group", groups="units", alpha=0.02, lr=0.01, max_epochs=150
    ).fit(X, y)
    small, result = est.pruned_model_, est.prune_result_
    assert result.params_after < result.params_before  # units were zeroed and removed
    n_params = sum(p.numel() for p in small.parameters())
    assert n_params == result.params_after
    expected = est.predict(X)
    with torch.no_grad():
        direct = small(torch.tensor(result.select_inputs(X.to_numpy()))).numpy().ravel()
    np.testing.assert_allclose(direct, expected, atol=1e-6)
    copy = est.pruned()
    np.testing.assert_allclose(copy.predict(X), expected, atol=1e-6)
    assert copy.model_ is small and copy.regularizer_ is None
    assert est.model_ is not small  # the estimator itself is unchanged


def test_pruned_inputs_with_feature_selection(sparse):
    X, y = sparse
    X = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
    est = NetRegClassifier(
        hidden=(8,), penalty="group", groups="inputs", alpha=0.01, lr=0.02, max_epochs=80
    ).fit(X, y > np.median(y))
    result = est.prune_result_
    assert 0 < len(est.selected_features_) < X.shape[1]
    assert result.inputs_kept == est.selected_features_.tolist()
    assert result.selected_inputs == est.selected_feature_names_.tolist()
    copy = est.pruned()
    np.testing.assert_allclose(copy.predict_proba(X), est.predict_proba(X), atol=1e-6)
    pickle.loads(pickle.dumps(copy)).predict(X)


def test_refit_drops_attributes_of_the_previous_fit(sparse):
    X, y = sparse
    est = NetRegRegressor(hidden=(), penalty="l1", alpha=0.05).fit(X, y)
    assert hasattr(est, "coef_") and hasattr(est, "selected_feature_names_")
    est.set_params(hidden=(4,), max_epochs=2).fit(X.to_numpy(), y)
    assert not hasattr(est, "coef_") and not hasattr(est, "intercept_")
    assert not hasattr(est, "feature_names_in_") and not hasattr(est, "selected_feature_names_")


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"penalty": "lasso"}, ValueError, "penalty"),
        ({"alpha": -1.0}, ValueError, "alpha"),
        ({"l1_ratio": 1.5}, ValueError, "l1_ratio"),
        ({"hidden": 64}, TypeError, "hidden"),
        ({"hidden": (8, 0)}, ValueError, r"hidden\[1\]"),
        ({"groups": "rows"}, ValueError, "groups"),
        (
            {"penalty": "group", "groups": "units", "hidden": ()},
            ValueError,
            "hidden=\\(\\) has none",
        ),
        ({"max_norm": 0.0}, ValueError, "max_norm"),
        ({"max_norm": 3.0, "hidden": ()}, ValueError, "max_norm"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"max_epochs": 1.5}, TypeError, "max_epochs"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction"),
        ({"mode": "exact"}, ValueError, "mode"),
        ({"random_state": "seed"}, TypeError, "random_state"),
        ({"correction": "zou"}, ValueError, "correction"),
    ],
)
def test_bad_parameters_fail_at_fit_naming_the_value(sparse, params, error, match):
    X, y = sparse
    est = NetRegRegressor(**params)  # __init__ stores only, as scikit-learn requires
    with pytest.raises(error, match=match) as info:
        est.fit(X, y)
    assert "Received:" in str(info.value)


def test_fit_shares_but_never_writes_the_features():
    """as_tensor shares X's memory with the network's data (no copy of the largest input);
    training must leave the caller's array exactly as it was."""
    from netreg.sklearn import NetRegRegressor, NetRegRegressorCV

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 4))
    y = X[:, 0] - 2 * X[:, 1]
    before = X.copy()
    NetRegRegressor(hidden=(4,), penalty="l1", alpha=0.01, max_epochs=5).fit(X, y)
    NetRegRegressorCV(hidden=(4,), penalty="group", cv=2, n_alphas=3, max_epochs=5).fit(X, y)
    np.testing.assert_array_equal(X, before)
