"""Norm constraints with Keras's formulas: MaxNorm, UnitNorm, MinMaxNorm."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch
from torch import Tensor

from netreg._kernels import inplace as kernels
from netreg._validation import check_float, check_fraction, check_positive
from netreg.constraints._axis import Axis, normalize_axis, reduce_dims
from netreg.constraints.base import EPSILON, Constraint


def _norms(w: Tensor, axis: Axis) -> Tensor:
    return torch.linalg.vector_norm(w, ord=2, dim=reduce_dims(w, axis), keepdim=True)


def _rescale_(w: Tensor, axis: Axis, low: float, high: float, rate: float) -> None:
    """In place, ``w·(rate·clip(n, low, high) + (1 − rate)·n)/(ε + n)`` per norm group.

    The three norm constraints are this one formula (MaxNorm: low 0, rate 1; UnitNorm:
    low = high = 1). Per-unit norms of a contiguous CPU weight run in one fused sweep per
    row (the row is still in cache when it is scaled); anything else in two passes.
    """
    with torch.no_grad():
        # "units" reduces over every dim but the first (a vector: its whole norm): rows.
        if axis == "units" and kernels.rescale_rows_(w, low, high, rate, EPSILON):
            return
        norms = _norms(w, axis)
        desired = norms.clamp(low, high)
        if rate != 1.0:
            desired = desired.mul_(rate).add_(norms, alpha=1.0 - rate)
        w.mul_(desired.div_(norms.add_(EPSILON)))


def _prepared_rescale(
    w: Tensor, axis: Axis, low: float, high: float, rate: float
) -> Callable[[], None] | None:
    """:func:`_rescale_` on unit rows with the kernel's views made once."""
    launch = kernels.prepare_rescale_rows(w) if axis == "units" else None
    if launch is None:
        return None
    return lambda: launch(low, high, rate, EPSILON)


@dataclasses.dataclass(frozen=True)
class MaxNorm(Constraint):
    """Keep each unit's weight norm at most ``max_value``: ``w·clip(‖w‖, 0, c)/(ε + ‖w‖)``.

    The constraint of the dropout paper (Srivastava et al., 2014). ``axis="units"``
    bounds the norm of each unit's incoming weights (Keras's default on Dense and Conv
    kernels).

    Examples
    --------
    >>> import torch, netreg as nr
    >>> w = nr.MaxNorm(1.0).project(torch.tensor([[3.0, 4.0], [0.3, 0.4]]))
    >>> [round(float(n), 4) for n in w.norm(dim=1)]
    [1.0, 0.5]
    """

    max_value: float = 2.0
    axis: Axis = "units"

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_value", check_positive("max_value", self.max_value))
        object.__setattr__(self, "axis", normalize_axis(self.axis))

    def project(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        return w * (norms.clamp(0.0, self.max_value) / (EPSILON + norms))

    def project_(self, w: Tensor) -> None:
        _rescale_(w, self.axis, 0.0, self.max_value, 1.0)

    def prepared_projection(self, w: Tensor) -> Callable[[], None] | None:
        return _prepared_rescale(w, self.axis, 0.0, self.max_value, 1.0)


@dataclasses.dataclass(frozen=True)
class UnitNorm(Constraint):
    """Each unit's weights to unit norm: ``w / (ε + ‖w‖)``."""

    axis: Axis = "units"

    def __post_init__(self) -> None:
        object.__setattr__(self, "axis", normalize_axis(self.axis))

    def project(self, w: Tensor) -> Tensor:
        return w / (EPSILON + _norms(w, self.axis))

    def project_(self, w: Tensor) -> None:
        _rescale_(w, self.axis, 1.0, 1.0, 1.0)

    def prepared_projection(self, w: Tensor) -> Callable[[], None] | None:
        return _prepared_rescale(w, self.axis, 1.0, 1.0, 1.0)


@dataclasses.dataclass(frozen=True)
class MinMaxNorm(Constraint):
    """Norms pulled into ``[min_value, max_value]`` at ``rate``:
    ``w·(rate·clip(‖w‖, min, max) + (1 − rate)·‖w‖)/(ε + ‖w‖)``."""

    min_value: float = 0.0
    max_value: float = 1.0
    rate: float = 1.0
    axis: Axis = "units"

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_value", check_float("min_value", self.min_value, low=0.0))
        object.__setattr__(self, "max_value", check_positive("max_value", self.max_value))
        object.__setattr__(self, "rate", check_fraction("rate", self.rate))
        object.__setattr__(self, "axis", normalize_axis(self.axis))
        if self.min_value > self.max_value:
            raise ValueError(
                "`min_value` must not exceed `max_value`. "
                f"Received: min_value={self.min_value!r}, max_value={self.max_value!r}"
            )

    def project(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        desired = (
            self.rate * norms.clamp(self.min_value, self.max_value) + (1.0 - self.rate) * norms
        )
        return w * (desired / (EPSILON + norms))

    def project_(self, w: Tensor) -> None:
        _rescale_(w, self.axis, self.min_value, self.max_value, self.rate)

    def prepared_projection(self, w: Tensor) -> Callable[[], None] | None:
        return _prepared_rescale(w, self.axis, self.min_value, self.max_value, self.rate)
