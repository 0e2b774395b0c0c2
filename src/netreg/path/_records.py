"""Per-λ records of a network path (losses, sparsity, selected inputs) and the result."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from netreg.path._network_data import Data, metric_name, score, snapshot
from netreg.path.results import PathResult
from netreg.regularizer import Regularizer
from netreg.train import FitResult


def input_weight(model: nn.Module) -> Tensor | None:
    """The weight of the first Linear or Conv layer: the one that reads the input features."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)):
            return module.weight
    return None


def selected_inputs(model: nn.Module) -> list[int]:
    """Input features (dim 1 of the input layer's weight) with a nonzero column."""
    w = input_weight(model)
    if w is None or w.dim() < 2:
        return []
    dims = tuple(d for d in range(w.dim()) if d != 1)
    alive = torch.linalg.vector_norm(w.detach(), dim=dims) > 0
    return torch.nonzero(alive).reshape(-1).tolist()


def sparsity_counts(reg: Regularizer) -> tuple[int, int]:
    """``(nonzero weights, nonzero groups)`` over the penalized parameters.

    A parameter without a group penalty counts each coordinate as its own group, as the
    linear engine does.
    """
    nonzero = groups = 0
    for row in reg.sparsity():
        nonzero += row.nonzero
        if row.groups is None or row.zero_groups is None:
            groups += row.nonzero
        else:
            groups += row.groups - row.zero_groups
    return nonzero, groups


def selection_violations(selected: Sequence[Sequence[int]]) -> int:
    """How often the number of selected inputs grows with λ along a decreasing-λ path.

    ``selected[i]`` are the inputs kept at the i-th (decreasing) λ. A lasso-like path keeps
    more inputs as λ falls; each step where the count drops instead is one violation.

    >>> selection_violations([[], [1], [1, 2], [2], [0, 1, 2]])
    1
    """
    counts = np.array([len(s) for s in selected])
    return int((np.diff(counts) < 0).sum()) if len(counts) > 1 else 0


def record(
    model: nn.Module,
    reg: Regularizer,
    data: Data,
    loss: str,
    epochs: int,
    result: FitResult | None = None,
) -> dict[str, Any]:
    """What the path keeps of one λ: scores, sparsity, input norms, epochs, the state, and
    the learning curves of the fit that ended there (``result``, its last attempt)."""
    train_loss, train_metric = score(model, data.X, data.y, loss)
    val_loss = val_metric = math.nan
    if data.X_val is not None and data.y_val is not None:
        val_loss, val_metric = score(model, data.X_val, data.y_val, loss)
    nonzero, groups = sparsity_counts(reg)
    w = input_weight(model)
    norms = np.zeros(0)
    if w is not None and w.dim() >= 2:
        dims = tuple(d for d in range(w.dim()) if d != 1)
        norms = w.detach().double().norm(dim=dims).numpy()  # type: ignore[call-overload]
    return {
        "train_loss": train_loss,
        "val_loss": val_loss,
        "train_metric": train_metric,
        "val_metric": val_metric,
        "nonzero": nonzero,
        "groups": groups,
        "selected": selected_inputs(model),
        "norms": norms,
        "epochs": epochs,
        "state": snapshot(model),
        "train_curve": [] if result is None else list(result.train_losses),
        "val_curve": [] if result is None else list(result.val_losses),
    }


def path_result(
    pairs: list[tuple[float, dict[str, Any]]],
    lambda_max: float | None,
    rule: str,
    direction: str,
    warm_start: bool,
    loss: str,
    started: float,
) -> PathResult:
    """The records of every λ, largest λ first, as a :class:`PathResult`."""
    pairs = sorted(pairs, key=lambda pair: -pair[0])
    grid = np.array([lam for lam, _ in pairs])
    ordered = [entry for _, entry in pairs]

    def column(key: str, dtype: Any = float) -> np.ndarray:
        return np.array([r[key] for r in ordered], dtype=dtype)

    selected = [r["selected"] for r in ordered]
    return PathResult(
        lambdas=np.asarray(grid, dtype=float),
        train_loss=column("train_loss"),
        val_loss=column("val_loss"),
        train_metric=column("train_metric"),
        val_metric=column("val_metric"),
        nonzero=column("nonzero", int),
        nonzero_groups=column("groups", int),
        selected_inputs=selected,
        input_norms=np.vstack([r["norms"] for r in ordered]),
        epochs=column("epochs", int),
        states=[r["state"] for r in ordered],
        train_curves=[r["train_curve"] for r in ordered],
        val_curves=[r["val_curve"] for r in ordered],
        lambda_max=lambda_max,
        lambda_zero=lambda_zero(grid, ordered),
        seconds=time.perf_counter() - started,
        engine=f"network ({'warm' if warm_start else 'cold'} proximal fits, {direction.replace('_', ' ')})",
        metric=metric_name(loss),
        lambda_max_rule=rule,
        direction=direction,
        nonmonotone_steps=selection_violations(selected),
    )


def lambda_zero(grid: np.ndarray, ordered: list[dict[str, Any]]) -> float | None:
    """The smallest λ of the grid at which every penalized weight is zero (None if none)."""
    zero = [lam for lam, r in zip(grid, ordered, strict=True) if r["nonzero"] == 0]
    return float(min(zero)) if zero else None
