"""netreg: regularization of neural networks done the way the textbooks promise.

>>> import torch.nn as nn, netreg as nr
>>> model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
>>> reg = nr.Plan({nr.select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=1e-4)}).bind(model)

The names below are imported on first use (PEP 562), so ``import netreg`` is instant: the
``netreg`` command installs its Ctrl-C handler before torch is imported (docs/faults.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Each public name and the module that defines it (a subpackage maps to itself).
_SOURCES = {
    "advise": "netreg.advise",
    "constraints": "netreg.constraints",
    "path": "netreg.path",
    "penalties": "netreg.penalties",
    "prune": "netreg.prune",
    "search": "netreg.search",
    "select": "netreg.select",
    "train": "netreg.train",
    "advise_frame": "netreg.advise",
    "Constraint": "netreg.constraints",
    "MaxNorm": "netreg.constraints",
    "MinMaxNorm": "netreg.constraints",
    "NonNeg": "netreg.constraints",
    "UnitNorm": "netreg.constraints",
    "param_groups": "netreg.optim",
    "L1": "netreg.penalties",
    "L2": "netreg.penalties",
    "ElasticNet": "netreg.penalties",
    "GroupLasso": "netreg.penalties",
    "Penalty": "netreg.penalties",
    "SparseGroupLasso": "netreg.penalties",
    "Plan": "netreg.plan",
    "PruneResult": "netreg.prune",
    "load_pruned": "netreg.prune",
    "save_pruned": "netreg.prune",
    "Regularizer": "netreg.regularizer",
    "RowSparsity": "netreg.regularizer",
}

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


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'netreg' has no attribute {name!r}")
    module = importlib.import_module(source)
    value = module if source == f"netreg.{name}" else getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCES})


if TYPE_CHECKING:  # type checkers and IDEs see the eager imports
    from netreg import advise, constraints, path, penalties, prune, search, select, train
    from netreg.advise import advise_frame
    from netreg.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
    from netreg.optim.param_groups import param_groups
    from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso
    from netreg.plan import Plan
    from netreg.prune import PruneResult, load_pruned, save_pruned
    from netreg.regularizer import Regularizer, RowSparsity
