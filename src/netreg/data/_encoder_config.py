"""Checks for the entries of a saved encoder config: each one's type, and that they agree."""

from __future__ import annotations

from typing import Any

import numpy as np

from netreg.data._columns import INPUT_KINDS, preview
from netreg.data.errors import DataError


def str_list(value: Any, key: str) -> list[str]:
    """``value`` when it is a list of strings; else an error naming the entry ``key``."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"Encoder config entry {key!r} must be a list of strings.")
    return list(value)


def kinds_map(value: Any, columns: list[str]) -> dict[str, str]:
    """The recorded input kinds: one of :data:`INPUT_KINDS` per column, or none at all."""
    if value == {}:
        return {}
    if (
        not isinstance(value, dict)
        or sorted(value) != sorted(columns)
        or not all(kind in INPUT_KINDS for kind in value.values())
    ):
        raise DataError(
            f"Encoder config entry 'kinds' must map exactly the columns {preview(columns, 10)} "
            f"to one of {preview(INPUT_KINDS)}."
        )
    return dict(value)


def float_map(value: Any, keys: list[str], key: str) -> dict[str, float]:
    """``value`` when it maps exactly ``keys`` to finite numbers; else an error naming ``key``."""
    if not isinstance(value, dict) or sorted(value) != sorted(keys):
        raise DataError(
            f"Encoder config entry {key!r} must map exactly the columns {preview(keys, 10)} to numbers."
        )
    out = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            raise DataError(
                f"Encoder config entry {key}[{k!r}] must be a finite number, not {v!r}."
            )
        out[k] = float(v)
    return out
