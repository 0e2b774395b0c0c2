"""Which code runs a penalty's prox: one :class:`Executor` per penalty type.

The table is keyed by penalty class and looked up along the class's MRO, so a subclass
runs like its parent and a new penalty type needs only its ``prox`` (the default
executor copies ``penalty.prox(w, step)`` into ``w``) or an entry of its own
(:func:`register`). Everything is called under ``torch.no_grad()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from netreg.execution import groups, separable
from netreg.execution.fusion import FusedRow
from netreg.execution.steps import AnyStep, plain_step
from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso

InPlace = Callable[[Penalty, Tensor, AnyStep, Tensor | None, AnyStep | None], None]
Prepare = Callable[[Penalty, Tensor, Tensor | None], Callable[[float], None] | None]
Fuse = Callable[[Penalty, Tensor, Tensor | None, float, bool], FusedRow | None]
LossTerms = Callable[[Penalty, Tensor, Tensor | None], list[tuple[Tensor, float]]]


def _copy_prox_(
    penalty: Penalty, w: Tensor, step: AnyStep, bias: Tensor | None, bias_step: AnyStep | None
) -> None:
    w.copy_(penalty.prox(w, plain_step(step)))


def _value_term(penalty: Penalty, w: Tensor, bias: Tensor | None) -> list[tuple[Tensor, float]]:
    return [(penalty.value(w, bias), 1.0)]


@dataclass(frozen=True)
class Executor:
    """How one penalty type runs.

    ``prox_``: the prox in place, with a scalar, tensor or DiagonalStep step (and the unit
    biases of group penalties). ``prepare``: for a post-step hook with scalar steps,
    ``apply(step)`` with the kernel's views made once, or None. ``fuse``: the row an
    optimizer may apply inside its update (:mod:`netreg.execution.fusion`), or None.
    ``loss_terms``: ``value`` as (reduction, strength) pairs for the loss mode.
    """

    prox_: InPlace = _copy_prox_
    prepare: Prepare | None = None
    fuse: Fuse | None = None
    loss_terms: LossTerms = _value_term


_SEPARABLE = Executor(separable.prox_, separable.prepare, separable.fused, separable.loss_terms)
EXECUTORS: dict[type[Penalty], Executor] = {
    L1: _SEPARABLE,
    L2: _SEPARABLE,
    ElasticNet: _SEPARABLE,
    GroupLasso: Executor(groups.group_prox_, groups.prepare_group, groups.fused_group),
    SparseGroupLasso: Executor(groups.sparse_group_prox_),
}
_DEFAULT = Executor()


def register(penalty_type: type[Penalty], executor: Executor) -> None:
    """Run ``penalty_type`` (and its subclasses without an entry) with ``executor``."""
    EXECUTORS[penalty_type] = executor


def executor_for(penalty: Penalty) -> Executor:
    """The executor of ``penalty``'s class, or of its nearest registered base class."""
    for cls in type(penalty).__mro__:
        found = EXECUTORS.get(cls)
        if found is not None:
            return found
    return _DEFAULT


def prox_(
    penalty: Penalty,
    w: Tensor,
    step: AnyStep,
    bias: Tensor | None = None,
    bias_step: AnyStep | None = None,
) -> None:
    """``w ← penalty.prox(w, step)`` in place (and the unit biases of group penalties).

    ``step``: a scalar, a tensor shaped like ``w``, or a DiagonalStep. ``bias_step``: the
    biases' step; a unit's bias takes its unit's step when it is None.
    """
    with torch.no_grad():
        executor_for(penalty).prox_(penalty, w, step, bias, bias_step)


def prepare_prox(
    penalty: Penalty, w: Tensor, bias: Tensor | None = None
) -> Callable[[float], None] | None:
    """``apply(step)``: ``prox_(penalty, w, step, bias)`` for scalar steps, prepared once.

    None where there is no prepared kernel (the kernels are off, or cannot take these
    tensors). Valid while the tensors keep their storage.
    """
    prepare = executor_for(penalty).prepare
    return prepare(penalty, w, bias) if prepare is not None else None


def fused_row(
    penalty: Penalty,
    w: Tensor,
    bias: Tensor | None,
    scale: float = 1.0,
    per_coordinate: bool = True,
) -> FusedRow | None:
    """The row an optimizer may apply inside its update for ``scale·penalty`` on ``w``, or None."""
    fuse = executor_for(penalty).fuse
    return fuse(penalty, w, bias, scale, per_coordinate) if fuse is not None else None


def loss_terms(
    penalty: Penalty, w: Tensor, bias: Tensor | None = None
) -> list[tuple[Tensor, float]]:
    """``penalty.value(w, bias)`` as (unweighted reduction, strength) pairs.

    The regularizer stacks every parameter's reductions and takes one dot product with
    the strengths, so the loss graph holds one node per reduction; L1 and L2 reductions
    use backward passes that allocate one tensor (:mod:`netreg.execution.terms`).
    """
    return executor_for(penalty).loss_terms(penalty, w, bias)
