"""Group lasso and sparse-group lasso in place, for every step type.

The block soft threshold ``w_g ← w_g·max(0, 1 − t_g/‖w_g‖)`` runs as one sweep per row
for unit groups (:mod:`netreg._kernels`), with Adam's metric read inside the sweep when
the step is a :class:`~netreg.execution.steps.DiagonalStep`; input groups and tensors
the kernels cannot take use the eager formulas of :mod:`netreg.penalties.grouping`,
the reference the kernels are tested against.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from netreg._kernels import inplace as kernels
from netreg.execution.fusion import FusedRow, UnitGroupRow
from netreg.execution.separable import shrink_
from netreg.execution.steps import AnyStep, DiagonalStep, Step, plain_step
from netreg.penalties import GroupLasso, Penalty, SparseGroupLasso
from netreg.penalties import grouping as G


def group_steps(step: AnyStep, w: Tensor, groups: str, bias_step: AnyStep | None) -> Step:
    """One step per group (:func:`netreg.penalties.grouping.group_steps`), reading a
    DiagonalStep's ``sq`` once instead of materializing it."""
    if not isinstance(step, DiagonalStep):
        plain_bias = None if bias_step is None else plain_step(bias_step)
        return G.group_steps(step, w, groups, plain_bias)
    if step.scale == 0.0:
        return 0.0
    bias_metric = None
    if isinstance(bias_step, DiagonalStep):
        bias_metric = bias_step.metric()
    elif isinstance(bias_step, Tensor):
        bias_metric = bias_step.reciprocal()
    return G.harmonic_steps(step.metric_sums(groups), w, groups, bias_metric)


def block_prox_(w: Tensor, bias: Tensor | None, threshold: float | Tensor, groups: str) -> None:
    """``w_g ← w_g·max(0, 1 − t_g/‖w_g‖)`` (bias entries included for unit groups)."""
    if not isinstance(threshold, Tensor) and threshold == 0:
        return  # the identity
    if groups == "units" and kernels.group_shrink_rows_(w, bias, threshold):
        return
    scale = G.block_scale(G.group_sq_norms(w, groups, bias), threshold)
    w.mul_(scale.view(G.broadcast_shape(w, groups)))
    if bias is not None:
        bias.mul_(scale)


def group_prox_(
    penalty: Penalty, w: Tensor, step: AnyStep, bias: Tensor | None, bias_step: AnyStep | None
) -> None:
    assert isinstance(penalty, GroupLasso)
    G.check_groupable(w, penalty.groups)
    bias = bias if penalty.groups == "units" else None
    strength = penalty.group_strength(w, bias)
    if _fused_diagonal_(penalty, w, step, bias, bias_step, strength):
        return
    steps = group_steps(step, w, penalty.groups, bias_step if bias is not None else None)
    block_prox_(w, bias, steps * strength, penalty.groups)


def _fused_diagonal_(
    penalty: GroupLasso,
    w: Tensor,
    step: AnyStep,
    bias: Tensor | None,
    bias_step: AnyStep | None,
    strength: float,
) -> bool:
    """Unit groups under Adam's metric: harmonic-mean steps and shrinkage in one sweep."""
    if penalty.groups != "units" or not isinstance(step, DiagonalStep) or step.scale == 0.0:
        return False
    if bias is None:
        return kernels.group_shrink_rows_diag_(w, step.sq, step.scale, step.shift, strength)
    if not isinstance(bias_step, DiagonalStep) or bias_step.scale == 0.0:
        return False
    return kernels.group_shrink_rows_diag_(
        w,
        step.sq,
        step.scale,
        step.shift,
        strength,
        bias,
        bias_step.sq,
        bias_step.scale,
        bias_step.shift,
    )


def prepare_group(
    penalty: Penalty, w: Tensor, bias: Tensor | None
) -> Callable[[float], None] | None:
    """``apply(s)``: the unit-group prox with one scalar step, the kernel's views made once."""
    assert isinstance(penalty, GroupLasso)
    if penalty.groups != "units" or w.dim() < 2:
        return None
    launch = kernels.prepare_group_rows(w, bias)
    if launch is None:
        return None
    strength = penalty.group_strength(w, bias)

    def apply(step: float) -> None:  # one threshold for all units
        if step * strength != 0:
            launch(step * strength)

    return apply


def fused_group(
    penalty: Penalty, w: Tensor, bias: Tensor | None, scale: float, per_coordinate: bool
) -> FusedRow | None:
    assert isinstance(penalty, GroupLasso)
    if penalty.groups != "units" or w.dim() < 2:
        return None
    return UnitGroupRow(w, bias, penalty.group_strength(w, bias) * scale, per_coordinate)


def sparse_group_prox_(
    penalty: Penalty, w: Tensor, step: AnyStep, bias: Tensor | None, bias_step: AnyStep | None
) -> None:
    """The L1 prox, then the group prox: exact for this pair of penalties."""
    assert isinstance(penalty, SparseGroupLasso)
    l1, group = penalty.parts()
    shrink_(w, step, l1.l1, 0.0)
    if bias is not None and penalty.groups == "units":
        b_step = bias_step
        if b_step is None:  # a unit's bias takes its unit's step (harmonic mean)
            b_step = group_steps(step, w, "units", None)
        shrink_(bias, b_step, l1.l1, 0.0)
    group_prox_(group, w, step, bias, bias_step)
