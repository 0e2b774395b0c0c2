"""max-norm-dropout: the dropout paper's max-norm constraint ‖w‖₂ ≤ c, with dropout, on the digits."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from netreg import select
from netreg.constraints import MaxNorm
from netreg.lab import _nets
from netreg.lab._figures import COLORS, new_figure
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import L2
from netreg.plan import Plan

SPEC = ClaimSpec(
    id="max-norm-dropout",
    title="Dropout goes with a max-norm constraint ‖w‖₂ ≤ c",
    seeds=("003",),
    claim=(
        "The original dropout paper uses max-norm regularization, and not L2, in addition to "
        "dropout: the network was optimized under the constraint ‖w‖₂ ≤ c, imposed by "
        "projecting w onto the ball of radius c whenever it went out of it."
    ),
    experiment=(
        "A 64→128→128→10 MLP on the digits (SGD, momentum 0.9) with dropout 0.5, dropout + "
        "MaxNorm(3) on the hidden units' incoming weights, and L2 without dropout, at a moderate "
        "and a large learning rate; check the constraint after every step."
    ),
    rule=(
        "constraint ≤ c after every step; 'works' if active (≥ 10% of units on the bound) and within 1 point of the better of dropout "
        "and L2 at the moderate rate; holds if it also beats dropout by ≥ 1 point at the large rate"
    ),
)

C = 1.0
CONFIGS = ("dropout", "dropout + max-norm", "L2")
RATES = (0.05, 0.3)
SLACK = 0.01


def _fit(
    config: str, lr: float, data: tuple[torch.Tensor, ...], epochs: int, seed: int
) -> tuple[float, float, float]:
    X, y, X_test, y_test = data
    dropout = 0.5 if config.startswith("dropout") else 0.0
    model = _nets.mlp([64, 128, 128, 10], dropout=dropout, seed=seed)
    linear = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    hidden = [f"{name}.weight" for name in linear[:-1]]  # incoming weights of hidden units
    reg = None
    if config == "dropout + max-norm":
        reg = Plan({select.name(*hidden): MaxNorm(C)}).bind(model)
    elif config == "L2":
        reg = Plan({select.weights(nn.Linear): L2(1e-4)}).bind(model)
    weights = _nets.linear_weights(model)[:-1]
    largest = [0.0]

    def watch(step: int) -> None:
        norms = (float(w.detach().norm(dim=1).max()) for w in weights)
        largest[0] = max(largest[0], *norms)

    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    _nets.train(
        model, X, y, optimizer, epochs=epochs, batch_size=64, reg=reg, seed=seed, on_step=watch
    )
    norms = torch.cat([w.detach().norm(dim=1) for w in weights])
    at_bound = float((norms >= C * (1 - 1e-3)).double().mean())
    return _nets.evaluate(model, X_test, y_test)[1], largest[0], at_bound


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Test accuracy and the largest hidden-unit norm seen after any step.

    Rule: the constraint must hold after every step (largest norm ≤ c·(1 + 1e-6)).
    At the moderate rate the bound must be active (≥ 10 % of hidden units on it at the
    end) and dropout + max-norm within 1 point of the better of dropout alone and L2
    ("works"). Holds if it also beats dropout alone by ≥ 1 point at the
    large rate (the paper's reason: it lets dropout use large rates); "holds only when the
    learning rate is moderate" if not; "does not hold" if it does not work or the
    constraint is broken.
    """
    epochs = 30 if not full else 80
    data = _nets.shuffled_digits(seed, (1000,))
    accuracy: dict[str, dict[float, float]] = {c: {} for c in CONFIGS}
    largest: dict[str, dict[float, float]] = {c: {} for c in CONFIGS}
    at_bound: dict[str, dict[float, float]] = {c: {} for c in CONFIGS}
    with _nets.threads(1):
        for config in CONFIGS:
            for lr in RATES:
                accuracy[config][lr], largest[config][lr], at_bound[config][lr] = _fit(
                    config, lr, data, epochs, seed
                )
    low, high = RATES
    held = max(largest["dropout + max-norm"].values()) <= C * (1 + 1e-6)
    active = at_bound["dropout + max-norm"][low] >= 0.1
    works = (
        active
        and accuracy["dropout + max-norm"][low]
        >= max(accuracy["dropout"][low], accuracy["L2"][low]) - SLACK
    )
    rescues = accuracy["dropout + max-norm"][high] >= accuracy["dropout"][high] + SLACK
    if held and works and rescues:
        verdict = "holds"
    elif held and works:
        verdict = (
            "holds only when the learning rate is moderate: there max-norm with dropout works as "
            "well as the alternatives, but it did not make a large rate work"
        )
    else:
        verdict = "does not hold"
    mn, do, l2 = accuracy["dropout + max-norm"], accuracy["dropout"], accuracy["L2"]
    explanation = (
        f"The projection kept every hidden unit's norm ≤ {C:g} after every step (largest "
        f"{max(largest['dropout + max-norm'].values()):.3f}; without it up to "
        f"{max(largest['dropout'].values()):.2f}); at lr {low:g} {at_bound['dropout + max-norm'][low]:.0%} of the "
        f"hidden units ended on the bound. At lr {low:g}: dropout + max-norm {mn[low]:.3f}, "
        f"dropout {do[low]:.3f}, L2 {l2[low]:.3f}; at lr {high:g}: {mn[high]:.3f}, {do[high]:.3f}, "
        f"{l2[high]:.3f} (test accuracy)."
    )
    numbers = {
        "c": C,
        "learning_rates": list(RATES),
        "test_accuracy": {c: {f"{lr:g}": v for lr, v in accuracy[c].items()} for c in CONFIGS},
        "largest_hidden_norm": {c: {f"{lr:g}": v for lr, v in largest[c].items()} for c in CONFIGS},
        "constraint_held": held,
        "fraction_at_bound": {f"{lr:g}": v for lr, v in at_bound["dropout + max-norm"].items()},
    }

    fig, axes = new_figure(2, width=4.0)
    x = np.arange(len(RATES))
    colors = [COLORS["dropout"], COLORS["maxnorm"], COLORS["l2"]]
    for k, (config, color) in enumerate(zip(CONFIGS, colors, strict=True)):
        for ax, measured in zip(axes, (accuracy, largest), strict=True):
            heights = [measured[config][lr] for lr in RATES]
            ax.bar(x + (k - 1) * 0.27, heights, 0.27, color=color, label=config)
    for ax in axes:
        ax.set_xticks(x, [f"lr {lr:g}" for lr in RATES])
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize=7)
    axes[1].axhline(C, color="k", ls="--", lw=0.8, label=f"c = {C:g}")
    axes[1].set_ylabel("largest hidden ‖w‖₂ after any step")
    axes[1].set_yscale("log")
    axes[1].legend(fontsize=7)
    return SPEC.result(verdict, explanation, numbers, figure=fig)
