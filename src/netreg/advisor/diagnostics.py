"""What the data look like: size, zeros, correlation and its clusters, conditioning, scales, classes.

Everything here is measured on the rows and features of a :class:`~netreg.advisor.sampling.Sample`
(all of them for tables up to 5,000 × 1,000); :attr:`Diagnostics.notes` says when a sample was used.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from netreg.advisor.inputs import Inputs
from netreg.advisor.sampling import MAX_FEATURES, MAX_ROWS, Sample, make_sample
from netreg.advisor.signal import SignalEstimate, estimate_signal
from netreg.data.errors import DataError

#: |r| above which two features count as strongly correlated.
STRONG_CORRELATION = 0.8
#: A feature is "mostly zeros" above this share of zero entries.
MOSTLY_ZERO = 0.5
#: Largest / smallest standard deviation beyond which features must be standardized.
SCALE_RATIO_LIMIT = 10.0
#: Smallest / largest class count below which the classes count as imbalanced.
IMBALANCE_LIMIT = 0.2


@dataclasses.dataclass
class CorrelationSummary:
    """Pairwise Pearson correlations between features (pairs inside one declared group left out).

    ``share_above`` is the share of pairs with ``|r| > threshold``; ``strongest`` the pair with
    the largest ``|r|`` as ``(name, name, r)``.
    """

    max_abs: float
    mean_abs: float
    share_above: float
    threshold: float
    n_pairs: int
    strongest: tuple[str, str, float] | None


@dataclasses.dataclass
class ClassBalance:
    """Rows per class; ``imbalanced`` when the smallest class has < 20 % of the largest's rows."""

    classes: list[Any]
    counts: list[int]
    minority_share: float
    imbalance_ratio: float
    imbalanced: bool


@dataclasses.dataclass
class Diagnostics:
    """Measured facts about ``X`` and ``y`` that the advice rules read.

    Attributes
    ----------
    task : {"regression", "classification"}
    n, p : int
        Rows and features of the input; ``p_over_n = p / n``.
    rows_used, features_used : int
        Rows and (non-constant) features the measurements below used.
    feature_names : list of str
    zero_fraction : list of float
        Share of exact zeros in each feature (all features, input order).
    zero_share : float
        Share of zero entries in the whole matrix.
    mostly_zero : list of str
        Features with more than half of their entries zero.
    constant : list of str
        Features with a single value (left out of everything else).
    correlation : CorrelationSummary
    clusters : list of list of str
        Groups of strongly correlated features: average-linkage clustering on ``1 − |r|`` cut at
        ``1 − 0.8``, so members correlate with |r| ≳ 0.8 on average; singletons left out.
    condition_number : float
        Ratio of the largest to smallest singular value of the standardized features (one column
        of each one-hot block dropped, since a block sums to a constant); ``inf`` when rank-deficient.
    scale_ratio : float
        Largest / smallest standard deviation of the raw non-indicator features.
    needs_standardization : bool
        ``scale_ratio > 10``: penalties treat every coefficient alike, so unequal scales penalize
        features unequally.
    blocks : list of list of str
        Declared groups with at least two features (e.g. one-hot columns of one categorical).
    class_balance : ClassBalance or None
    n_effective : int
        Rows for regression; ``n_classes × smallest class`` for classification (what limits CV).
    signal : SignalEstimate
    notes : list of str
    seconds : float
    """

    task: str
    n: int
    p: int
    p_over_n: float
    rows_used: int
    features_used: int
    feature_names: list[str]
    zero_fraction: list[float]
    zero_share: float
    mostly_zero: list[str]
    constant: list[str]
    correlation: CorrelationSummary
    clusters: list[list[str]]
    condition_number: float
    scale_ratio: float
    needs_standardization: bool
    blocks: list[list[str]]
    class_balance: ClassBalance | None
    n_effective: int
    signal: SignalEstimate
    notes: list[str]
    seconds: float


def diagnose(
    inputs: Inputs,
    *,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
    max_features: int = MAX_FEATURES,
) -> tuple[Diagnostics, Sample]:
    """Measure :class:`Diagnostics` on checked inputs; also return the sample the check reuses."""
    start = time.perf_counter()
    X, names = inputs.X, inputs.feature_names
    n, p = X.shape
    classification = inputs.task == "classification"
    sample = make_sample(
        X,
        inputs.y,
        classification=classification,
        max_rows=max_rows,
        max_features=max_features,
        seed=seed,
    )
    if len(sample.features) == 0:
        raise DataError(
            f"Every feature of X is constant: nothing can predict y. Received: X with {p} "
            f"constant column(s)"
        )
    used = [names[j] for j in sample.features]
    blocks_all = declared_blocks(inputs.groups)
    blocks = blocks_in_sample(blocks_all, sample)
    corr = np.corrcoef(sample.Xs, rowvar=False) if sample.Xs.shape[1] > 1 else np.ones((1, 1))
    corr = np.atleast_2d(corr)
    same_block = _same_block(len(used), blocks)
    correlation = _summary(corr, same_block, used)
    clusters = _clusters(corr, same_block)
    signal = estimate_signal(sample, used, clusters, blocks, classification=classification)
    Xr = X[sample.rows]
    zeros = (Xr == 0.0).mean(axis=0)
    notes = _notes(n, p, sample)
    balance = _balance(inputs.y, inputs.classes) if classification else None
    return (
        Diagnostics(
            task=inputs.task,
            n=n,
            p=p,
            p_over_n=p / n,
            rows_used=len(sample.rows),
            features_used=len(sample.features),
            feature_names=list(names),
            zero_fraction=[float(z) for z in zeros],
            zero_share=float(zeros.mean()),
            mostly_zero=[names[j] for j in np.flatnonzero(zeros > MOSTLY_ZERO)],
            constant=[names[j] for j in sample.constant],
            correlation=correlation,
            clusters=[[used[j] for j in c] for c in clusters],
            condition_number=_condition(sample.Xs, Xr[:, sample.features], blocks),
            scale_ratio=(ratio := _scale_ratio(Xr[:, sample.features])),
            needs_standardization=ratio > SCALE_RATIO_LIMIT,
            blocks=[[names[j] for j in b] for b in blocks_all],
            class_balance=balance,
            n_effective=_n_effective(n, balance),
            signal=signal,
            notes=notes,
            seconds=time.perf_counter() - start,
        ),
        sample,
    )


