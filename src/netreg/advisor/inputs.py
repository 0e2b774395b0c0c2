"""Check what ``advise`` receives: a finite numeric matrix, a usable target, names and groups."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netreg import choices
from netreg._validation import check_choice
from netreg.data.errors import DataError
from netreg.data.target import resolve_target

#: Fewest rows ``advise`` accepts: below this no cross-validated estimate means anything.
MIN_ROWS = 10
TASKS = choices.TASKS


@dataclasses.dataclass(frozen=True, eq=False)
class Inputs:
    """Checked inputs: float64 ``X`` (n × p), target ``y`` and what describes them.

    ``y`` is float64 for regression and int64 class indices for classification
    (``classes[y[i]]`` is the label of row ``i``). ``groups`` names the group of each
    feature (a one-hot column carries its source column's name); ``None`` when none were given.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    classes: list[Any] | None
    feature_names: list[str]
    groups: list[str] | None
    task_reason: str


def _preview(items: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(x) for x in list(items)[:limit])
    return f"[{shown}{', …' if len(items) > limit else ''}]"


def check_inputs(
    X: Any,
    y: Any,
    *,
    feature_names: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    task: str = "auto",
) -> Inputs:
    """Validate ``X`` and ``y`` for :func:`netreg.advisor.advise`; raise :class:`DataError` if unusable.

    Raises
    ------
    DataError
        ``X`` not two-dimensional or not numeric, NaN or infinite values (the columns and
        counts are named), fewer than :data:`MIN_ROWS` rows, ``y`` of another length, a
        constant regression target, a single class, or names/groups of the wrong length.
    """
    check_choice("task", task, TASKS)
    X = _matrix(X)
    n, p = X.shape
    names = _names(feature_names, p)
    _check_finite(X, names)
    if n < MIN_ROWS:
        raise DataError(
            f"advise needs at least {MIN_ROWS} rows to estimate anything by cross-validation; "
            f"X has {n}. Received: n_rows={n}"
        )
    y_array = np.asarray(y)
    if y_array.ndim == 2 and y_array.shape[1] == 1:
        y_array = y_array[:, 0]
    if y_array.ndim != 1 or len(y_array) != n:
        raise DataError(
            f"y must be one value per row of X ({n} rows). Received: y.shape={y_array.shape}"
        )
    info = resolve_target(pd.Series(y_array), "y", task)
    if info.task == "regression" and np.ptp(info.y) == 0.0:
        raise DataError(
            f"The target is constant (every value is {info.y[0]!r}): there is nothing to learn "
            f"and nothing to regularize. Received: y with 1 distinct value"
        )
    return Inputs(
        X=X,
        y=info.y,
        task=info.task,
        classes=info.classes,
        feature_names=names,
        groups=_groups(groups, p),
        task_reason=info.reason,
    )


def _matrix(X: Any) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        raise DataError(
            "advise takes a numeric matrix; for a table use advise_frame(df, target), which "
            "encodes categorical columns. Received: X of type DataFrame"
        )
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            "X must hold numbers only (encode text columns first, or use advise_frame). "
            f"Received: X of type {type(X).__name__}"
        ) from None
    if X.ndim != 2:
        raise DataError(f"X must be two-dimensional (rows × features). Received: X.shape={X.shape}")
    if X.shape[1] == 0:
        raise DataError(f"X has no feature columns. Received: X.shape={X.shape}")
    return X


def _names(feature_names: Sequence[str] | None, p: int) -> list[str]:
    if feature_names is None:
        return [f"x{j}" for j in range(p)]
    names = [str(name) for name in feature_names]
    if len(names) != p:
        raise DataError(
            f"feature_names must name each of the {p} columns of X. "
            f"Received: len(feature_names)={len(names)}"
        )
    if len(set(names)) != p:
        dupes = sorted({name for name in names if names.count(name) > 1})
        raise DataError(
            f"feature_names must be unique. Received: duplicated names {_preview(dupes)}"
        )
    return names


def _groups(groups: Sequence[Any] | None, p: int) -> list[str] | None:
    if groups is None:
        return None
    labels = [str(g) for g in groups]
    if len(labels) != p:
        raise DataError(
            f"groups must give one group label per column of X ({p}). "
            f"Received: len(groups)={len(labels)}"
        )
    return labels


def _check_finite(X: np.ndarray, names: list[str]) -> None:
    bad = ~np.isfinite(X)
    if not bad.any():
        return
    per_column = bad.sum(axis=0)
    columns = np.flatnonzero(per_column)
    listed = ", ".join(f"{names[j]!r} ({per_column[j]})" for j in columns[:5])
    more = f" and {len(columns) - 5} more" if len(columns) > 5 else ""
    n_nan = int(np.isnan(X).sum())
    raise DataError(
        f"X has {int(bad.sum())} NaN or infinite value(s) ({n_nan} NaN) in {len(columns)} "
        f"column(s): {listed}{more}. Remove or impute them first (advise_frame and the CLI take "
        f"impute='mean' or 'median'). Received: non-finite values in X"
    )
