"""Core acceptance test 1: fit() on a linear model reaches scikit-learn's ElasticNet.

Linear model, ``loss="half_mse"``, full batch, SGD at ``lr = 1/L`` (L the largest
eigenvalue of XᵀX/n) and ``ElasticNet.from_sklearn(alpha, l1_ratio)`` in prox mode is
the proximal gradient method on exactly scikit-learn's objective.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet as SkElasticNet

import netreg as nr
from netreg import select
from netreg.train import FitConfig, fit, mlp

PAIRS = [(0.01, 0.5), (0.05, 1.0), (0.1, 0.2), (0.002, 0.9)]


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: intra-op threads only add barrier waits, and under pytest-xdist on a
    loaded two-core machine they make each step 10-30x slower. Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _sklearn_objective(X, y, w, b, alpha, l1_ratio):
    r = y - X @ w - b
    return (
        r @ r / (2 * len(y))
        + alpha * l1_ratio * np.abs(w).sum()
        + 0.5 * alpha * (1 - l1_ratio) * w @ w
    )


@pytest.mark.parametrize(("alpha", "l1_ratio"), PAIRS)
def test_proximal_gradient_reaches_sklearn_elastic_net(diabetes64, alpha, l1_ratio):
    X, y = (t.numpy() for t in diabetes64)
    n = len(y)
    lipschitz = float(np.linalg.eigvalsh(X.T @ X / n)[-1])
    reference = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=1_000_000).fit(
        X, y
    )

    model = mlp(X.shape[1], hidden=(), seed=0)
    plan = nr.Plan({select.weights(): nr.ElasticNet.from_sklearn(alpha, l1_ratio)})
    # tol=0: stop once the (monotone) ISTA objective stops decreasing at all.
    config = FitConfig(
        optimizer="sgd",
        lr=1.0 / lipschitz,
        batch_size=None,
        max_epochs=20_000,
        tol=0.0,
        patience=20,
        dtype="float64",
    )
    result = fit(model, X, y, regularizer=plan, config=config)

    w = model[0].weight.detach().numpy()[0]
    b = float(model[0].bias.detach())
    assert result.stop_reason == "patience"  # converged, not cut off by max_epochs
    np.testing.assert_allclose(w, reference.coef_, rtol=0, atol=1e-5)
    assert abs(b - reference.intercept_) <= 1e-5
    # identical zero pattern: the prox makes exact zeros where sklearn's coordinate descent does
    np.testing.assert_array_equal(w == 0, reference.coef_ == 0)
    # ... and the objective fit() reports is scikit-learn's objective, term for term
    expected = _sklearn_objective(X, y, w, b, alpha, l1_ratio)
    assert result.final_objective == pytest.approx(expected, rel=1e-12)
    assert (
        result.final_objective
        <= _sklearn_objective(X, y, reference.coef_, reference.intercept_, alpha, l1_ratio) + 1e-12
    )


def test_float32_inputs_are_cast_to_the_config_dtype(diabetes64):
    """float32 tensors and a float32 model are cast to float64; L1(alpha) is sklearn's Lasso(alpha)."""
    X32, y32 = (t.float() for t in diabetes64)
    X, y = X32.double().numpy(), y32.double().numpy()  # the values fit() will see
    alpha = 0.05
    lipschitz = float(np.linalg.eigvalsh(X.T @ X / len(y))[-1])
    model = mlp(X.shape[1], hidden=(), seed=1, dtype=torch.float32)
    config = FitConfig(
        optimizer="sgd",
        lr=1.0 / lipschitz,
        batch_size=None,
        max_epochs=5000,
        tol=0.0,
        patience=20,
        dtype="float64",
    )
    fit(model, X32, y32, regularizer=nr.Plan({select.weights(): nr.L1(alpha)}), config=config)
    assert model[0].weight.dtype == torch.float64
    reference = SkElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-14, max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(
        model[0].weight.detach().numpy()[0], reference.coef_, rtol=0, atol=1e-5
    )
