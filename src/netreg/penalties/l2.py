"""L2 (ridge): ``l2·Σw²`` with no ½, Keras's ``regularizers.L2``."""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import Tensor

from netreg import _kernels
from netreg._validation import check_strength
from netreg.penalties._terms import square_sum
from netreg.penalties.base import AnyStep, Penalty, Step
from netreg.penalties.diagonal import DiagonalStep


@dataclasses.dataclass(frozen=True)
class L2(Penalty):
    """Ridge penalty ``l2·Σw²``. Smooth: by default it goes into the loss.

    Under plain SGD it is weight decay with ``weight_decay = 2·l2``; under Adam it is
    not (see :func:`netreg.param_groups` for decoupled decay).

    Parameters
    ----------
    l2 : float, default 0.01
        Strength (Keras's default). Must be finite and ``>= 0``.
    """

    l2: float = 0.01

    is_smooth = True
    strength_fields = ("l2",)
    accepts_diagonal_step = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "l2", check_strength("l2", self.l2))

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        flat = w.reshape(-1)
        return self.l2 * torch.dot(flat, flat)

    def loss_terms(self, w: Tensor, bias: Tensor | None = None) -> list[tuple[Tensor, float]]:
        return [(square_sum(w), self.l2)]

    def prox(self, v: Tensor, step: Step) -> Tensor:
        return v / (1.0 + 2.0 * step * self.l2)

    def prox_(
        self, w: Tensor, step: AnyStep, bias: Tensor | None = None, bias_step: AnyStep | None = None
    ) -> None:
        with torch.no_grad():
            if isinstance(step, DiagonalStep):
                # The Elastic Net kernel with no L1 part: w / (1 + 2·l2·step), fused.
                if _kernels.elastic_net_diag_(
                    w, step.sq, 0.0, 2.0 * self.l2 * step.scale, step.shift
                ):
                    return
                step = step.materialize()
            if isinstance(step, Tensor):
                w.div_(1.0 + 2.0 * self.l2 * step)
            else:
                w.mul_(1.0 / (1.0 + 2.0 * step * self.l2))

    def shrink_coefficients(self) -> tuple[float, float]:
        return (0.0, 2.0 * self.l2)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        # The gradient of l2·Σw² vanishes at zero: only a zero loss gradient makes zero optimal.
        return 0.0 if not bool(grad.detach().any()) else math.inf