def declared_blocks(groups: list[str] | None) -> list[list[int]]:
    """Column indices of each declared group with at least two columns."""
    if groups is None:
        return []
    members: dict[str, list[int]] = {}
    for j, g in enumerate(groups):
        members.setdefault(g, []).append(j)
    return [m for m in members.values() if len(m) >= 2]


def blocks_in_sample(blocks: list[list[int]], sample: Sample) -> list[list[int]]:
    """The blocks as columns of ``sample.Xs`` (features outside the sample left out)."""
    position = {int(j): i for i, j in enumerate(sample.features)}
    inside = [[position[j] for j in block if j in position] for block in blocks]
    return [b for b in inside if len(b) >= 2]


def _same_block(p: int, blocks: list[list[int]]) -> np.ndarray:
    """Pairs of features in one declared group: their correlation is structural, not a finding."""
    same = np.zeros((p, p), dtype=bool)
    for block in blocks:
        same[np.ix_(block, block)] = True
    return same


def _summary(corr: np.ndarray, same_block: np.ndarray, names: list[str]) -> CorrelationSummary:
    i, j = np.triu_indices(corr.shape[0], k=1)
    keep = ~same_block[i, j]
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return CorrelationSummary(0.0, 0.0, 0.0, STRONG_CORRELATION, 0, None)
    r = corr[i, j]
    top = int(np.argmax(np.abs(r)))
    return CorrelationSummary(
        max_abs=float(np.abs(r).max()),
        mean_abs=float(np.abs(r).mean()),
        share_above=float((np.abs(r) > STRONG_CORRELATION).mean()),
        threshold=STRONG_CORRELATION,
        n_pairs=len(r),
        strongest=(names[i[top]], names[j[top]], float(r[top])),
    )


def _clusters(corr: np.ndarray, same_block: np.ndarray) -> list[list[int]]:
    """Average-linkage clusters on 1 − |r| cut at 1 − 0.8 (sizes ≥ 2), largest first."""
    p = corr.shape[0]
    if p < 2:
        return []
    distance = 1.0 - np.abs(corr)
    distance[same_block] = 1.0  # one-hot levels of one variable do not make a cluster
    np.fill_diagonal(distance, 0.0)
    distance = np.clip((distance + distance.T) / 2.0, 0.0, 1.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - STRONG_CORRELATION, criterion="distance")
    found = [np.flatnonzero(labels == k).tolist() for k in np.unique(labels)]
    return sorted((c for c in found if len(c) >= 2), key=lambda c: (-len(c), c[0]))


def _condition(Xs: np.ndarray, Xr: np.ndarray, blocks: list[list[int]]) -> float:
    """Condition number of the standardized design, one column of each one-hot block dropped."""
    drop = [b[-1] for b in blocks if np.ptp(Xr[:, b].sum(axis=1)) < 1e-9]
    keep = np.setdiff1d(np.arange(Xs.shape[1]), drop)
    Z = Xs[:, keep] / np.sqrt(Xs.shape[0])
    if Z.shape[1] >= Z.shape[0] - 1:  # centred columns span at most n − 1 dimensions
        return float("inf")
    eigenvalues = np.linalg.eigvalsh(Z.T @ Z)
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    if smallest <= largest * 1e-12:
        return float("inf")
    return float(np.sqrt(largest / smallest))


def _scale_ratio(Xr: np.ndarray) -> float:
    """max/min standard deviation over features that are not 0/1 indicators (never rescaled)."""
    indicator = np.all((Xr == 0.0) | (Xr == 1.0), axis=0)
    sd = Xr[:, ~indicator].std(axis=0)
    sd = sd[sd > 0]
    return float(sd.max() / sd.min()) if len(sd) else 1.0


def _balance(y: np.ndarray, classes: list[Any] | None) -> ClassBalance:
    counts = np.bincount(y, minlength=len(classes or []))
    present = counts[counts > 0]
    return ClassBalance(
        classes=list(classes or range(len(counts))),
        counts=[int(c) for c in counts],
        minority_share=float(present.min() / counts.sum()),
        imbalance_ratio=float(present.max() / present.min()),
        imbalanced=bool(present.min() / present.max() < IMBALANCE_LIMIT),
    )


def _n_effective(n: int, balance: ClassBalance | None) -> int:
    if balance is None:
        return n
    present = [c for c in balance.counts if c > 0]
    return int(len(present) * min(present))


def _notes(n: int, p: int, sample: Sample) -> list[str]:
    notes = []
    if len(sample.rows) < n:
        notes.append(
            f"Diagnostics used a random sample of {len(sample.rows)} of the {n} rows "
            f"(raise max_rows for more)."
        )
    varying = p - len(sample.constant)
    if len(sample.features) < varying:
        notes.append(
            f"Correlation, conditioning and the signal screen used a random {len(sample.features)} "
            f"of the {varying} non-constant features (raise max_features for more)."
        )
    if len(sample.constant):
        notes.append(f"{len(sample.constant)} constant feature(s) carry no information; drop them.")
    return notes
