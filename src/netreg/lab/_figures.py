"""Figures for lab results: matplotlib ``Figure`` objects on an Agg canvas (never pyplot)."""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLORS = {
    "none": "#7f7f7f",
    "l1": "#1f77b4",
    "l2": "#ff7f0e",
    "elasticnet": "#2ca02c",
    "naive": "#9467bd",
    "corrected": "#2ca02c",
    "ols": "#7f7f7f",
    "ridge": "#ff7f0e",
    "lasso": "#1f77b4",
    "dropout": "#d62728",
    "maxnorm": "#8c564b",
    "group": "#17becf",
}


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2
) -> tuple[Figure, Any]:
    """A Figure with an Agg canvas and a grid of axes (an array when more than one)."""
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def note(ax: Any, text: str) -> None:
    """A small text box in the upper corner of an axes."""
    ax.text(
        0.02,
        0.98,
        text,
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize=7,
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "linewidth": 0.5},
    )
