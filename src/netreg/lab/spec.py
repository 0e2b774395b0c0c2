"""ClaimSpec: the fixed description of one seed claim (id, title, seed sources, words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netreg.lab.result import ClaimResult


@dataclass(frozen=True)
class ClaimSpec:
    """One row of the claims table.

    Attributes
    ----------
    id : str
        Stable id, e.g. ``"l1-sparsity"``.
    title : str
        A short title.
    seeds : tuple of str
        The seed texts that make the claim (``"000"`` … ``"003"``).
    claim : str
        The claim in the seed's words.
    experiment : str
        What the experiment does, in one sentence.
    """

    id: str
    title: str
    seeds: tuple[str, ...]
    claim: str
    experiment: str

    def result(self, **fields: Any) -> ClaimResult:
        """A :class:`ClaimResult` for this claim; ``fields`` give the measured parts."""
        return ClaimResult(
            id=self.id, title=self.title, seeds=list(self.seeds), claim=self.claim, **fields
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "seeds": list(self.seeds),
            "claim": self.claim,
            "experiment": self.experiment,
        }
