"""Group lasso and sparse-group lasso: whole neurons or whole input features to zero."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch
from torch import Tensor

from netreg import _kernels
from netreg._validation import check_choice, check_fraction, check_strength
from netreg.penalties import _groups as G
from netreg.penalties.base import (
    AnyStep,
    Penalty,
    Step,
    soft_threshold,
    soft_threshold_,
)
from netreg.penalties.diagonal import DiagonalStep
from netreg.penalties.l1 import max_ratio


def _group_steps(step: AnyStep, w: Tensor, groups: str, bias_step: AnyStep | None) -> Step:
    """One step per group: a scalar, or a tensor of shape (n_groups,).

    With per-coordinate steps (Adam's ``lr/(√v̂+eps)``) the block prox in that diagonal
    metric has no closed form. Each group uses the closest scalar metric instead: the mean
    of the metric ``1/step`` over the group, i.e. the harmonic mean of the steps. It is
    exact when the steps agree, and unlike the arithmetic mean it is not dominated by the
    huge steps of coordinates whose gradients have been tiny so far (early in training,
    or inputs that carry little signal), which would otherwise zero whole groups at once.
    """
    if not isinstance(step, (Tensor, DiagonalStep)):
        return step
    if isinstance(step, DiagonalStep):
        if step.scale == 0.0:
            return 0.0
        sums = step.metric_sums(groups)
    else:
        sums = step.reciprocal().sum(dim=G.reduce_dims(step, groups))
    count = w.numel() // max(G.n_groups(w, groups), 1)
    if groups == "units" and isinstance(bias_step, (Tensor, DiagonalStep)):
        bias_metric = (
            bias_step.metric() if isinstance(bias_step, DiagonalStep) else bias_step.reciprocal()
        )
        sums, count = sums + bias_metric.to(sums.dtype), count + 1
    return count / sums


def _block_scale(sq_norms: Tensor, threshold: Step) -> Tensor:
    """``max(0, 1 − threshold/‖v_g‖)`` per group; exactly 1 where the threshold is 0.

    A zero threshold must be the identity even when ‖v_g‖ underflows to 0 (tiny weights).
    """
    norms = sq_norms.sqrt()
    if not isinstance(threshold, Tensor):
        # One scalar t > 0 (t = 0 is handled by the caller): 1 − t/0 = −inf clamps to 0,
        # so the guards of the per-group case are not needed. Three ops instead of eight:
        # a path runs this after every step of every fit.
        return torch.clamp_(1.0 - threshold / norms, min=0.0)
    safe = torch.where(norms > 0, norms, torch.ones_like(norms))
    scale = torch.clamp(1.0 - threshold / safe, min=0.0) * (norms > 0)
    return torch.where(
        torch.as_tensor(threshold, dtype=scale.dtype) == 0, torch.ones_like(scale), scale
    )


def _block_prox_(w: Tensor, bias: Tensor | None, threshold: Step, groups: str) -> None:
    """``w_g ← w_g·max(0, 1 − t_g/‖w_g‖)`` (bias entries included for unit groups)."""
    if not isinstance(threshold, Tensor) and threshold == 0:
        return  # the identity
    if groups == "units" and _kernels.group_shrink_rows_(w, bias, threshold):
        return
    scale = _block_scale(G.group_sq_norms(w, groups, bias), threshold)
    w.mul_(scale.view(G.broadcast_shape(w, groups)))
    if bias is not None:
        bias.mul_(scale)


@dataclasses.dataclass(frozen=True)
class GroupLasso(Penalty):
    """Group lasso ``lam·Σ_g √|g|·‖w_g‖₂``: zeroes whole groups at once.

    Parameters
    ----------
    lam : float
        Strength, finite and ``>= 0``.
    groups : {"units", "inputs"}
        ``"units"``: one group per output neuron / filter (dim 0 of the weight), together
        with the unit's bias when the plan binds one (then |g| counts it). Zero groups
        are neurons that :func:`netreg.prune` can remove. ``"inputs"``: one group per
        input feature / channel (dim 1): feature selection on a first layer.
    weighting : {"sqrt", "none"}
        Group weight √|g| (Yuan & Lin's, the default) or 1 (Distiller's).

    Notes
    -----
    The prox is the block soft threshold ``w_g = v_g·max(0, 1 − step·lam·√|g|/‖v_g‖)``,
    exactly zero when ``‖v_g‖ ≤ step·lam·√|g|``. With per-coordinate steps (Adam) each
    group uses the harmonic mean of its coordinates' steps (the mean metric).
    """

    lam: float = 0.01
    groups: str = "units"
    weighting: str = "sqrt"

    strength_fields = ("lam",)
    accepts_diagonal_step = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", check_strength("lam", self.lam))
        check_choice("groups", self.groups, G.GROUP_KINDS)
        check_choice("weighting", self.weighting, G.WEIGHTINGS)

    def _weight(self, w: Tensor, bias: Tensor | None) -> float:
        return G.group_weight(w, self.groups, bias is not None, self.weighting)

    def group_norms(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        """‖w_g‖₂ of every group, shape (n_groups,)."""
        G.check_groupable(w, self.groups)
        return G.group_norms(w, self.groups, self._bias(bias))

    def _bias(self, bias: Tensor | None) -> Tensor | None:
        return bias if self.groups == "units" else None

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        bias = self._bias(bias)
        return self.lam * self._weight(w, bias) * self.group_norms(w, bias).sum()

    def prox(self, v: Tensor, step: Step) -> Tensor:
        out = v.clone()
        self.prox_(out, step)
        return out

    def prox_(
        self, w: Tensor, step: AnyStep, bias: Tensor | None = None, bias_step: AnyStep | None = None
    ) -> None:
        G.check_groupable(w, self.groups)
        bias = self._bias(bias)
        with torch.no_grad():
            strength = self.lam * self._weight(w, bias)
            if self._fused_diagonal_(w, step, bias, bias_step, strength):
                return
            steps = _group_steps(step, w, self.groups, bias_step if bias is not None else None)
            _block_prox_(w, bias, steps * strength, self.groups)

    def unit_group_strength(self, w: Tensor, bias: Tensor | None = None) -> float | None:
        if self.groups != "units" or w.dim() < 2:
            return None
        return self.lam * self._weight(w, bias)

    def scalar_prox(self, w: Tensor, bias: Tensor | None = None) -> Callable[[float], None] | None:
        strength = self.unit_group_strength(w, bias)
        launch = _kernels.prepare_group_rows(w, bias) if strength is not None else None
        if strength is None or launch is None:
            return None

        def apply(step: float) -> None:  # prox_ with a scalar step: one threshold for all units
            if step * strength != 0:
                launch(step * strength)

        return apply

    def _fused_diagonal_(
        self,
        w: Tensor,
        step: AnyStep,
        bias: Tensor | None,
        bias_step: AnyStep | None,
        strength: float,
    ) -> bool:
        """Unit groups under Adam's metric: harmonic-mean steps and shrinkage in one sweep."""
        if self.groups != "units" or not isinstance(step, DiagonalStep) or step.scale == 0.0:
            return False
        if bias is None:
            return _kernels.group_shrink_rows_diag_(w, step.sq, step.scale, step.shift, strength)
        if not isinstance(bias_step, DiagonalStep) or bias_step.scale == 0.0:
            return False
        return _kernels.group_shrink_rows_diag_(
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

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        bias_grad = self._bias(bias_grad)
        norms = G.group_sq_norms(grad.detach(), self.groups, bias_grad).sqrt()
        return max_ratio(norms, self.lam * self._weight(grad, bias_grad))

    def support(self, w: Tensor) -> Tensor:
        """True for every coordinate of a group that is not entirely zero."""
        alive = self.group_support(w)
        return alive.view(G.broadcast_shape(w, self.groups)).expand_as(w)

    def group_support(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        """True for each group that is not entirely zero, shape (n_groups,)."""
        return self.group_norms(w, bias) > 0


@dataclasses.dataclass(frozen=True)
class SparseGroupLasso(Penalty):
    """Sparse-group lasso: ``l1_ratio·lam·Σ|w| + (1−l1_ratio)·lam·Σ_g √|g|·‖w_g‖₂``.

    Zeroes whole groups and single weights inside the surviving groups. Its prox is the
    group prox applied to the L1 prox, which is exact for this pair of penalties.
    """

    lam: float = 0.01
    l1_ratio: float = 0.5
    groups: str = "units"
    weighting: str = "sqrt"

    strength_fields = ("lam",)
    accepts_diagonal_step = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", check_strength("lam", self.lam))
        object.__setattr__(self, "l1_ratio", check_fraction("l1_ratio", self.l1_ratio))
        check_choice("groups", self.groups, G.GROUP_KINDS)
        check_choice("weighting", self.weighting, G.WEIGHTINGS)

    @property
    def _l1(self) -> float:
        return self.l1_ratio * self.lam

    @property
    def _group(self) -> GroupLasso:
        return GroupLasso((1.0 - self.l1_ratio) * self.lam, self.groups, self.weighting)

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        l1 = torch.linalg.vector_norm(w, ord=1)
        if bias is not None and self.groups == "units":
            l1 = l1 + torch.linalg.vector_norm(bias, ord=1)
        return self._l1 * l1 + self._group.value(w, bias)

    def prox(self, v: Tensor, step: Step) -> Tensor:
        out = soft_threshold(v, step * self._l1)
        self._group.prox_(out, step)
        return out

    def prox_(
        self, w: Tensor, step: AnyStep, bias: Tensor | None = None, bias_step: AnyStep | None = None
    ) -> None:
        with torch.no_grad():
            soft_threshold_(w, step * self._l1)
            if bias is not None and self.groups == "units":
                b_step = bias_step
                if b_step is None:  # a unit's bias takes its unit's step (harmonic mean)
                    b_step = _group_steps(step, w, "units", None)
                soft_threshold_(bias, b_step * self._l1)
            self._group.prox_(w, step, bias, bias_step)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        """Per group, the smallest ``s`` with ``‖soft(g_g, s·a)‖ ≤ s·b`` (found by bisection)."""
        a, b = self._l1, (1.0 - self.l1_ratio) * self.lam
        group = self._group
        grad = grad.detach().to(torch.float64)
        G.check_groupable(grad, self.groups)
        if bias_grad is not None and self.groups == "units":
            rows = torch.cat(
                [grad.reshape(grad.shape[0], -1), bias_grad.detach().to(torch.float64)[:, None]], 1
            )
        elif self.groups == "units":
            rows = grad.reshape(grad.shape[0], -1)
        else:
            rows = grad.transpose(0, 1).reshape(grad.shape[1], -1)
        weight = group._weight(grad, bias_grad if self.groups == "units" else None)
        b = b * weight
        if a == 0.0:
            return max_ratio(rows.norm(dim=1), b)
        top = rows.abs().max(dim=1).values / a  # at s = top the soft threshold is all zero
        if b == 0.0:
            return max_ratio(rows.abs().max(dim=1).values, a)
        low, high = torch.zeros_like(top), top.clone()
        for _ in range(200):  # the excess ‖soft(g, s·a)‖ − s·b decreases in s
            mid = 0.5 * (low + high)
            excess = torch.clamp(rows.abs() - mid[:, None] * a, min=0).norm(dim=1) - mid * b
            low = torch.where(excess > 0, mid, low)
            high = torch.where(excess > 0, high, mid)
        return float(high.max()) if high.numel() else 0.0

    def support(self, w: Tensor) -> Tensor:
        return w != 0

    def group_support(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self._group.group_support(w, bias)

    def group_norms(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self._group.group_norms(w, bias)
