"""K-fold splits: plain or stratified, or the user's own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from netreg._validation import check_int

Folds = list[tuple[np.ndarray, np.ndarray]]


def make_folds(
    n_rows: int,
    n_folds: int | Iterable[tuple[np.ndarray, np.ndarray]] | Any = 5,
    *,
    y: np.ndarray | None = None,
    stratified: bool = False,
    shuffle: bool = True,
    seed: int = 0,
) -> Folds:
    """(train, test) index pairs.

    ``n_folds`` may be a number, a scikit-learn splitter (anything with ``split``), or the
    pairs themselves: "given the same folds" comparisons pass the same pairs to netreg and
    to scikit-learn.
    """
    if hasattr(n_folds, "split"):
        return [(np.asarray(a), np.asarray(b)) for a, b in n_folds.split(np.zeros((n_rows, 1)), y)]
    if not isinstance(n_folds, int):  # a bool is an int here, and check_int refuses it below
        folds = [(np.asarray(a), np.asarray(b)) for a, b in n_folds]
        if len(folds) < 2:
            raise ValueError(
                f"Cross-validation needs at least 2 folds. Received: n_folds={len(folds)}"
            )
        return folds
    n_folds = check_int("n_folds", n_folds, low=2)
    if n_rows < n_folds:
        raise ValueError(
            f"Cannot make {n_folds} folds from {n_rows} rows: use fewer folds or more data. "
            f"Received: n_folds={n_folds}"
        )
    splitter: Any
    if stratified:
        splitter = StratifiedKFold(n_folds, shuffle=shuffle, random_state=seed if shuffle else None)
    else:
        splitter = KFold(n_folds, shuffle=shuffle, random_state=seed if shuffle else None)
    return [(a, b) for a, b in splitter.split(np.zeros((n_rows, 1)), y)]
