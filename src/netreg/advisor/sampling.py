"""Which rows and features the diagnostics look at, standardization, and the folds they share.

Diagnostics must stay quick on big tables, so they work on at most ``max_rows`` rows and
``max_features`` features drawn at random (stratified by class for classification). Every
estimate says when it used a sample.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from netreg.path import make_folds

#: Defaults: enough for stable estimates, small enough for a few seconds on a laptop.
MAX_ROWS = 5000
MAX_FEATURES = 1000
N_FOLDS = 5


@dataclasses.dataclass(frozen=True, eq=False)
class Sample:
    """The standardized working matrix and where it came from.

    ``Xs`` holds the sampled rows of the sampled, non-constant features, each centred and
    scaled to unit (population) variance; ``rows`` and ``features`` index the original ``X``.
    """

    Xs: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    features: np.ndarray
    constant: np.ndarray  # indices of constant features (in the original X)
    folds: list[tuple[np.ndarray, np.ndarray]]
    stratified: bool


def sample_rows(n: int, max_rows: int, seed: int, classes: np.ndarray | None = None) -> np.ndarray:
    """Sorted indices of at most ``max_rows`` rows; per class in proportion when ``classes`` is given."""
    if n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if classes is None:
        return np.sort(rng.choice(n, size=max_rows, replace=False))
    chosen = []
    labels, counts = np.unique(classes, return_counts=True)
    for label, count in zip(labels, counts, strict=True):
        members = np.flatnonzero(classes == label)
        take = max(1, round(max_rows * count / n))
        chosen.append(rng.choice(members, size=min(take, count), replace=False))
    return np.sort(np.concatenate(chosen))


def make_sample(
    X: np.ndarray,
    y: np.ndarray,
    *,
    classification: bool,
    max_rows: int = MAX_ROWS,
    max_features: int = MAX_FEATURES,
    n_folds: int = N_FOLDS,
    seed: int = 0,
) -> Sample:
    """Sample rows and features, drop constant features, standardize, and make the shared folds."""
    rows = sample_rows(X.shape[0], max_rows, seed, y if classification else None)
    Xr_all = X[rows]
    sd = Xr_all.std(axis=0)
    # float noise on a constant column (e.g. 0.1 + 0.2 − 0.3) is still a constant column
    flat = sd <= 1e-12 * np.maximum(1.0, np.abs(Xr_all).max(axis=0))
    constant, varying = np.flatnonzero(flat), np.flatnonzero(~flat)
    if len(varying) > max_features:
        rng = np.random.default_rng(seed + 1)
        varying = np.sort(rng.choice(varying, size=max_features, replace=False))
    Xr = X[np.ix_(rows, varying)]
    Xs = (Xr - Xr.mean(axis=0)) / Xr.std(axis=0)
    y_rows = y[rows]
    stratified = False
    if classification:
        present = np.bincount(y_rows)
        smallest = int(present[present > 0].min())
        stratified = smallest >= n_folds
    folds = make_folds(
        len(rows), n_folds, y=y_rows if stratified else None, stratified=stratified, seed=seed
    )
    return Sample(
        Xs=Xs,
        y=y_rows,
        rows=rows,
        features=varying,
        constant=constant,
        folds=folds,
        stratified=stratified,
    )
