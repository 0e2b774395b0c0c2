"""netreg: regularization of neural networks done the way the textbooks promise.

>>> import torch.nn as nn, netreg as nr
>>> model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
>>> reg = nr.Plan({nr.select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=1e-4)}).bind(model)

``import netreg`` itself loads nothing but this file: each name below is imported on first
use (PEP 562's module ``__getattr__``), so the loop above loads only the penalties,
selectors, plan, regularizer and optimizers it touches, and a script or ``netreg --help``
does not pay for torch, pandas, scikit-learn or Optuna before it needs them (and the
``netreg`` command installs its Ctrl-C handler before torch is imported: docs/faults.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netreg import constraints, path, penalties, search, select, train
    from netreg.advisor import advise, advise_frame
    from netreg.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
    from netreg.optim.param_groups import param_groups
    from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso
    from netreg.plan import Plan
    from netreg.pruning import PruneResult, load_pruned, prune, save_pruned
    from netreg.regularizer import Regularizer, RowSparsity

__version__ = "0.1.0"

# The subpackages reachable as attributes, and where each top-level name lives; all are
# imported on first use.
_SUBPACKAGES = ("constraints", "path", "penalties", "search", "select", "train")
_HOMES = {
    "netreg.advisor": "advise advise_frame",
    "netreg.constraints": "Constraint MaxNorm MinMaxNorm NonNeg UnitNorm",
    "netreg.optim": "param_groups",
    "netreg.penalties": "L1 L2 ElasticNet GroupLasso Penalty SparseGroupLasso",
    "netreg.plan": "Plan",
    "netreg.pruning": "PruneResult load_pruned prune save_pruned",
    "netreg.regularizer": "Regularizer RowSparsity",
}
_HOME = {name: module for module, names in _HOMES.items() for name in names.split()}


def __getattr__(name: str) -> Any:
    """Import a subpackage or a top-level name when it is first read (PEP 562)."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f"netreg.{name}")  # the import binds netreg.<name>
    if name not in _HOME:
        raise AttributeError(f"module 'netreg' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value  # later reads find it without calling __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBPACKAGES, *_HOME})


__all__ = [
    "L1",
    "L2",
    "Constraint",
    "ElasticNet",
    "GroupLasso",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "Penalty",
    "Plan",
    "PruneResult",
    "Regularizer",
    "RowSparsity",
    "SparseGroupLasso",
    "UnitNorm",
    "advise",
    "advise_frame",
    "constraints",
    "load_pruned",
    "param_groups",
    "path",
    "penalties",
    "prune",
    "save_pruned",
    "search",
    "select",
    "train",
]
