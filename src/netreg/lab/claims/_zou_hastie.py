"""Linear fits for the naive-vs-corrected experiment: Zou & Hastie's designs and estimators.

Every estimator is fitted on standardized columns (training mean 0, variance 1) and its
coefficients are mapped back to the original scale. The Elastic Net runs on scikit-learn's
scaling through :func:`netreg.path.linear_path`: ``½·MSE + α·r·‖γ‖₁ + ½·α·(1−r)·‖γ‖²``.

Zou & Hastie's naive Elastic Net minimizes ``‖y − Zγ‖² + λ₂‖γ‖² + λ₁‖γ‖₁`` on unit-*norm*
columns ``Z``; with unit-*variance* columns ``X = √n·Z`` and ``β = γ/√n``, multiplying
scikit-learn's objective by ``2n`` gives ``λ₂ = α·(1 − r)`` and ``λ₁ = 2·√n·α·r``. The
corrected estimate is ``(1 + λ₂)·β̂_naive`` on either scale, so the factor is
``1 + α·(1 − r)`` (:func:`correction_factor`; a test checks it against the paper's
augmented-lasso form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from netreg.path import lambda_grid, linear_lambda_max, linear_path

METHODS = ("ols", "ridge", "lasso", "naive", "corrected")
L1_RATIOS = (0.05, 0.2, 0.4, 0.6, 0.8, 0.95)
RIDGE_LAMBDAS = np.geomspace(1e3, 1e-4, 60)
ENET = ("naive", "corrected")


def correction_factor(alpha: float | np.ndarray, l1_ratio: float) -> float | np.ndarray:
    """Zou & Hastie's ``1 + λ₂`` for scikit-learn's ``(alpha, l1_ratio)`` on unit-variance columns."""
    return 1.0 + alpha * (1.0 - l1_ratio)


@dataclass
class Candidates:
    """One fitted model per tuning value, on the original scale of ``X``."""

    coefs: np.ndarray  # m × p
    intercepts: np.ndarray  # m
    params: list[dict[str, float]]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions of every candidate: m × n."""
        return self.coefs @ X.T + self.intercepts[:, None]


@dataclass(frozen=True)
class Grid:
    """The tuning values of one method: a λ grid per l1_ratio (fixed across CV folds)."""

    l1_ratios: tuple[float, ...]
    lambdas: tuple[np.ndarray, ...]


def _standardize(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (X - mean) / scale, mean, scale


def make_grid(X: np.ndarray, y: np.ndarray, method: str, n_lambdas: int = 40) -> Grid:
    """λ grids from λ_max (per l1_ratio) down to 1e-3·λ_max, on standardized ``X``."""
    Z, _, _ = _standardize(X)
    if method == "ols":
        return Grid((), ())
    if method == "ridge":
        return Grid((0.0,), (RIDGE_LAMBDAS,))
    ratios = (1.0,) if method == "lasso" else L1_RATIOS
    grids = tuple(lambda_grid(linear_lambda_max(Z, y, r), n_lambdas, 1e-3) for r in ratios)
    return Grid(ratios, grids)


def _ridge(Z: np.ndarray, y: np.ndarray, lambdas: np.ndarray) -> np.ndarray:
    """``argmin ½·MSE + ½·λ‖γ‖²`` for every λ, by one eigendecomposition."""
    n = len(y)
    values, vectors = np.linalg.eigh(Z.T @ Z / n)
    projected = vectors.T @ (Z.T @ (y - y.mean()) / n)
    return np.stack([vectors @ (projected / (values + lam)) for lam in lambdas])


def fit_candidates(X: np.ndarray, y: np.ndarray, method: str, grid: Grid) -> Candidates:
    """Fit ``method`` at every value of ``grid`` on (X, y)."""
    return fit_methods(X, y, {method: grid})[method]


def fit_methods(X: np.ndarray, y: np.ndarray, grids: dict[str, Grid]) -> dict[str, Candidates]:
    """Fit every method of ``grids`` on (X, y); naive and corrected share one set of paths."""
    Z, mean, scale = _standardize(X)
    gammas: dict[str, tuple[np.ndarray, list[dict[str, float]]]] = {}
    for method, grid in grids.items():
        if method == "ols":
            gamma, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), Z]), y, rcond=None)
            gammas[method] = (gamma[1:][None, :], [{}])
        elif method == "ridge":
            gammas[method] = (
                _ridge(Z, y, grid.lambdas[0]),
                [{"lambda": float(lam)} for lam in grid.lambdas[0]],
            )
        elif method == "lasso" or (method in ENET and not set(ENET) & set(gammas)):
            gammas |= _enet_paths(Z, y, grid, method)
    # Z is centred, so every standardized fit has intercept ȳ; map it back to X's scale.
    out = {}
    for method in grids:
        gamma, params = gammas[method]
        coefs = gamma / scale[None, :]
        out[method] = Candidates(coefs, float(y.mean()) - coefs @ mean, params)
    return out


