"""The advisor: which regularizer for these data, where to start λ, and why.

It answers the three questions the seed text (000) asks before choosing between L1, L2 and
Elastic Net — what the data say about sparsity and correlation, how much room there is for
validation, and what compute allows — from measurements of the data, and can test its own
recommendation by cross-validation (``check=True``).

>>> from netreg import advise
>>> from netreg.data import sparse_signal
>>> df = sparse_signal(n=200, p=50, k=5, seed=1)
>>> advice = advise(df.drop(columns="y").to_numpy(), df["y"].to_numpy(), check=True)
>>> advice.recommendation.family, advice.check.agrees
('l1', True)

``netreg.advise`` is :func:`advise` itself, re-exported at the top level; the package is
``netreg.advisor``.
"""

from netreg.advisor.advice import (
    Advice,
    CheckResult,
    FamilyScore,
    Recommendation,
    ValidationPlan,
)
from netreg.advisor.check import check_recommendation
from netreg.advisor.diagnostics import ClassBalance, CorrelationSummary, Diagnostics, diagnose
from netreg.advisor.frame import advise_frame
from netreg.advisor.inputs import MIN_ROWS, check_inputs
from netreg.advisor.rules import choose_family, signal_shape
from netreg.advisor.run import advise
from netreg.advisor.signal import SignalEstimate

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
