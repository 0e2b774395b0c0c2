"""When the kernels run, and the plumbing every launch goes through.

The kernels run when numba is installed (the ``fast`` extra), every tensor is a
contiguous float32 or float64 CPU tensor of one dtype, and the environment variable
``NETREG_KERNELS`` is not ``off``. Compilation happens once (or loads from numba's
cache); a broken numba install warns and leaves every caller on its eager formula.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor

state: dict[str, Any] = {"kernels": None, "tried": False}
_LOCK = threading.Lock()
PLAIN = (torch.Tensor, torch.nn.Parameter)
_THREADS = threading.local()


def enabled() -> bool:
    """True when the fused kernels will be used (numba importable, not switched off)."""
    if os.environ.get("NETREG_KERNELS", "").strip().lower() in ("off", "0", "false", "no"):
        return False
    return compiled() is not None


def usable(*tensors: Tensor | None) -> bool:
    """True when every given tensor can go through a kernel: CPU, contiguous, one float dtype."""
    present = [t for t in tensors if t is not None]
    if not present or not enabled():
        return False
    dtype = present[0].dtype
    return dtype in (torch.float32, torch.float64) and all(
        type(t) in PLAIN  # not a subclass such as FSDP's DTensor shards
        and t.device.type == "cpu"
        and t.dtype == dtype
        and t.is_contiguous()
        for t in present
    )


def gradient_fits(grad: Tensor | None, like: Tensor) -> bool:
    """A gradient a prepared launch can read: dense, contiguous, ``like``'s dtype and shape."""
    return (
        grad is not None
        and type(grad) in PLAIN
        and grad.layout == torch.strided
        and grad.device.type == "cpu"
        and grad.dtype == like.dtype
        and grad.shape == like.shape
        and grad.is_contiguous()
    )


def flat(t: Tensor) -> np.ndarray:
    return t.detach().view(-1).numpy()


def rows(t: Tensor) -> np.ndarray:
    """``t`` as (units, rest): a vector is one row. The sizes are explicit, not ``-1``, so a
    zero-width layer (0 units, or units of 0 weights) is a (0, n) or (n, 0) array."""
    shape = (t.shape[0], math.prod(t.shape[1:])) if t.dim() > 1 else (1, t.numel())
    return t.detach().view(shape).numpy()


def cube(t: Tensor) -> np.ndarray:
    """``t`` (at least 2-d) as (units, inputs, rest), sizes explicit as in :func:`rows`."""
    return t.detach().view(t.shape[0], t.shape[1], math.prod(t.shape[2:])).numpy()


def cast(like: Tensor) -> Callable[[float], Any]:
    """The numpy scalar type of the tensor's dtype, so that float32 math stays float32 like torch's."""
    return np.float32 if like.dtype == torch.float32 else np.float64


def scalar(like: Tensor, value: float) -> Any:
    return cast(like)(value)


def launch(fn: Any, *args: Any) -> None:
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


def compiled() -> Any:
    """Compile (or load from numba's cache) the kernels once; None without numba."""
    if state["tried"]:
        return state["kernels"]
    state["tried"] = True
    try:
        import numba  # noqa: F401
    except ImportError:
        return None
    try:
        from netreg._kernels.loops import build

        state["kernels"] = build()
    except Exception as error:  # a broken numba install must not break training
        warnings.warn(
            f"netreg's fused kernels are unavailable ({type(error).__name__}: {error}); "
            "the proximal steps use eager PyTorch ops instead.",
            RuntimeWarning,
            stacklevel=3,
        )
    return state["kernels"]


Launch = Callable[..., None]


def prepared(name: str, like: Tensor, *arrays: np.ndarray) -> Launch:
    """``launch(*scalars)`` of kernel ``name`` over ``arrays`` (views made once by the caller)."""
    kernel = getattr(compiled(), name)
    to_scalar = cast(like)

    def run(*scalars: float) -> None:
        launch(kernel, *arrays, *[to_scalar(x) for x in scalars])

    return run
