"""The Penalty contract shared by every regularizer.

A penalty is a frozen dataclass holding only its strengths. It knows its value, its
proximal operator, the smallest multiplier at which zero is optimal, and its support.
Nothing about parameters, modules or optimizers lives here: that is ``plan``'s job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import Tensor

from netreg import _kernels
from netreg._validation import check_config_keys
from netreg.penalties.diagonal import DiagonalStep

Step = float | Tensor
"""A prox step: a scalar, or a tensor of per-coordinate steps shaped like the parameter."""

AnyStep = float | Tensor | DiagonalStep
"""What ``prox_`` of a penalty with ``accepts_diagonal_step`` takes: also a DiagonalStep."""

_REGISTRY: dict[str, type[Penalty]] = {}


@dataclasses.dataclass(frozen=True)
class Penalty:
    """Base class: ``value``, ``prox``, ``alpha_max``, ``support`` and a config round-trip.

    Subclasses set ``is_smooth`` (may the penalty go into the loss without losing exact
    zeros?) and ``strength_fields`` (the fields that ``scaled`` multiplies).
    """

    is_smooth: ClassVar[bool] = False
    strength_fields: ClassVar[tuple[str, ...]] = ()
    accepts_diagonal_step: ClassVar[bool] = False
    """True when ``prox_`` takes a :class:`DiagonalStep` (and reads it in one fused pass);
    for other penalties the regularizer materializes the steps first."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    # -- the math -------------------------------------------------------------------
    def value(self, w: Tensor, bias: Tensor | None = None) -> Tensor:
        """The penalty of ``w`` (and of the unit biases that share its groups), a 0-d tensor."""
        raise NotImplementedError

    def loss_terms(self, w: Tensor, bias: Tensor | None = None) -> list[tuple[Tensor, float]]:
        """``value`` as a sum of (unweighted reduction, strength) pairs.

        The regularizer stacks every parameter's reductions and takes one dot product
        with the strengths, so the loss graph holds one node per reduction.
        """
        return [(self.value(w, bias), 1.0)]

    def prox(self, v: Tensor, step: Step) -> Tensor:
        """``argmin_z ½‖z − v‖² + step·value(z)``; a new tensor, ``v`` untouched."""
        raise NotImplementedError

    def prox_(
        self, w: Tensor, step: Step, bias: Tensor | None = None, bias_step: Step | None = None
    ) -> None:
        """In-place prox of ``w`` (and of its unit biases, for penalties that group them).

        Separable penalties ignore ``bias``: a bias is only touched by a group penalty
        whose groups are units.
        """
        with torch.no_grad():
            w.copy_(self.prox(w, step))

    def shrink_coefficients(self) -> tuple[float, float] | None:
        """``(a, b)`` when the prox is ``soft(v, s·a)/(1 + s·b)`` coordinate by coordinate.

        L1, L2 and Elastic Net have this form; group penalties return None. An optimizer
        that applies the prox inside its own update (:class:`netreg.optim.ProxAdamW`)
        needs nothing else.
        """
        return None

    def scalar_prox(self, w: Tensor, bias: Tensor | None = None) -> Callable[[float], None] | None:
        """``apply(step)``: ``prox_(w, step, bias)`` for scalar steps, prepared once for these tensors.

        A post-step hook calls it every step; None where there is no prepared kernel
        (then ``prox_`` is used). Valid while the tensors keep their storage.
        """
        return None

    def unit_group_strength(self, w: Tensor, bias: Tensor | None = None) -> float | None:
        """``c`` when the prox scales each unit (row of ``w`` with its bias) by ``max(0, 1 − s·c/‖row‖)``.

        The group lasso on unit groups has this form; everything else returns None.
        :class:`netreg.optim.ProxAdamW` applies such a prox inside its own update.
        """
        return None

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
        from netreg._validation import check_strength

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

    # -- config ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as plain Python values."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Penalty:
        """Rebuild from ``get_config()``; an unknown key is an error naming it."""
        check_config_keys(cls.__name__, config, [f.name for f in dataclasses.fields(cls)])
        return cls(**config)

    def __call__(self, w: Tensor) -> Tensor:
        """Keras-style call: the penalty value of ``w``."""
        return self.value(w)


def registered_penalties() -> dict[str, type[Penalty]]:
    """Every Penalty subclass by class name (for deserialization)."""
    return dict(_REGISTRY)


def soft_threshold(v: Tensor, threshold: Step) -> Tensor:
    """``sign(v)·max(|v| − threshold, 0)``, elementwise; ``threshold`` scalar or tensor."""
    if isinstance(threshold, Tensor):
        # v − clamp(v, −t, t) is exactly the soft threshold for t ≥ 0.
        return v - torch.clamp(v, min=-threshold, max=threshold)
    return torch.nn.functional.softshrink(v, float(threshold)) if threshold > 0 else v.clone()


def soft_threshold_(w: Tensor, threshold: AnyStep) -> None:
    """In place: ``w ← soft(w, threshold)``, in one pass over ``w`` where it can be.

    A :class:`DiagonalStep` threshold is read inside the fused kernel when it runs, and
    materialized otherwise.
    """
    if isinstance(threshold, DiagonalStep):
        if _kernels.soft_threshold_diag_(w, threshold.sq, threshold.scale, threshold.shift):
            return
        threshold = threshold.materialize()
    if isinstance(threshold, Tensor):
        w.sub_(torch.clamp(w, min=-threshold, max=threshold))
    elif threshold > 0 and not _kernels.soft_threshold_(w, float(threshold)):
        # softshrink writes its result over its input in one pass: no temporary.
        torch._C._nn.softshrink(w, float(threshold), out=w)  # type: ignore[call-arg]


def plain_step(step: AnyStep) -> Step:
    """A scalar or tensor step: a DiagonalStep materialized, anything else as it is."""
    return step.materialize() if isinstance(step, DiagonalStep) else step
