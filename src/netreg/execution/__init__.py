"""How a penalty's prox runs: in place, with which step type, on which kernel, fused or not.

A penalty (:mod:`netreg.penalties`) is math only: ``value`` and an out-of-place ``prox``.
This package, below the regularizer, owns everything about running it:

- :mod:`~netreg.execution.steps`: the step types, scalar, tensor and
  :class:`DiagonalStep` (Adam's ``scale/(√sq + shift)`` read from the optimizer's state);
- :mod:`~netreg.execution.table`: one :class:`Executor` per penalty type, the dispatch
  behind :func:`prox_`, :func:`prepare_prox`, :func:`fused_row` and :func:`loss_terms`;
- :mod:`~netreg.execution.separable`, :mod:`~netreg.execution.groups`: the executors of
  L1 / L2 / Elastic Net (one form, ``soft(w, s·a)/(1 + s·b)``) and of the group penalties,
  each choosing a kernel of :mod:`netreg._kernels` or its eager formula;
- :mod:`~netreg.execution.fusion`: the public contract with an optimizer that applies
  proxes inside its update (:class:`ShrinkRow`, :class:`UnitGroupRow`);
- :mod:`~netreg.execution.terms`: the loss-mode reductions with one-allocation backwards.

Why a separate layer: the same prox runs after SGD, after Adam (in its metric), inside
ProxAdamW's update and in a λ path's refits; keeping those choices here leaves one
formula per penalty and one place to test every fast path against it.
"""

from netreg.execution.fusion import FusedRow, ShrinkRow, UnitGroupRow
from netreg.execution.steps import AnyStep, DiagonalStep, Step, plain_step
from netreg.execution.table import (
    EXECUTORS,
    Executor,
    executor_for,
    fused_row,
    loss_terms,
    prepare_prox,
    prox_,
    register,
)

__all__ = [
    "EXECUTORS",
    "AnyStep",
    "DiagonalStep",
    "Executor",
    "FusedRow",
    "ShrinkRow",
    "Step",
    "UnitGroupRow",
    "executor_for",
    "fused_row",
    "loss_terms",
    "plain_step",
    "prepare_prox",
    "prox_",
    "register",
]
