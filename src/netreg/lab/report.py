"""The lab's page: one verdict card per claim, with its figure, numbers and rule."""

from __future__ import annotations

from collections.abc import Sequence

from netreg.lab.result import ClaimResult
from netreg.report import Report


def build_lab_report(results: Sequence[ClaimResult], *, full: bool = False) -> Report:
    """Every claim on one page ("not run" shows as inconclusive, with the reason)."""
    report = Report(
        "netreg lab: the seed claims, tested",
        subtitle=f"{len(results)} claim(s), {'full' if full else 'quick'} experiments",
    )
    report.add_section("Claims")
    for r in results:
        verdict = "inconclusive" if r.verdict == "not run" else r.verdict
        explanation = r.explanation if not r.rule else f"{r.explanation}\n\nRule: {r.rule}"
        numbers = {k: v for k, v in r.numbers.items() if isinstance(v, (int, float, str, bool))}
        report.add_verdict(r.id, r.title, verdict, explanation, r.figure, numbers)
    return report
