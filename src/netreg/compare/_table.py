"""Shared table plumbing of compare and fit: frames, targets, the train/test split, units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from netreg.data import DataError


def to_original_units(metrics: dict[str, float], y_scale: float) -> dict[str, float]:
    """Squared errors back to the target's original units (R², log-loss, accuracy unchanged)."""
    return {k: v * y_scale**2 if k == "mse" else v for k, v in metrics.items()}


def as_frame(X: Any, feature_names: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        if feature_names is not None and list(map(str, feature_names)) != list(map(str, X.columns)):
            raise ValueError(
                f"`feature_names` must match the columns of the DataFrame X. "
                f"Received: feature_names={list(feature_names)!r}"
            )
        return X.set_axis([str(c) for c in X.columns], axis=1).reset_index(drop=True)
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"`X` must be 2-D (rows × columns). Received: X.shape={array.shape}")
    names = (
        [f"x{j}" for j in range(array.shape[1])]
        if feature_names is None
        else [str(n) for n in feature_names]
    )
    if len(names) != array.shape[1]:
        raise ValueError(
            f"`feature_names` must name each of the {array.shape[1]} columns of X. "
            f"Received: {len(names)} names"
        )
    return pd.DataFrame(array, columns=names)


def as_target(
    y: Any, task: str, classes: Sequence[Any] | None, n_rows: int
) -> tuple[np.ndarray, list[Any] | None]:
    values = np.asarray(y).ravel()
    if len(values) != n_rows:
        raise ValueError(
            f"`y` must have one value per row of X ({n_rows}). Received: len(y)={len(values)}"
        )
    if task == "regression":
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise DataError(
                f"The target has {int((~np.isfinite(values)).sum())} NaN or infinite value(s)."
            )
        return values, None
    if classes is not None:
        labels = list(classes)
        index = values.astype(np.int64)
        if index.min() < 0 or index.max() >= len(labels):
            raise ValueError(
                f"With `classes` given, y must hold class indices 0 … {len(labels) - 1}. "
                f"Received: y in [{index.min()}, {index.max()}]"
            )
        return index, labels
    uniques, index = np.unique(values, return_inverse=True)
    if len(uniques) < 2:
        raise DataError(
            f"The target has a single class ({uniques.tolist()!r}); classification needs two."
        )
    return index.astype(np.int64), [u.item() if isinstance(u, np.generic) else u for u in uniques]


def split_rows(
    frame: pd.DataFrame, y: np.ndarray, task: str, folds: int, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test row indices; refuse a table too small for the split and the folds."""
    n = len(frame)
    n_test = int(np.ceil(test_size * n))
    n_train = n - n_test
    if n_test < 1 or n_train < folds:
        raise DataError(
            f"The table has {n} rows: a test split of {test_size:g} leaves {n_train} training "
            f"rows, fewer than the {folds} cross-validation folds. Use more rows, fewer folds "
            f"(--folds) or a smaller --test-size."
        )
    stratify = None
    if task == "classification":
        counts = np.bincount(y)
        counts = counts[counts > 0]
        if counts.min() < 2:
            rare = int((counts < 2).sum())
            raise DataError(
                f"{rare} class(es) have a single row; a stratified train/test split needs at "
                f"least 2 rows per class. Remove or merge the rare classes."
            )
        stratify = y
    index = np.arange(n)
    try:
        train, test = train_test_split(
            index, test_size=test_size, random_state=seed, stratify=stratify
        )
    except ValueError as error:  # a stratified split with fewer test rows than classes
        raise DataError(
            f"Cannot split {n} rows into training and test rows with test_size={test_size:g}: "
            f"{error}. Use a larger --test-size or more rows."
        ) from None
    return np.sort(train), np.sort(test)
