"""Column helpers shared by prepare and encode: kinds, numeric coercion, short previews."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from netreg.data.errors import DataError

ColumnKind = Literal["numeric", "categorical", "unsupported"]


def preview(items: Iterable[Any], limit: int = 20) -> str:
    """``'a', 'b', 'c'`` or ``'a', 'b', … (and 9 more)``; reprs keep hostile text on one line."""
    items = list(items)
    shown = ", ".join(repr(plain(x)) for x in items[:limit])
    if len(items) > limit:
        shown += f", … (and {len(items) - limit} more)"
    return shown


def plain(x: Any) -> Any:
    """A numpy scalar as the matching Python scalar, so that reprs read ``3`` not ``np.int64(3)``."""
    return x.item() if isinstance(x, np.generic) else x


def column_kind(s: pd.Series) -> ColumnKind:
    """``numeric`` for real numbers, ``categorical`` for text / category / bool, else ``unsupported``."""
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_complex_dtype(dtype):
        return "unsupported"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "categorical"
    return "unsupported"


#: What an encoder records of each input column at fit, to compare with new tables.
InputKind = Literal["numeric", "boolean", "categorical"]
INPUT_KINDS: tuple[InputKind, ...] = ("numeric", "boolean", "categorical")


def input_kind(s: pd.Series) -> InputKind | Literal["unsupported"]:
    """:func:`column_kind`, with booleans apart: a boolean column where numbers were trained
    is read as 0/1, and where text was trained its labels are ``"True"``/``"False"``."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return "boolean"
    return column_kind(s)


def is_plain_text(s: pd.Series) -> bool:
    """A text or object column: categorical, but neither boolean nor a pandas Categorical."""
    return column_kind(s) == "categorical" and not (
        pd.api.types.is_bool_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype)
    )


def to_float(s: pd.Series) -> np.ndarray:
    """A numeric column (plain or nullable dtype) as float64, with missing values as NaN;
    a float64 column's own values, not a copy (callers never write into it)."""
    if s.dtype == np.float64:
        return s.to_numpy()
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def parse_numbers(s: pd.Series) -> tuple[pd.Series, list[Any]]:
    """Read a text column as numbers: the float column and the distinct values that are not numbers.

    Missing values stay missing and are not counted as offending values.
    """
    numbers = pd.to_numeric(s.astype(object), errors="coerce").astype(np.float64)
    bad_mask = numbers.isna() & s.notna()
    bad = list(pd.unique(s[bad_mask].astype(object)))
    return numbers, bad


def mostly_numbers(s: pd.Series) -> bool:
    """True when at least half of the distinct non-missing values of a text column are numbers.

    Such a column is numeric data with some junk in it (``"12"``, ``"abc"``, ``"7"``), not a
    categorical column, and is reported instead of being one-hot encoded.
    """
    distinct = pd.Series(pd.unique(s.dropna().astype(object)), dtype=object)
    if distinct.empty:
        return False
    parsed = pd.to_numeric(distinct, errors="coerce")
    return int(parsed.notna().sum()) * 2 >= len(distinct)


def junk_message(
    problems: Sequence[tuple[str, Sequence[Any], int]], subject: str = "Numeric column(s) hold"
) -> str:
    """One line for numeric columns holding values that are not numbers.

    ``problems`` holds ``(column, offending distinct values, number of offending rows)``;
    ``subject`` starts the sentence.
    """
    parts = [
        f"{column!r} ({n_rows} row(s), e.g. {preview(bad, limit=3)})"
        for column, bad, n_rows in problems[:10]
    ]
    more = f" and {len(problems) - 10} more column(s)" if len(problems) > 10 else ""
    return (
        f"{subject} values that are not numbers: {', '.join(parts)}{more}. "
        f"Fix or remove those cells (empty cells and NA/NULL/NaN are read as missing values)."
    )


def junk_of(column: str, s: pd.Series) -> tuple[np.ndarray, tuple[str, list[Any], int] | None]:
    """A numeric-looking column as float64, and its problem entry for :func:`junk_message` if any."""
    if column_kind(s) == "numeric":
        return to_float(s), None
    numbers, bad = parse_numbers(s)
    values = numbers.to_numpy(dtype=np.float64)
    if not bad:
        return values, None
    n_rows = int((numbers.isna() & s.notna()).sum())
    return values, (column, bad, n_rows)


def counts(items: Sequence[tuple[str, int]], limit: int = 10) -> str:
    """``'a' (3), 'b' (1)``: columns with a count each, truncated after ``limit``."""
    shown = ", ".join(f"{name!r} ({n})" for name, n in items[:limit])
    if len(items) > limit:
        shown += f", … (and {len(items) - limit} more column(s))"
    return shown


#: Largest magnitude accepted in a numeric column: standardizing squares the values, and
#: squares of larger numbers overflow float64 (to inf, then NaN) with a misleading message.
MAX_MAGNITUDE = 1e150


def too_large(columns: dict[str, np.ndarray]) -> str | None:
    """The message for columns (1-D float arrays by name) holding finite values beyond
    :data:`MAX_MAGNITUDE` (each named with its count and largest value), or None.

    Column by column, so that checking a table takes one column's worth of memory."""
    bad, largest = [], 0.0
    for name, x in columns.items():
        magnitude = np.abs(x[np.isfinite(x)])
        k = int((magnitude > MAX_MAGNITUDE).sum())
        if k:
            bad.append((name, k))
            largest = max(largest, float(magnitude.max()))
    if not bad:
        return None
    return (
        f"Values too large in column(s) {counts(bad)} (largest magnitude {largest:.3g}; the limit is "
        f"{MAX_MAGNITUDE:.0e}, beyond which standardizing overflows); rescale those columns, "
        f"e.g. to other units, or remove those rows."
    )


#: Largest encoded (float64) array accepted: text columns with thousands of labels one-hot
#: encode into that many columns per row.
MAX_ENCODED_BYTES = 1 * 2**30


def check_onehot_size(n_rows: int, n_numeric: int, categories: dict[str, list[Any]]) -> None:
    """Refuse a one-hot encoding over :data:`MAX_ENCODED_BYTES` before it is allocated."""
    width = n_numeric + sum(len(labels) for labels in categories.values())
    if n_rows * width * 8 <= MAX_ENCODED_BYTES:
        return
    widest = sorted(categories, key=lambda name: -len(categories[name]))[:3]
    named = ", ".join(f"{name!r} ({len(categories[name])} labels)" for name in widest)
    raise DataError(
        f"One-hot encoding {n_rows} rows into {width} columns would take "
        f"{n_rows * width * 8 / 2**30:.1f} GiB, over the limit of {MAX_ENCODED_BYTES / 2**30:.0f} "
        f"GiB; the widest text columns are {named}. Drop them, or group rare labels into one."
    )
