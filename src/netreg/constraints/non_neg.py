"""Non-negative weights: ``w·(w ≥ 0)``."""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from netreg.constraints.base import Constraint


@dataclasses.dataclass(frozen=True)
class NonNeg(Constraint):
    """Clip negative weights to zero (Keras's ``NonNeg``)."""

    def project(self, w: Tensor) -> Tensor:
        return w * (w >= 0)

    def project_(self, w: Tensor) -> None:
        with torch.no_grad():
            w.clamp_(min=0.0)
