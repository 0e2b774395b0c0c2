"""netreg: regularization of neural networks done the way the textbooks promise.

>>> import torch.nn as nn, netreg as nr
>>> model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
>>> reg = nr.Plan({nr.select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=1e-4)}).bind(model)
"""

from netreg import constraints, path, penalties, search, select, train
from netreg.advisor import advise, advise_frame
from netreg.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from netreg.optim import param_groups
from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso
from netreg.plan import Plan
from netreg.pruning import PruneResult, load_pruned, prune, save_pruned
from netreg.regularizer import Regularizer, RowSparsity

__version__ = "0.1.0"

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
