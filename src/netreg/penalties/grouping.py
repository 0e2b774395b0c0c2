"""How a parameter tensor is cut into groups, and the block soft threshold's math.

``units``: one group per output neuron or filter (dim 0), together with that unit's
bias when one is given. ``inputs``: one group per input feature or channel (dim 1).
Group weights default to √|g| (Yuan & Lin), so large and small groups compete fairly.
Public: the execution layer (:mod:`netreg.execution`) runs the group proxes in place
with these same helpers.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

Step = float | Tensor


def reduce_dims(w: Tensor, groups: str) -> tuple[int, ...]:
    """The dims that a group spans (all but the one that indexes groups)."""
    keep = 0 if groups == "units" else 1
    return tuple(d for d in range(w.dim()) if d != keep)


def n_groups(w: Tensor, groups: str) -> int:
    return w.shape[0] if groups == "units" else w.shape[1]


def group_size(w: Tensor, groups: str, with_bias: bool) -> int:
    """|g|: coordinates per group, counting the unit's bias when it shares the group."""
    count = n_groups(w, groups)
    size = w.numel() // count if count else 0
    return size + (1 if with_bias and groups == "units" else 0)


def group_weight(w: Tensor, groups: str, with_bias: bool, weighting: str) -> float:
    """√|g| by default, 1 with ``weighting="none"`` (Distiller's convention)."""
    if weighting == "none":
        return 1.0
    return math.sqrt(group_size(w, groups, with_bias))


def unit_rows(w: Tensor) -> Tensor:
    """``w`` as (units, weights per unit); explicit sizes, so a zero-width layer works too."""
    return w.reshape(w.shape[0], math.prod(w.shape[1:]))


def input_rows(w: Tensor) -> Tensor:
    """``w`` as (inputs, weights per input), the rows of the "inputs" groups."""
    return unit_rows(w.transpose(0, 1))


def broadcast_shape(w: Tensor, groups: str) -> list[int]:
    """Shape of a per-group vector that broadcasts against ``w``."""
    shape = [1] * w.dim()
    axis = 0 if groups == "units" else 1
    shape[axis] = w.shape[axis]
    return shape


def group_sq_norms(w: Tensor, groups: str, bias: Tensor | None = None) -> Tensor:
    """‖w_g‖² for every group (plus b_g² for unit groups with a bias), shape (n_groups,)."""
    dims = reduce_dims(w, groups)
    # vector_norm reduces without materializing w*w: one read of w.
    sq = torch.linalg.vector_norm(w, dim=dims).square() if dims else w * w
    if bias is not None and groups == "units":
        sq = sq + bias * bias
    return sq


def group_norms(w: Tensor, groups: str, bias: Tensor | None = None) -> Tensor:
    """‖w_g‖₂ per group, differentiable everywhere (``vector_norm``'s gradient at 0 is 0,
    where ``sqrt(Σw²)`` would give NaN for a group that is already zero)."""
    if bias is not None and groups == "units":
        rows = torch.cat([unit_rows(w), bias.reshape(-1, 1)], dim=1)
        return torch.linalg.vector_norm(rows, dim=1)
    dims = reduce_dims(w, groups)
    return torch.linalg.vector_norm(w, dim=dims) if dims else w.abs()


def check_groupable(w: Tensor, groups: str) -> None:
    """Group penalties need a weight with at least two dims (a bias has only units)."""
    if w.dim() < 2:
        raise ValueError(
            f"Group penalties need a parameter with at least 2 dims (a Linear or Conv "
            f"weight); this one has shape {tuple(w.shape)}. Use L1 for 1-d parameters. "
            f"Received: shape={tuple(w.shape)}"
        )


def group_steps(step: Step, w: Tensor, groups: str, bias_step: Step | None = None) -> Step:
    """One step per group: a scalar, or a tensor of shape (n_groups,).

    With per-coordinate steps (Adam's ``lr/(√v̂+eps)``) the block prox in that diagonal
    metric has no closed form. Each group uses the closest scalar metric instead: the mean
    of the metric ``1/step`` over the group, i.e. the harmonic mean of the steps. It is
    exact when the steps agree, and unlike the arithmetic mean it is not dominated by the
    huge steps of coordinates whose gradients have been tiny so far (early in training,
    or inputs that carry little signal), which would otherwise zero whole groups at once.
    """
    if not isinstance(step, Tensor):
        return step
    sums = step.reciprocal().sum(dim=reduce_dims(step, groups))
    bias_metric = bias_step.reciprocal() if isinstance(bias_step, Tensor) else None
    return harmonic_steps(sums, w, groups, bias_metric)


def harmonic_steps(
    metric_sums: Tensor, w: Tensor, groups: str, bias_metric: Tensor | None = None
) -> Tensor:
    """``count/Σ(1/step)`` per group from the groups' sums of ``1/step`` (and the unit
    biases' ``1/step``, which join unit groups)."""
    count = w.numel() // max(n_groups(w, groups), 1)
    if groups == "units" and bias_metric is not None:
        metric_sums, count = metric_sums + bias_metric.to(metric_sums.dtype), count + 1
    if count == 0:  # groups of no coordinates (a zero-width layer): step 0, the identity
        return torch.zeros_like(metric_sums)
    return count / metric_sums


def block_scale(sq_norms: Tensor, threshold: Step) -> Tensor:
    """``max(0, 1 − threshold/‖v_g‖)`` per group; exactly 1 where the threshold is 0.

    A zero threshold must be the identity even when ‖v_g‖ underflows to 0 (tiny weights).
    """
    norms = sq_norms.sqrt()
    if not isinstance(threshold, Tensor):
        # One scalar t > 0 (t = 0 is the caller's identity): 1 − t/0 = −inf clamps to 0,
        # so the guards of the per-group case are not needed. Three ops instead of eight:
        # a path runs this after every step of every fit.
        return torch.clamp_(1.0 - threshold / norms, min=0.0)
    safe = torch.where(norms > 0, norms, torch.ones_like(norms))
    scale = torch.clamp(1.0 - threshold / safe, min=0.0) * (norms > 0)
    return torch.where(
        torch.as_tensor(threshold, dtype=scale.dtype) == 0, torch.ones_like(scale), scale
    )