def _enet_paths(
    Z: np.ndarray, y: np.ndarray, grid: Grid, method: str
) -> dict[str, tuple[np.ndarray, list[dict[str, float]]]]:
    naive, corrected, params = [], [], []
    for r, lambdas in zip(grid.l1_ratios, grid.lambdas, strict=True):
        path = linear_path(Z, y, l1_ratio=r, lambdas=lambdas, tol=1e-4, max_iter=20_000)
        assert path.coefs is not None
        naive.append(path.coefs)
        corrected.append(path.coefs * np.asarray(correction_factor(path.lambdas, r))[:, None])
        params += [{"l1_ratio": r, "lambda": float(lam)} for lam in path.lambdas]
    if method == "lasso":
        return {"lasso": (np.vstack(naive), params)}
    return {"naive": (np.vstack(naive), params), "corrected": (np.vstack(corrected), params)}


def validation_choice(candidates: Candidates, X_val: np.ndarray, y_val: np.ndarray) -> int:
    """Index of the candidate with the smallest validation MSE."""
    errors = ((candidates.predict(X_val) - y_val[None, :]) ** 2).mean(axis=1)
    return int(np.argmin(errors))


def cv_choice(
    X: np.ndarray,
    y: np.ndarray,
    method: str,
    grid: Grid,
    folds: list[tuple[np.ndarray, np.ndarray]],
) -> int:
    """Index of the candidate with the smallest mean K-fold CV error (the "min" rule)."""
    return cv_choices(X, y, {method: grid}, folds)[method]


def cv_choices(
    X: np.ndarray, y: np.ndarray, grids: dict[str, Grid], folds: list[tuple[np.ndarray, np.ndarray]]
) -> dict[str, int]:
    """Per method, the candidate with the smallest mean K-fold CV error (the "min" rule)."""
    errors: dict[str, list[np.ndarray]] = {m: [] for m in grids}
    for train, test in folds:
        fits = fit_methods(X[train], y[train], grids)
        for method, fold in fits.items():
            errors[method].append(((fold.predict(X[test]) - y[test][None, :]) ** 2).mean(axis=1))
    return {m: int(np.argmin(np.mean(e, axis=0))) for m, e in errors.items()}


# -- the simulation designs -------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """One of Zou & Hastie's simulation examples."""

    name: str
    description: str  # plain words, for verdicts
    n_train: int
    n_val: int
    n_test: int
    sigma: float
    beta: np.ndarray
    features: Callable[[np.random.Generator, int], np.ndarray]

    def sample(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Training, validation and test sets; ``mu_test`` is the noise-free test mean."""
        out: dict[str, np.ndarray] = {}
        for part, n in (("train", self.n_train), ("val", self.n_val), ("test", self.n_test)):
            X = self.features(rng, n)
            mu = X @ self.beta
            out[f"X_{part}"] = X
            out[f"y_{part}"] = mu + self.sigma * rng.standard_normal(n)
            out[f"mu_{part}"] = mu
        return out


def _ar1(p: int, rho: float) -> Callable[[np.random.Generator, int], np.ndarray]:
    index = np.arange(p)
    chol = np.linalg.cholesky(rho ** np.abs(index[:, None] - index[None, :]))
    return lambda rng, n: rng.standard_normal((n, p)) @ chol.T


def _equicorrelated(p: int, rho: float) -> Callable[[np.random.Generator, int], np.ndarray]:
    chol = np.linalg.cholesky(np.full((p, p), rho) + (1 - rho) * np.eye(p))
    return lambda rng, n: rng.standard_normal((n, p)) @ chol.T


def _three_groups(rng: np.random.Generator, n: int) -> np.ndarray:
    """x₁…x₅ = Z₁ + ε, x₆…x₁₀ = Z₂ + ε, x₁₁…x₁₅ = Z₃ + ε (ε ~ N(0, 0.01)); x₁₆…x₄₀ ~ N(0, 1)."""
    latent = rng.standard_normal((n, 3))
    grouped = np.repeat(latent, 5, axis=1) + 0.1 * rng.standard_normal((n, 15))
    return np.column_stack([grouped, rng.standard_normal((n, 25))])


DESIGNS = {
    "example 1": Design(
        "example 1",
        "a few large coefficients among 8 (3, 1.5, 0, 0, 2, 0, 0, 0)",
        20,
        20,
        200,
        3.0,
        np.array([3.0, 1.5, 0, 0, 2.0, 0, 0, 0]),
        _ar1(8, 0.5),
    ),
    "example 2": Design(
        "example 2",
        "all 8 coefficients equal (0.85): no sparsity",
        20,
        20,
        200,
        3.0,
        np.full(8, 0.85),
        _ar1(8, 0.5),
    ),
    "example 3": Design(
        "example 3",
        "20 of 40 coefficients equal (2), every pair correlated 0.5",
        100,
        100,
        400,
        15.0,
        np.concatenate([np.zeros(10), np.full(10, 2.0), np.zeros(10), np.full(10, 2.0)]),
        _equicorrelated(40, 0.5),
    ),
    "example 4": Design(
        "example 4",
        "three groups of five near-identical relevant predictors among 40",
        50,
        50,
        400,
        15.0,
        np.concatenate([np.full(15, 3.0), np.zeros(25)]),
        _three_groups,
    ),
}

WHEN = {
    "example 1": "the true coefficients are few and large",
    "example 2": "every coefficient is equal and nonzero",
    "example 3": "half of many correlated coefficients are equal and nonzero",
    "example 4": "the relevant predictors come in groups of near-identical copies",
}
