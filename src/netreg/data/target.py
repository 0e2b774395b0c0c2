"""Check a target column and decide the task: regression or classification.

The automatic rule (``task="auto"``), in order:

1. a boolean, categorical or text target → classification;
2. a numeric target whose values are all integers and that takes at most
   :data:`MAX_AUTO_CLASSES` (20) distinct values → classification;
3. any other numeric target → regression.

Pass ``task="regression"`` or ``task="classification"`` to override it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pandas as pd

from netreg.data._columns import (
    column_kind,
    is_plain_text,
    junk_message,
    junk_of,
    mostly_numbers,
    plain,
    preview,
    too_large,
)
from netreg.data.errors import DataError

Task = Literal["regression", "classification"]

#: Largest number of distinct integer values for which ``task="auto"`` picks classification.
MAX_AUTO_CLASSES = 20


@dataclasses.dataclass(frozen=True)
class TargetInfo:
    """A checked target.

    Attributes
    ----------
    y : numpy.ndarray
        float64 values for regression; int64 class indices for classification, such that
        ``classes[y[i]]`` is the label of row ``i``.
    task : {"regression", "classification"}
    classes : list or None
        Sorted class labels as plain Python values (JSON-able) for classification, else None.
    reason : str
        Why this task was chosen, in words.
    warnings : list of str
    """

    y: np.ndarray
    task: Task
    classes: list[Any] | None
    reason: str
    warnings: list[str]


def resolve_target(s: pd.Series, name: str, task: str = "auto") -> TargetInfo:
    """Validate the target column ``s`` (named ``name``) and resolve ``task``.

    Raises
    ------
    DataError
        The target is entirely missing, has missing or infinite values, mixes numbers with text,
        is text for regression, is continuous for classification, or has a single class.
    """
    n = len(s)
    n_missing = int(s.isna().sum())
    if n_missing == n:
        raise DataError(
            f"Target column {name!r} is entirely missing: all {n} values are empty or NaN."
        )
    kind = column_kind(s)
    if kind == "unsupported":
        raise DataError(
            f"Target column {name!r} has dtype {s.dtype}, which is neither numeric nor text; "
            f"convert it to numbers or labels."
        )
    numeric = kind == "numeric"
    if is_plain_text(s) and mostly_numbers(s):
        values, problem = junk_of(name, s)
        if problem is not None:
            raise DataError(junk_message([problem], subject="The target column holds"))
        s = pd.Series(values, index=s.index, name=s.name)
        numeric = True
    if n_missing:
        rows = preview(list(s.index[s.isna()]), limit=5)
        raise DataError(
            f"Target column {name!r} has {n_missing} missing value(s) in {n} rows (row labels {rows}); "
            f"remove those rows — imputation never fills the target."
        )
    if numeric:
        values = s.to_numpy(dtype=np.float64)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            raise DataError(
                f"Target column {name!r} has {n_inf} infinite value(s); replace or remove those rows."
            )
        message = too_large({name: values})
        if message:
            raise DataError(f"Target: {message}")
        return _numeric_target(values, name, task)
    return _label_target(s, name, task)


def _numeric_target(values: np.ndarray, name: str, task: str) -> TargetInfo:
    integer_valued = bool(np.all(values == np.round(values)))
    n_distinct = len(np.unique(values))
    if task == "auto":
        if integer_valued and n_distinct <= MAX_AUTO_CLASSES:
            reason = (
                f"task='auto' chose classification: target {name!r} has {n_distinct} distinct "
                f"integer values (at most {MAX_AUTO_CLASSES}); pass task='regression' to override."
            )
            return _classes(values.astype(np.int64), name, reason)
        reason = f"task='auto' chose regression: target {name!r} is numeric with {n_distinct} distinct values."
        return TargetInfo(values, "regression", None, reason, [])
    if task == "regression":
        return TargetInfo(values, "regression", None, "task='regression' was requested.", [])
    if not integer_valued:
        fractional = values[values != np.round(values)]
        raise DataError(
            f"Target column {name!r} holds continuous values (e.g. {preview(np.unique(fractional)[:3])}; "
            f"{n_distinct} distinct numbers), which classification cannot use as labels; "
            f"use task='regression', or bin the target into classes first."
        )
    return _classes(values.astype(np.int64), name, "task='classification' was requested.")


def _label_target(s: pd.Series, name: str, task: str) -> TargetInfo:
    if task == "regression":
        if pd.api.types.is_bool_dtype(s.dtype):
            values = s.to_numpy(dtype=np.float64)
            return TargetInfo(values, "regression", None, "task='regression' was requested.", [])
        examples = preview(pd.unique(s.astype(object))[:3])
        raise DataError(
            f"Target column {name!r} holds text (e.g. {examples}), which regression cannot use; "
            f"use task='classification' or choose a numeric target."
        )
    what = "boolean" if pd.api.types.is_bool_dtype(s.dtype) else "text or categorical"
    reason = (
        f"task='auto' chose classification: target {name!r} is {what}."
        if task == "auto"
        else "task='classification' was requested."
    )
    return _classes(s.astype(object).to_numpy(), name, reason)


def _classes(labels: np.ndarray, name: str, reason: str) -> TargetInfo:
    uniques = list(pd.unique(labels))
    try:
        classes = sorted(uniques)
    except TypeError:
        classes = sorted(uniques, key=str)
    if len(classes) < 2:
        raise DataError(
            f"Target column {name!r} has a single class ({preview(classes)}) in all {len(labels)} rows; "
            f"classification needs at least two classes."
        )
    index = {label: i for i, label in enumerate(classes)}
    y = np.fromiter((index[label] for label in labels), dtype=np.int64, count=len(labels))
    per_class = np.bincount(y, minlength=len(classes))
    rare = [classes[i] for i in np.flatnonzero(per_class < 2)]
    warnings = []
    if rare:
        warnings.append(
            f"Target {name!r}: class(es) {preview(rare, 5)} have a single row; stratified "
            f"cross-validation needs at least as many rows per class as folds."
        )
    return TargetInfo(y, "classification", [plain(c) for c in classes], reason, warnings)
