"""AdamW's update with a prox inside it: the launches :class:`netreg.optim.ProxAdamW` makes.

Every launch reads a row of nine *adam coefficients* per parameter,
``lr, 1 − lr·wd, lr/(1 − β₁ᵗ), 1 − β₁, β₂, 1 − β₂, 1/√(1 − β₂ᵗ), eps, ±1``, computed by
:class:`netreg.optim.steps.AdamStep` (the one place Adam's bias corrections are written).
A coordinate's step is then ``lr/d`` with ``d = √v·(1/√(1 − β₂ᵗ)) + eps``, torch's own
arithmetic, so the fused update matches torch's AdamW.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from torch import Tensor

from netreg._kernels import runtime as R

N_COEFFICIENTS = 9


def prepare_adamw_shrink(
    w: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor
) -> Callable[..., bool] | None:
    """``launch(grad, coefficients, a, b, per_coordinate)``: one AdamW update of ``w``
    followed by ``soft(w, s·a)/(1 + s·b)``, in one pass.

    ``coefficients``: the update's adam coefficients. ``s`` is Adam's per-coordinate step
    ``lr/(√v̂ + eps)`` when ``per_coordinate``, else ``lr``. The moments are updated in
    place like torch's. Reads ``w``, the gradient and the two moments once and writes ``w``
    and the moments once: what torch's own fused AdamW reads and writes.

    The weight's and its moments' views are made once; the gradient's each launch (a
    backward that sets gradients to None makes a new one every step, and a view kept
    for it would keep the old one alive). False when that gradient cannot go through.
    """
    if not R.usable(w, exp_avg, exp_avg_sq) or not w.shape == exp_avg.shape == exp_avg_sq.shape:
        return None
    kernel = R.compiled().adamw_shrink
    w_array, m, v = (R.flat(t) for t in (w, exp_avg, exp_avg_sq))
    cast = R.cast(w)
    dtype = w_array.dtype

    def launch(grad: Tensor, coefficients: Sequence[float], a: float, b: float, per: bool) -> bool:
        if not R.gradient_fits(grad, w):
            return False
        c = np.asarray(coefficients, dtype=dtype)
        R.launch(kernel, w_array, R.flat(grad), m, v, c, cast(a), cast(b), per)
        return True

    return launch


class UnitViews(NamedTuple):
    """One layer's arrays for :class:`UnitBatch`: the views of a weight, its bias and their
    moments, made once (:class:`~netreg.optim.ProxAdamW` keeps them while the storage stays)."""

    rows: np.ndarray
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    bias: np.ndarray  # empty without a bias, as are its moments
    bias_exp_avg: np.ndarray
    bias_exp_avg_sq: np.ndarray
    blocks: np.ndarray  # (first row, end row) of each block of about _BLOCK weights
    weight: Tensor  # what a gradient must match
    lead: Tensor | None  # the bias, likewise


_BLOCK = 16384  # weights per block of rows: equal blocks keep both threads equally busy


def prepare_adamw_units(
    w: Tensor, moments: tuple[Tensor, Tensor], bias: tuple[Tensor, Tensor, Tensor] | None
) -> UnitViews | None:
    """The views :class:`UnitBatch` reads for ``w`` with ``moments`` (``exp_avg``,
    ``exp_avg_sq``) and ``bias`` (the bias and its two moments, or None); None when a
    tensor cannot go through a kernel."""
    tensors = (w, *moments) + (bias if bias is not None else ())
    if w.dim() < 2 or not R.usable(*tensors) or len({t.dtype for t in tensors}) != 1:
        return None
    if any(t.shape != w.shape for t in moments):
        return None
    if bias is not None and any(t.shape != (w.shape[0],) for t in bias):
        return None
    rows = [R.rows(t) for t in (w, *moments)]
    empty = np.zeros(0, dtype=rows[0].dtype)
    b = [t.detach().numpy() for t in bias] if bias is not None else [empty] * 3
    per_block = max(1, _BLOCK // max(1, rows[0].shape[1]))
    starts = np.arange(0, w.shape[0], per_block, dtype=np.int64)
    blocks = np.stack([starts, np.minimum(starts + per_block, w.shape[0])], axis=1)
    return UnitViews(
        rows=rows[0],
        exp_avg=rows[1],
        exp_avg_sq=rows[2],
        bias=b[0],
        bias_exp_avg=b[1],
        bias_exp_avg_sq=b[2],
        blocks=blocks,
        weight=w,
        lead=bias[0] if bias is not None else None,
    )


class UnitBatch:
    """One launch of the unit kernel over several layers of one dtype, its arrays made once.

    AdamW updates each row of every layer (and its bias entry), summing its norm and its
    metric ``Σ 1/step`` on the way, then scales it by ``max(0, 1 − t/‖row‖)`` while it is
    still in cache: ``t`` is the strength times the harmonic mean of the row's steps
    (``per_coordinate``) or times ``lr``. One read and one write of every weight and its
    moments, as torch's AdamW, plus a second sweep of each row.

    Why all layers in one launch, with arrays kept: Python run right after a kernel finds
    the caches full of weights and runs several times slower than the same lines run warm,
    so the Python between per-layer launches costs a share of the kernels' time. The
    caller writes this step's numbers into ``coefficients``, ``bias_coefficients``,
    ``strengths`` and ``per_coordinate`` (one row per layer), then calls :meth:`launch`.
    """

    def __init__(self, layers: Sequence[UnitViews]) -> None:
        self.layers = tuple(layers)
        dtype = self.layers[0].rows.dtype
        count = len(self.layers)
        self.coefficients = np.zeros((count, N_COEFFICIENTS), dtype=dtype)
        self.bias_coefficients = np.zeros((count, N_COEFFICIENTS), dtype=dtype)
        self.strengths = np.zeros(count, dtype=dtype)
        self.per_coordinate = np.zeros(count, dtype=np.bool_)
        self._empty = np.zeros(0, dtype=dtype)
        self._arrays = [
            tuple(getattr(v, name) for v in self.layers)
            for name in ("rows", "exp_avg", "exp_avg_sq", "bias", "bias_exp_avg", "bias_exp_avg_sq")
        ]
        self._blocks = np.concatenate(
            [np.insert(v.blocks, 0, layer, axis=1) for layer, v in enumerate(self.layers)]
        )

    def holds(self, layers: Sequence[UnitViews]) -> bool:
        """True when this batch was made for exactly these views."""
        return len(layers) == len(self.layers) and all(
            a is b for a, b in zip(layers, self.layers, strict=True)
        )

    def launch(self, grads: Sequence[Tensor], bias_grads: Sequence[Tensor | None]) -> None:
        """Run the kernel; every gradient must have passed :func:`unit_gradients_fit`."""
        rows, exp_avg, exp_avg_sq, bias, bias_exp_avg, bias_exp_avg_sq = self._arrays
        g = tuple(
            grad.detach().view(v.rows.shape).numpy()
            for grad, v in zip(grads, self.layers, strict=True)
        )
        bg = tuple(
            self._empty if v.lead is None or grad is None else grad.detach().numpy()
            for grad, v in zip(bias_grads, self.layers, strict=True)
        )
        R.launch(
            R.compiled().adamw_units,
            rows,
            g,
            exp_avg,
            exp_avg_sq,
            self.coefficients,
            bias,
            bg,
            bias_exp_avg,
            bias_exp_avg_sq,
            self.bias_coefficients,
            self.strengths,
            self.per_coordinate,
            self._blocks,
        )


def unit_gradients_fit(views: UnitViews, grad: Tensor | None, bias_grad: Tensor | None) -> bool:
    """True when a layer's gradients can go through :meth:`UnitBatch.launch`."""
    return R.gradient_fits(grad, views.weight) and (
        views.lead is None or R.gradient_fits(bias_grad, views.lead)
    )
