"""Bar figures: nonzero fraction per layer, and one value per method with error bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from netreg.report._canvas import (
    MUTED,
    as_float_array,
    check_same_length,
    color,
    fmt,
    new_figure,
    no_data,
    note,
)


def sparsity_bars(
    layer_names: Sequence[str],
    nonzero_fraction: Any,
    *,
    title: str = "Nonzero weights per layer",
) -> Figure:
    """A horizontal bar per layer: the fraction of its weights that are not exactly zero.

    Parameters
    ----------
    layer_names : sequence of str
    nonzero_fraction : array-like of shape (n_layers,)
        Values in [0, 1]; NaN draws no bar and says "n/a".
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = [str(n) for n in layer_names]
    frac = as_float_array("nonzero_fraction", nonzero_fraction)
    check_same_length(layer_names=np.asarray(names), nonzero_fraction=frac)
    finite = np.isfinite(frac)
    if ((frac[finite] < 0) | (frac[finite] > 1)).any():
        raise ValueError(
            f"`nonzero_fraction` values must lie in [0, 1]. Received: nonzero_fraction={frac!r}"
        )
    fig = new_figure(6.4, min(2.2 + 0.32 * len(names), 24.0))
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel("nonzero weights")
    if not names:
        no_data(ax)
        return fig
    y = np.arange(len(names))
    ax.barh(y[finite], frac[finite], color=color(0), height=0.6)
    for i in range(len(names)):
        text = f"{frac[i]:.1%}" if finite[i] else "n/a"
        ax.text(frac[i] + 0.01 if finite[i] else 0.01, i, text, va="center", fontsize="small")
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0.0, 1.15)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    if not finite.any():
        note(ax, "no data (all values missing)")
    return fig


def bar_comparison(
    names: Sequence[str],
    values: Any,
    errors: Any = None,
    *,
    ylabel: str = "",
    title: str = "",
    highlight: str | None = None,
) -> Figure:
    """One bar per method (a test error, a count, a time), with optional error bars.

    Parameters
    ----------
    names : sequence of str
    values : array-like of shape (n,)
        NaN draws no bar and says "n/a" (a method that failed or was skipped).
    errors : array-like of shape (n,), optional
        Half-widths of the error bars (an SE); NaN or negative draws none.
    ylabel, title : str
    highlight : str, optional
        A name to draw in a contrasting colour (the method chosen).

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = [str(n) for n in names]
    vals = as_float_array("values", values)
    errs = None if errors is None else as_float_array("errors", errors)
    check_same_length(names=np.asarray(labels), values=vals, errors=errs)
    if highlight is not None and highlight not in labels:
        raise ValueError(f"`highlight` must be one of `names`. Received: highlight={highlight!r}")
    fig = new_figure(max(4.5, 0.8 * len(labels) + 2.0), 4.0)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if not labels:
        no_data(ax)
        return fig
    x = np.arange(len(labels))
    finite = np.isfinite(vals)
    yerr = None
    if errs is not None:
        yerr = np.where(np.isfinite(errs) & (errs >= 0), errs, 0.0)[finite]
    colors = [color(1) if n == highlight else color(0) for n in labels]
    ax.bar(
        x[finite],
        vals[finite],
        yerr=yerr,
        capsize=3,
        color=[c for c, f in zip(colors, finite, strict=True) if f],
        width=0.65,
    )
    tips = vals[finite] + np.sign(vals[finite]) * (0.0 if yerr is None else yerr)
    for xi, v, tip in zip(x[finite], vals[finite], tips, strict=True):
        ax.annotate(
            fmt(v),
            (xi, tip),
            xytext=(0, 3 if v >= 0 else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if v >= 0 else "top",
            fontsize="small",
        )
    for i in np.flatnonzero(~finite):
        ax.text(float(i), 0.0, "n/a", ha="center", va="bottom", fontsize="small", color=MUTED)
    ax.axhline(0.0, color=MUTED, lw=0.8)
    ax.margins(y=0.12)
    ax.set_xticks(x, labels)
    if max(len(n) for n in labels) > 8:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    if not finite.any():
        note(ax, "no data (all values missing)", y=0.6)
    return fig
