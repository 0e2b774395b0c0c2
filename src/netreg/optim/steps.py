"""The step an optimizer just took, per parameter, for the proximal operator.

Proximal gradient needs the step size of the update that preceded it. For SGD (with
or without momentum) that is the learning rate. For adaptive methods the update is a
preconditioned step, ``θ ← θ − D⁻¹·m̂``, and the matching prox is the one in the
metric ``D``; for separable penalties (L1, L2, Elastic Net) that is the ordinary prox
with the per-coordinate step ``D⁻¹``, returned as a
:class:`~netreg.execution.DiagonalStep` (``scale/(√sq + shift)``) so that a fused
proximal pass reads the optimizer's state without weight-sized temporaries:

- Adam / AdamW: ``lr / (√v̂ + eps)`` with ``v̂ = v / (1 − β₂ᵗ)`` (``max_exp_avg_sq``
  under AMSGrad);
- Adagrad: ``lr_t / (√G + eps)``; RMSprop: ``lr / (√(E[g²] − E[g]²·centered) + eps)``.

``step="lr"`` uses the learning rate for every optimizer instead: cheaper, and for L2
it is exactly decoupled weight decay. Other optimizers fall back to ``lr`` with a
warning.

Adam's bias corrections are computed in one place, :class:`AdamStep`: the post-step
prox reads its DiagonalStep and :class:`~netreg.optim.ProxAdamW`'s kernels its
coefficients, so both use the same step.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from netreg import choices
from netreg.execution import DiagonalStep

STEP_RULES = choices.names(choices.STEP_RULES)

_warned: set[str] = set()


def _lr(group: dict[str, Any]) -> float:
    return float(group["lr"])


def _step_count(state: dict[str, Any]) -> float:
    step = state.get("step", 0)
    return float(step.item() if isinstance(step, Tensor) else step)


@dataclass(frozen=True)
class AdamStep:
    """Adam's (and AdamW's) update ``t`` of one optimizer group, with its bias corrections.

    The coordinate's step is ``lr/(√v̂ + eps)`` with ``v̂ = v/c``, ``c = 1 − β₂ᵗ``.
    """

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float
    maximize: bool
    t: float

    @classmethod
    def of(cls, group: dict[str, Any], t: float) -> AdamStep:
        beta1, beta2 = group["betas"]
        return cls(
            _lr(group),
            float(beta1),
            float(beta2),
            float(group["eps"]),
            float(group.get("weight_decay", 0.0)),
            bool(group.get("maximize", False)),
            t,
        )

    @property
    def root_c(self) -> float:
        """``√(1 − β₂ᵗ)``: the second moment's bias correction, under its root."""
        return math.sqrt(1.0 - self.beta2**self.t)

    def diagonal(self, sq: Tensor) -> DiagonalStep:
        """The steps for second moment ``sq``: ``lr/(√(sq/c) + eps) = lr·√c/(√sq + eps·√c)``,
        the bias correction moved into the two scalars."""
        root_c = self.root_c
        return DiagonalStep(sq, self.lr * root_c, self.eps * root_c)

    def coefficients(self) -> tuple[float, ...]:
        """The nine numbers the fused AdamW kernels read (:mod:`netreg._kernels.adamw`):
        ``lr, 1 − lr·wd, lr/(1 − β₁ᵗ), 1 − β₁, β₂, 1 − β₂, 1/√c, eps, ±1``."""
        return (
            self.lr,
            1.0 - self.lr * self.weight_decay,
            self.lr / (1.0 - self.beta1**self.t),
            1.0 - self.beta1,
            self.beta2,
            1.0 - self.beta2,
            1.0 / self.root_c,
            self.eps,
            -1.0 if self.maximize else 1.0,
        )


def _adam(group: dict[str, Any], state: dict[str, Any]) -> DiagonalStep | None:
    if "exp_avg_sq" not in state:
        return None
    sq = (
        state["max_exp_avg_sq"]
        if group.get("amsgrad") and "max_exp_avg_sq" in state
        else state["exp_avg_sq"]
    )
    return AdamStep.of(group, _step_count(state)).diagonal(sq)


def _adagrad(group: dict[str, Any], state: dict[str, Any]) -> DiagonalStep | None:
    if "sum" not in state:
        return None
    t = _step_count(state)
    clr = _lr(group) / (1.0 + (t - 1.0) * float(group.get("lr_decay", 0.0)))
    return DiagonalStep(state["sum"], clr, float(group["eps"]))


def _rmsprop(group: dict[str, Any], state: dict[str, Any]) -> DiagonalStep | None:
    if "square_avg" not in state:
        return None
    avg = state["square_avg"]
    if group.get("centered") and "grad_avg" in state:
        avg = torch.addcmul(avg, state["grad_avg"], state["grad_avg"], value=-1)
    return DiagonalStep(avg, _lr(group), float(group["eps"]))


_ADAPTIVE = {
    torch.optim.Adam: _adam,
    torch.optim.AdamW: _adam,
    torch.optim.Adagrad: _adagrad,
    torch.optim.RMSprop: _rmsprop,
}
_SCALAR = (torch.optim.SGD,)


def effective_step(
    optimizer: torch.optim.Optimizer, group: dict[str, Any], param: Tensor, rule: str = "auto"
) -> float | Tensor | None:
    """The step to hand to ``prox`` for ``param``; None when the optimizer skipped it."""
    step = step_for(optimizer, group, param, rule)
    return step.materialize() if isinstance(step, DiagonalStep) else step


def step_for(
    optimizer: torch.optim.Optimizer, group: dict[str, Any], param: Tensor, rule: str = "auto"
) -> float | DiagonalStep | None:
    """Like :func:`effective_step`, with per-coordinate steps left as a :class:`DiagonalStep`.

    The regularizer uses this one: the execution layer reads the optimizer's state inside
    its fused proximal pass instead of a materialized tensor.
    """
    if param.grad is None:
        return None  # torch optimizers leave a parameter without a gradient untouched
    if rule == "lr" or isinstance(optimizer, _SCALAR):
        return _lr(group)
    for cls, rule_fn in _ADAPTIVE.items():
        if isinstance(optimizer, cls):
            return rule_fn(group, optimizer.state.get(param, {}))
    name = type(optimizer).__name__
    if name not in _warned:
        _warned.add(name)
        warnings.warn(
            f"netreg does not know the effective step of {name}; its proximal steps use the "
            "learning rate. Pass step='lr' to attach() to silence this.",
            stacklevel=3,
        )
    return _lr(group)
