"""weight-decay-adam: under Adam, L2 in the loss is not weight decay (AdamW's point)."""

from __future__ import annotations

import numpy as np
import torch

from netreg.lab import _nets
from netreg.lab._figures import new_figure
from netreg.lab.claims._trajectories import L2_STRENGTH, max_gap, relative_gap, trajectory
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.optim import param_groups

TOLERANCE = 1e-10

SPEC = ClaimSpec(
    id="weight-decay-adam",
    title="L2 regularization is weight decay: under Adam too?",
    seeds=("003",),
    claim=(
        "L2 regularization is weight decay, here put to the test under Adam. The seed proves "
        "the equivalence for SGD; AdamW (Loshchilov & Hutter, 2019) exists because it does not "
        "carry over to Adam."
    ),
    experiment=(
        "Train one MLP from the same weights on the same minibatches with Adam + L2(l2) in the "
        "loss, torch Adam(weight_decay = 2·l2), and AdamW(weight_decay = 2·l2), the decoupled "
        "decay that equals L2 under SGD; compare the parameters after every step."
    ),
    rule=(
        f"holds if max |θ_Adam+L2 − θ_AdamW| over every step ≤ {TOLERANCE:g} "
        "(weight_decay = 2·l2, the value that is exact under SGD)"
    ),
)


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Lockstep trajectories, float64, l2 = 0.01, lr 0.01, minibatches of 32 on diabetes.

    Rule: the claim (L2 in the loss equals weight decay under Adam) holds if Adam + L2(l2)
    and AdamW(weight_decay = 2·l2) stay within 1e-10 of each other at every step; it does
    not hold otherwise. torch's Adam(weight_decay) is reported beside them.
    """
    steps = 300 if not full else 3000
    lr = 0.01
    with _nets.threads(1):
        in_loss = trajectory(
            lambda m: torch.optim.Adam(m.parameters(), lr=lr),
            l2_in_loss=L2_STRENGTH,
            steps=steps,
            seed=seed,
        )
        adam_wd = trajectory(
            lambda m: torch.optim.Adam(param_groups(m, weight_decay=2 * L2_STRENGTH), lr=lr),
            l2_in_loss=0.0,
            steps=steps,
            seed=seed,
        )
        adamw = trajectory(
            lambda m: torch.optim.AdamW(param_groups(m, weight_decay=2 * L2_STRENGTH), lr=lr),
            l2_in_loss=0.0,
            steps=steps,
            seed=seed,
        )
        plain = trajectory(
            lambda m: torch.optim.Adam(m.parameters(), lr=lr),
            l2_in_loss=0.0,
            steps=steps,
            seed=seed,
        )
    gap_decoupled = max_gap(in_loss, adamw)
    gap_coupled = max_gap(in_loss, adam_wd)
    gap_plain = max_gap(in_loss, plain)
    norm = {
        name: np.linalg.norm(t, axis=1)
        for name, t in (
            ("Adam + L2 in loss", in_loss),
            ("AdamW", adamw),
            ("Adam, no penalty", plain),
        )
    }
    worst = float(gap_decoupled.max())
    equivalent = worst <= TOLERANCE
    verdict = "holds" if equivalent else "does not hold"
    explanation = (
        f"Under Adam, L2({L2_STRENGTH:g}) in the loss and decoupled weight decay (AdamW, "
        f"weight_decay = {2 * L2_STRENGTH:g}, the SGD-equivalent value) part ways: the weights differ "
        f"by up to {worst:.3f} after {steps} steps (final weight norms {norm['Adam + L2 in loss'][-1]:.2f} "
        f"vs {norm['AdamW'][-1]:.2f}), because Adam rescales the L2 gradient per coordinate. torch's Adam(weight_decay) "
        f"is the L2 penalty, not decay: it matches L2 in the loss to {gap_coupled.max():.1e}."
    )
    if equivalent:
        explanation = f"Adam + L2 in the loss and AdamW stayed within {worst:.1e} of each other at every step."
    numbers = {
        "steps": steps,
        "lr": lr,
        "l2": L2_STRENGTH,
        "weight_decay": 2 * L2_STRENGTH,
        "max_abs_difference_l2_vs_adamw": worst,
        "relative_difference_l2_vs_adamw_final": relative_gap(in_loss, adamw),
        "max_abs_difference_l2_vs_torch_adam_weight_decay": float(gap_coupled.max()),
        "max_abs_difference_l2_vs_no_penalty": float(gap_plain.max()),
        "final_norm": {k: float(v[-1]) for k, v in norm.items()},
    }
    fig, axes = new_figure(2, width=4.0)
    x = np.arange(1, steps + 1)
    axes[0].plot(x, gap_decoupled, label="Adam + L2 in loss vs AdamW")
    axes[0].plot(x, np.maximum(gap_coupled, 1e-18), label="Adam + L2 in loss vs Adam(weight_decay)")
    axes[0].plot(x, gap_plain, ":", color="gray", label="Adam + L2 vs no penalty")
    axes[0].axhline(TOLERANCE, color="k", lw=0.6, ls="--", label=f"tolerance {TOLERANCE:g}")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("max |θ₁ − θ₂|")
    axes[0].legend(fontsize=6.5)
    axes[0].set_title("Adam: L2 in the loss ≠ decoupled decay", fontsize=9)
    for name, values in norm.items():
        axes[1].plot(x, values, label=name)
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("‖θ‖₂")
    axes[1].legend(fontsize=7)
    axes[1].set_title("parameter norm", fontsize=9)
    return SPEC.result(verdict, explanation, numbers, figure=fig)
