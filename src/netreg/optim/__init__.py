"""Optimizer side: effective prox steps and the decay / no-decay parameter split."""

from netreg.optim.param_groups import param_groups
from netreg.optim.steps import STEP_RULES, effective_step

__all__ = ["STEP_RULES", "effective_step", "param_groups"]
