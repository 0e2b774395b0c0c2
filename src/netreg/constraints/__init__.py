"""Constraints: projections applied after every step (Keras's formulas, torch's layout)."""

from netreg.constraints.base import Constraint, registered_constraints
from netreg.constraints.keras import deserialize, get, serialize
from netreg.constraints.non_neg import NonNeg
from netreg.constraints.norms import MaxNorm, MinMaxNorm, UnitNorm

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "registered_constraints",
    "serialize",
]
