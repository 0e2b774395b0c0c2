"""Validate a table for learning: pick the target, check every column, drop useless ones."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from netreg._validation import check_choice, check_int
from netreg.data._columns import (
    column_kind,
    counts,
    is_plain_text,
    junk_message,
    junk_of,
    mostly_numbers,
    preview,
    to_float,
    too_large,
)
from netreg.data.errors import DataError
from netreg.data.target import Task, resolve_target

TASKS = ("auto", "regression", "classification")
IMPUTE = (None, "mean", "median")


@dataclasses.dataclass(frozen=True, eq=False)
class PreparedTable:
    """A table checked and split into features and target; read-only input to encoding and fitting.

    Attributes
    ----------
    X_frame : pandas.DataFrame
        The kept feature columns in their original order. Numeric columns are float64 (numbers
        stored as text are converted); categorical columns keep their values.
    y : numpy.ndarray
        float64 for regression; int64 class indices for classification (``classes[y[i]]``).
    task : {"regression", "classification"}
    target : str
        Name of the target column.
    feature_names : list of str
        Columns of ``X_frame``.
    categorical, numeric : list of str
        The feature columns of each kind, in table order.
    dropped_constant : list of str
        Columns dropped because they hold one distinct value or are entirely missing.
    classes : list or None
        Sorted class labels (plain Python values) for classification, else None.
    warnings : list of str
        One line each: dropped columns, imputation, rare classes, identifier-like columns.
    task_reason : str
        Why ``task`` was chosen.
    impute : {None, "mean", "median"}
        The imputation that encoding must apply to numeric features.
    """

    X_frame: pd.DataFrame
    y: np.ndarray
    task: Task
    target: str
    feature_names: list[str]
    categorical: list[str]
    numeric: list[str]
    dropped_constant: list[str]
    classes: list[Any] | None
    warnings: list[str]
    task_reason: str
    impute: str | None


def prepare_table(
    df: pd.DataFrame,
    target: str,
    *,
    task: str = "auto",
    impute: str | None = None,
    min_rows: int = 2,
) -> PreparedTable:
    """Check ``df`` for learning ``target`` and return its features, target and findings.

    Parameters
    ----------
    df : pandas.DataFrame
        The whole table, target included. Column names are used as text.
    target : str
        The target column.
    task : {"auto", "regression", "classification"}, default "auto"
        ``auto`` picks classification for a boolean or text target, or for an integer-valued
        target with at most 20 distinct values, and regression otherwise (see
        :mod:`netreg.data.target`).
    impute : {None, "mean", "median"}, default None
        Allow missing values in numeric features; :class:`TableEncoder` fills them with training
        statistics. Categorical features and the target are never imputed.
    min_rows : int, default 2
        Fewest rows accepted (the CLI passes at least the number of CV folds).

    Returns
    -------
    PreparedTable

    Raises
    ------
    DataError
        One line naming the columns, counts or values at fault: empty table, too few rows,
        missing target column, bad target (see :func:`netreg.data.target.resolve_target`),
        unsupported column types, numbers mixed with text, infinite values, or missing values
        in features (numeric ones only without ``impute``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("abab"), "k": 1, "y": [0.5, 1.5, 2.0, 3.5]})
    >>> prep = prepare_table(df, "y")
    >>> prep.task, prep.numeric, prep.categorical, prep.dropped_constant
    ('regression', ['x'], ['c'], ['k'])
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"`df` must be a pandas DataFrame. Received: df of type {type(df).__name__}"
        )
    check_choice("task", task, TASKS)
    check_choice("impute", impute, IMPUTE)
    min_rows = check_int("min_rows", min_rows, low=1)
    df = df.set_axis([str(c) for c in df.columns], axis=1)
    target = str(target)
    _check_table(df, target, min_rows)
    info = resolve_target(df[target], target, task)
    features = df.drop(columns=[target])
    if features.shape[1] == 0:
        raise DataError(
            f"The table has only the target column {target!r}; it needs feature columns too."
        )
    X, numeric, categorical, dropped, warnings = _check_features(features, impute)
    return PreparedTable(
        X_frame=X,
        y=info.y,
        task=info.task,
        target=target,
        feature_names=list(X.columns),
        categorical=categorical,
        numeric=numeric,
        dropped_constant=dropped,
        classes=info.classes,
        warnings=warnings + info.warnings,
        task_reason=info.reason,
        impute=impute,
    )


