"""How a parameter tensor is cut into groups.

``units``: one group per output neuron or filter (dim 0), together with that unit's
bias when one is given. ``inputs``: one group per input feature or channel (dim 1).
Group weights default to √|g| (Yuan & Lin), so large and small groups compete fairly.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

GROUP_KINDS = ("units", "inputs")
WEIGHTINGS = ("sqrt", "none")


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
        rows = torch.cat([w.reshape(w.shape[0], -1), bias.reshape(-1, 1)], dim=1)
        return torch.linalg.vector_norm(rows, dim=1)
    dims = reduce_dims(w, groups)
    return torch.linalg.vector_norm(w, dim=dims) if dims else w.abs()


def group_mean(t: Tensor, groups: str, bias_t: Tensor | None = None) -> Tensor:
    """Mean of a per-coordinate tensor over each group (used for per-group steps)."""
    dims = reduce_dims(t, groups)
    total = t.sum(dim=dims) if dims else t.clone()
    per_group = t.numel() // n_groups(t, groups) if n_groups(t, groups) else 0
    if bias_t is not None and groups == "units":
        return (total + bias_t) / (per_group + 1)
    return total / max(per_group, 1)


def check_groupable(w: Tensor, groups: str) -> None:
    """Group penalties need a weight with at least two dims (a bias has only units)."""
    if w.dim() < 2:
        raise ValueError(
            f"Group penalties need a parameter with at least 2 dims (a Linear or Conv "
            f"weight); this one has shape {tuple(w.shape)}. Use L1 for 1-d parameters. "
            f"Received: shape={tuple(w.shape)}"
        )
