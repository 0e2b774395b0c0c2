"""The pieces under ``netreg compare``: grid CV and its 1-SE direction, budgets, methods,
metrics in the target's units, norms pooled over one-hot columns, strict JSON, saved models."""

from __future__ import annotations

import json
import math
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
import torch

from netreg.compare import (
    BUDGETS,
    Budget,
    compare_methods,
    cross_validate_grid,
    fit_table,
    load_model,
    resolve_budget,
    resolve_methods,
    save_model,
)
from netreg.compare.network import input_norms, pool_norms
from netreg.data import DataError
from netreg.sklearn import NetRegClassifier, NetRegRegressor
from netreg.train import mlp, save_checkpoint
from tests.test_compare_support import synthetic_result


class _Scripted:
    """An "estimator" whose validation error is set by its dropout rate, to pin the rule."""

    curve: ClassVar[dict[float, float]] = {0.1: 1.00, 0.2: 0.98, 0.3: 0.995, 0.5: 1.40}

    def __init__(self, dropout: float = 0.0, **_: object) -> None:
        self.dropout = dropout

    def fit(self, X, y):
        return self

    def predict(self, X):
        # ½·mean(residual²) = curve[rate] + a fold-dependent wobble through X's first entry
        return np.full(len(X), math.sqrt(2 * (self.curve[self.dropout] + 0.05 * X[0, 0])))


def test_grid_cv_takes_the_largest_rate_within_one_se():
    X = np.zeros((40, 1))
    X[:4, 0] = [0.0, 1.0, -1.0, 0.5]  # row k opens fold k's test rows: one wobble per fold
    y = np.zeros(40)
    folds = [
        (np.setdiff1d(np.arange(40), np.arange(k, 40, 4)), np.arange(k, 40, 4)) for k in range(4)
    ]
    cv = cross_validate_grid(
        _Scripted,
        {},
        "dropout",
        [0.1, 0.2, 0.3, 0.5],
        X,
        y,
        folds=folds,
        task="regression",
        n_classes=0,
    )
    assert list(cv.lambdas) == [0.5, 0.3, 0.2, 0.1]  # decreasing, like a λ grid
    assert cv.lambda_min == 0.2
    bound = cv.mean[cv.index_min] + cv.se[cv.index_min]
    assert cv.mean[list(cv.lambdas).index(0.3)] <= bound  # 0.3 is within one SE …
    assert cv.lambda_1se == 0.3  # … and is the largest such rate (0.5 is not within)


def test_budget_checks_and_overrides():
    assert resolve_budget("quick", [("hidden", (8, 4)), ("lr", None)]).hidden == (8, 4)
    assert resolve_budget("full") is BUDGETS["full"]
    assert Budget(dropout_rates=(0.5, 0.1, 0.1)).dropout_rates == (0.1, 0.5)
    with pytest.raises(ValueError, match="budget"):
        resolve_budget("huge")
    with pytest.raises(ValueError, match=r"dropout_rates\[0\]"):
        Budget(dropout_rates=(1.0,))
    with pytest.raises(ValueError, match="max_norm"):
        Budget(max_norm=0.0)
    with pytest.raises(ValueError, match="optimizer"):
        Budget(optimizer="lbfgs")


def test_methods_by_name():
    assert [m.name for m in resolve_methods("l1, group")] == ["l1", "group"]
    with pytest.raises(ValueError, match="methods"):
        resolve_methods(["l1", "ridge"])
    with pytest.raises(ValueError, match="twice"):
        resolve_methods(["l1", "l1"])
    with pytest.raises(ValueError, match="at least one"):
        resolve_methods([])


def test_compare_budgets_are_the_registrys():
    from netreg import choices

    assert tuple(BUDGETS) == choices.names(choices.BUDGETS)
    assert all(BUDGETS[name].name == name for name in BUDGETS)


