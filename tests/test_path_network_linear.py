"""The network engine agrees with the linear (coordinate descent) engine on linear models.

A ``nn.Linear(p, 1)`` with ``ElasticNet.from_sklearn(1, l1_ratio)`` on its weight, ½·MSE,
full batches and SGD at ``lr = 1/L`` is ISTA on scikit-learn's Elastic Net objective.
With correlation 0.3^|i−j| between the p = 8 features the design is well conditioned
(κ ≈ 3.2 with the intercept column), so ISTA's error shrinks by at least (1 − 1/κ) per
epoch: 150 epochs per warm λ (1,500 for the first, cold one) take it from O(1) below
1e-20; ``linear_path`` runs at a duality-gap tolerance of 1e-14. The 1e-8 bound leaves
room for float64 round-off only.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netreg as nr
from netreg.path import linear_lambda_max, linear_path, rebuild, regularization_path
from netreg.train import FitConfig


@pytest.fixture(scope="module")
def design() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n, p = 200, 8
    cov = 0.3 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), cov, size=n)
    beta = np.array([2.0, -1.5, 0.0, 0.0, 1.0, 0.0, 0.0, 0.5])
    return X, X @ beta + 0.5 * rng.normal(size=n) + 3.0


@pytest.mark.parametrize("direction", ["dense_to_sparse", "sparse_to_dense"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_network_path_of_a_linear_model_equals_coordinate_descent(design, l1_ratio, direction):
    """On a convex problem the direction does not matter: both reach the one solution."""
    X, y = design
    with_intercept = np.hstack([X, np.ones((len(X), 1))])
    lipschitz = float(np.linalg.eigvalsh(with_intercept.T @ with_intercept / len(X)).max())
    config = FitConfig(
        optimizer="sgd",
        lr=1.0 / lipschitz,
        batch_size=None,
        max_epochs=150,
        patience=None,
        loss="half_mse",
        dtype="float64",
    )
    plan = nr.Plan({nr.select.weights(): nr.ElasticNet.from_sklearn(1.0, l1_ratio)})
    lambdas = linear_lambda_max(X, y, l1_ratio) * np.array([0.5, 0.1, 0.01])
    model = torch.nn.Linear(8, 1)
    path = regularization_path(
        model, X, y, plan, lambdas=lambdas, config=config, val_fraction=0.0, direction=direction
    )
    reference = linear_path(X, y, l1_ratio=l1_ratio, lambdas=lambdas, tol=1e-14, max_iter=100_000)
    assert reference.coefs is not None and reference.intercepts is not None
    for i in range(len(lambdas)):
        fitted = rebuild(model, path, i)
        coef = fitted.weight.detach().numpy().ravel()
        assert np.abs(coef - reference.coefs[i]).max() < 1e-8
        assert abs(float(fitted.bias.detach()) - reference.intercepts[i]) < 1e-8
        assert np.array_equal(coef == 0, reference.coefs[i] == 0)
        assert path.nonzero[i] == reference.nonzero[i]
        assert path.selected_inputs[i] == reference.selected_inputs[i]
