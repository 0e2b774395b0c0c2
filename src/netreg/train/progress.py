"""The fit's progress bar over epochs, shown only when ``FitConfig.verbose`` is True."""

from __future__ import annotations

from netreg._progress import ProgressBar


class EpochProgress(ProgressBar):
    """netreg's one :class:`~netreg._progress.ProgressBar`, with the latest losses as status."""

    def __init__(self, total: int, *, enabled: bool = False):
        super().__init__(total, "fit", enabled=enabled)

    def start(self, completed: int = 0) -> None:
        """Show the bar from ``completed`` epochs (a resumed fit starts part way)."""
        if self._progress is None:
            self.completed = completed
        super().start()

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        """Epoch ``epoch`` (0-based) is done; ``logs`` are its losses."""
        losses = "  ".join(f"{name}={value:.4g}" for name, value in logs.items())
        self.advance(losses, n=epoch + 1 - self.completed)
