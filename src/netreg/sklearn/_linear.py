"""The exact engine for linear regression, and Zou & Hastie's correction.

A linear model with no penalty, L1, L2 or Elastic Net is a convex problem, so the
estimators hand it to scikit-learn's own solvers instead of running gradient steps. The
objective is always the one the network loop minimizes,

    Σᵢ wᵢ·½(yᵢ − xᵢᵀβ − b)² / Σᵢ wᵢ  +  penalty(β),

(``wᵢ = 1`` without sample weights), with scikit-learn's meaning of ``alpha``:

=================  ================================================  =========================
penalty            penalty(β)                                        solver
=================  ================================================  =========================
``none``           0                                                 ``LinearRegression``
``l2``             ``½·alpha·‖β‖²``                                  ``Ridge(alpha·Σwᵢ)``
``l1``             ``alpha·‖β‖₁``                                    ``Lasso(alpha)`` (CD)
``elasticnet``     ``alpha·r·‖β‖₁ + ½·alpha·(1 − r)·‖β‖²``           ``ElasticNet(alpha, r)``
=================  ================================================  =========================

``Ridge`` minimizes ``Σwᵢ(yᵢ − ŷᵢ)² + a·‖β‖²``; multiplying the objective above by
``2·Σwᵢ`` gives ``a = alpha·Σwᵢ``. ``ElasticNet`` rescales the sample weights to sum to
n, which is the weighted mean above. Coordinate descent runs with scikit-learn's
defaults (``tol=1e-4``, ``max_iter=1000``), so ``coef_`` is the one ``Lasso`` /
``ElasticNet`` return.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import ElasticNet, LinearRegression, Ridge

# The correction assumes unit-variance columns; a column whose standard deviation is
# further than this from 1 makes the (1 + λ₂) factor mean something else.
UNIT_VARIANCE_TOLERANCE = 0.01


@dataclass
class LinearSolution:
    """Coefficients ``(p,)``, intercept, solver iterations and the solver's name."""

    coef: np.ndarray
    intercept: float
    n_iter: int
    engine: str


def solve_linear(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    penalty: str,
    alpha: float,
    l1_ratio: float,
) -> LinearSolution:
    """Minimize the weighted ½·MSE + penalty of the module docstring exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from netreg.sklearn._linear import solve_linear
    >>> X = np.random.default_rng(0).normal(size=(50, 3)); y = X[:, 0]
    >>> solve_linear(X, y, None, "l1", 0.1, 1.0).coef.round(3).tolist()
    [0.918, 0.0, 0.0]
    """
    ratio = {"l1": 1.0, "l2": 0.0, "elasticnet": l1_ratio, "none": 0.0}[penalty]
    if penalty == "none" or alpha == 0.0:
        model = LinearRegression().fit(X, y, sample_weight=sample_weight)
        return LinearSolution(model.coef_.copy(), float(model.intercept_), 1, "least_squares")
    if ratio == 0.0:
        total = float(len(y) if sample_weight is None else np.sum(sample_weight))
        # A direct solver: the result must not depend on the solver scikit-learn picks.
        ridge = Ridge(alpha=alpha * total, solver="cholesky")
        ridge.fit(X, y, sample_weight=sample_weight)
        return LinearSolution(ridge.coef_.copy(), float(ridge.intercept_), 1, "least_squares")
    enet = ElasticNet(alpha=alpha, l1_ratio=ratio).fit(X, y, sample_weight=sample_weight)
    return LinearSolution(
        enet.coef_.copy(), float(enet.intercept_), int(enet.n_iter_), "coordinate_descent"
    )


def zou_hastie(
    coef: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    alpha: float,
    l1_ratio: float,
) -> tuple[np.ndarray, float]:
    """Zou & Hastie's corrected Elastic Net: ``β ← (1 + λ₂)·β``, ``λ₂ = alpha·(1 − l1_ratio)``.

    The paper's naive estimator minimizes ``‖y − Xβ‖² + λ₂‖β‖² + λ₁‖β‖₁`` on centred,
    unit-norm columns. For columns with unit variance (``‖x_j‖² = n``), scikit-learn's
    objective times ``2n`` is that problem with ``λ₂ = alpha·(1 − l1_ratio)`` in the
    paper's scaling, so the factor is ``1 + alpha·(1 − l1_ratio)``. With other column
    scales the factor would differ per column: a UserWarning says so when a (weighted)
    column standard deviation is more than 1% away from 1 (standardize X first, e.g. a
    ``StandardScaler`` in a ``Pipeline``). The intercept is re-solved for the rescaled
    coefficients, ``b = ȳ − x̄ᵀβ`` (weighted means), so it stays optimal.

    Returns the corrected coefficients and intercept.
    """
    mean_x = np.average(X, axis=0, weights=sample_weight)
    std_x = np.sqrt(np.average((X - mean_x) ** 2, axis=0, weights=sample_weight))
    off = np.flatnonzero(np.abs(std_x - 1.0) > UNIT_VARIANCE_TOLERANCE)
    if off.size:
        shown = ", ".join(f"{j}: {std_x[j]:.3g}" for j in off[:5])
        warnings.warn(
            "correction='zou-hastie' assumes columns with unit variance (the paper's "
            "standardized predictors); these columns have standard deviation (index: std) "
            f"{shown}{' ...' if off.size > 5 else ''}. The (1 + λ₂) factor then does not "
            "undo the ridge shrinkage it was derived for: standardize X first "
            "(Pipeline([('scale', StandardScaler()), ...])).",
            UserWarning,
            stacklevel=4,
        )
    corrected = coef * (1.0 + alpha * (1.0 - l1_ratio))
    intercept = float(np.average(y, weights=sample_weight) - mean_x @ corrected)
    return corrected, intercept
