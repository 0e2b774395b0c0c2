"""L1, L2 and Elastic Net in place: one form, ``w ← soft(w, s·a)/(1 + s·b)``.

The three separable penalties are this one prox with ``(a, b)`` = ``(l1, 0)``,
``(0, 2·l2)`` and ``(l1, 2·l2)``, so one function runs all three for every step type:
a scalar (one kernel pass, or a prepared launch for hooks), a tensor (eager ops), or a
:class:`~netreg.execution.steps.DiagonalStep` read inside the kernel. The eager branches
are the penalties' own formulas (:func:`netreg.penalties.soft_threshold`), which the
kernels are tested against.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from netreg._kernels import inplace as kernels
from netreg.execution.fusion import FusedRow, ShrinkRow
from netreg.execution.steps import AnyStep, DiagonalStep
from netreg.execution.terms import abs_sum, square_sum
from netreg.penalties import L1, L2, ElasticNet, Penalty, soft_threshold

Separable = L1 | L2 | ElasticNet


def shrink_form(penalty: Separable) -> tuple[float, float]:
    """``(a, b)`` of the penalty's prox ``soft(v, s·a)/(1 + s·b)``."""
    if isinstance(penalty, L1):
        return penalty.l1, 0.0
    if isinstance(penalty, L2):
        return 0.0, 2.0 * penalty.l2
    return penalty.l1, 2.0 * penalty.l2


def shrink_(w: Tensor, step: AnyStep, a: float, b: float) -> None:
    """``w ← soft(w, s·a)/(1 + s·b)`` in place, in one pass where a kernel can take it."""
    if isinstance(step, DiagonalStep):
        if b == 0.0:
            done = kernels.soft_threshold_diag_(w, step.sq, step.scale * a, step.shift)
        else:
            done = kernels.elastic_net_diag_(w, step.sq, step.scale * a, step.scale * b, step.shift)
        if done:
            return
        step = step.materialize()
    if isinstance(step, Tensor):
        if a != 0.0:
            soft_threshold(w, step * a, out=w)
        if b != 0.0:
            w.div_(1.0 + b * step)
    elif b == 0.0:
        if step * a > 0 and not kernels.soft_threshold_(w, step * a):
            soft_threshold(w, step * a, out=w)
    elif not kernels.elastic_net_(w, step * a, 1.0 / (1.0 + step * b)):
        if a != 0.0:
            soft_threshold(w, step * a, out=w)
        w.mul_(1.0 / (1.0 + step * b))


def prox_(
    penalty: Penalty, w: Tensor, step: AnyStep, bias: Tensor | None, bias_step: AnyStep | None
) -> None:
    """The separable prox in place; a bias is left alone (only unit groups include it)."""
    shrink_(w, step, *shrink_form(penalty))  # type: ignore[arg-type]


def prepare(penalty: Penalty, w: Tensor, bias: Tensor | None) -> Callable[[float], None] | None:
    """``apply(s)``: :func:`shrink_` with a scalar step, the kernel's views made once."""
    a, b = shrink_form(penalty)  # type: ignore[arg-type]
    if b == 0.0:
        soft = kernels.prepare_soft(w)
        if soft is None:
            return None

        def apply_soft(step: float) -> None:
            if step * a > 0:  # as shrink_: a zero or NaN threshold changes nothing
                soft(step * a)

        return apply_soft
    enet = kernels.prepare_elastic_net(w)
    if enet is None:
        return None

    def apply_enet(step: float) -> None:
        enet(step * a, 1.0 / (1.0 + step * b))

    return apply_enet


def fused(
    penalty: Penalty, w: Tensor, bias: Tensor | None, scale: float, per_coordinate: bool
) -> FusedRow:
    a, b = shrink_form(penalty)  # type: ignore[arg-type]
    return ShrinkRow(w, a * scale, b * scale, per_coordinate)


def loss_terms(penalty: Penalty, w: Tensor, bias: Tensor | None) -> list[tuple[Tensor, float]]:
    """``value`` as (reduction, strength) pairs, with the one-allocation backward passes."""
    if isinstance(penalty, L1):
        return [(abs_sum(w), penalty.l1)]
    if isinstance(penalty, L2):
        return [(square_sum(w), penalty.l2)]
    assert isinstance(penalty, ElasticNet)
    return [(abs_sum(w), penalty.l1), (square_sum(w), penalty.l2)]
