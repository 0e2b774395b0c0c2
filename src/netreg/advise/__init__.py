"""The advisor: which regularizer for these data, where to start λ, and why.

It answers the three questions the seed text (000) asks before choosing between L1, L2 and
Elastic Net — what the data say about sparsity and correlation, how much room there is for
validation, and what compute allows — from measurements of the data, and can test its own
recommendation by cross-validation (``check=True``).

>>> from netreg.advise import advise
>>> from netreg.data import sparse_signal
>>> df = sparse_signal(n=200, p=50, k=5, seed=1)
>>> advice = advise(df.drop(columns="y").to_numpy(), df["y"].to_numpy(), check=True)
>>> advice.recommendation.family, advice.check.agrees
('l1', True)

The package itself is callable, ``netreg.advise(X, y)`` being ``netreg.advise.advise(X, y)``,
so that the top-level name can stay the package (``import netreg.advise.rules`` keeps working)
while reading as a function.
"""

import sys
import types
from typing import Any

from netreg.advise.advice import (
    Advice,
    CheckResult,
    FamilyScore,
    Recommendation,
    ValidationPlan,
)
from netreg.advise.check import check_recommendation
from netreg.advise.diagnostics import ClassBalance, CorrelationSummary, Diagnostics, diagnose
from netreg.advise.frame import advise_frame
from netreg.advise.inputs import MIN_ROWS, check_inputs
from netreg.advise.rules import choose_family, signal_shape
from netreg.advise.run import advise
from netreg.advise.signal import SignalEstimate

__all__ = [
    "MIN_ROWS",
    "Advice",
    "CheckResult",
    "ClassBalance",
    "CorrelationSummary",
    "Diagnostics",
    "FamilyScore",
    "Recommendation",
    "SignalEstimate",
    "ValidationPlan",
    "advise",
    "advise_frame",
    "check_inputs",
    "check_recommendation",
    "choose_family",
    "diagnose",
    "signal_shape",
]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`advise`."""

    def __call__(self, X: Any, y: Any, **kwargs: Any) -> Advice:
        return advise(X, y, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
