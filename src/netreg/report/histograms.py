"""Weight histograms as small multiples, with the spike of exact zeros drawn apart."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from netreg._validation import check_int
from netreg.report._canvas import (
    MUTED,
    ZERO_COLOR,
    as_float_array,
    color,
    new_figure,
    no_data,
)


def weight_histograms(
    weights_by_method: Mapping[str, Any],
    *,
    bins: int = 50,
    title: str = "Weight distributions",
) -> Figure:
    """Small multiples: one histogram of weights per method, with the spike at exactly zero.

    Nonzero weights are binned on shared edges (so panels compare); the exact zeros are drawn
    as a separate red spike at 0 and counted in each panel. Counts use a log axis, so a
    large spike does not flatten the rest.

    Parameters
    ----------
    weights_by_method : mapping of str to array-like
        Any shape; flattened. NaN/inf are left out and counted.
    bins : int, default 50
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    bins = check_int("bins", bins, low=1)
    if not isinstance(weights_by_method, Mapping):
        raise TypeError(
            "`weights_by_method` must be a mapping of method name to weights. "
            f"Received: weights_by_method={type(weights_by_method).__name__}"
        )
    items = [
        (str(k), as_float_array(f"weights_by_method[{k!r}]", np.ravel(v)))
        for k, v in weights_by_method.items()
    ]
    ncols = max(1, min(3, len(items)))
    nrows = max(1, math.ceil(len(items) / ncols))
    fig = new_figure(3.6 * ncols, 2.9 * nrows + 0.4)
    fig.suptitle(title)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    if not items:
        no_data(axes[0])
        return fig
    for ax in axes[len(items) :]:
        ax.set_visible(False)
    edges = _shared_edges([w for _, w in items], bins)
    for i, ((name, w), ax) in enumerate(zip(items, axes, strict=False)):
        ax.set_title(name, fontsize="medium")
        if w.size == 0:
            no_data(ax)
            continue
        _weight_panel(ax, w, edges, color(i))
    return fig


def _shared_edges(weights: list[np.ndarray], bins: int) -> np.ndarray:
    """Common bin edges over all finite weights, symmetric about 0 (where the spike goes)."""
    finite = [np.abs(w[np.isfinite(w)]) for w in weights]
    values = np.concatenate(finite) if finite else np.empty(0)
    reach = float(values.max()) if values.size else 0.0
    reach = reach if reach > 0 else 1.0
    return np.linspace(-reach, reach, bins + 1)


def _weight_panel(ax: Axes, w: np.ndarray, edges: np.ndarray, face: str) -> None:
    finite = np.isfinite(w)
    zeros = int((w == 0).sum())
    counts, _ = np.histogram(w[finite & (w != 0)], bins=edges)
    ax.set_yscale("log")
    filled = counts > 0
    ax.bar(
        edges[:-1][filled],
        counts[filled],
        width=np.diff(edges)[filled],
        align="edge",
        color=face,
        alpha=0.85,
        label="nonzero",
    )
    if zeros:
        ax.vlines(0.0, 0.5, zeros, color=ZERO_COLOR, lw=2.5, label="exact zeros")
        ax.plot(0.0, zeros, "o", ms=4, color=ZERO_COLOR)
    top = max(int(counts.max(initial=0)), zeros, 10)
    ax.set_ylim(0.5, top * 3.0)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("weight")
    ax.set_ylabel("count (log)")
    text = f"exact zeros: {zeros:,} of {w.size:,} ({zeros / w.size:.1%})"
    if (~finite).any():
        text += f"\n{int((~finite).sum()):,} non-finite not shown"
    ax.text(
        0.98,
        0.97,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize="x-small",
        color=ZERO_COLOR if zeros else MUTED,
    )
