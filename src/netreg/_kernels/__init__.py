"""Fused CPU loops for the in-place work that runs after (or inside) every optimizer step.

Why: a formula like ``soft(w, c/(√v + e))`` written with eager PyTorch ops makes one
weight-sized temporary per op, and on CPU a fresh tensor of tens of megabytes costs page
faults on every step. A numba loop reads each input once and writes ``w`` once, so a
proximal step costs about what one in-place pass costs.

This package knows tensors and numbers, nothing of penalties or optimizers: the
execution layer (:mod:`netreg.execution`), :class:`~netreg.optim.ProxAdamW` and the
norm constraints choose a kernel, and fall back on their eager formula, which stays the
reference (the tests compare every kernel with it), whenever a function here returns
False or None.

- :mod:`~netreg._kernels.runtime`: when the kernels run (numba, ``NETREG_KERNELS``,
  tensor checks) and the locked launch;
- :mod:`~netreg._kernels.loops`: the numba sources;
- :mod:`~netreg._kernels.inplace`: elementwise and row passes, and their prepared launches;
- :mod:`~netreg._kernels.adamw`: AdamW's update with a prox inside it.
"""

from netreg._kernels.runtime import enabled, usable

__all__ = ["enabled", "usable"]
