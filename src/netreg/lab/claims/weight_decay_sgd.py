"""weight-decay-sgd: L2(l2) in the loss and SGD's weight_decay = 2·l2 give the same trajectory."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from netreg.lab import _nets
from netreg.lab._figures import new_figure
from netreg.lab.claims._trajectories import L2_STRENGTH, max_gap, relative_gap, trajectory
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.optim import param_groups

TOLERANCE = 1e-10

SPEC = ClaimSpec(
    id="weight-decay-sgd",
    title="L2 regularization is weight decay under SGD",
    seeds=("003",),
    claim="L2 regularization can be proved equivalent to weight decay in the case of SGD.",
    experiment=(
        "Train one MLP twice from the same weights on the same minibatches with torch SGD: once "
        "with L2(l2) added to the loss, once with weight_decay = 2·l2 and no penalty; compare "
        "the parameters after every step (with and without momentum)."
    ),
    rule=f"holds if max |θ_L2 − θ_wd| over every step ≤ {TOLERANCE:g}, with and without momentum",
)


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Lockstep trajectories, float64, l2 = 0.01, lr 0.05, minibatches of 32 on diabetes.

    Rule: holds if the largest parameter difference over all steps is ≤ 1e-10 both without
    momentum and with momentum 0.9.
    """
    steps = 300 if not full else 3000
    gaps: dict[str, np.ndarray] = {}
    relative: dict[str, float] = {}
    with _nets.threads(1):
        for momentum in (0.0, 0.9):

            def sgd(m: nn.Module, mo: float = momentum) -> torch.optim.Optimizer:
                return torch.optim.SGD(m.parameters(), lr=0.05, momentum=mo)

            def sgd_decay(m: nn.Module, mo: float = momentum) -> torch.optim.Optimizer:
                return torch.optim.SGD(
                    param_groups(m, weight_decay=2 * L2_STRENGTH), lr=0.05, momentum=mo
                )

            in_loss = trajectory(sgd, l2_in_loss=L2_STRENGTH, steps=steps, seed=seed)
            decay = trajectory(sgd_decay, l2_in_loss=0.0, steps=steps, seed=seed)
            plain = trajectory(sgd, l2_in_loss=0.0, steps=steps, seed=seed)
            key = f"momentum_{momentum:g}"
            gaps[key] = max_gap(in_loss, decay)
            gaps[f"{key}_unregularized"] = max_gap(in_loss, plain)
            relative[key] = relative_gap(in_loss, decay)
    worst = max(float(gaps[k].max()) for k in ("momentum_0", "momentum_0.9"))
    effect = min(
        float(gaps[k].max()) for k in ("momentum_0_unregularized", "momentum_0.9_unregularized")
    )
    verdict = "holds" if worst <= TOLERANCE else "does not hold"
    explanation = (
        f"Over {steps} SGD steps the largest difference between L2({L2_STRENGTH:g}) in the loss and "
        f"weight_decay = {2 * L2_STRENGTH:g} was {worst:.1e} (float64 rounding), while dropping "
        f"the penalty moved the weights by up to {effect:.2f}: the two are the same update, "
        f"with and without momentum (torch's weight_decay = 2·l2 for Keras-style L2(l2))."
    )
    if verdict != "holds":
        explanation = (
            f"The trajectories drift apart: largest parameter difference {worst:.3g} "
            f"(tolerance {TOLERANCE:g})."
        )
    numbers = {
        "steps": steps,
        "l2": L2_STRENGTH,
        "weight_decay": 2 * L2_STRENGTH,
        "max_abs_difference": worst,
        "max_abs_difference_momentum_0": float(gaps["momentum_0"].max()),
        "max_abs_difference_momentum_0.9": float(gaps["momentum_0.9"].max()),
        "relative_difference_final": max(relative.values()),
        "penalty_effect_max_abs": effect,
    }
    fig, ax = new_figure(width=5.0)
    x = np.arange(1, steps + 1)
    floor = 1e-18
    ax.plot(
        x, np.maximum(gaps["momentum_0"], floor), label="L2 in loss vs weight_decay, momentum 0"
    )
    ax.plot(x, np.maximum(gaps["momentum_0.9"], floor), label="… momentum 0.9")
    ax.plot(
        x,
        gaps["momentum_0.9_unregularized"],
        ":",
        color="gray",
        label="vs no penalty (scale of the effect)",
    )
    ax.axhline(TOLERANCE, color="k", lw=0.6, ls="--", label=f"tolerance {TOLERANCE:g}")
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("max |θ₁ − θ₂|")
    ax.set_title("SGD: L2 in the loss ≡ weight decay", fontsize=9)
    ax.legend(fontsize=6.5)
    return SPEC.result(verdict, explanation, numbers, figure=fig)
