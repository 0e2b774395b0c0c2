"""Which dims a norm constraint reduces over, in torch's layout.

torch stores a Linear weight as (out, in) and a Conv weight as (out, in, *kernel); Keras
stores kernels as (in, out) and (*kernel, in, out). ``"units"`` is the norm of each
unit's incoming weights (Keras's default ``axis=0`` on a Dense kernel, ``[0, 1, 2]`` on a
Conv2D kernel; ``torch.renorm(w, 2, 0, c)``). ``"inputs"`` is the norm of each input's
outgoing weights.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

AXIS_NAMES = ("units", "inputs")
Axis = str | tuple[int, ...]


def normalize_axis(axis: Any) -> Axis:
    if isinstance(axis, str):
        if axis not in AXIS_NAMES:
            raise ValueError(
                f"`axis` must be 'units', 'inputs' or a tuple of dims. Received: axis={axis!r}"
            )
        return axis
    if isinstance(axis, int) and not isinstance(axis, bool):
        return (axis,)
    if (
        isinstance(axis, (list, tuple))
        and axis
        and all(isinstance(a, int) and not isinstance(a, bool) for a in axis)
    ):
        return tuple(axis)
    raise ValueError(
        f"`axis` must be 'units', 'inputs' or a tuple of dims. Received: axis={axis!r}"
    )


def reduce_dims(w: Tensor, axis: Axis) -> tuple[int, ...]:
    """The torch dims to take the norm over for this tensor."""
    if w.dim() <= 1:
        return tuple(range(w.dim()))  # a vector: its whole norm
    if axis == "units":
        return tuple(range(1, w.dim()))
    if axis == "inputs":
        return (0, *range(2, w.dim()))
    assert isinstance(axis, tuple)
    bad = [a for a in axis if not -w.dim() <= a < w.dim()]
    if bad:
        raise ValueError(
            f"`axis` {axis} is out of range for a parameter of shape {tuple(w.shape)}. Received: axis={axis!r}"
        )
    return axis


def from_keras_axis(axis: Any) -> Axis:
    """Map a Keras kernel axis onto torch's layout.

    Keras reduces over the kernel's axes other than the output one for per-unit norms:
    ``0`` on a Dense kernel and ``[0, 1]``, ``[0, 1, 2]``, ``[0, 1, 2, 3]`` on Conv1D/2D/3D
    kernels all mean ``"units"``; ``1`` on a Dense kernel means ``"inputs"``.
    """
    if axis == 0 or axis == [0] or axis == (0,):
        return "units"
    if axis == 1 or axis == [1] or axis == (1,):
        return "inputs"
    if isinstance(axis, (list, tuple)) and list(axis) == list(range(len(axis))):
        return "units"
    raise ValueError(
        "Cannot map this Keras axis onto a torch weight: netreg understands 0 or "
        "[0, ..., k] (each unit's incoming weights) and 1 (each input's outgoing weights "
        f"on a Dense kernel). Pass a netreg axis instead. Received: axis={axis!r}"
    )
