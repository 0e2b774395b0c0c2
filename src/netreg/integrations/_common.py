"""What every integration checks and logs the same way: its plan, its flags, its metrics."""

from __future__ import annotations

from typing import Any

from netreg.plan import Plan
from netreg.regularizer import Regularizer


def check_plan(owner: str, plan: Any) -> Plan:
    """``plan`` must be a :class:`netreg.Plan` (a dict of rules is the usual slip)."""
    if not isinstance(plan, Plan):
        raise TypeError(f"{owner} needs a netreg.Plan. Received: plan={type(plan).__name__}")
    return plan


def check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False. Received: {name}={value!r}")
    return value


def metrics(regularizer: Regularizer) -> dict[str, float]:
    """``netreg/penalty`` (loss and prox parts) and ``netreg/zeros/<parameter>`` (share of exact zeros)."""
    out = {"netreg/penalty": float(regularizer.value())}
    for row in regularizer.sparsity():
        out[f"netreg/zeros/{row.name}"] = row.zeros / max(row.numel, 1)
    return out
