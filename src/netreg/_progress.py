"""The one rich progress bar of netreg: trials, tasks, the λ of a path, the epochs of a fit.

Silent unless asked: libraries stay quiet and the CLI asks. ``rich`` is imported only when
a bar is shown, so silent calls (paths inside CV, library fits) pay nothing for it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self


class ProgressBar:
    """A rich progress bar on stderr, or nothing at all when ``enabled`` is False.

    Use it as a context manager, or call :meth:`start` and :meth:`close`. After the bar
    stands a status text (the latest losses, the λ just fitted) that :meth:`advance` sets.

    Examples
    --------
    >>> with ProgressBar(total=3, description="folds", enabled=False) as bar:
    ...     for _ in range(3):
    ...         bar.advance()
    >>> bar.completed
    3
    """

    def __init__(
        self, total: int, description: str = "", *, enabled: bool = False, completed: int = 0
    ):
        self.total, self.enabled, self.completed = total, enabled, completed
        self.description = description or "working"
        self._progress: Any = None
        self._task: Any = None

    def start(self) -> None:
        """Show the bar (nothing when disabled or already shown)."""
        if not self.enabled or self._progress is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
            console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task(
            self.description, total=self.total, completed=self.completed, status=""
        )

    def advance(
        self, status: str | None = None, *, n: int = 1, description: str | None = None
    ) -> None:
        """Move the bar ``n`` steps; ``status`` replaces the text after the bar and
        ``description`` the text before it (e.g. the best value so far)."""
        self.completed += n
        if self._progress is None:
            return
        fields = {"status": status, "description": description}
        # a path continued past λ_max takes steps that were not planned: the total follows
        self._progress.update(
            self._task,
            advance=n,
            total=max(self.total, self.completed),
            **{k: v for k, v in fields.items() if v is not None},
        )

    def close(self) -> None:
        """Take the bar down (it may be started again)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
