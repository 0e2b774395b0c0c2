"""How sparse and how strong is the signal? A quick lasso and ridge screen by cross-validation.

The estimate of sparsity is the lasso's support at glmnet's one-standard-error choice
λ_1se (the sparsest model whose CV error is within one SE of the best), expanded by the
clusters of strongly correlated features it touches: the lasso keeps one member of a
correlated group and drops the rest, so a touched cluster counts as relevant as a whole.
A second, independent view is the ridge *participation ratio* of the CV-best ridge
coefficients, ``(Σ|w|)² / (p·Σw²)``: about ``k/p`` when ``k`` equal effects carry the
signal, and ``2/π ≈ 0.64`` when every feature has a Gaussian effect. The cross-validated R²
(of the better of the two) measures the signal's strength: ``SNR = R² / (1 − R²)``.

For classification the screen runs on the class indicators (a linear probability model):
it is a screening device, not the final model, and λ_max coincides with that of the
logistic loss for a binary target.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from netreg.advisor.group_path import group_ids, group_lambda_max
from netreg.advisor.sampling import Sample
from netreg.path import CVResult, cross_validate_linear, summarize

#: λ values per quick CV path; the screen needs the shape of the curve, not its last digit.
N_LAMBDAS = 30
#: Most class indicators screened for a multiclass target (the largest classes).
MAX_SCREENED_CLASSES = 10


def ridge_grid(p: int, n: int) -> np.ndarray:
    """Ridge λ on standardized features: from 1e3 (all shrunk) to 1e-3 (≈ least squares).

    For ridge, λ is compared with the eigenvalues of the feature correlation matrix (mean
    1), so the grid does not depend on the scale of ``y``. When ``p ≥ n`` least squares
    interpolates and the small end stops at 1e-2.
    """
    return np.geomspace(1e3, 1e-3 if p < n else 1e-2, N_LAMBDAS)


@dataclasses.dataclass
class SignalEstimate:
    """The quick screen's findings (see the module docstring for each definition).

    Attributes
    ----------
    selected : list of str
        Features in the lasso's support at λ_1se (union over class indicators).
    relevant : list of str
        ``selected`` plus the other members of the correlated clusters they belong to.
    relevant_fraction : float
        ``len(relevant) / p_used``.
    participation : float
        Ridge participation ratio in [0, 1].
    r2, snr : float
        Cross-validated R² of the better screen and ``R² / (1 − R²)``.
    lambda_max_l1, lambda_1se_l1 : float
        Lasso λ_max and λ_1se (scikit-learn's alpha on standardized features).
    lambda_min_l2 : float
        Ridge λ with the least CV error; ``l2_band`` is the λ interval within one SE of it.
    lambda_max_group : float or None
        Group lasso λ_max when feature groups are known (group weights √|g|).
    seconds : float
        Time of the whole screen; ``lasso_seconds`` (coordinate descent along the λ path) is
        what :mod:`netreg.advisor.budget` scales to estimate the cost of tuning.
    """

    selected: list[str]
    relevant: list[str]
    relevant_fraction: float
    participation: float
    r2: float
    snr: float
    lambda_max_l1: float
    lambda_1se_l1: float
    lambda_min_l2: float
    l2_band: tuple[float, float]
    lambda_max_group: float | None
    n_lambdas: int
    n_folds: int
    n_targets: int
    seconds: float
    lasso_seconds: float
    ridge_seconds: float


def screen_targets(y: np.ndarray, classification: bool) -> list[np.ndarray]:
    """The targets screened: ``y`` itself, or the indicator of each (largest) class."""
    if not classification:
        return [y.astype(np.float64)]
    counts = np.bincount(y)
    present = np.flatnonzero(counts)
    if len(present) == 2:
        return [(y == present[1]).astype(np.float64)]
    largest = present[np.argsort(counts[present])[::-1][:MAX_SCREENED_CLASSES]]
    return [(y == k).astype(np.float64) for k in np.sort(largest)]


def participation_ratio(w: np.ndarray) -> float:
    """``(Σ|w|)² / (p·Σw²)``: 1 for equal magnitudes, ``1/p`` for a single nonzero, 0 for w = 0."""
    energy = float((w**2).sum())
    return float(np.abs(w).sum() ** 2 / (len(w) * energy)) if energy > 0 else 0.0


def ridge_cv(
    Xs: np.ndarray, T: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], lambdas: np.ndarray
) -> tuple[list[CVResult], np.ndarray]:
    """Ridge CV for every column of ``T`` at once, in closed form by one eigendecomposition per fold.

    For ½·MSE + ½·λ‖w‖² on centred data, ``w(λ) = (XᵀX + nλI)⁻¹XᵀT = Xᵀ(XXᵀ + nλI)⁻¹T``: the
    same solution as coordinate descent with ``l1_ratio=0``, for all λ and all targets from one
    decomposition of the smaller Gram matrix. Returns one :class:`CVResult` per target and the
    coefficients refitted on all rows at each target's λ_min (p × targets).
    """
    errors = np.empty((T.shape[1], len(folds), len(lambdas)))
    for f, (train, test) in enumerate(folds):
        solve = _ridge_solver(Xs[train], T[train])
        for i, lam in enumerate(lambdas):
            W, b = solve(lam)
            errors[:, f, i] = ((T[test] - Xs[test] @ W - b) ** 2).mean(axis=0)
    results = [summarize(lambdas, errors[k]) for k in range(T.shape[1])]
    solve = _ridge_solver(Xs, T)
    W = np.column_stack([solve(r.lambda_min)[0][:, k] for k, r in enumerate(results)])
    return results, W


def _ridge_solver(X: np.ndarray, T: np.ndarray) -> Callable[[float], tuple[np.ndarray, np.ndarray]]:
    """Ridge coefficients and intercepts for any λ from one eigendecomposition of a Gram matrix."""
    x_mean, t_mean = X.mean(axis=0), T.mean(axis=0)
    Xc, Tc = X - x_mean, T - t_mean
    n, p = Xc.shape
    primal = n >= p
    # eigh of the p×p (primal) or n×n (dual) Gram matrix: far cheaper than an SVD of X
    e, V = np.linalg.eigh(Xc.T @ Xc if primal else Xc @ Xc.T)
    e = np.clip(e, 0.0, None)
    VT = V.T @ (Xc.T @ Tc if primal else Tc)

    def solve(lam: float) -> tuple[np.ndarray, np.ndarray]:
        inner = V @ (VT / (e + n * lam)[:, None])
        W = inner if primal else Xc.T @ inner
        return W, t_mean - x_mean @ W

    return solve


def estimate_signal(
    sample: Sample,
    names: list[str],
    clusters: list[list[int]],
    blocks: list[list[int]],
    *,
    classification: bool,
) -> SignalEstimate:
    """Run the lasso and ridge screens on ``sample`` and summarize (see the module docstring)."""
    Xs = sample.Xs
    n, p = Xs.shape
    start = time.perf_counter()
    targets = screen_targets(sample.y, classification)
    grid = ridge_grid(p, n)
    ridges, W = ridge_cv(Xs, np.column_stack(targets), sample.folds, grid)
    ridge_seconds = time.perf_counter() - start
    ids = group_ids(p, blocks)
    selected: set[int] = set()
    participation, r2, lmax, l1se, bands, gmax = [], [], [], [], [], []
    lasso_seconds = 0.0
    # A screen only needs the shape of the CV curves: a looser tolerance is enough.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k, (t, ridge) in enumerate(zip(targets, ridges, strict=True)):
            lasso = cross_validate_linear(
                Xs, t, l1_ratio=1.0, n_lambdas=N_LAMBDAS, folds=sample.folds, tol=1e-3
            )
            lasso_seconds += lasso.seconds
            assert lasso.path is not None and lasso.path.coefs is not None
            selected.update(np.flatnonzero(lasso.path.coefs[lasso.index_1se]).tolist())
            participation.append(participation_ratio(W[:, k]))
            best = min(float(lasso.mean.min()), float(ridge.mean.min()))
            r2.append(max(0.0, 1.0 - best / float(t.var())))
            lmax.append(float(lasso.lambdas[0]))
            l1se.append(lasso.lambda_1se)
            bound = ridge.mean[ridge.index_min] + ridge.se[ridge.index_min]
            within = ridge.lambdas[ridge.mean <= bound]
            bands.append((float(within.min()), float(within.max())))
            if blocks:
                gmax.append(group_lambda_max(Xs, t, ids))
    relevant = set(selected)
    for cluster in clusters:
        if relevant.intersection(cluster):
            relevant.update(cluster)
    r2_mean = float(np.mean(r2))
    return SignalEstimate(
        selected=[names[j] for j in sorted(selected)],
        relevant=[names[j] for j in sorted(relevant)],
        relevant_fraction=len(relevant) / p,
        participation=float(np.mean(participation)),
        r2=r2_mean,
        snr=r2_mean / (1.0 - r2_mean) if r2_mean < 1.0 else float("inf"),
        lambda_max_l1=float(max(lmax)),
        lambda_1se_l1=float(np.median(l1se)),
        lambda_min_l2=float(np.median([r.lambda_min for r in ridges])),
        l2_band=(min(b[0] for b in bands), max(b[1] for b in bands)),
        lambda_max_group=float(max(gmax)) if gmax else None,
        n_lambdas=N_LAMBDAS,
        n_folds=len(sample.folds),
        n_targets=len(targets),
        seconds=time.perf_counter() - start,
        lasso_seconds=lasso_seconds,
        ridge_seconds=ridge_seconds,
    )
