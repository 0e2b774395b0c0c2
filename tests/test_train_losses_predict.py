"""Data losses equal their formulas; predict() and evaluate() agree with fit(); bad data fails early."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from netreg.train import FitConfig, data_loss, evaluate, fit, mlp, predict


def _tensors(n=7, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g, dtype=torch.float64), torch.randn(
        n, k, generator=g, dtype=torch.float64
    )


def test_half_mse_is_sklearns_one_over_2n_frobenius():
    out, y = _tensors()
    expected = ((y - out) ** 2).sum() / (2 * out.shape[0])  # 1/(2n)·‖Y − Ŷ‖²_F
    assert float(data_loss("half_mse", out, y)) == pytest.approx(float(expected), rel=1e-14)


def test_mse_is_torchs_mean_over_all_entries():
    out, y = _tensors()
    assert float(data_loss("mse", out, y)) == pytest.approx(float(F.mse_loss(out, y)), rel=1e-14)


@pytest.mark.parametrize("loss", ["half_mse", "mse", "cross_entropy", "bce"])
def test_unit_weights_give_the_unweighted_loss(loss):
    out, y = _tensors()
    if loss == "cross_entropy":
        y = torch.tensor([0, 1, 2, 1, 0, 2, 2])
    if loss == "bce":
        y = (y > 0).double()
    ones = torch.ones(out.shape[0], dtype=out.dtype)
    assert float(data_loss(loss, out, y, ones)) == pytest.approx(
        float(data_loss(loss, out, y)), rel=1e-14
    )


def test_classification_with_cross_entropy_and_predict_probabilities():
    rng = np.random.default_rng(0)
    centers = np.array([[3.0, 0.0], [0.0, 3.0], [-3.0, -3.0]])
    labels = rng.integers(0, 3, size=150)
    X = centers[labels] + rng.normal(size=(150, 2))
    model = mlp(2, hidden=(16,), n_outputs=3, seed=0)
    result = fit(model, X, labels, config=FitConfig(loss="cross_entropy", lr=1e-2, max_epochs=60))
    proba = predict(model, X, task="multiclass")
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert (proba.argmax(1) == labels).mean() > 0.95
    assert result.final_train_loss == pytest.approx(
        evaluate(model, X, labels, "cross_entropy"), rel=1e-6
    )


def test_binary_classification_with_bce():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    model = mlp(3, hidden=(), seed=0)
    fit(model, X, y, config=FitConfig(loss="bce", lr=5e-2, max_epochs=100))
    p = predict(model, X, task="binary")
    assert p.shape == (120,) and ((p >= 0) & (p <= 1)).all()
    assert ((p > 0.5) == y).mean() > 0.95


def test_predict_and_evaluate_run_in_eval_mode_in_chunks_and_keep_the_mode():
    X = np.random.default_rng(2).normal(size=(50, 4))
    model = mlp(4, hidden=(8,), dropout=0.5, seed=0).train()
    a = predict(model, X, task="regression")
    b = predict(model, X, task="regression", batch_size=7)
    np.testing.assert_allclose(a, b, rtol=1e-6)  # dropout is off, chunks do not matter
    assert a.shape == (50,) and model.training
    assert evaluate(model, X, a, "mse", batch_size=9) == pytest.approx(0.0, abs=1e-10)
    assert predict(mlp(4, hidden=(), n_outputs=2, seed=0), X, task="regression").shape == (50, 2)


@pytest.mark.parametrize(
    ("X", "y", "loss", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), np.zeros(2), "half_mse", "NaN"),
        (np.zeros((2, 2)), np.array([np.inf, 0.0]), "half_mse", "NaN"),
        (np.zeros(4), np.zeros(4), "half_mse", "2-D"),
        (np.zeros((3, 2)), np.zeros(4), "half_mse", "one entry per row"),
        (np.zeros((3, 2)), np.array([0.0, 0.5, 1.0]), "cross_entropy", "integer class labels"),
        (np.zeros((3, 2)), np.array([0, 1, 5]), "cross_entropy", "has label 5"),
        (np.zeros((3, 2)), np.array([0.0, 2.0, 1.0]), "bce", "0/1"),
        (np.zeros((3, 2)), np.zeros((3, 2)), "half_mse", "outputs"),
    ],
)
def test_bad_data_fails_before_training_naming_the_problem(X, y, loss, match):
    n_outputs = 3 if loss == "cross_entropy" else 1
    with pytest.raises(ValueError, match=match):
        fit(
            mlp(2 if X.ndim == 2 else 1, hidden=(), n_outputs=n_outputs, seed=0),
            X,
            y,
            config=FitConfig(loss=loss),
        )


def test_predict_refuses_an_unknown_task():
    with pytest.raises(ValueError, match="task"):
        predict(mlp(2, hidden=(), seed=0), np.zeros((2, 2)), task="ranking")
