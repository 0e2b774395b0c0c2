"""The λ grid: geometric, from λ_max down to eps·λ_max, as glmnet and scikit-learn."""

from __future__ import annotations

import numpy as np

from netreg._validation import check_float, check_int


def lambda_grid(lambda_max: float, n_lambdas: int = 100, eps: float = 1e-3) -> np.ndarray:
    """``n_lambdas`` values from ``lambda_max`` down to ``eps·lambda_max``, log-spaced, decreasing.

    Examples
    --------
    >>> lambda_grid(1.0, n_lambdas=3, eps=1e-2).tolist()
    [1.0, 0.1, 0.01]
    """
    lambda_max = check_float("lambda_max", lambda_max, low=0.0, low_inclusive=False)
    n_lambdas = check_int("n_lambdas", n_lambdas, low=1)
    eps = check_float("eps", eps, low=0.0, high=1.0, low_inclusive=False)
    if n_lambdas == 1:
        return np.array([lambda_max])
    return np.geomspace(lambda_max, lambda_max * eps, num=n_lambdas)
