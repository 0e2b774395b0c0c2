"""The resolved rows of a bound plan: one per parameter, with everything decided."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import Tensor, nn

from netreg import choices
from netreg.constraints import Constraint
from netreg.penalties import Penalty

MODES = choices.names(choices.MODES)


@dataclass
class Row:
    """One parameter and what the plan does to it.

    ``bias`` is the unit bias that shares the parameter's groups (unit group penalties
    on a module with a bias); ``reason`` explains a parameter left alone.
    """

    name: str
    param: Tensor
    module: nn.Module
    penalties: list[tuple[Penalty, str]] = field(default_factory=list)  # (penalty, "loss"|"prox")
    constraints: list[Constraint] = field(default_factory=list)
    bias: Tensor | None = None
    bias_name: str | None = None
    grouped_with: str | None = None  # set on a bias row: the weight whose unit groups it joins
    reason: str = ""

    @property
    def prox_penalty(self) -> Penalty | None:
        found = [p for p, mode in self.penalties if mode == "prox"]
        return found[0] if found else None

    @property
    def loss_penalties(self) -> list[Penalty]:
        return [p for p, mode in self.penalties if mode == "loss"]

    @property
    def is_regularized(self) -> bool:
        return bool(self.penalties or self.constraints)


def resolve_mode(penalty: Penalty, mode: str) -> str:
    """``auto``: smooth penalties go into the loss, non-smooth ones get a prox step."""
    if mode == "auto":
        return "loss" if penalty.is_smooth else "prox"
    return mode
