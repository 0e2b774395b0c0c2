"""The linear engine: coordinate descent along λ (scikit-learn's ``enet_path``).

For a model without hidden layers the problem is convex and coordinate descent with warm
starts is far faster than gradient steps, so netreg uses it there. λ is a multiplier on
``ElasticNet.from_sklearn(1, l1_ratio)`` added to ½·MSE: exactly scikit-learn's
``ElasticNet(alpha=λ, l1_ratio)``, and λ_max comes from that penalty's own ``alpha_max``.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.linear_model import enet_path

from netreg._validation import check_fraction
from netreg.path.grid import lambda_grid
from netreg.path.results import PathResult
from netreg.penalties import ElasticNet


def _center(
    X: np.ndarray, y: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean


def linear_lambda_max(
    X: np.ndarray, y: np.ndarray, l1_ratio: float = 1.0, *, fit_intercept: bool = True
) -> float:
    """Smallest λ at which every coefficient is zero: ``max|Xcᵀyc| / (n·l1_ratio)``.

    Computed as the penalty's ``alpha_max`` at the gradient of ½·MSE at zero (with the
    intercept at its optimum, ȳ), so it is the same KKT rule the network path uses.
    """
    l1_ratio = check_fraction("l1_ratio", l1_ratio)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    grad_at_zero = torch.from_numpy(-(Xc.T @ yc) / X.shape[0])
    return ElasticNet.from_sklearn(1.0, l1_ratio).alpha_max(grad_at_zero)


def linear_path(
    X: np.ndarray,
    y: np.ndarray,
    *,
    l1_ratio: float = 1.0,
    lambdas: np.ndarray | None = None,
    n_lambdas: int = 100,
    eps: float = 1e-3,
    fit_intercept: bool = True,
    tol: float = 1e-4,
    max_iter: int = 10_000,
) -> PathResult:
    """Elastic Net coefficients along a decreasing λ grid, with warm starts.

    Parameters
    ----------
    X, y : arrays (n, p) and (n,)
    l1_ratio : float in [0, 1]
        1 is the lasso. With 0 (ridge) there is no λ_max: pass ``lambdas``.
    lambdas : array, optional
        The grid; by default ``lambda_grid(λ_max, n_lambdas, eps)``.
    tol, max_iter : passed to scikit-learn's coordinate descent (its duality-gap tolerance).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> result = linear_path(X, y, n_lambdas=5)
    >>> int(result.nonzero[0]), result.coefs.shape
    (0, (5, 10))
    """
    l1_ratio = check_fraction("l1_ratio", l1_ratio)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    start = time.perf_counter()
    lambda_max = None
    if lambdas is None:
        if l1_ratio == 0.0:
            raise ValueError(
                "With l1_ratio=0 (pure ridge) no λ makes every coefficient zero, so there is "
                "no automatic grid: pass `lambdas`. Received: l1_ratio=0.0"
            )
        lambda_max = linear_lambda_max(X, y, l1_ratio, fit_intercept=fit_intercept)
        lambdas = lambda_grid(lambda_max, n_lambdas, eps)
    lambdas = np.sort(np.asarray(lambdas, dtype=np.float64))[::-1]
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    _, coefs, _ = enet_path(Xc, yc, l1_ratio=l1_ratio, alphas=lambdas, tol=tol, max_iter=max_iter)
    coefs = coefs.T  # n_lambdas × p
    intercepts = y_mean - coefs @ x_mean
    residuals = y[None, :] - (coefs @ X.T + intercepts[:, None])
    nonzero = (coefs != 0).sum(axis=1)
    return PathResult(
        lambdas=lambdas,
        coefs=coefs,
        intercepts=intercepts,
        train_loss=0.5 * (residuals**2).mean(axis=1),
        nonzero=nonzero,
        nonzero_groups=nonzero,
        selected_inputs=[np.flatnonzero(c).tolist() for c in coefs],
        input_norms=np.abs(coefs),  # each input's one weight: its column norm
        lambda_max=lambda_max,
        seconds=time.perf_counter() - start,
        engine="linear (coordinate descent)",
    )


def linear_fold_errors(
    X: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    lambdas: np.ndarray,
    l1_ratio: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
) -> np.ndarray:
    """Test-fold MSE at every λ of a path fitted on the training rows (one CV task)."""
    path = linear_path(
        X[train],
        y[train],
        l1_ratio=l1_ratio,
        lambdas=lambdas,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
    )
    assert path.coefs is not None and path.intercepts is not None
    predictions = X[test] @ path.coefs.T + path.intercepts[None, :]
    return ((y[test][:, None] - predictions) ** 2).mean(axis=0)
