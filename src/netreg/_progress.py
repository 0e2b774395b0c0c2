"""Rich progress bars for trials and tasks: silent unless asked (libraries stay quiet; the CLI asks)."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class ProgressBar:
    """A rich progress bar on stderr, or nothing at all when ``enabled`` is False.

    Examples
    --------
    >>> with ProgressBar(total=3, description="folds", enabled=False) as bar:
    ...     for _ in range(3):
    ...         bar.advance()
    """

    def __init__(
        self, total: int, description: str = "", *, enabled: bool = False, completed: int = 0
    ):
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._args = (total, description or "working", completed)

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            total, description, completed = self._args
            self._progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task(description, total=total, completed=completed)
        return self

    def advance(self, n: int = 1, *, description: str | None = None) -> None:
        """Move the bar ``n`` steps (and optionally change its text, e.g. the best value so far)."""
        if self._progress is not None:
            kwargs = {"description": description} if description is not None else {}
            self._progress.update(self._task, advance=n, **kwargs)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
