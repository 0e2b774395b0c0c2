"""Regularizer: a plan bound to a model. Penalty for the loss, prox and projections after steps.

:mod:`~netreg.regularizer.core` holds the :class:`Regularizer` and its post-step hook;
:mod:`~netreg.regularizer.audit` what it reports (sparsity, the audit table).
"""

from netreg.regularizer.audit import RowSparsity
from netreg.regularizer.core import Regularizer

__all__ = ["Regularizer", "RowSparsity"]