def _check_table(df: pd.DataFrame, target: str, min_rows: int) -> None:
    names = pd.Index(df.columns)
    if names.has_duplicates:
        dupes = list(dict.fromkeys(names[names.duplicated()]))
        raise DataError(f"The table has duplicated column names {preview(dupes, 5)}; rename them.")
    if df.shape[1] == 0:
        raise DataError("The table is empty: it has no columns.")
    if df.shape[0] == 0:
        raise DataError("The table is empty: it has columns but no rows.")
    if target not in names:
        raise DataError(
            f"Target column {target!r} not found. Available columns ({len(names)}): {preview(names, 20)}."
        )
    if len(df) < min_rows:
        raise DataError(
            f"The table has {len(df)} row(s), fewer than the {min_rows} needed (min_rows={min_rows})."
        )


def _check_features(
    features: pd.DataFrame, impute: str | None
) -> tuple[pd.DataFrame, list[str], list[str], list[str], list[str]]:
    """Classify, convert and check every feature column; raise on the first kind of problem."""
    columns: dict[str, pd.Series] = {}
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: list[str] = []
    warnings: list[str] = []
    unsupported: list[str] = []
    junk: list[tuple[str, list[Any], int]] = []
    n = len(features)
    for name in features.columns:
        s = features[name]
        kind = column_kind(s)
        if kind == "unsupported":
            unsupported.append(f"{name!r} ({s.dtype})")
            continue
        if s.isna().all():
            dropped.append(name)
            warnings.append(f"Dropped column {name!r}: all {n} values are missing.")
            continue
        if is_plain_text(s) and mostly_numbers(s):
            values, problem = junk_of(name, s)
            if problem is not None:
                junk.append(problem)
                continue
            s = pd.Series(values, index=s.index, name=name)
            kind = "numeric"
            warnings.append(
                f"Column {name!r} holds numbers stored as text or objects (booleans count as 0/1); "
                f"read as numbers."
            )
        n_distinct = _n_distinct(s, name)
        if n_distinct <= 1 and not s.isna().any():
            dropped.append(name)
            value = preview([s.iloc[0]])
            warnings.append(
                f"Dropped column {name!r}: it holds the single value {value} in all rows."
            )
            continue
        if kind == "numeric":
            columns[name] = pd.Series(to_float(s), index=s.index, name=name)
            numeric.append(name)
        else:
            columns[name] = s
            categorical.append(name)
            if n_distinct > 50 and n_distinct > n // 2:
                warnings.append(
                    f"Column {name!r} has {n_distinct} distinct values in {n} rows (an identifier?); "
                    f"one-hot encoding turns it into {n_distinct} columns."
                )
    if unsupported:
        raise DataError(
            f"Column(s) of unsupported type: {', '.join(unsupported)}; convert them to numbers, "
            f"text labels or booleans, or drop them."
        )
    if junk:
        raise DataError(junk_message(junk))
    if not columns:
        raise DataError(
            f"No usable feature columns: every feature is constant or entirely missing "
            f"(dropped {preview(dropped, 10)})."
        )
    X = pd.DataFrame(columns, index=features.index, copy=False)  # kept columns: not copied
    _check_values(X, numeric, categorical, impute, warnings)
    return X, numeric, categorical, dropped, warnings


def _check_values(
    X: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    impute: str | None,
    warnings: list[str],
) -> None:
    """Refuse infinite values, missing categorical values, and missing numbers without ``impute``."""
    # Column by column: each numeric column of X is float64, so this copies nothing.
    values = {name: to_float(X[name]) for name in numeric}
    infinite = [(name, k) for name, x in values.items() if (k := int(np.isinf(x).sum()))]
    if infinite:
        raise DataError(
            f"Infinite values in feature column(s) {counts(infinite)}; replace them with finite "
            f"numbers or remove those rows (imputation fills only missing values)."
        )
    message = too_large(values)
    if message:
        raise DataError(message)
    missing = [(name, k) for name, x in values.items() if (k := int(np.isnan(x).sum()))]
    if missing and impute is None:
        raise DataError(
            f"Missing values (NaN) in feature column(s) {counts(missing)} — empty cells and "
            f"NA/NULL/NaN strings count as missing. Pass impute='mean' or impute='median' "
            f"(CLI: --impute mean|median) to fill numeric features with training statistics, "
            f"or remove those rows."
        )
    if missing:
        warnings.append(
            f"Imputing missing values with the training {impute} in column(s) {counts(missing)}."
        )
    missing_labels = [
        (name, int(X[name].isna().sum())) for name in categorical if X[name].isna().any()
    ]
    if missing_labels:
        raise DataError(
            f"Missing values in categorical column(s) {counts(missing_labels)}; imputation fills "
            f"numeric features only, so fill these cells with a label or remove those rows."
        )


def _n_distinct(s: pd.Series, name: str) -> int:
    try:
        return int(s.nunique(dropna=True))
    except TypeError:
        raise DataError(
            f"Column {name!r} holds values that are not single numbers or labels "
            f"(lists, dicts or arrays); flatten or drop it."
        ) from None
