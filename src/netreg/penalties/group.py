"""Group lasso and sparse-group lasso: whole neurons or whole input features to zero."""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from netreg import choices
from netreg._validation import check_choice, check_fraction, check_strength
from netreg.penalties import grouping as G
from netreg.penalties.base import Penalty, Step
from netreg.penalties.l1 import L1, max_ratio


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", check_strength("lam", self.lam))
        check_choice("groups", self.groups, choices.GROUP_KINDS)
        check_choice("weighting", self.weighting, choices.WEIGHTINGS)

    def group_strength(self, w: Tensor, bias: Tensor | None = None) -> float:
        """``lam·√|g|`` (or ``lam`` unweighted): the weight of each group's norm in ``value``,
        and the block soft threshold per unit of step. ``bias``: the unit biases joining
        unit groups (they count in |g|)."""
        with_bias = self._bias(bias) is not None
        return self.lam * G.group_weight(w, self.groups, with_bias, self.weighting)

    def group_norms(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        """‖w_g‖₂ of every group, shape (n_groups,)."""
        G.check_groupable(w, self.groups)
        return G.group_norms(w, self.groups, self._bias(bias))

    def _bias(self, bias: Tensor | None) -> Tensor | None:
        return bias if self.groups == "units" else None

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self.group_strength(w, bias) * self.group_norms(w, bias).sum()

    def prox(self, v: Tensor, step: Step) -> Tensor:
        G.check_groupable(v, self.groups)
        threshold = G.group_steps(step, v, self.groups) * self.group_strength(v)
        if not isinstance(threshold, Tensor) and threshold == 0:
            return v.clone()
        scale = G.block_scale(G.group_sq_norms(v, self.groups), threshold)
        return v * scale.view(G.broadcast_shape(v, self.groups))

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        bias_grad = self._bias(bias_grad)
        norms = G.group_sq_norms(grad.detach(), self.groups, bias_grad).sqrt()
        return max_ratio(norms, self.group_strength(grad, bias_grad))

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", check_strength("lam", self.lam))
        object.__setattr__(self, "l1_ratio", check_fraction("l1_ratio", self.l1_ratio))
        check_choice("groups", self.groups, choices.GROUP_KINDS)
        check_choice("weighting", self.weighting, choices.WEIGHTINGS)

    def parts(self) -> tuple[L1, GroupLasso]:
        """``(L1(l1_ratio·lam), GroupLasso((1 − l1_ratio)·lam))``: the penalty is their sum
        and its prox is the group prox applied after the L1 prox (exact for this pair)."""
        group = GroupLasso((1.0 - self.l1_ratio) * self.lam, self.groups, self.weighting)
        return L1(self.l1_ratio * self.lam), group

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        l1, group = self.parts()
        total = l1.value(w)
        if bias is not None and self.groups == "units":
            total = total + l1.value(bias)
        return total + group.value(w, bias)

    def prox(self, v: Tensor, step: Step) -> Tensor:
        l1, group = self.parts()
        return group.prox(l1.prox(v, step), step)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        """Per group, the smallest ``s`` with ``‖soft(g_g, s·a)‖ ≤ s·b`` (found by bisection)."""
        l1, group = self.parts()
        a, b = l1.l1, group.lam
        grad = grad.detach().to(torch.float64)
        G.check_groupable(grad, self.groups)
        if bias_grad is not None and self.groups == "units":
            rows = torch.cat([G.unit_rows(grad), bias_grad.detach().to(torch.float64)[:, None]], 1)
        elif self.groups == "units":
            rows = G.unit_rows(grad)
        else:
            rows = G.input_rows(grad)
        b = group.group_strength(grad, bias_grad)
        if a == 0.0:
            return max_ratio(rows.norm(dim=1), b)
        # max |g_i| per group; a group of no coordinates (a zero-width layer) has 0
        largest = rows.abs().amax(dim=1) if rows.shape[1] else rows.new_zeros(rows.shape[0])
        if b == 0.0:
            return max_ratio(largest, a)
        top = largest / a  # at s = top the soft threshold is all zero
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
        return self.parts()[1].group_support(w, bias)

    def group_norms(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self.parts()[1].group_norms(w, bias)