def test_norms_pool_one_hot_columns():
    w = torch.tensor([[3.0, 0.0, 4.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    sources = ["a", "color", "color", "b"]
    assert np.allclose(input_norms(w, sources), [3.0, 4.0, 1.0])
    per_lambda = np.array([[3.0, 0.0, 4.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    assert np.allclose(pool_norms(per_lambda, sources), [[3.0, 4.0, 1.0], [0.0, 0.0, 0.0]])


def test_binary_classifier_probabilities_are_the_sigmoid_of_its_logit():
    # compare scores the estimators' own predict_proba: one logit for two classes
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    est = NetRegClassifier(hidden=(), max_epochs=3, early_stopping=False).fit(X, y)
    proba = est.predict_proba(X)
    with torch.no_grad():
        logit = est.model_(torch.from_numpy(X)).numpy().ravel()
    assert np.allclose(proba[:, 1], 1 / (1 + np.exp(-logit)))
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_to_dict_is_strict_json_and_names_the_best():
    result = synthetic_result()
    result.methods[0].test["r2"] = float("nan")
    doc = result.to_dict()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text)["methods"][0]["test"]["r2"] is None
    assert doc["best_method"] == min(result.methods, key=lambda m: m.test["mse"]).name


def test_metrics_are_in_the_targets_units():
    """MSE scales with the square of the target's unit; R², the selection and α do not."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    small = Budget(hidden=(4,), max_epochs=20, patience=5, n_alphas=3)
    runs = [
        compare_methods(X, scale * y, task="regression", methods=["none"], folds=2, budget=small)
        for scale in (1.0, 100.0)
    ]
    a, b = (r.method("none") for r in runs)
    assert b.test["mse"] == pytest.approx(1e4 * a.test["mse"], rel=1e-6)
    assert b.cv_error == pytest.approx(1e4 * a.cv_error, rel=1e-6)
    assert b.test["r2"] == pytest.approx(a.test["r2"], rel=1e-9)


def test_too_few_rows_for_the_split_and_folds():
    X, y = np.zeros((6, 2)), np.arange(6.0)
    with pytest.raises(DataError, match="fewer than the 5"):
        compare_methods(X, y, task="regression", folds=5)
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 2])
    with pytest.raises(DataError, match="single row"):
        compare_methods(np.zeros((8, 2)), labels, task="classification", folds=2)


def test_saved_model_round_trip_and_refusals(tmp_path):
    df = pd.DataFrame({"a": np.arange(30.0), "c": ["u", "v", "w"] * 10})
    y = df["a"] * 2 + (df["c"] == "v")
    fitted = fit_table(df, y, task="regression", budget=Budget(hidden=(4,), max_epochs=10))
    path = save_model(tmp_path / "m.safetensors", fitted)
    loaded = load_model(path)
    X = torch.from_numpy(fitted.encoder.transform(df))
    with torch.no_grad():
        expected = fitted.y_mean + fitted.y_scale * fitted.model(X).numpy().ravel()
    assert np.allclose(loaded.predict_frame(df)["prediction"], expected)
    with pytest.raises(FileExistsError):
        save_model(path, fitted)
    other = save_checkpoint(
        tmp_path / "ckpt.safetensors", mlp(2, hidden=(), seed=0), extra={"x": 1}
    )
    with pytest.raises(ValueError, match="not a model saved by `netreg fit`"):
        load_model(other)


def test_plain_estimator_is_what_grid_cv_trains():
    """The grid's fold task fits the real estimator and scores ½·MSE on the held-out rows."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    folds = [(np.arange(20, 40), np.arange(20)), (np.arange(20), np.arange(20, 40))]
    params = {"hidden": (3,), "max_epochs": 5, "early_stopping": False, "random_state": 0}
    cv = cross_validate_grid(
        NetRegRegressor, params, "dropout", [0.0], X, y, folds=folds, task="regression", n_classes=0
    )
    by_hand = [
        0.5 * np.mean((y[te] - NetRegRegressor(**params).fit(X[tr], y[tr]).predict(X[te])) ** 2)
        for tr, te in folds
    ]
    assert np.allclose(cv.fold_errors[:, 0], by_hand)
