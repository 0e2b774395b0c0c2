"""Elastic Net ``l1·Σ|w| + l2·Σw²`` and the parametrizations users arrive with."""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from netreg._validation import check_fraction, check_strength
from netreg.penalties.base import Penalty, Step, soft_threshold
from netreg.penalties.l1 import max_ratio


@dataclasses.dataclass(frozen=True)
class ElasticNet(Penalty):
    """Elastic Net in Keras's form, ``l1·Σ|w| + l2·Σw²`` (Keras ``L1L2``).

    Its prox is ``soft(v, step·l1) / (1 + 2·step·l2)``: exact zeros from the L1 part,
    proportional shrinkage from the L2 part. The class methods build it from the other
    parametrizations in use, so a value from scikit-learn, glmnet or a textbook means
    what it meant there:

    ======================================  ===============================================
    ``ElasticNet(l1, l2)``                  ``l1·Σ|w| + l2·Σw²`` (Keras)
    ``ElasticNet.from_sklearn(alpha, r)``   ``alpha·r·Σ|w| + ½·alpha·(1−r)·Σw²``
    ``ElasticNet.from_glmnet(lam, alpha)``  ``lam·(alpha·Σ|w| + (1−alpha)/2·Σw²)``
    ``ElasticNet.naive(lam, alpha)``        ``lam·((1−alpha)·Σ|w| + alpha·Σw²)`` (seed text)
    ======================================  ===============================================

    Examples
    --------
    >>> import netreg as nr
    >>> nr.ElasticNet.from_sklearn(alpha=0.1, l1_ratio=0.5)
    ElasticNet(l1=0.05, l2=0.025)
    """

    l1: float = 0.01
    l2: float = 0.01

    strength_fields = ("l1", "l2")

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1", check_strength("l1", self.l1))
        object.__setattr__(self, "l2", check_strength("l2", self.l2))

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def from_sklearn(cls, alpha: float, l1_ratio: float = 0.5) -> ElasticNet:
        """scikit-learn's ``ElasticNet(alpha, l1_ratio)`` penalty (with its ½ on the L2 part).

        Added to ½·MSE this is exactly scikit-learn's objective.
        """
        alpha = check_strength("alpha", alpha)
        l1_ratio = check_fraction("l1_ratio", l1_ratio)
        return cls(l1=alpha * l1_ratio, l2=0.5 * alpha * (1.0 - l1_ratio))

    @classmethod
    def from_glmnet(cls, lam: float, alpha: float = 1.0) -> ElasticNet:
        """glmnet's ``λ·(α·‖β‖₁ + (1−α)/2·‖β‖²)``; ``alpha`` is glmnet's mixing in [0, 1]."""
        lam = check_strength("lam", lam)
        alpha = check_fraction("alpha", alpha)
        return cls(l1=lam * alpha, l2=0.5 * lam * (1.0 - alpha))

    @classmethod
    def naive(cls, lam: float, alpha: float = 0.5) -> ElasticNet:
        """The seed text's naive form ``λ·((1−α)·Σ|w| + α·Σw²)``, ``alpha`` in [0, 1]."""
        lam = check_strength("lam", lam)
        alpha = check_fraction("alpha", alpha)
        return cls(l1=lam * (1.0 - alpha), l2=lam * alpha)

    # -- math -------------------------------------------------------------------------
    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        flat = w.reshape(-1)
        return self.l1 * torch.linalg.vector_norm(flat, ord=1) + self.l2 * torch.dot(flat, flat)

    def prox(self, v: Tensor, step: Step) -> Tensor:
        return soft_threshold(v, step * self.l1) / (1.0 + 2.0 * step * self.l2)

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        # The L2 part has zero gradient at zero, so only the L1 part decides.
        return max_ratio(grad.detach().abs(), self.l1)
