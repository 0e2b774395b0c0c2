"""In-place passes over one tensor: elementwise proxes, unit rows, column sums.

Each function returns True when it did the work and False when the caller must run its
eager formula (the kernels are off, or a tensor cannot go through). The ``prepare_*``
functions make the numpy views once and return a function that only launches: a
post-step hook on a small model spends more time in Python around a kernel (checks,
views) than in the kernel. The caller keeps it while the tensors keep their storage.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from netreg._kernels import runtime as R
from netreg._kernels.runtime import Launch


def soft_threshold_(w: Tensor, threshold: float) -> bool:
    """``w ← w − clamp(w, −t, t)`` (the soft threshold) with one scalar ``t``."""
    if not R.usable(w):
        return False
    R.launch(R.compiled().soft, R.flat(w), R.scalar(w, threshold))
    return True


def soft_threshold_diag_(w: Tensor, sq: Tensor, scale: float, shift: float) -> bool:
    """Soft threshold with per-coordinate ``t_i = scale/(√sq_i + shift)`` (Adam's metric)."""
    if not R.usable(w, sq) or sq.shape != w.shape:
        return False
    scalars = (R.scalar(w, scale), R.scalar(w, shift))
    R.launch(R.compiled().soft_diag, R.flat(w), R.flat(sq), *scalars)
    return True


def elastic_net_(w: Tensor, threshold: float, factor: float) -> bool:
    """``w ← soft(w, t)·factor``: the Elastic Net prox with a scalar step, one pass."""
    if not R.usable(w):
        return False
    scalars = (R.scalar(w, threshold), R.scalar(w, factor))
    R.launch(R.compiled().enet, R.flat(w), *scalars)
    return True


def elastic_net_diag_(w: Tensor, sq: Tensor, c1: float, c2: float, shift: float) -> bool:
    """``w ← soft(w, c1/d)/(1 + c2/d)`` with ``d = √sq + shift``, per coordinate."""
    if not R.usable(w, sq) or sq.shape != w.shape:
        return False
    scalars = (R.scalar(w, c1), R.scalar(w, c2), R.scalar(w, shift))
    R.launch(R.compiled().enet_diag, R.flat(w), R.flat(sq), *scalars)
    return True


def group_shrink_rows_(w: Tensor, bias: Tensor | None, thresholds: float | Tensor) -> bool:
    """Block soft threshold of each row of ``w`` (with its bias entry): one sweep per row.

    ``thresholds``: one for all rows, or one per row. A row is scaled by
    ``max(0, 1 − t/‖row‖)``, left as is where ``t = 0`` and zeroed where its norm is 0.
    """
    if not R.usable(w, bias) or w.dim() < 2:
        return False
    rows, b, empty = _unit_arrays(w, bias)
    if isinstance(thresholds, Tensor):
        t, common = thresholds.detach().to(device="cpu", dtype=w.dtype).contiguous().numpy(), 0.0
    else:
        t, common = empty, thresholds
    R.launch(R.compiled().group_rows, rows, b, t, R.scalar(w, common))
    return True


def group_shrink_rows_diag_(
    w: Tensor,
    sq: Tensor,
    scale: float,
    shift: float,
    strength: float,
    bias: Tensor | None = None,
    bias_sq: Tensor | None = None,
    bias_scale: float = 1.0,
    bias_shift: float = 0.0,
) -> bool:
    """The unit-group prox under Adam's metric, in one sweep per row of ``w`` and ``sq``.

    Each row's step is the harmonic mean of its coordinates' steps ``scale/(√sq + shift)``
    (and of its bias's, when given); its threshold is that step times ``strength``.
    """
    if w.dim() < 2 or sq.shape != w.shape or (bias is None) != (bias_sq is None):
        return False
    if not R.usable(w, sq, bias, bias_sq):
        return False
    rows, b, empty = _unit_arrays(w, bias)
    b_sq = bias_sq.detach().numpy() if bias_sq is not None else empty
    scalars = tuple(R.scalar(w, x) for x in (scale, shift, strength, bias_scale, bias_shift))
    sq_rows = R.rows(sq)
    R.launch(R.compiled().group_rows_diag, rows, sq_rows, b, b_sq, *scalars)
    return True


def rescale_rows_(w: Tensor, low: float, high: float, rate: float, eps: float) -> bool:
    """Keras's norm constraints on each row: ``w·(rate·clip(n, low, high) + (1−rate)·n)/(eps + n)``."""
    if not R.usable(w) or w.dim() < 1:
        return False
    scalars = tuple(R.scalar(w, x) for x in (low, high, rate, eps))
    R.launch(R.compiled().rescale_rows, R.rows(w), *scalars)
    return True


def sqrt_group_sums(sq: Tensor, groups: str) -> Tensor | None:
    """``Σ_g √sq`` per group (rows for "units", dim 1 for "inputs"), read once; None if unusable."""
    if not R.usable(sq) or sq.dim() < 2:
        return None
    if groups == "units":
        rows = R.rows(sq)
        out = np.empty(rows.shape[0], dtype=rows.dtype)
        R.launch(R.compiled().sqrt_row_sums, rows, out)
    else:
        cube = R.cube(sq)
        out = np.zeros(cube.shape[1], dtype=cube.dtype)
        R.launch(R.compiled().sqrt_col_sums, cube, out)
    return torch.from_numpy(out)


# -- prepared launches ----------------------------------------------------------------------
def prepare_soft(w: Tensor) -> Launch | None:
    """``launch(t)``: :func:`soft_threshold_` of ``w``."""
    return R.prepared("soft", w, R.flat(w)) if R.usable(w) else None


def prepare_elastic_net(w: Tensor) -> Launch | None:
    """``launch(t, factor)``: :func:`elastic_net_` of ``w``."""
    return R.prepared("enet", w, R.flat(w)) if R.usable(w) else None


def prepare_group_rows(w: Tensor, bias: Tensor | None) -> Launch | None:
    """``launch(t)``: :func:`group_shrink_rows_` of ``w`` (and ``bias``) with one threshold."""
    if not R.usable(w, bias) or w.dim() < 2:
        return None
    rows, b, empty = _unit_arrays(w, bias)
    return R.prepared("group_rows", w, rows, b, empty)


def prepare_rescale_rows(w: Tensor) -> Launch | None:
    """``launch(low, high, rate, eps)``: :func:`rescale_rows_` of ``w``."""
    if not R.usable(w) or w.dim() < 1:
        return None
    return R.prepared("rescale_rows", w, R.rows(w))


def _unit_arrays(w: Tensor, bias: Tensor | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``w`` as rows, its bias (empty without one), and an empty array of their dtype."""
    rows = R.rows(w)
    empty = np.zeros(0, dtype=rows.dtype)
    return rows, (bias.detach().numpy() if bias is not None else empty), empty
