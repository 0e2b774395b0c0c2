"""l2-proportional: one step from known weights; L2 shrinks by a proportion, L1 by a constant."""

from __future__ import annotations

import numpy as np
import torch

from netreg.lab._figures import COLORS, new_figure, note
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import L1, L2

SPEC = ClaimSpec(
    id="l2-proportional",
    title="L2 decays weights proportionally, L1 by a constant",
    seeds=("003",),
    claim=(
        "L2 regularization is very similar to L1 regularization, but with L2, instead of decaying "
        "each weight by a constant value, each weight is decayed by a small proportion of its "
        "current value."
    ),
    experiment=(
        "Take one SGD step on the penalty alone from known weights, with the penalty in the loss "
        "and as a proximal step, and compare the updates with the weights."
    ),
    rule=(
        "holds if, in loss mode, |Δw|/|w| under L2 and |Δw| under L1 are each the same for "
        "every weight (spread ≤ 1e-12)"
    ),
)

WEIGHTS = [-3.0, -1.0, -0.3, -0.03, 0.03, 0.3, 1.0, 3.0]
LR, STRENGTH = 0.1, 0.5


def _sgd_update(penalty: L1 | L2, w0: torch.Tensor) -> torch.Tensor:
    """Δw of one torch SGD step on ``penalty.value(w)`` alone (no data gradient)."""
    w = torch.nn.Parameter(w0.clone())
    optimizer = torch.optim.SGD([w], lr=LR)
    penalty.value(w).backward()
    optimizer.step()
    return (w.detach() - w0).abs()


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Compare |Δw| with |w| for L1(0.5) and L2(0.5), lr 0.1, in loss and prox mode.

    Rule: holds if in loss mode the L2 update over the weight, |Δw|/|w|, is one number for
    every weight (spread ≤ 1e-12) and the L1 update |Δw| is one number for every weight
    (spread ≤ 1e-12). The prox forms are reported beside it.
    """
    w0 = torch.tensor(WEIGHTS, dtype=torch.float64)
    l1, l2 = L1(STRENGTH), L2(STRENGTH)
    d_l2 = _sgd_update(l2, w0)
    d_l1 = _sgd_update(l1, w0)
    ratio_l2 = (d_l2 / w0.abs()).numpy()
    step_l1 = d_l1.numpy()
    prox_l2 = (l2.prox(w0, LR) - w0).abs().numpy()
    prox_l1 = (l1.prox(w0, LR) - w0).abs().numpy()
    spread_l2 = float(np.ptp(ratio_l2))
    spread_l1 = float(np.ptp(step_l1))
    numbers = {
        "lr": LR,
        "strength": STRENGTH,
        "l2_update_over_weight": float(ratio_l2.mean()),
        "l2_update_over_weight_spread": spread_l2,
        "l2_expected_proportion": 2 * LR * STRENGTH,
        "l1_update": float(step_l1.mean()),
        "l1_update_spread": spread_l1,
        "l1_expected_constant": LR * STRENGTH,
        "l2_prox_proportion": float((prox_l2 / w0.abs().numpy()).mean()),
        "l2_prox_proportion_spread": float(np.ptp(prox_l2 / w0.abs().numpy())),
        "l1_prox_updates": prox_l1.tolist(),
    }
    holds = spread_l2 <= 1e-12 and spread_l1 <= 1e-12
    verdict = "holds" if holds else "does not hold"
    small = [w for w in WEIGHTS if abs(w) < LR * STRENGTH]
    explanation = (
        f"With lr = {LR} and strength {STRENGTH}, the L2 step removes {ratio_l2.mean():.2f} "
        f"(= 2·lr·l2) of every weight whatever its size, while the L1 step removes "
        f"{step_l1.mean():.2f} (= lr·l1) from every weight. As a proximal step L2 divides by "
        f"1 + 2·lr·l2 (again a proportion); the L1 prox subtracts the same constant but stops at "
        f"zero: the {len(small)} weights smaller than {LR * STRENGTH:g} become exactly 0 (in the loss "
        f"they overshoot past zero instead)."
    )
    if not holds:
        explanation = (
            f"The updates are not of the stated form: spread of L2 proportions {spread_l2:.3g}, "
            f"spread of L1 steps {spread_l1:.3g}."
        )

    fig, axes = new_figure(2, width=3.8)
    x = np.asarray(WEIGHTS)
    axes[0].plot(x, d_l2.numpy(), "o-", color=COLORS["l2"], label="L2: |Δw| = 2·lr·l2·|w|")
    axes[0].plot(x, d_l1.numpy(), "s-", color=COLORS["l1"], label="L1: |Δw| = lr·l1")
    axes[0].set_xlabel("weight w before the step")
    axes[0].set_ylabel("|Δw| (penalty in the loss)")
    axes[0].legend(fontsize=7, loc="upper center")
    axes[0].set_title("one SGD step, penalty in the loss", fontsize=9)
    axes[1].plot(x, x, ":", color="k", lw=0.8, label="w (no step)")
    axes[1].plot(x, l2.prox(w0, LR).numpy(), "o-", color=COLORS["l2"], label="L2 prox")
    axes[1].plot(x, l1.prox(w0, LR).numpy(), "s-", color=COLORS["l1"], label="L1 prox")
    axes[1].set_xlabel("weight w before the step")
    axes[1].set_ylabel("w after the proximal step")
    axes[1].legend(fontsize=7, loc="lower right")
    axes[1].set_title("as a proximal step", fontsize=9)
    note(axes[1], "L1 prox: small weights\nland exactly on 0")
    return SPEC.result(
        verdict,
        explanation,
        numbers,
        table=[
            {
                "w": w,
                "L2 |Δw|": float(a),
                "L2 |Δw|/|w|": float(r),
                "L1 |Δw|": float(b),
                "L1 prox |Δw|": float(c),
            }
            for w, a, r, b, c in zip(WEIGHTS, d_l2.numpy(), ratio_l2, step_l1, prox_l1, strict=True)
        ],
        figure=fig,
    )
