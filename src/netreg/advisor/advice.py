"""The advisor's results: a recommendation with reasons, the validation plan, the check, and text.

Plain dataclasses that ``report/`` and ``cli/`` only read. :meth:`Advice.to_dict` is the JSON
written by ``netreg advise --json FILE``; :meth:`Advice.render_text` is the page a person reads.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from netreg.advisor.diagnostics import Diagnostics

FAMILY_TITLES = {
    "l1": "L1 (lasso)",
    "l2": "L2 (ridge / weight decay)",
    "elasticnet": "Elastic Net",
    "group": "group lasso on inputs",
    "none": "no regularization",
}

QUESTION_TITLES = {
    "prior_knowledge": "1. What do the data say about sparsity and correlation?",
    "validation": "2. How much room for validation is there?",
    "compute": "3. What are the computational requirements?",
}


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars and arrays become Python, non-finite floats become None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else None
    return value


def fmt(x: float | None) -> str:
    """Three significant digits, ``inf`` and ``—`` (None) spelled out."""
    if x is None:
        return "—"
    if not math.isfinite(x):
        return "inf"
    return f"{x:.3g}"


@dataclasses.dataclass
class Recommendation:
    """A regularizer family, where to start λ, and why.

    Attributes
    ----------
    family : {"l1", "l2", "elasticnet", "group", "none"}
    l1_ratio : float or None
        scikit-learn's mixing (1 lasso, 0 ridge); None for ``group`` and ``none``.
    lambda_range : (float, float) or None
        ``(low, high)`` to search, as scikit-learn's ``alpha`` (``C = 1/(n·alpha)`` for logistic
        models) on standardized features; None for ``none``.
    lambda_start : float or None
        The quick screen's own choice inside the range, a place to start.
    reasons : list of str
        Plain sentences, most important first.
    confidence : {"high", "medium", "low"}
    """

    family: str
    l1_ratio: float | None
    lambda_range: tuple[float, float] | None
    lambda_start: float | None
    reasons: list[str]
    confidence: str = "medium"

    @property
    def title(self) -> str:
        """The family in words, e.g. ``"Elastic Net (l1_ratio 0.5)"``."""
        title = FAMILY_TITLES[self.family]
        if self.family == "elasticnet" and self.l1_ratio is not None:
            title += f" (l1_ratio {self.l1_ratio:g})"
        return title


@dataclasses.dataclass
class ValidationPlan:
    """How to tune within the room the data and the budget leave (the seed's second question).

    ``seconds`` estimates one cross-validation per family under this plan (folds × λ values
    × l1_ratios, on all rows) from the timed screen; ``affordable`` is False when even the
    smallest plan exceeds ``budget_seconds``.
    """

    n_effective: int
    folds: int
    n_lambdas: int
    l1_ratios: list[float]
    rule: str
    seconds: dict[str, float]
    check_seconds: float
    budget_seconds: float | None
    affordable: bool
    reasons: list[str]
    compute: list[str]


@dataclasses.dataclass
class FamilyScore:
    """One family's best cross-validated error (mean over folds) and its standard error there."""

    family: str
    best_error: float
    se: float
    best_lambda: float | None
    note: str = ""


@dataclasses.dataclass
class CheckResult:
    """A quick CV comparison of the candidate families on the same folds (the seed's method testing).

    ``agrees`` follows the one-standard-error rule across families: the recommendation agrees
    with the data when its best CV error is at most the winner's best error plus the winner's
    standard error. ``None`` when the recommended family could not be checked. ``within_one_se``
    lists every family that passes the same test: when it holds them all, the data cannot tell
    the families apart and the choice rests on the other reasons.
    """

    metric: str
    folds: int
    rows_used: int
    scores: list[FamilyScore]
    winner: str
    recommended: str
    agrees: bool | None
    within_one_se: list[str]
    rule: str
    notes: list[str]
    seconds: float

    def score(self, family: str) -> FamilyScore | None:
        """The score of ``family``, or None if it was not run."""
        return next((s for s in self.scores if s.family == family), None)


@dataclasses.dataclass
class Advice:
    """Everything ``advise`` found: diagnostics, answers to the seed's three questions, the choice.

    ``answers`` maps ``"prior_knowledge"``, ``"validation"`` and ``"compute"`` to plain sentences.
    """

    diagnostics: Diagnostics
    recommendation: Recommendation
    alternatives: list[Recommendation]
    answers: dict[str, list[str]]
    validation: ValidationPlan
    check: CheckResult | None = None
    notes: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the top-level ``recommendation`` names the ``family`` and its ``reasons``."""
        return {
            "recommendation": plain(self.recommendation),
            "alternatives": plain(self.alternatives),
            "answers": plain(self.answers),
            "validation": plain(self.validation),
            "check": plain(self.check) if self.check is not None else None,
            "diagnostics": plain(self.diagnostics),
            "notes": list(self.notes),
        }

    def render_text(self) -> str:
        """The advice as plain text for a person (no markup; the CLI may style it)."""
        d, r = self.diagnostics, self.recommendation
        lines = [
            f"netreg advise: {d.n} rows × {d.p} features ({d.task})",
            "",
            f"Recommendation: {r.title}   [confidence: {r.confidence}]",
        ]
        if r.lambda_range is not None:
            low, high = r.lambda_range
            start = f"; start near {fmt(r.lambda_start)}" if r.lambda_start is not None else ""
            lines.append(f"  λ range [{fmt(low)}, {fmt(high)}]{start}")
        lines += [f"  - {reason}" for reason in r.reasons]
        if self.alternatives:
            lines += ["", "Alternatives:"]
            lines += [f"  - {alt.title}: {alt.reasons[0]}" for alt in self.alternatives]
        for key, title in QUESTION_TITLES.items():
            lines += ["", title]
            lines += [f"  - {answer}" for answer in self.answers.get(key, [])]
        lines += ["", "Diagnostics", *[f"  {line}" for line in _diagnostic_lines(d)]]
        if self.check is not None:
            lines += ["", *_check_lines(self.check)]
        notes = self.notes + d.notes
        if notes:
            lines += ["", "Notes", *[f"  - {note}" for note in notes]]
        return "\n".join(lines) + "\n"


def _diagnostic_lines(d: Diagnostics) -> list[str]:
    c, s = d.correlation, d.signal
    lines = [
        f"n = {d.n}, p = {d.p}, p/n = {fmt(d.p_over_n)}; effective rows for validation: {d.n_effective}",
        f"zeros: {fmt(100 * d.zero_share)}% of entries; {len(d.mostly_zero)} feature(s) mostly zeros",
        f"correlation: max |r| = {fmt(c.max_abs)}, mean |r| = {fmt(c.mean_abs)}, "
        f"{fmt(100 * c.share_above)}% of {c.n_pairs} pairs above {c.threshold:g}",
    ]
    for cluster in d.clusters[:5]:
        lines.append(
            f"  correlated cluster ({len(cluster)}): {', '.join(cluster[:8])}"
            + (", …" if len(cluster) > 8 else "")
        )
    if len(d.clusters) > 5:
        lines.append(f"  … and {len(d.clusters) - 5} more cluster(s)")
    lines += [
        f"condition number (standardized): {fmt(d.condition_number)}",
        f"feature scales: largest/smallest std = {fmt(d.scale_ratio)}"
        + (" → standardize first" if d.needs_standardization else " (comparable)"),
        f"signal: lasso keeps {len(s.selected)} of {d.features_used} at λ_1se"
        f" ({len(s.relevant)} with their correlated clusters); ridge participation {fmt(s.participation)};"
        f" CV R² {fmt(s.r2)} (SNR {fmt(s.snr)})",
    ]
    if d.blocks:
        lines.append(f"feature groups: {len(d.blocks)} block(s) of ≥ 2 columns")
    if d.class_balance is not None:
        b = d.class_balance
        counts = ", ".join(
            f"{label}: {count}" for label, count in zip(b.classes, b.counts, strict=True)
        )
        lines.append(
            f"classes: {counts}; minority share {fmt(b.minority_share)}"
            + (" → imbalanced" if b.imbalanced else "")
        )
    return lines


def _check_lines(check: CheckResult) -> list[str]:
    lines = [
        f"Check: {check.folds}-fold CV on {check.rows_used} rows, same folds for every family "
        f"({check.metric}, lower is better)",
        f"  {'family':<12}{'best CV ' + check.metric:>18}{'± SE':>12}{'λ at best':>12}",
    ]
    for s in check.scores:
        marks = []
        if s.family == check.recommended:
            marks.append("recommended")
        if s.family == check.winner:
            marks.append("best")
        mark = f"  ← {', '.join(marks)}" if marks else ""
        lines.append(
            f"  {s.family:<12}{fmt(s.best_error):>18}{fmt(s.se):>12}{fmt(s.best_lambda):>12}{mark}"
        )
        if s.note:
            lines.append(f"    ({s.note})")
    verdict = {
        True: "agrees: the data support the recommendation",
        False: "disagrees: another family is clearly better on these data",
        None: "not decided: the recommended family could not be checked",
    }[check.agrees]
    lines.append(f"  Verdict: {verdict} ({check.rule}).")
    if len(check.within_one_se) == len(check.scores) > 1:
        lines.append(
            "  Every family is within one SE of the best: the data cannot tell them apart, so "
            "the choice rests on the other reasons (sparsity, interpretability, cost)."
        )
    lines += [f"  Note: {note}" for note in check.notes]
    return lines
