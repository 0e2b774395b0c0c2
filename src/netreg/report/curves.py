"""Line figures over λ and epochs: the CV error curve, coefficient paths, learning curves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from netreg.report._canvas import (
    MUTED,
    as_float_array,
    check_same_length,
    color,
    fmt,
    footnote,
    new_figure,
    no_data,
    set_log_xlim,
)

_LEGEND_MAX = 12


def _optional_lambda(name: str, value: Any) -> float | None:
    """A λ marker to draw: None, NaN or a non-positive value means "do not draw"."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number or None. Received: {name}={value!r}") from None
    return x if math.isfinite(x) and x > 0 else None


def cv_curve(
    lambdas: Any,
    mean: Any,
    se: Any = None,
    *,
    lambda_min: float | None = None,
    lambda_1se: float | None = None,
    title: str = "Cross-validation error",
    ylabel: str = "mean CV error",
) -> Figure:
    """Mean cross-validated error against λ on a log axis, with ±1 SE bars.

    Vertical lines mark ``lambda_min`` (lowest mean error) and ``lambda_1se`` (largest λ whose
    error is within one standard error of the minimum); a dotted line marks that threshold,
    ``min(mean) + se[argmin]``.

    Parameters
    ----------
    lambdas, mean, se : array-like of shape (n_lambdas,)
        The grid and the mean and standard error of the fold errors. ``se=None`` draws no bars.
        Points with λ ≤ 0 or a non-finite λ or mean cannot go on a log axis and are counted
        in a footnote instead.
    lambda_min, lambda_1se : float, optional
        The chosen values; None or NaN draws no line.
    title, ylabel : str
        Labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lam = as_float_array("lambdas", lambdas)
    mu = as_float_array("mean", mean)
    s = np.zeros_like(mu) if se is None else as_float_array("se", se)
    check_same_length(lambdas=lam, mean=mu, se=s)
    chosen = (
        (_optional_lambda("lambda_min", lambda_min), "λ_min", "lowest mean error", "--", 1),
        (_optional_lambda("lambda_1se", lambda_1se), "λ_1se", "largest λ within 1 SE", "-.", 2),
    )
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel("λ (log scale)")
    ax.set_ylabel(ylabel)
    shown = np.isfinite(lam) & (lam > 0) & np.isfinite(mu)
    if not shown.any():
        no_data(ax, "no λ > 0 with a finite error")
        return fig
    order = np.argsort(lam[shown])
    x, y = lam[shown][order], mu[shown][order]
    err = s[shown][order]
    err = np.where(np.isfinite(err) & (err >= 0), err, 0.0)
    set_log_xlim(ax, x, *(value for value, *_ in chosen))
    ax.errorbar(
        x,
        y,
        yerr=err,
        fmt="o-",
        ms=3,
        lw=1.2,
        capsize=2,
        color=color(0),
        ecolor="#9ca3af",
        label="mean ± 1 SE",
    )
    best = int(np.argmin(y))
    if err[best] > 0:
        ax.axhline(y[best] + err[best], ls=":", lw=1, color=MUTED, label="min + 1 SE")
    for value, symbol, meaning, style, k in chosen:
        if value is not None:
            ax.axvline(
                value,
                ls=style,
                lw=1.4,
                color=color(k),
                label=f"{symbol} = {fmt(value)} ({meaning})",
            )
    dropped = int((~shown).sum())
    if dropped:
        footnote(ax, f"{dropped} point(s) with λ ≤ 0 or a non-finite value not shown")
    ax.legend(fontsize="small")
    return fig


def coefficient_paths(
    lambdas: Any,
    coefs: Any,
    *,
    names: Sequence[str] | None = None,
    title: str = "Coefficient paths",
) -> Figure:
    """Each coefficient against λ on a log axis: how weights shrink and hit zero.

    Parameters
    ----------
    lambdas : array-like of shape (n_lambdas,)
    coefs : array-like of shape (n_lambdas, n_features)
        Row ``i`` holds the coefficients fitted at ``lambdas[i]`` (a 1-D array is one feature).
    names : sequence of str, optional
        One name per feature; shown in a legend when there are at most 12 features.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    lam = as_float_array("lambdas", lambdas)
    b = as_float_array("coefs", coefs, ndim=2)
    check_same_length(lambdas=lam, coefs=b)
    labels = None if names is None else [str(n) for n in names]
    if labels is not None and len(labels) != b.shape[1]:
        raise ValueError(
            f"`names` must have one entry per feature ({b.shape[1]}). Received: {len(labels)} names"
        )
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel("λ (log scale)")
    ax.set_ylabel("coefficient")
    shown = np.isfinite(lam) & (lam > 0)
    if not shown.any() or b.shape[1] == 0 or not np.isfinite(b[shown]).any():
        no_data(ax)
        return fig
    order = np.argsort(lam[shown])
    x, paths = lam[shown][order], b[shown][order]
    paths = np.where(np.isfinite(paths), paths, np.nan)
    set_log_xlim(ax, x)
    ax.axhline(0.0, color=MUTED, lw=0.8)
    marker = "o" if len(x) == 1 else None
    for j in range(paths.shape[1]):
        label = labels[j] if labels is not None else None
        ax.plot(x, paths[:, j], color=color(j), lw=1.2, marker=marker, label=label)
    remarks = []
    if (~shown).any():
        remarks.append(f"{int((~shown).sum())} λ ≤ 0 or non-finite not shown")
    if labels is not None and len(labels) <= _LEGEND_MAX:
        ax.legend(fontsize="small", ncols=2 if len(labels) > 6 else 1)
    elif paths.shape[1] > _LEGEND_MAX:
        remarks.append(f"{paths.shape[1]} features; legend omitted")
    if remarks:
        footnote(ax, "; ".join(remarks))
    return fig


def learning_curves(
    train_losses: Any,
    val_losses: Any = None,
    *,
    title: str = "Learning curves",
    ylabel: str = "loss",
) -> Figure:
    """Training (and validation) loss per epoch, with the best validation epoch starred.

    Parameters
    ----------
    train_losses : array-like of shape (n_epochs,)
    val_losses : array-like, optional
        May be shorter or longer than ``train_losses`` (validation every epoch or not).
        Non-finite losses (a diverged run) leave a gap and are counted in a footnote.
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    train = as_float_array("train_losses", train_losses)
    val = np.empty(0) if val_losses is None else as_float_array("val_losses", val_losses)
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if not (np.isfinite(train).any() or np.isfinite(val).any()):
        no_data(ax)
        return fig
    bad = int((~np.isfinite(train)).sum() + (~np.isfinite(val)).sum())
    for k, (series, label) in enumerate(((train, "training"), (val, "validation"))):
        finite = np.isfinite(series)
        if not finite.any():
            continue
        epochs = np.arange(1, len(series) + 1)
        # Markers on short or gappy series, where a point may have no neighbour to join.
        marker = "o" if len(series) <= 25 or not finite.all() else None
        y = np.where(finite, series, np.nan)
        ax.plot(epochs, y, color=color(k), lw=1.5, marker=marker, ms=3, label=label)
    if np.isfinite(val).any():
        best = int(np.nanargmin(np.where(np.isfinite(val), val, np.nan)))
        ax.plot(
            best + 1,
            val[best],
            "*",
            ms=12,
            color=color(1),
            label=f"best validation (epoch {best + 1})",
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if bad:
        footnote(ax, f"{bad} non-finite loss value(s) not shown")
    ax.legend(fontsize="small")
    return fig
