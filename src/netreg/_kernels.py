"""Fused CPU loops for the in-place work that runs after every optimizer step.

Why: a formula like ``soft(w, c/(√v + e))`` written with eager PyTorch ops makes one
weight-sized temporary per op, and on CPU a fresh tensor of tens of megabytes costs page
faults on every step (measured: 115 ms for one 4096×4096 weight, 40× an in-place pass).
A numba loop reads each input once and writes ``w`` once, so the proximal step costs
about what one in-place pass costs (the floor of ``benchmarks/overhead.py``).

When: numba is installed (the ``fast`` extra), every tensor is a contiguous float32 or
float64 CPU tensor of one dtype, and the environment variable ``NETREG_KERNELS`` is not
``off``. Otherwise callers run their eager formula, which stays the reference: the
tests compare every kernel with it. Each public function returns True when it did the
work and False when the caller must.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

_state: dict[str, Any] = {"kernels": None, "tried": False}
_LOCK = threading.Lock()
_PLAIN = (torch.Tensor, torch.nn.Parameter)
_THREADS = threading.local()


def enabled() -> bool:
    """True when the fused kernels will be used (numba importable, not switched off)."""
    if os.environ.get("NETREG_KERNELS", "").strip().lower() in ("off", "0", "false", "no"):
        return False
    return _kernels() is not None


def usable(*tensors: Tensor | None) -> bool:
    """True when every given tensor can go through a kernel: CPU, contiguous, one float dtype."""
    present = [t for t in tensors if t is not None]
    if not present or not enabled():
        return False
    dtype = present[0].dtype
    return dtype in (torch.float32, torch.float64) and all(
        type(t) in _PLAIN  # not a subclass such as FSDP's DTensor shards
        and t.device.type == "cpu"
        and t.dtype == dtype
        and t.is_contiguous()
        for t in present
    )


# -- elementwise: L1 and Elastic Net ------------------------------------------------------
def soft_threshold_(w: Tensor, threshold: float) -> bool:
    """``w ← w − clamp(w, −t, t)`` (the soft threshold) with one scalar ``t``."""
    if not usable(w):
        return False
    k = _kernels()
    _launch(k.soft, _flat(w), _scalar(w, threshold))
    return True


def soft_threshold_diag_(w: Tensor, sq: Tensor, scale: float, shift: float) -> bool:
    """Soft threshold with per-coordinate ``t_i = scale/(√sq_i + shift)`` (Adam's metric)."""
    if not usable(w, sq) or sq.shape != w.shape:
        return False
    k = _kernels()
    _launch(k.soft_diag, _flat(w), _flat(sq), _scalar(w, scale), _scalar(w, shift))
    return True


def elastic_net_(w: Tensor, threshold: float, factor: float) -> bool:
    """``w ← soft(w, t)·factor``: the Elastic Net prox with a scalar step, one pass."""
    if not usable(w):
        return False
    k = _kernels()
    _launch(k.enet, _flat(w), _scalar(w, threshold), _scalar(w, factor))
    return True


def elastic_net_diag_(w: Tensor, sq: Tensor, c1: float, c2: float, shift: float) -> bool:
    """``w ← soft(w, c1/d)/(1 + c2/d)`` with ``d = √sq + shift``, per coordinate."""
    if not usable(w, sq) or sq.shape != w.shape:
        return False
    k = _kernels()
    scalars = (_scalar(w, c1), _scalar(w, c2), _scalar(w, shift))
    _launch(k.enet_diag, _flat(w), _flat(sq), *scalars)
    return True


# -- an optimizer step with the prox inside it -------------------------------------------------
def adam_coefficients(
    like: Tensor,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    step: int,
    maximize: bool,
) -> np.ndarray:
    """The nine numbers of one AdamW update at ``step``, in the dtype of ``like``.

    ``lr, 1 − lr·wd, lr/(1 − β₁ᵗ), 1 − β₁, β₂, 1 − β₂, 1/√(1 − β₂ᵗ), eps, ±1``: what
    the fused AdamW kernels read, one array per parameter (a weight and its bias may sit
    in optimizer groups with different settings).
    """
    dtype = np.float32 if like.dtype == torch.float32 else np.float64
    return np.array(
        adam_coefficient_values(
            lr=lr,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            weight_decay=weight_decay,
            step=step,
            maximize=maximize,
        ),
        dtype=dtype,
    )


def adam_coefficient_values(
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    step: int,
    maximize: bool,
) -> tuple[float, ...]:
    """:func:`adam_coefficients` as Python floats (to write into a row of an array)."""
    return (
        lr,
        1.0 - lr * weight_decay,
        lr / (1.0 - beta1**step),
        1.0 - beta1,
        beta2,
        1.0 - beta2,
        1.0 / math.sqrt(1.0 - beta2**step),
        eps,
        -1.0 if maximize else 1.0,
    )


# -- rows: unit groups and unit norm constraints ---------------------------------------------
def group_shrink_rows_(w: Tensor, bias: Tensor | None, thresholds: float | Tensor) -> bool:
    """Block soft threshold of each row of ``w`` (with its bias entry): one sweep per row.

    ``thresholds``: one for all rows, or one per row. A row is scaled by
    ``max(0, 1 − t/‖row‖)``, left as is where ``t = 0`` and zeroed where its norm is 0.
    """
    if not usable(w, bias) or w.dim() < 2:
        return False
    k = _kernels()
    rows = w.view(w.shape[0], -1).detach().numpy()
    empty = np.zeros(0, dtype=rows.dtype)
    b = bias.detach().numpy() if bias is not None else empty
    if isinstance(thresholds, Tensor):
        t, common = thresholds.detach().to(device="cpu", dtype=w.dtype).contiguous().numpy(), 0.0
    else:
        t, common = empty, thresholds
    _launch(k.group_rows, rows, b, t, _scalar(w, common))
    return True


def group_shrink_rows_diag_(
    w: Tensor,
    sq: Tensor,
    scale: float,
    shift: float,
    strength: float,
    bias: Tensor | None = None,
    bias_sq: Tensor | None = None,
    bias_scale: float = 1.0,
    bias_shift: float = 0.0,
) -> bool:
    """The unit-group prox under Adam's metric, in one sweep per row of ``w`` and ``sq``.

    Each row's step is the harmonic mean of its coordinates' steps ``scale/(√sq + shift)``
    (and of its bias's, when given); its threshold is that step times ``strength``.
    """
    if w.dim() < 2 or sq.shape != w.shape or (bias is None) != (bias_sq is None):
        return False
    if not usable(w, sq, bias, bias_sq):
        return False
    k = _kernels()
    rows = w.view(w.shape[0], -1).detach().numpy()
    empty = np.zeros(0, dtype=rows.dtype)
    b = bias.detach().numpy() if bias is not None else empty
    b_sq = bias_sq.detach().numpy() if bias_sq is not None else empty
    scalars = tuple(_scalar(w, x) for x in (scale, shift, strength, bias_scale, bias_shift))
    _launch(k.group_rows_diag, rows, sq.view(w.shape[0], -1).detach().numpy(), b, b_sq, *scalars)
    return True


def rescale_rows_(w: Tensor, low: float, high: float, rate: float, eps: float) -> bool:
    """Keras's norm constraints on each row: ``w·(rate·clip(n, low, high) + (1−rate)·n)/(eps + n)``."""
    if not usable(w) or w.dim() < 1:
        return False
    k = _kernels()
    scalars = tuple(_scalar(w, x) for x in (low, high, rate, eps))
    _launch(k.rescale_rows, _rows(w), *scalars)
    return True


def sqrt_group_sums(sq: Tensor, groups: str) -> Tensor | None:
    """``Σ_g √sq`` per group (rows for "units", dim 1 for "inputs"), read once; None if unusable."""
    if not usable(sq) or sq.dim() < 2:
        return None
    k = _kernels()
    if groups == "units":
        rows = sq.view(sq.shape[0], -1).detach().numpy()
        out = np.empty(rows.shape[0], dtype=rows.dtype)
        _launch(k.sqrt_row_sums, rows, out)
    else:
        cube = sq.view(sq.shape[0], sq.shape[1], -1).detach().numpy()
        out = np.zeros(cube.shape[1], dtype=cube.dtype)
        _launch(k.sqrt_col_sums, cube, out)
    return torch.from_numpy(out)


# -- prepared launches: the tensors' views made once, for hooks that run every step --------
# A post-step hook on a small model spends more time in Python around a kernel (checks,
# numpy views) than in the kernel itself. These return a function that only launches;
# the caller keeps it while the tensors' storage stays the same (the views hold it).
Launch = Callable[..., None]


def prepare_soft(w: Tensor) -> Launch | None:
    """``launch(t)``: :func:`soft_threshold_` of ``w``."""
    return _prepared("soft", w, _flat(w)) if usable(w) else None


def prepare_elastic_net(w: Tensor) -> Launch | None:
    """``launch(t, factor)``: :func:`elastic_net_` of ``w``."""
    return _prepared("enet", w, _flat(w)) if usable(w) else None


def prepare_group_rows(w: Tensor, bias: Tensor | None) -> Launch | None:
    """``launch(t)``: :func:`group_shrink_rows_` of ``w`` (and ``bias``) with one threshold."""
    if not usable(w, bias) or w.dim() < 2:
        return None
    rows = w.view(w.shape[0], -1).detach().numpy()
    empty = np.zeros(0, dtype=rows.dtype)
    b = bias.detach().numpy() if bias is not None else empty
    return _prepared("group_rows", w, rows, b, empty)


def prepare_rescale_rows(w: Tensor) -> Launch | None:
    """``launch(low, high, rate, eps)``: :func:`rescale_rows_` of ``w``."""
    if not usable(w) or w.dim() < 1:
        return None
    return _prepared("rescale_rows", w, _rows(w))


def prepare_adamw_shrink(
    w: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor
) -> Callable[..., bool] | None:
    """``launch(grad, coefficients, l1, l2, per_coordinate)``: one AdamW update of ``w``
    followed by ``soft(w, s·l1)/(1 + s·l2)``, in one pass.

    ``coefficients``: :func:`adam_coefficients` of the update. ``s`` is Adam's
    per-coordinate step ``lr/(√v̂ + eps)`` when ``per_coordinate``, else ``lr``. The update
    is torch's AdamW (decoupled decay, bias corrections at the step); the moments are
    updated in place like torch's. Reads ``w``, the gradient and the two moments once and
    writes ``w`` and the moments once: what torch's own fused AdamW reads and writes, so
    the prox costs nothing extra.

    The weight's and its moments' views are made once; the gradient's each launch (a
    backward that sets gradients to None makes a new one every step, and a view kept
    for it would keep the old one alive). False when that gradient cannot go through.
    """
    if not usable(w, exp_avg, exp_avg_sq) or not w.shape == exp_avg.shape == exp_avg_sq.shape:
        return None
    kernel, arrays, cast = (
        _kernels().adamw_shrink,
        [_flat(t) for t in (w, exp_avg, exp_avg_sq)],
        _cast(w),
    )
    w_array, m, v = arrays

    def launch(
        grad: Tensor, coefficients: np.ndarray, l1: float, l2: float, per_coordinate: bool
    ) -> bool:
        if not _gradient_fits(grad, w):
            return False
        _launch(
            kernel, w_array, _flat(grad), m, v, coefficients, cast(l1), cast(l2), per_coordinate
        )
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
    if w.dim() < 2 or not usable(*tensors) or len({t.dtype for t in tensors}) != 1:
        return None
    if any(t.shape != w.shape for t in moments):
        return None
    if bias is not None and any(t.shape != (w.shape[0],) for t in bias):
        return None
    rows = [t.detach().view(w.shape[0], -1).numpy() for t in (w, *moments)]
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
    the caches full of weights and measured 3–4× slower than the same lines run warm; on
    a 784→1024→1024→10 MLP the Python between per-layer launches cost a third of the
    kernels' time. The caller writes this step's numbers into ``coefficients``,
    ``bias_coefficients``, ``strengths`` and ``per_coordinate`` (one row per layer), then
    calls :meth:`launch` with the gradients.
    """

    def __init__(self, layers: Sequence[UnitViews]) -> None:
        self.layers = tuple(layers)
        dtype = self.layers[0].rows.dtype
        count = len(self.layers)
        self.coefficients = np.zeros((count, 9), dtype=dtype)  # adam_coefficients rows
        self.bias_coefficients = np.zeros((count, 9), dtype=dtype)
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
        _launch(
            _kernels().adamw_units,
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
    return _gradient_fits(grad, views.weight) and (
        views.lead is None or _gradient_fits(bias_grad, views.lead)
    )


def _gradient_fits(grad: Tensor | None, like: Tensor) -> bool:
    """A gradient a prepared AdamW launch can read: dense, contiguous, ``like``'s dtype and shape."""
    return (
        grad is not None
        and type(grad) in _PLAIN
        and grad.layout == torch.strided
        and grad.device.type == "cpu"
        and grad.dtype == like.dtype
        and grad.shape == like.shape
        and grad.is_contiguous()
    )


def _cast(like: Tensor) -> Callable[[float], Any]:
    return np.float32 if like.dtype == torch.float32 else np.float64


def _prepared(name: str, like: Tensor, *arrays: np.ndarray) -> Launch:
    kernel = getattr(_kernels(), name)
    cast = np.float32 if like.dtype == torch.float32 else np.float64

    def launch(*scalars: float) -> None:
        _launch(kernel, *arrays, *[cast(x) for x in scalars])

    return launch


# -- plumbing ---------------------------------------------------------------------------------
def _flat(t: Tensor) -> np.ndarray:
    return t.detach().view(-1).numpy()


def _rows(t: Tensor) -> np.ndarray:
    """``t`` as (units, rest): a vector is one row."""
    return (
        t.detach().view(t.shape[0], -1).numpy() if t.dim() > 1 else t.detach().view(1, -1).numpy()
    )


def _scalar(like: Tensor, value: float) -> Any:
    """A numpy scalar of the tensor's dtype, so that float32 math stays float32 like torch's."""
    return np.float32(value) if like.dtype == torch.float32 else np.float64(value)


def _launch(fn: Any, *args: Any) -> None:
    """Run a parallel kernel with as many threads as torch uses, one launch at a time.

    The lock makes concurrent callers (threads of an Optuna study, say) take turns:
    numba's workqueue threading layer aborts the process on concurrent launches.
    """
    import numba

    with _LOCK:
        wanted = torch.get_num_threads()
        if getattr(_THREADS, "count", None) != wanted:  # numba's count is per calling thread
            most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
            numba.set_num_threads(max(1, min(wanted, most)))
            _THREADS.count = wanted
        fn(*args)


def _kernels() -> Any:
    """Compile (or load from numba's cache) the kernels once; None without numba."""
    if _state["tried"]:
        return _state["kernels"]
    _state["tried"] = True
    try:
        import numba  # noqa: F401
    except ImportError:
        return None
    try:
        _state["kernels"] = _build()
    except Exception as error:  # a broken numba install must not break training
        warnings.warn(
            f"netreg's fused kernels are unavailable ({type(error).__name__}: {error}); "
            "the proximal steps use eager PyTorch ops instead.",
            RuntimeWarning,
            stacklevel=3,
        )
    return _state["kernels"]


def _build() -> SimpleNamespace:
    from numba import njit, prange

    # error_model="numpy": no zero-division checks, the semantics of IEEE floats.
    # parallel: prange loops split across numba's threads (vectorized within each).
    jit = njit(nogil=True, cache=True, error_model="numpy", parallel=True)
    # Row norms may reassociate their sums (SIMD); nothing else is relaxed.
    jit_sum = njit(
        nogil=True, cache=True, error_model="numpy", parallel=True, fastmath={"reassoc", "nsz"}
    )

    @jit
    def soft(w, t):  # type: ignore[no-untyped-def]
        low = -t
        for i in prange(w.size):
            x = w[i]
            c = x if x < t else t  # NaN falls through to t and stays NaN below
            c = c if c > low else low
            w[i] = x - c

    @jit
    def soft_diag(w, sq, scale, shift):  # type: ignore[no-untyped-def]
        for i in prange(w.size):
            x = w[i]
            t = scale / (math.sqrt(sq[i]) + shift)
            c = x if x < t else t
            c = c if c > -t else -t
            w[i] = x - c

    @jit
    def enet(w, t, factor):  # type: ignore[no-untyped-def]
        low = -t
        for i in prange(w.size):
            x = w[i]
            c = x if x < t else t
            c = c if c > low else low
            w[i] = (x - c) * factor

    @jit
    def enet_diag(w, sq, c1, c2, shift):  # type: ignore[no-untyped-def]
        one = w.dtype.type(1.0)  # float32 math for float32 weights, as in torch
        for i in prange(w.size):
            x = w[i]
            d = math.sqrt(sq[i]) + shift
            t = c1 / d
            c = x if x < t else t
            c = c if c > -t else -t
            w[i] = (x - c) / (one + c2 / d)

    @jit
    def adamw_shrink(w, g, m, v, c, l1, l2, per_coordinate):  # type: ignore[no-untyped-def]
        # c: adam_coefficients; unpacked once so that the loop body is all registers
        lr, decay, step_size, one_minus_b1 = c[0], c[1], c[2], c[3]
        b2, one_minus_b2, inv_root, eps, sign = c[4], c[5], c[6], c[7], c[8]
        one = w.dtype.type(1.0)
        for i in prange(w.size):
            gi = g[i] * sign
            mi = m[i] + (gi - m[i]) * one_minus_b1  # torch's lerp(m, g, 1 − β₁)
            vi = v[i] * b2 + one_minus_b2 * gi * gi
            m[i] = mi
            v[i] = vi
            # one division per coordinate (1/d), then products: vectorizes, and is
            # measured faster than torch's own fused AdamW pass
            r = one / (math.sqrt(vi) * inv_root + eps)
            x = w[i] * decay - step_size * mi * r
            s = lr * r if per_coordinate else lr
            t = l1 * s
            c_ = x if x < t else t
            c_ = c_ if c_ > -t else -t
            w[i] = (x - c_) if l2 == 0 else (x - c_) / (one + l2 * s)

    @njit(inline="always", error_model="numpy")
    def shrink_unit(row, bias, i, has_bias, total, t):  # type: ignore[no-untyped-def]
        """Scale unit i (``row`` and ``bias[i]``, squared norm ``total``) by max(0, 1 − t/‖·‖)."""
        if t != 0:  # a zero threshold is the identity, even for underflowing rows
            zero = row.dtype.type(0.0)
            norm = math.sqrt(total)
            factor = row.dtype.type(1.0) - t / norm if norm > 0 else zero
            if factor < 0:
                factor = zero
            for j in range(row.size):
                row[j] *= factor
            if has_bias:
                bias[i] *= factor

    @njit(inline="always", error_model="numpy")
    def adam_coordinate(w, g, m, v, k, c):  # type: ignore[no-untyped-def]
        """AdamW at coordinate k with adam_coefficients c; returns the new w and 1/r."""
        gi = g[k] * c[8]
        mi = m[k] + (gi - m[k]) * c[3]
        vi = v[k] * c[4] + c[5] * gi * gi
        m[k] = mi
        v[k] = vi
        d = math.sqrt(vi) * c[6] + c[7]  # lr/d is the coordinate's step
        x = w[k] * c[1] - c[2] * mi * (w.dtype.type(1.0) / d)
        w[k] = x
        return x, d

    @jit_sum
    def adamw_units(rows, g, m, v, c, bias, bg, bm, bv, bc, strengths, per_coordinate, blocks):  # type: ignore[no-untyped-def]
        # rows, g, m, v, bias, bg, bm, bv: tuples with one array per layer; c, bc: one
        # row of adam_coefficients per layer; blocks: (layer, first row, end row)
        for block in prange(blocks.shape[0]):
            layer, first, end = blocks[block, 0], blocks[block, 1], blocks[block, 2]
            w_rows, g_rows, m_rows, v_rows = rows[layer], g[layer], m[layer], v[layer]
            b, b_g, b_m, b_v = bias[layer], bg[layer], bm[layer], bv[layer]
            cl, bcl = c[layer], bc[layer]
            has_bias = b.size > 0
            for i in range(first, end):
                row = w_rows[i]
                zero = row.dtype.type(0.0)
                total, metric = zero, zero
                for j in range(row.size):
                    x, d = adam_coordinate(row, g_rows[i], m_rows[i], v_rows[i], j, cl)
                    total += x * x
                    metric += d
                metric = metric / cl[0]  # Σ 1/step over the row's weights
                count = row.size
                if has_bias:
                    x, d = adam_coordinate(b, b_g, b_m, b_v, i, bcl)
                    total += x * x
                    metric += d / bcl[0]
                    count += 1
                # the hook's steps: the harmonic mean over the unit, or the weight's lr
                t = (count / metric if per_coordinate[layer] else cl[0]) * strengths[layer]
                shrink_unit(row, b, i, has_bias, total, t)

    @jit_sum
    def group_rows(rows, bias, thresholds, common):  # type: ignore[no-untyped-def]
        has_bias = bias.size > 0
        per_row = thresholds.size > 0
        for i in prange(rows.shape[0]):
            row = rows[i]
            # Sums in the weight's dtype, as torch's: a norm exactly at the threshold
            # must give an exact zero in float32 too.
            zero = row.dtype.type(0.0)
            total = zero
            for j in range(row.size):
                total += row[j] * row[j]
            if has_bias:
                total += bias[i] * bias[i]
            t = thresholds[i] if per_row else common
            shrink_unit(row, bias, i, has_bias, total, t)

    @jit_sum
    def group_rows_diag(rows, sq, bias, bias_sq, scale, shift, strength, b_scale, b_shift):  # type: ignore[no-untyped-def]
        has_bias = bias.size > 0
        for i in prange(rows.shape[0]):
            row, sq_row = rows[i], sq[i]
            zero = row.dtype.type(0.0)
            total, roots = zero, zero
            for j in range(row.size):
                total += row[j] * row[j]
                roots += math.sqrt(sq_row[j])
            # Σ 1/step over the group, then the harmonic-mean step count/Σ(1/step)
            metric = (roots + row.size * shift) / scale
            count = row.size
            if has_bias:
                total += bias[i] * bias[i]
                metric += (math.sqrt(bias_sq[i]) + b_shift) / b_scale
                count += 1
            t = count / metric * strength
            shrink_unit(row, bias, i, has_bias, total, t)

    @jit_sum
    def rescale_rows(rows, low, high, rate, eps):  # type: ignore[no-untyped-def]
        for i in prange(rows.shape[0]):
            row = rows[i]
            total = row.dtype.type(0.0)
            for j in range(row.size):
                total += row[j] * row[j]
            norm = math.sqrt(total)
            clipped = min(max(norm, low), high)
            if norm > 0:
                factor = (rate * clipped + (row.dtype.type(1.0) - rate) * norm) / (eps + norm)
            else:  # the same formula at norm 0; the branch keeps the loop below vectorized
                factor = (rate * clipped) / eps  # (measured: 1.6× slower without it)
            for j in range(row.size):
                row[j] *= factor

    @jit_sum
    def sqrt_row_sums(rows, out):  # type: ignore[no-untyped-def]
        for i in prange(rows.shape[0]):
            row = rows[i]
            total = 0.0
            for j in range(row.size):
                total += math.sqrt(row[j])
            out[i] = total

    # Column sums accumulate across rows: one thread, no races.
    @njit(nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "nsz"})
    def sqrt_col_sums(cube, out):  # type: ignore[no-untyped-def]
        for o in range(cube.shape[0]):
            for i in range(cube.shape[1]):
                cell = cube[o, i]
                total = 0.0
                for j in range(cell.size):
                    total += math.sqrt(cell[j])
                out[i] += total

    return SimpleNamespace(
        soft=soft,
        adamw_shrink=adamw_shrink,
        adamw_units=adamw_units,
        soft_diag=soft_diag,
        enet=enet,
        enet_diag=enet_diag,
        group_rows=group_rows,
        group_rows_diag=group_rows_diag,
        rescale_rows=rescale_rows,
        sqrt_row_sums=sqrt_row_sums,
        sqrt_col_sums=sqrt_col_sums,
    )
