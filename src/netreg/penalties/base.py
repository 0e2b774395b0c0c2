"""The Penalty contract: the math of a regularizer, nothing about how it runs.

A penalty is a frozen dataclass holding only its strengths. It knows its value, its
proximal operator (out of place), the smallest multiplier at which zero is optimal, and
its support. Nothing about parameters, modules or optimizers lives here (that is
``plan``'s job), nor how a prox runs in place, on which kernel or inside an optimizer's
update (that is :mod:`netreg.execution`'s): the formulas here are the reference every
fast path is tested against.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import torch
from torch import Tensor

from netreg._config import Configurable
from netreg._validation import check_strength

Step = float | Tensor
"""A prox step: a scalar, or a tensor of per-coordinate steps shaped like the parameter."""


@dataclasses.dataclass(frozen=True)
class Penalty(Configurable):
    """Base class: ``value``, ``prox``, ``alpha_max``, ``support`` and a config round-trip.

    Subclasses set ``is_smooth`` (may the penalty go into the loss without losing exact
    zeros?) and ``strength_fields`` (the fields that ``scaled`` multiplies).
    """

    is_smooth: ClassVar[bool] = False
    strength_fields: ClassVar[tuple[str, ...]] = ()
    family_registry: ClassVar[dict[str, type[Any]]] = {}

    # -- the math -------------------------------------------------------------------
    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        """The penalty of ``w`` (and of the unit biases that share its groups), a 0-d tensor."""
        raise NotImplementedError

    def prox(self, v: Tensor, step: Step) -> Tensor:
        """``argmin_z ½‖z − v‖² + step·value(z)``; a new tensor, ``v`` untouched.

        ``step``: a scalar, or a tensor of per-coordinate steps shaped like ``v``.
        """
        raise NotImplementedError

    def alpha_max(self, grad: Tensor, bias_grad: Tensor | None = None) -> float:
        """The smallest multiplier ``s`` such that zero is optimal for ``loss + s·penalty``.

        ``grad`` is the gradient of the smooth loss with respect to the parameter, taken
        at zero. Returns ``inf`` when no multiplier makes zero optimal (e.g. pure L2 with
        a nonzero gradient).
        """
        raise NotImplementedError

    def support(self, w: Tensor) -> Tensor:
        """A boolean tensor shaped like ``w``: True where a coefficient is not zero."""
        return w != 0

    # -- strengths ------------------------------------------------------------------
    def scaled(self, factor: float) -> Penalty:
        """The same penalty with every strength multiplied by ``factor`` (paths use this)."""
        factor = check_strength("factor", factor)
        changes = {name: getattr(self, name) * factor for name in self.strength_fields}
        return dataclasses.replace(self, **changes)

    def label(self) -> str:
        """A short form for tables: the class and its strengths."""
        # strengths and mixing fractions; groups and weighting have their own audit column
        shown = [f.name for f in dataclasses.fields(self) if f.name not in ("groups", "weighting")]
        parts = ", ".join(f"{name}={getattr(self, name):g}" for name in shown)
        return f"{type(self).__name__}({parts})"

    @property
    def is_zero(self) -> bool:
        """True when every strength is zero: the penalty is a no-op."""
        return all(getattr(self, name) == 0.0 for name in self.strength_fields)

    def __call__(self, w: Tensor) -> Tensor:
        """Keras-style call: the penalty value of ``w``."""
        return self.value(w)


def registered_penalties() -> dict[str, type[Penalty]]:
    """Every Penalty subclass by class name (for deserialization)."""
    return dict(Penalty.family_registry)


def soft_threshold(v: Tensor, threshold: Step, *, out: Tensor | None = None) -> Tensor:
    """``sign(v)·max(|v| − threshold, 0)``, elementwise; ``threshold`` scalar or tensor.

    ``out=v`` writes the result over ``v`` in one pass, without a temporary. The fused
    kernels (:mod:`netreg._kernels`) compute this same formula and are tested against it.
    """
    if isinstance(threshold, Tensor):
        # v − clamp(v, −t, t) is exactly the soft threshold for t ≥ 0.
        return torch.sub(v, torch.clamp(v, min=-threshold, max=threshold), out=out)
    if not threshold > 0:  # a zero (or NaN) threshold changes nothing
        return v.clone() if out is None else out.copy_(v)
    if out is None:
        return torch.nn.functional.softshrink(v, float(threshold))
    # softshrink writes its result over its input in one pass: no temporary.
    return torch._C._nn.softshrink(v, float(threshold), out=out)  # type: ignore[call-arg,no-any-return]
