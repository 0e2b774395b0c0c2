"""K-fold cross-validation along one λ grid, with the min and one-standard-error choices.

Every fold uses the same grid (computed on all rows, as glmnet and scikit-learn do), so
the fold errors line up λ by λ. Folds run in parallel processes with ``n_jobs > 1`` or on
Ray with ``backend="ray"``; the results are identical to serial runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from netreg._parallel import map_tasks
from netreg.path.folds import make_folds
from netreg.path.grid import lambda_grid
from netreg.path.linear import linear_fold_errors, linear_lambda_max, linear_path
from netreg.path.one_se import choose_lambdas, cv_summary
from netreg.path.results import CVResult


def summarize(
    lambdas: np.ndarray,
    fold_errors: np.ndarray,
    *,
    metric: str = "mse",
    seconds: float = 0.0,
) -> CVResult:
    """Turn a folds × λ error matrix into a :class:`CVResult` with both choices."""
    lambdas = np.asarray(lambdas, dtype=float)
    fold_errors = np.asarray(fold_errors, dtype=float)
    mean, se = cv_summary(fold_errors)
    index_min, index_1se = choose_lambdas(lambdas, mean, se)
    return CVResult(
        lambdas=lambdas,
        fold_errors=fold_errors,
        mean=mean,
        se=se,
        lambda_min=float(lambdas[index_min]),
        lambda_1se=float(lambdas[index_1se]),
        index_min=index_min,
        index_1se=index_1se,
        n_folds=fold_errors.shape[0],
        metric=metric,
        seconds=seconds,
    )


def run_folds(
    fold_task: Callable[..., Any],
    tasks: list[dict[str, Any]],
    *,
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    progress: bool = False,
    description: str = "folds",
) -> np.ndarray:
    """Run one task per fold (a module-level function returning errors per λ, or one
    error); one row per task.

    ``backend="auto"`` is worker processes when ``n_jobs > 1``, else serial.
    """
    if backend == "auto":
        backend = "process" if n_jobs > 1 else "serial"
    rows = map_tasks(
        fold_task,
        tasks,
        backend=backend,
        n_jobs=n_jobs,
        address=address,
        progress=progress,
        description=description,
    )
    return np.vstack(rows)


def cross_validate_linear(
    X: np.ndarray,
    y: np.ndarray,
    *,
    l1_ratio: float = 1.0,
    lambdas: np.ndarray | None = None,
    n_lambdas: int = 100,
    eps: float = 1e-3,
    folds: Any = 5,
    seed: int = 0,
    fit_intercept: bool = True,
    tol: float = 1e-4,
    max_iter: int = 10_000,
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    progress: bool = False,
    refit: bool = True,
) -> CVResult:
    """Cross-validated Elastic Net / lasso for a linear model (the coordinate-descent engine).

    With the same folds this chooses the same ``alpha_`` as scikit-learn's ``LassoCV`` /
    ``ElasticNetCV`` (their choice is ``lambda_min``); ``lambda_1se`` follows glmnet.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = cross_validate_linear(X, y, n_lambdas=20)
    >>> cv.lambda_1se >= cv.lambda_min
    True
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    start = time.perf_counter()
    if lambdas is None:
        lambdas = lambda_grid(
            linear_lambda_max(X, y, l1_ratio, fit_intercept=fit_intercept), n_lambdas, eps
        )
    lambdas = np.sort(np.asarray(lambdas, dtype=np.float64))[::-1]
    splits = make_folds(len(y), folds, seed=seed, shuffle=isinstance(folds, int))
    tasks = [
        dict(
            X=X,
            y=y,
            train=train,
            test=test,
            lambdas=lambdas,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
        for train, test in splits
    ]
    errors = run_folds(
        linear_fold_errors,
        tasks,
        n_jobs=n_jobs,
        backend=backend,
        address=address,
        progress=progress,
    )
    result = summarize(lambdas, errors, seconds=time.perf_counter() - start)
    if refit:
        result.path = linear_path(
            X,
            y,
            l1_ratio=l1_ratio,
            lambdas=lambdas,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
    return result
