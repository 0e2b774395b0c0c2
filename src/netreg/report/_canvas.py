"""Private helpers for figures: a pyplot-free Agg figure, array checks, the "no data" note.

Every figure in :mod:`netreg.report.figures` is a bare :class:`matplotlib.figure.Figure`
with its own :class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`. Nothing here touches
pyplot, the global backend or ``rcParams``, so figures can be drawn from any thread or process
without disturbing the caller's matplotlib state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Colour-blind-safe palette (Okabe–Ito), used in order for methods and series.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
MUTED = "#6b7280"
ZERO_COLOR = "#C0392B"


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """A constrained-layout figure with an Agg canvas attached; pyplot is never involved."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def color(i: int) -> str:
    """The ``i``-th palette colour, cycling."""
    return PALETTE[i % len(PALETTE)]


def as_float_array(name: str, values: Any, *, ndim: int = 1) -> np.ndarray:
    """``values`` as a float64 array of ``ndim`` dimensions (a 1-D input is lifted to 2-D).

    Raises
    ------
    TypeError
        If the values are not numbers.
    ValueError
        If the array has more dimensions than ``ndim``.
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be an array of numbers. Received: {name}={values!r}"
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if ndim == 2 and arr.ndim == 1:
        arr = arr.reshape(-1, 1) if arr.size else arr.reshape(0, 0)
    if arr.ndim != ndim:
        raise ValueError(
            f"`{name}` must have {ndim} dimension(s), got shape {arr.shape}. "
            f"Received: {name}={values!r}"
        )
    return arr


def check_same_length(**arrays: np.ndarray | None) -> None:
    """All given (non-None) arrays have the same first dimension, or ValueError naming them."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ValueError(f"These inputs must have the same length. Received lengths: {shown}")


def note(ax: Axes, text: str, *, y: float = 0.5) -> None:
    """Write a grey centred note inside the axes (in axes coordinates)."""
    ax.text(0.5, y, text, transform=ax.transAxes, ha="center", va="center", color=MUTED)


def no_data(ax: Axes, detail: str = "") -> None:
    """Mark the axes as empty: a "no data" note (with an optional reason) and no ticks."""
    note(ax, "no data" + (f"\n{detail}" if detail else ""))
    ax.set_xticks([])
    ax.set_yticks([])


def footnote(ax: Axes, text: str) -> None:
    """A small grey remark in the lower-left corner of the axes (dropped points, etc.)."""
    ax.text(
        0.01,
        0.01,
        text,
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize="x-small",
        color=MUTED,
    )


def fmt(x: float) -> str:
    """A short label for a number on a plot: 3 significant digits."""
    return f"{x:.3g}"


def set_log_xlim(ax: Axes, *values: np.ndarray | float | None) -> None:
    """Log x-axis limits spanning the given positive values, widened around a single value
    (matplotlib would otherwise warn about a singular axis)."""
    parts = [np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values if v is not None]
    x = np.concatenate(parts) if parts else np.empty(0)
    x = x[np.isfinite(x) & (x > 0)]
    if not x.size:
        return
    lo, hi = float(x.min()), float(x.max())
    pad = 3.0 if lo == hi else (hi / lo) ** 0.04
    ax.set_xscale("log")
    ax.set_xlim(lo / pad, hi * pad)
