"""ClaimResult: what one lab experiment found, as a plain dataclass.

The numbers, a figure, a verdict computed from the numbers by a stated rule, and a short
explanation in plain words. ``report/`` and ``cli/`` only read it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from netreg._validation import check_config_keys

VERDICTS = ("holds", "does not hold", "not run")
PARTIAL_PREFIX = "holds only when "


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        x = float(value)
        return x if math.isfinite(x) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def check_verdict(verdict: str) -> str:
    """``verdict`` must be one of ``VERDICTS`` or start with ``"holds only when "``."""
    if verdict in VERDICTS or (
        verdict.startswith(PARTIAL_PREFIX) and len(verdict) > len(PARTIAL_PREFIX)
    ):
        return verdict
    raise ValueError(
        "`verdict` must be 'holds', 'does not hold', 'not run' or start with "
        f"'holds only when '. Received: verdict={verdict!r}"
    )


@dataclass
class ClaimResult:
    """The outcome of one lab experiment.

    Attributes
    ----------
    id, title : str
        The claim id (as in the claims table) and a short title.
    seeds : list of str
        Source ids of the seed texts that make the claim, e.g. ``["000", "003"]``.
    claim : str
        The claim in the seed's words.
    verdict : str
        ``"holds"``, ``"does not hold"``, ``"holds only when …"`` or ``"not run"``; computed
        from ``numbers`` by the rule stated in ``rule``.
    explanation : str
        One to three plain sentences with the key numbers.
    numbers : dict
        Every measured number (JSON-ready). Keys ending in ``_seconds`` or ``_ms`` are wall
        clock timings: they vary between runs; every other number is reproducible.
    rule : str
        The rule that turned the numbers into the verdict.
    table : list of dict, optional
        Rows of a table to show beside the figure.
    figure : matplotlib.figure.Figure, optional
        Drawn on an Agg canvas; left out of ``to_dict``.
    seconds : float
        Wall time of the experiment.

    Examples
    --------
    >>> r = ClaimResult("x", "t", ["000"], "c", "holds", "e", {"a": np.float64(1.5)})
    >>> r.to_dict()["numbers"]
    {'a': 1.5}
    """

    id: str
    title: str
    seeds: list[str]
    claim: str
    verdict: str
    explanation: str
    numbers: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    table: list[dict[str, Any]] | None = None
    figure: Figure | None = field(default=None, repr=False, compare=False)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        check_verdict(self.verdict)

    @property
    def status(self) -> str:
        """``"holds"``, ``"partial"`` (holds only when …), ``"does not hold"`` or ``"not run"``."""
        return "partial" if self.verdict.startswith(PARTIAL_PREFIX) else self.verdict

    def reproducible_numbers(self) -> dict[str, Any]:
        """``numbers`` without the wall-clock timings (what two runs must agree on)."""
        return {
            k: v for k, v in self.numbers.items() if not k.endswith(("_seconds", "_ms", "_timing"))
        }

    def figure_png(self, dpi: int = 100) -> bytes:
        """The figure as PNG bytes (empty bytes when there is no figure)."""
        if self.figure is None:
            return b""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field except ``figure``."""
        return {
            f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "figure"
        } | {"status": self.status}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimResult:
        """Rebuild from ``to_dict()`` (without a figure)."""
        names = {f.name for f in fields(cls)} - {"figure"}
        stored = {k: v for k, v in data.items() if k != "status"}  # derived, not a field
        check_config_keys("ClaimResult", stored, names)
        return cls(**stored)
