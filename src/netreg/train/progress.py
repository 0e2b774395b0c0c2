"""A rich progress bar over epochs, shown only when ``FitConfig.verbose`` is True."""

from __future__ import annotations

from typing import Any


class EpochProgress:
    """Epoch bar with the latest losses; every method is a no-op when disabled.

    ``rich`` is imported only when the bar is enabled, so silent fits (paths, CV)
    pay nothing for it.
    """

    def __init__(self, total: int, *, enabled: bool = False):
        self.total = total
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def start(self, completed: int = 0) -> None:
        if not self.enabled or self._progress is not None:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]fit"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[losses]}"),
        )
        self._task = self._progress.add_task(
            "fit", total=self.total, completed=completed, losses=""
        )
        self._progress.start()

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        if self._progress is None:
            return
        losses = "  ".join(f"{name}={value:.4g}" for name, value in logs.items())
        self._progress.update(self._task, completed=epoch + 1, losses=losses)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
