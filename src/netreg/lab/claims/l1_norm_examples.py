"""l1-norm-examples: ‖[2, 4]‖₁ = 6 and ‖[−1, −2.5]‖₁ = 3.5, from the penalty objects themselves."""

from __future__ import annotations

import torch

from netreg.lab._figures import COLORS, new_figure
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import L1, ElasticNet

SPEC = ClaimSpec(
    id="l1-norm-examples",
    title="The L1 norm of two example vectors",
    seeds=("000",),
    claim=(
        "The L1 norm of [2, 4] is |4| + |2| = 6; a negative vector such as [−1, −2.5] counts by "
        "absolute value (3.5)."
    ),
    experiment="Evaluate netreg's L1 and ElasticNet penalty objects on both vectors.",
    rule="holds if L1(1) and ElasticNet(1, 0) return 6 and 3.5 to within 1e-12",
)

EXAMPLES = {"[2, 4]": ([2.0, 4.0], 6.0), "[-1, -2.5]": ([-1.0, -2.5], 3.5)}


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Evaluate ``L1(1)`` (and ``ElasticNet(l1=1, l2=0)``) on the seed's two vectors.

    Rule: holds if both penalty objects return the seed's value exactly (|diff| ≤ 1e-12) for
    both vectors, and torch's own 1-norm agrees.
    """
    numbers: dict[str, float] = {}
    rows = []
    worst = 0.0
    for label, (values, stated) in EXAMPLES.items():
        w = torch.tensor(values, dtype=torch.float64)
        l1 = float(L1(1.0).value(w))
        enet = float(ElasticNet(l1=1.0, l2=0.0).value(w))
        reference = float(torch.linalg.vector_norm(w, ord=1))
        worst = max(worst, abs(l1 - stated), abs(enet - stated), abs(reference - stated))
        key = "pos" if stated == 6.0 else "neg"
        numbers |= {f"{key}_stated": stated, f"{key}_L1": l1, f"{key}_ElasticNet": enet}
        rows.append(
            {
                "vector": label,
                "seed says": stated,
                "L1(1).value": l1,
                "ElasticNet(1, 0).value": enet,
            }
        )
    numbers["max_abs_error"] = worst
    holds = worst <= 1e-12
    verdict = "holds" if holds else "does not hold"
    explanation = (
        f"netreg's L1(1) gives {numbers['pos_L1']:g} for [2, 4] and {numbers['neg_L1']:g} for "
        f"[−1, −2.5], exactly the seed's 6 and 3.5: negative entries count by their absolute value."
        if holds
        else f"The penalty objects disagree with the seed by up to {worst:g}."
    )

    fig, ax = new_figure(width=5.0, height=2.6)
    for i, (values, stated) in enumerate(EXAMPLES.values()):
        left = 0.0
        for j, v in enumerate(values):
            ax.barh(i, abs(v), left=left, color=COLORS["l1"], alpha=0.5 + 0.3 * j, edgecolor="k")
            ax.text(left + abs(v) / 2, i, f"|{v:g}|", ha="center", va="center", fontsize=8)
            left += abs(v)
        ax.text(left + 0.1, i, f"= {stated:g}", va="center", fontsize=9)
    ax.set_yticks(range(len(EXAMPLES)), list(EXAMPLES))
    ax.set_xlim(0, 7.5)
    ax.set_xlabel("Σ|wᵢ| (L1 norm)")
    ax.set_title("L1 norm: absolute values added up")
    return SPEC.result(verdict, explanation, numbers, table=rows, figure=fig)
