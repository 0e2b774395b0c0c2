"""The Constraint contract: a projection applied after every optimizer step."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import Tensor

from netreg._config import Configurable

EPSILON = 1e-7
"""Keras's ``backend.epsilon()``, used in its norm constraints; kept for exact agreement."""


@dataclasses.dataclass(frozen=True)
class Constraint(Configurable):
    """Base class: ``project`` (pure), ``project_`` (in place) and a config round-trip."""

    family_registry: ClassVar[dict[str, type[Any]]] = {}

    def project(self, w: Tensor) -> Tensor:
        """The constrained version of ``w`` as a new tensor."""
        raise NotImplementedError

    def project_(self, w: Tensor) -> None:
        """Project ``w`` in place (no autograd history)."""
        with torch.no_grad():
            w.copy_(self.project(w))

    def prepared_projection(self, w: Tensor) -> Callable[[], None] | None:
        """``project()``: ``project_(w)`` prepared once for this tensor, or None.

        For hooks that project every step; valid while ``w`` keeps its storage.
        """
        return None

    def satisfied(self, w: Tensor, atol: float = 1e-6) -> bool:
        """True when ``w`` already satisfies the constraint (within ``atol``)."""
        return bool(torch.allclose(self.project(w), w, atol=atol, rtol=0))

    def __call__(self, w: Tensor) -> Tensor:
        return self.project(w)


def registered_constraints() -> dict[str, type[Constraint]]:
    return dict(Constraint.family_registry)
