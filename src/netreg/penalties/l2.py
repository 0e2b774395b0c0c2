"""L2 (ridge): ``l2·Σw²`` with no ½, Keras's ``regularizers.L2``."""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import Tensor

from netreg._validation import check_strength
from netreg.penalties.base import Penalty, Step


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "l2", check_strength("l2", self.l2))

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        flat = w.reshape(-1)
        return self.l2 * torch.dot(flat, flat)

    def prox(self, v: Tensor, step: Step) -> Tensor:
        return v / (1.0 + 2.0 * step * self.l2)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        # The gradient of l2·Σw² vanishes at zero: only a zero loss gradient makes zero optimal.
        return 0.0 if not bool(grad.detach().any()) else math.inf
