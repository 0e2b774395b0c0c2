"""A rich progress bar over the λ of a path; free when disabled (library calls are silent)."""

from __future__ import annotations

from typing import Any


class LambdaProgress:
    """``with LambdaProgress(total, enabled=...) as bar: bar.advance(lam=..., kept=...)``.

    ``rich`` is imported only when the bar is shown.
    """

    def __init__(self, total: int, *, enabled: bool = False, description: str = "path"):
        self.total, self.enabled, self.description = total, enabled, description
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> LambdaProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn(f"[bold]{self.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[status]}"),
            )
            self._task = self._progress.add_task(self.description, total=self.total, status="")
            self._progress.start()
        return self

    def advance(self, status: str = "") -> None:
        self.done += 1
        if self._progress is not None:
            # the continuation past λ_max adds steps that were not planned
            total = max(self.total, self.done)
            self._progress.update(self._task, advance=1, total=total, status=status)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
