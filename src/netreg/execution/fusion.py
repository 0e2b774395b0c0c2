"""The contract between a regularizer and an optimizer that runs proxes inside its update.

An optimizer that fuses the prox into its own update (:class:`netreg.optim.ProxAdamW`)
is handed plain descriptions of the rows it may take, and applies exactly those:

- :class:`ShrinkRow`: after the update of ``param``, ``w ← soft(w, s·a)/(1 + s·b)``
  coordinate by coordinate (L1, L2 in prox mode, Elastic Net);
- :class:`UnitGroupRow`: after the update of a weight and its unit bias, scale each unit
  (a row of the weight with its bias entry) by ``max(0, 1 − t/‖unit‖)`` with
  ``t = s·strength`` (the group lasso on unit groups).

``s`` is the step of the update: Adam's per-coordinate ``lr/(√v̂ + eps)`` when
``per_coordinate`` (for unit rows, the harmonic mean of the unit's steps, as the
post-step prox uses), else the learning rate. :func:`netreg.execution.fused_row` says
which form a penalty has, by penalty type. The optimizer reports what its last step
applied, and the regularizer's post-step hook runs every other prox row.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor


@dataclass(frozen=True)
class ShrinkRow:
    """``soft(w, s·a)/(1 + s·b)`` of ``param`` after its update."""

    param: Tensor
    a: float
    b: float
    per_coordinate: bool


@dataclass(frozen=True)
class UnitGroupRow:
    """Each unit of ``weight`` (with its entry of ``bias``) scaled by ``max(0, 1 − s·strength/‖unit‖)``."""

    weight: Tensor
    bias: Tensor | None
    strength: float
    per_coordinate: bool


FusedRow = ShrinkRow | UnitGroupRow
