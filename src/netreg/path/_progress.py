"""The path's progress bar over λ: netreg's one :class:`~netreg._progress.ProgressBar`."""

from __future__ import annotations

from netreg._progress import ProgressBar


class LambdaProgress(ProgressBar):
    """``with LambdaProgress(total, enabled=...) as bar: bar.advance("λ=… inputs kept=…")``."""

    def __init__(self, total: int, *, enabled: bool = False, description: str = "path"):
        super().__init__(total, description, enabled=enabled)
