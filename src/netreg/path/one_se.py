"""Choosing λ from cross-validated errors: the minimum and glmnet's one-standard-error rule."""

from __future__ import annotations

import numpy as np


def cv_summary(fold_errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean error and its standard error over folds, per λ (glmnet's ``cvm``, ``cvsd``).

    ``se = sqrt(mean((e − mean)²) / (K − 1))``, i.e. the sample standard deviation over the
    K folds divided by √K.
    """
    errors = np.asarray(fold_errors, dtype=float)
    k = errors.shape[0]
    mean = errors.mean(axis=0)
    se = np.sqrt(((errors - mean) ** 2).mean(axis=0) / (k - 1)) if k > 1 else np.zeros_like(mean)
    return mean, se


def choose_lambdas(lambdas: np.ndarray, mean: np.ndarray, se: np.ndarray) -> tuple[int, int]:
    """Indices of λ_min and λ_1se, as glmnet's ``getOptcv`` defines them.

    λ_min is the largest λ attaining the minimum mean error; λ_1se is the LARGEST λ whose
    mean error is at most ``mean(λ_min) + se(λ_min)``. (Two public libraries took the
    smallest such λ instead; tests pin the direction.)
    """
    lambdas = np.asarray(lambdas, dtype=float)
    finite = np.isfinite(mean)
    if not finite.any():
        raise ValueError("Every cross-validated error is NaN or infinite; no λ can be chosen.")
    best = np.nanmin(np.where(finite, mean, np.nan))
    at_min = np.flatnonzero(finite & (mean <= best))
    index_min = int(at_min[np.argmax(lambdas[at_min])])
    bound = mean[index_min] + se[index_min]
    within = np.flatnonzero(finite & (mean <= bound))
    index_1se = int(within[np.argmax(lambdas[within])])
    return index_min, index_1se
