"""Group lasso for a linear model by FISTA along a λ path, for ``--check`` (regression only).

Minimizes ``½·mean((y − b − Xw)²) + λ·Σ_g √|g|·‖w_g‖₂`` (netreg's group weights √|g|, as
:class:`netreg.GroupLasso`) with accelerated proximal gradient steps of size ``1/L``, where
``L`` is the largest eigenvalue of ``XᵀX/n``; each λ starts from the previous solution. The
prox is block soft-thresholding ``w_g ← v_g·max(0, 1 − step·λ·√|g| / ‖v_g‖)``.
"""

from __future__ import annotations

import numpy as np


def group_ids(p: int, blocks: list[list[int]]) -> np.ndarray:
    """A group index per feature: one per block, then one per feature outside every block."""
    ids = np.full(p, -1, dtype=np.int64)
    for g, block in enumerate(blocks):
        ids[block] = g
    loose = np.flatnonzero(ids < 0)
    ids[loose] = len(blocks) + np.arange(len(loose))
    return ids


def group_lambda_max(X: np.ndarray, y: np.ndarray, ids: np.ndarray) -> float:
    """Smallest λ with every group zero: ``max_g ‖X_gᵀ(y − ȳ)‖ / (n·√|g|)``."""
    grad = X.T @ (y - y.mean()) / len(y)
    sizes = np.bincount(ids)
    return float(np.max(np.sqrt(np.bincount(ids, weights=grad**2) / sizes)))


def group_lasso_path(
    X: np.ndarray,
    y: np.ndarray,
    ids: np.ndarray,
    lambdas: np.ndarray,
    *,
    tol: float = 1e-6,
    max_iter: int = 3000,
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (len(lambdas) × p) and intercepts along ``lambdas`` (decreasing)."""
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    Xc, yc = X - x_mean, y - y_mean
    n, p = Xc.shape
    lipschitz = float(np.linalg.norm(Xc, 2) ** 2 / n) or 1.0
    step = 1.0 / lipschitz
    weights = np.sqrt(np.bincount(ids))[ids]  # √|g| for each feature's group
    w = np.zeros(p)
    coefs = np.empty((len(lambdas), p))
    for i, lam in enumerate(lambdas):
        z, w_prev, t = w.copy(), w.copy(), 1.0
        for _ in range(max_iter):
            v = z - step * (Xc.T @ (Xc @ z - yc) / n)
            norms = np.sqrt(np.bincount(ids, weights=v**2))[ids]
            shrink = np.maximum(0.0, 1.0 - step * lam * weights / np.maximum(norms, 1e-300))
            w = v * shrink
            t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
            z = w + ((t - 1.0) / t_next) * (w - w_prev)
            change = np.max(np.abs(w - w_prev))
            w_prev, t = w, t_next
            if change <= tol * max(1.0, float(np.max(np.abs(w)))):
                break
        coefs[i] = w
    return coefs, y_mean - coefs @ x_mean
