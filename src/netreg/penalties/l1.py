"""L1 (lasso): ``l1·Σ|w|``, Keras's ``regularizers.L1``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import torch
from torch import Tensor

from netreg import _kernels
from netreg._validation import check_strength
from netreg.penalties._terms import abs_sum
from netreg.penalties.base import AnyStep, Penalty, Step, soft_threshold, soft_threshold_


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
    accepts_diagonal_step = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1", check_strength("l1", self.l1))

    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        return self.l1 * torch.linalg.vector_norm(w, ord=1)

    def loss_terms(self, w: Tensor, bias: Tensor | None = None) -> list[tuple[Tensor, float]]:
        return [(abs_sum(w), self.l1)]

    def prox(self, v: Tensor, step: Step) -> Tensor:
        return soft_threshold(v, step * self.l1)

    def prox_(
        self, w: Tensor, step: AnyStep, bias: Tensor | None = None, bias_step: AnyStep | None = None
    ) -> None:
        with torch.no_grad():
            soft_threshold_(w, step * self.l1)

    def scalar_prox(self, w: Tensor, bias: Tensor | None = None) -> Callable[[float], None] | None:
        launch = _kernels.prepare_soft(w)
        if launch is None:
            return None
        l1 = self.l1

        def apply(step: float) -> None:
            if step * l1 > 0:  # as soft_threshold_: a zero or NaN threshold changes nothing
                launch(step * l1)

        return apply

    def shrink_coefficients(self) -> tuple[float, float]:
        return (self.l1, 0.0)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        return max_ratio(grad.detach().abs(), self.l1)
