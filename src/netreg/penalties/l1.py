"""L1 (lasso): ``l1·Σ|w|``, Keras's ``regularizers.L1``."""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import Tensor

from netreg._validation import check_strength
from netreg.penalties.base import Penalty, Step, soft_threshold


def max_ratio(numerator: Tensor, denominator: float) -> float:
    """``max(numerator) / denominator``, with 0/0 = 0 and x/0 = inf."""
    top = float(numerator.max()) if numerator.numel() else 0.0
    if top == 0.0:
        return 0.0
    return top / denominator if denominator > 0 else math.inf


@dataclasses.dataclass(frozen=True)
class L1(Penalty):
    """Lasso penalty ``l1·Σ|w|``; its prox is the soft threshold, which makes exact zeros.

    Parameters
    ----------
    l1 : float, default 0.01
        Strength (Keras's default). Must be finite and ``>= 0``.

    Examples
    --------
    >>> import torch, netreg as nr
    >>> float(nr.L1(0.5).value(torch.tensor([2.0, -4.0])))
    3.0
    """

    l1: float = 0.01

    strength_fields = ("l1",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1", check_strength("l1", self.l1))

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self.l1 * torch.linalg.vector_norm(w, ord=1)

    def prox(self, v: Tensor, step: Step) -> Tensor:
        return soft_threshold(v, step * self.l1)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        return max_ratio(grad.detach().abs(), self.l1)
