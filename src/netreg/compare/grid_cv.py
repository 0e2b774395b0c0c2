"""Choose a setting that has no λ path (the dropout rate) by K-fold CV and the 1-SE rule.

Dropout has no path to warm-start along, so each candidate rate is trained from scratch on
every fold. The fold errors form the same folds × values matrix as a λ path, and
:func:`netreg.path.summarize` chooses from it exactly as it chooses λ: ``min`` takes the
value of lowest mean error, ``1se`` the LARGEST value whose mean error is within one standard
error of that minimum. A larger dropout rate is more regularization, so the 1-SE choice is,
as for λ, the simplest model the data cannot tell apart from the best one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from netreg.compare.metrics import cv_loss
from netreg.path import CVResult, run_folds, summarize


def fold_error(
    *,
    estimator_cls: type,
    params: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    task: str,
    n_classes: int,
) -> float:
    """Fit ``estimator_cls(**params)`` on the ``train`` rows; its loss on the ``test`` rows."""
    estimator = estimator_cls(**params).fit(X[train], y[train])
    return cv_loss(task, estimator, X[test], y[test], n_classes)


def cross_validate_grid(
    estimator_cls: type,
    params: dict[str, Any],
    name: str,
    values: Sequence[float],
    X: np.ndarray,
    y: np.ndarray,
    *,
    folds: list[tuple[np.ndarray, np.ndarray]],
    task: str,
    n_classes: int,
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    progress: bool = False,
) -> CVResult:
    """K-fold CV of ``estimator_cls(**params, name=value)`` for each of ``values``.

    Parameters
    ----------
    estimator_cls : type
        A scikit-learn style estimator class (``NetRegRegressor`` or ``NetRegClassifier``).
    params : dict
        Its fixed keyword arguments.
    name : str
        The parameter that varies (``"dropout"``).
    values : sequence of float
        Its candidate values; sorted decreasing in the result, as λ grids are.
    folds : list of (train, test) index pairs
    task : {"regression", "classification"}
    n_classes : int
        Number of classes (0 for regression), so that every fold's log-loss uses all of them.
    n_jobs, backend, address, progress :
        As in :func:`netreg.path.run_folds`: one task per (value, fold).

    Returns
    -------
    CVResult
        ``lambdas`` holds the values, ``fold_errors`` the folds × values losses
        (½·MSE for regression, log-loss for classification); ``path`` is None.
    """
    start = time.perf_counter()
    grid = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    tasks = [
        {
            "estimator_cls": estimator_cls,
            "params": {**params, name: float(value)},
            "X": X,
            "y": y,
            "train": train,
            "test": test,
            "task": task,
            "n_classes": n_classes,
        }
        for train, test in folds
        for value in grid
    ]
    errors = run_folds(
        fold_error,
        tasks,
        n_jobs=n_jobs,
        backend=backend,
        address=address,
        progress=progress,
        description=f"{name} × folds",
    )
    fold_errors = errors.astype(np.float64).reshape(len(folds), len(grid))
    metric = "half_mse" if task == "regression" else "log_loss"
    return summarize(grid, fold_errors, metric=metric, seconds=time.perf_counter() - start)
