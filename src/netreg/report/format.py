"""How a table cell or a reported number is written: short, exact where it matters.

* integers in full (``12345``), booleans as ``yes``/``no``;
* other reals with 4 significant digits (``0.01234``, ``1.235e+04``), ``0`` for ±0;
* ``NaN``, ``∞`` and ``−∞`` spelled out; ``None`` as an em dash;
* a list or tuple of numbers as ``[a, b]`` (an interval, a pair of scores);
* anything else through ``str`` (and escaped later by the template, never trusted).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, SupportsFloat

MISSING = "—"


@dataclass(frozen=True)
class Cell:
    """One formatted table cell: its text and whether it holds a number (right-aligned)."""

    text: str
    numeric: bool


def format_number(x: SupportsFloat) -> str:
    """A real number as short text; see the module docstring for the rules.

    Examples
    --------
    >>> [format_number(v) for v in (3, 2.5, 0.000123456, -0.0, float("nan"), float("inf"))]
    ['3', '2.5', '0.0001235', '0', 'NaN', '∞']
    """
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, numbers.Integral):
        return str(int(x))
    value = float(x)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    return f"{value:.4g}"


def is_number(value: Any) -> bool:
    """True for real numbers (Python or NumPy), False for booleans and everything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def format_value(value: Any) -> str:
    """Any cell value as text: numbers by :func:`format_number`, ``None`` as a dash."""
    if value is None:
        return MISSING
    if isinstance(value, (bool, numbers.Real)):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def format_cell(value: Any) -> Cell:
    """A :class:`Cell` for ``value``; numbers are flagged so their column can align right."""
    return Cell(format_value(value), is_number(value))
