"""netreg: regularization of neural networks done the way the textbooks promise.

>>> import torch.nn as nn, netreg as nr
>>> model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
>>> reg = nr.Plan({nr.select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=1e-4)}).bind(model)

``import netreg`` loads only what that loop needs (penalties, constraints, selectors, the
plan, the regularizer and the optimizers). The advisor, pruning, paths, search and the
training loop are loaded on first use of their names (PEP 562's module ``__getattr__``), so
that a script or ``netreg --help`` does not pay for pandas, scikit-learn and Optuna up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from netreg import constraints, penalties, select
from netreg.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from netreg.optim import param_groups
from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso
from netreg.plan import Plan
from netreg.regularizer import Regularizer, RowSparsity

if TYPE_CHECKING:
    from netreg import path, search, train
    from netreg.advisor import advise, advise_frame
    from netreg.pruning import PruneResult, load_pruned, prune, save_pruned

__version__ = "0.1.0"

# name -> (module, attribute in it; None: the module itself), imported on first use.
_ON_FIRST_USE: dict[str, tuple[str, str | None]] = {
    "advise": ("netreg.advisor", "advise"),
    "advise_frame": ("netreg.advisor", "advise_frame"),
    "prune": ("netreg.pruning", "prune"),
    "PruneResult": ("netreg.pruning", "PruneResult"),
    "load_pruned": ("netreg.pruning", "load_pruned"),
    "save_pruned": ("netreg.pruning", "save_pruned"),
    "path": ("netreg.path", None),
    "search": ("netreg.search", None),
    "train": ("netreg.train", None),
}


def __getattr__(name: str) -> Any:
    """Import a name of :data:`_ON_FIRST_USE` when it is first read (PEP 562)."""
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module 'netreg' has no attribute {name!r}")
    module, attribute = _ON_FIRST_USE[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value  # later reads find it without calling __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ON_FIRST_USE})


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
