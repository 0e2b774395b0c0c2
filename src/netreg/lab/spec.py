"""ClaimSpec: the fixed description of one seed claim (id, title, seed sources, words, rule).

The rule that turns the numbers into a verdict is part of the claim's description, stated
before any experiment runs, so every result of a claim carries the same rule.
"""

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
    rule : str
        How the numbers decide the verdict (copied into every :class:`ClaimResult`).
    """

    id: str
    title: str
    seeds: tuple[str, ...]
    claim: str
    experiment: str
    rule: str = ""

    def result(
        self, verdict: str, explanation: str, numbers: dict[str, Any], **fields: Any
    ) -> ClaimResult:
        """A :class:`ClaimResult` for this claim under its rule; ``fields`` add the rest
        (``table``, ``figure``, or a ``rule`` that replaces the claim's, e.g. when not run)."""
        fields.setdefault("rule", self.rule)
        return ClaimResult(
            self.id,
            self.title,
            list(self.seeds),
            self.claim,
            verdict,
            explanation,
            numbers,
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "seeds": list(self.seeds),
            "claim": self.claim,
            "experiment": self.experiment,
            "rule": self.rule,
        }
