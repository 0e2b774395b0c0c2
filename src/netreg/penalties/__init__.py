"""Penalties: math objects with ``value``, ``prox``, ``alpha_max`` and ``support``.

How a prox runs in place (step types, kernels, inside an optimizer's update) lives in
:mod:`netreg.execution`.
"""

from netreg.penalties.base import Penalty, Step, registered_penalties, soft_threshold
from netreg.penalties.elastic_net import ElasticNet
from netreg.penalties.group import GroupLasso, SparseGroupLasso
from netreg.penalties.keras import deserialize, get, serialize
from netreg.penalties.l1 import L1
from netreg.penalties.l2 import L2

__all__ = [
    "L1",
    "L2",
    "ElasticNet",
    "GroupLasso",
    "Penalty",
    "SparseGroupLasso",
    "Step",
    "deserialize",
    "get",
    "registered_penalties",
    "serialize",
    "soft_threshold",
]
