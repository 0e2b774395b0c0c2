"""Cross-validation of network paths: one grid for every fold, both choices, parallel = serial."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netreg as nr
from netreg.path import cross_validate, network_fold_errors, rebuild
from netreg.path.folds import make_folds
from netreg.train import FitConfig, mlp

FAST = FitConfig(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=None, max_epochs=40, patience=5)
PLAN = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 5))
    y = np.tanh(X[:, 0]) + 0.5 * X[:, 1] + 0.2 * rng.normal(size=150)
    return X, y


def test_cv_lines_up_every_fold_on_the_refit_paths_grid(data):
    X, y = data
    cv = cross_validate(mlp(5, (8,), seed=0), X, y, PLAN, n_lambdas=6, folds=3, config=FAST)
    assert cv.path is not None
    assert np.array_equal(cv.lambdas, cv.path.lambdas)
    assert cv.fold_errors.shape == (3, len(cv.lambdas))
    assert np.allclose(cv.mean, cv.fold_errors.mean(axis=0))
    assert cv.lambda_1se >= cv.lambda_min
    assert cv.mean[cv.index_1se] <= cv.mean[cv.index_min] + cv.se[cv.index_min]
    assert cv.choice("min") == cv.lambda_min and cv.metric == "half_mse"
    # the dense end predicts better than the all-zero end
    assert cv.mean[-1] < cv.mean[0]
    best = rebuild(mlp(5, (8,), seed=0), cv.path, cv.index_1se)
    assert best[0].weight.shape == (8, 5)


def test_a_fold_error_is_the_held_out_loss_of_the_folds_own_path(data):
    X, y = data
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    (train, test), *_ = make_folds(len(y), 3, seed=0)
    lambdas = np.array([0.2, 0.02])
    errors = network_fold_errors(
        mlp(5, (8,), seed=0), Xt, yt, PLAN, train, test, lambdas, FAST, 0.2, 0, "mse"
    )
    cv = cross_validate(
        mlp(5, (8,), seed=0),
        X,
        y,
        PLAN,
        lambdas=lambdas,
        folds=3,
        config=FAST,
        metric="mse",
        refit=False,
    )
    assert cv.path is None and cv.metric == "mse"
    assert np.array_equal(cv.fold_errors[0], errors)


def test_parallel_folds_give_the_same_errors_as_serial_folds(data):
    X, y = data
    kwargs = dict(lambdas=[0.3, 0.03], folds=2, config=FAST, refit=False, seed=4)
    serial = cross_validate(mlp(5, (8,), seed=0), X, y, PLAN, n_jobs=1, **kwargs)
    parallel = cross_validate(
        mlp(5, (8,), seed=0), X, y, PLAN, n_jobs=2, backend="process", **kwargs
    )
    assert np.array_equal(serial.fold_errors, parallel.fold_errors)


def test_classification_folds_are_stratified_by_default(data):
    X, y = data
    labels = (y > np.quantile(y, 0.8)).astype(np.float64)  # 20% positives
    config = FAST.replace(loss="bce")
    kwargs = dict(lambdas=[0.1, 0.01], folds=3, config=config, refit=False, metric="error")
    auto = cross_validate(mlp(5, (8,), seed=0), X, labels, PLAN, **kwargs)
    stratified = cross_validate(mlp(5, (8,), seed=0), X, labels, PLAN, stratified=True, **kwargs)
    assert np.array_equal(auto.fold_errors, stratified.fold_errors)
    assert auto.metric == "error"
    assert np.all((auto.fold_errors >= 0) & (auto.fold_errors <= 1))


def test_misclassification_needs_a_classification_loss(data):
    X, y = data
    with pytest.raises(ValueError, match="metric='error'"):
        cross_validate(mlp(5, (8,), seed=0), X, y, PLAN, metric="error", config=FAST)
    with pytest.raises(ValueError, match="metric"):
        cross_validate(mlp(5, (8,), seed=0), X, y, PLAN, metric="r2", config=FAST)
