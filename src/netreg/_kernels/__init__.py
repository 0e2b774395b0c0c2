"""Fused CPU loops for the in-place work that runs after (or inside) every optimizer step.

Why: a formula like ``soft(w, c/(√v + e))`` written with eager PyTorch ops makes one
weight-sized temporary per op, and on CPU a fresh tensor of tens of megabytes costs page
faults on every step. A numba loop reads each input once and writes ``w`` once, so a
proximal step costs about what one in-place pass costs.

This package knows tensors and numbers, nothing of penalties or optimizers: the
execution layer (:mod:`netreg.execution`) and the constraints choose a kernel, and fall
back on their eager formula, which stays the reference (the tests compare every kernel
with it), whenever a function here returns False or None.

- :mod:`~netreg._kernels.runtime`: when the kernels run (numba, ``NETREG_KERNELS``,
  tensor checks) and the locked launch;
- :mod:`~netreg._kernels.loops`: the numba sources;
- :mod:`~netreg._kernels.inplace`: elementwise and row passes, and their prepared launches;
- :mod:`~netreg._kernels.adamw`: AdamW's update with a prox inside it.
"""

from netreg._kernels.adamw import (
    UnitBatch,
    UnitViews,
    prepare_adamw_shrink,
    prepare_adamw_units,
    unit_gradients_fit,
)
from netreg._kernels.inplace import (
    elastic_net_,
    elastic_net_diag_,
    group_shrink_rows_,
    group_shrink_rows_diag_,
    prepare_elastic_net,
    prepare_group_rows,
    prepare_rescale_rows,
    prepare_soft,
    rescale_rows_,
    soft_threshold_,
    soft_threshold_diag_,
    sqrt_group_sums,
)
from netreg._kernels.runtime import Launch, enabled, usable

__all__ = [
    "Launch",
    "UnitBatch",
    "UnitViews",
    "elastic_net_",
    "elastic_net_diag_",
    "enabled",
    "group_shrink_rows_",
    "group_shrink_rows_diag_",
    "prepare_adamw_shrink",
    "prepare_adamw_units",
    "prepare_elastic_net",
    "prepare_group_rows",
    "prepare_rescale_rows",
    "prepare_soft",
    "rescale_rows_",
    "soft_threshold_",
    "soft_threshold_diag_",
    "sqrt_group_sums",
    "unit_gradients_fit",
    "usable",
]
