"""The step types a prox runs with: a scalar, a tensor, or a :class:`DiagonalStep`.

Adam, Adagrad and RMSprop take the step ``step_i = scale / (√sq_i + shift)`` per
coordinate, where ``sq`` is a second-moment state the optimizer already holds. Turning
that into a tensor costs a weight-sized temporary per op on every training step; a
:class:`DiagonalStep` keeps the three ingredients so that a proximal operator can read
``sq`` once, inside one fused pass (see ``netreg._kernels``). It is an execution idea,
not a penalty's: ``Penalty.prox`` takes scalars and tensors only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from netreg._kernels import inplace as kernels
from netreg.penalties import grouping as G


@dataclass(frozen=True)
class DiagonalStep:
    """The steps ``scale / (√sq + shift)``, one per coordinate of ``sq``.

    Adam's ``lr/(√v̂ + eps)`` with ``v̂ = v/(1 − β₂ᵗ)`` is
    ``DiagonalStep(v, lr·√(1 − β₂ᵗ), eps·√(1 − β₂ᵗ))``: the bias correction moves into
    the two scalars, so nothing is computed per coordinate until a prox needs it.

    Examples
    --------
    >>> import torch
    >>> from netreg.execution import DiagonalStep
    >>> DiagonalStep(torch.tensor([4.0, 0.0]), scale=1.0, shift=1.0).materialize()
    tensor([0.3333, 1.0000])
    """

    sq: Tensor
    scale: float
    shift: float

    def __mul__(self, factor: float) -> DiagonalStep:
        """The steps times a scalar (a penalty strength, a path's scale)."""
        return DiagonalStep(self.sq, self.scale * float(factor), self.shift)

    __rmul__ = __mul__

    @property
    def shape(self) -> torch.Size:
        return self.sq.shape

    def materialize(self, out: Tensor | None = None) -> Tensor:
        """The steps as a tensor (into ``out`` when given, without another temporary)."""
        with torch.no_grad():
            out = torch.sqrt(self.sq, out=out) if out is not None else self.sq.sqrt()
            out.add_(self.shift)
            return torch.div(self.scale, out, out=out)

    def metric_sums(self, groups: str) -> Tensor:
        """``Σ_g 1/step_i`` for every group, reading ``sq`` once when the kernels run."""
        with torch.no_grad():
            sums = kernels.sqrt_group_sums(self.sq, groups)
            if sums is None:
                dims = G.reduce_dims(self.sq, groups)
                sums = self.sq.sqrt().sum(dim=dims)
            count = self.sq.numel() // max(G.n_groups(self.sq, groups), 1)
            return (sums.to(self.sq.dtype) + count * self.shift) / self.scale

    def metric(self) -> Tensor:
        """``1/step`` per coordinate, as a tensor (for the small tensors of biases)."""
        with torch.no_grad():
            return (self.sq.sqrt() + self.shift) / self.scale


Step = float | Tensor
"""What ``Penalty.prox`` takes: a scalar, or a tensor of per-coordinate steps."""

AnyStep = float | Tensor | DiagonalStep
"""What the in-place prox of :mod:`netreg.execution` takes: also a :class:`DiagonalStep`."""


def plain_step(step: AnyStep) -> Step:
    """A scalar or tensor step: a DiagonalStep materialized, anything else as it is."""
    return step.materialize() if isinstance(step, DiagonalStep) else step
