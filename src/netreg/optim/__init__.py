"""Optimizer side: effective prox steps, AdamW with the prox fused in, the decay split."""

from netreg.optim.param_groups import param_groups
from netreg.optim.prox_adamw import ProxAdamW
from netreg.optim.steps import STEP_RULES, effective_step

__all__ = ["STEP_RULES", "ProxAdamW", "effective_step", "param_groups"]
