"""l2-vs-dropout: L2 vs dropout on a single-hidden-layer net for digits, across network sizes."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from netreg import select
from netreg.lab import _nets
from netreg.lab._figures import COLORS, new_figure
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import L2
from netreg.plan import Plan

SPEC = ClaimSpec(
    id="l2-vs-dropout",
    title="L2 vs dropout across network sizes",
    seeds=("003",),
    claim=(
        "An analysis of L2-norm and dropout regularization in a single hidden layer neural "
        "network on MNIST, applied with various scales of network complexity: which one works "
        "better depends on the size of the network (dropout for the larger networks)."
    ),
    experiment=(
        "Single-hidden-layer MLPs (16 … 512 units) on 500 digits, Adam, with no penalty, L2 "
        "(λ ∈ {1e-4, 1e-3}) or dropout (p ∈ {0.2, 0.5}), each strength chosen on a validation "
        "set; test cross-entropy and accuracy per size."
    ),
    rule=(
        "a = test loss(L2) − test loss(dropout) per size, mean of the splits; a side wins where "
        "|a| > 0.005 and > 2 SE; holds if L2 wins at 16 units and dropout at 512"
    ),
)

SIZES = (16, 32, 64, 128, 256, 512)
OPTIONS = {"none": (0.0,), "L2": (1e-4, 1e-3), "dropout": (0.2, 0.5)}
MIN_GAP = 0.005  # nats of test cross-entropy: smaller gaps are not worth a choice


def _fit(
    hidden: int, method: str, value: float, data: tuple[torch.Tensor, ...], epochs: int, seed: int
) -> tuple[float, float, float]:
    X, y, X_val, y_val, X_test, y_test = data
    model = _nets.mlp([64, hidden, 10], dropout=value if method == "dropout" else 0.0, seed=seed)
    reg = Plan({select.weights(nn.Linear): L2(value)}).bind(model) if method == "L2" else None
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    _nets.train(model, X, y, optimizer, epochs=epochs, batch_size=100, reg=reg, seed=seed)
    val_loss, _ = _nets.evaluate(model, X_val, y_val)
    test_loss, test_accuracy = _nets.evaluate(model, X_test, y_test)
    return val_loss, test_loss, test_accuracy


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Test cross-entropy per hidden size for none / L2 / dropout (strength chosen on validation).

    Rule, on the advantage a = loss(L2) − loss(dropout) per size (positive: dropout better),
    averaged over 3 data splits (5 with ``full``): at a size one side "wins" when |a| > 0.005
    and |a| > 2 standard errors over the splits, otherwise the two tie. Holds if L2 wins at
    the smallest size and dropout at the largest; "holds only when the network is small" if
    L2 wins at the small end and dropout wins nowhere; "does not hold" otherwise.
    """
    repeats = 3 if not full else 5
    epochs = 50 if not full else 100
    shape = (repeats, len(SIZES))
    loss = {m: np.zeros(shape) for m in OPTIONS}
    accuracy = {m: np.zeros(shape) for m in OPTIONS}
    chosen: dict[str, list[float]] = {m: [] for m in OPTIONS}
    with _nets.threads(1):
        for r in range(repeats):
            data = _nets.shuffled_digits(seed + r, (500, 900))
            for i, hidden in enumerate(SIZES):
                for method, values in OPTIONS.items():
                    fits = [(_fit(hidden, method, v, data, epochs, seed + r), v) for v in values]
                    (_val_loss, test_loss, test_accuracy), value = min(fits, key=lambda f: f[0][0])
                    loss[method][r, i] = test_loss
                    accuracy[method][r, i] = test_accuracy
                    chosen[method].append(value)
    gaps = loss["L2"] - loss["dropout"]  # repeats × sizes
    advantage = gaps.mean(axis=0)
    se = gaps.std(axis=0, ddof=1) / np.sqrt(repeats)
    wins = np.where(
        (np.abs(advantage) > MIN_GAP) & (np.abs(advantage) > 2 * se), np.sign(advantage), 0
    ).astype(int)
    winner = {1: "dropout", -1: "L2", 0: "tie"}
    mean_loss = {m: v.mean(axis=0) for m, v in loss.items()}
    mean_accuracy = {m: v.mean(axis=0) for m, v in accuracy.items()}
    l2_sizes = [h for h, w in zip(SIZES, wins, strict=True) if w < 0]
    dropout_sizes = [h for h, w in zip(SIZES, wins, strict=True) if w > 0]
    if wins[0] < 0 and wins[-1] > 0:
        verdict = "holds"
    elif wins[0] < 0 and not dropout_sizes:
        verdict = (
            f"holds only when the network is small: L2 beats dropout at {', '.join(map(str, l2_sizes))} "
            "hidden units, and from there on the two are within noise"
        )
    else:
        verdict = "does not hold"
    explanation = (
        f"Test cross-entropy, L2 vs dropout (mean of {repeats} splits): "
        + "; ".join(
            f"{h} units {mean_loss['L2'][i]:.3f} vs {mean_loss['dropout'][i]:.3f} ({winner[int(wins[i])]})"
            for i, h in enumerate(SIZES)
        )
        + f". Accuracies differ by at most "
        f"{np.abs(mean_accuracy['L2'] - mean_accuracy['dropout']).max():.1%}."
    )
    numbers = {
        "sizes": list(SIZES),
        "test_loss": mean_loss,
        "test_accuracy": mean_accuracy,
        "dropout_advantage": advantage,
        "dropout_advantage_se": se,
        "winner": [winner[int(w)] for w in wins],
        "chosen_strength": chosen,
        "repeats": repeats,
    }

    fig, axes = new_figure(2, width=4.0)
    colors = {"none": COLORS["none"], "L2": COLORS["l2"], "dropout": COLORS["dropout"]}
    for method in OPTIONS:
        axes[0].plot(SIZES, mean_loss[method], "o-", color=colors[method], label=method)
        axes[1].plot(SIZES, mean_accuracy[method], "o-", color=colors[method], label=method)
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlabel("hidden units")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("test cross-entropy")
    axes[1].set_ylabel("test accuracy")
    return SPEC.result(
        verdict,
        explanation,
        numbers,
        table=[
            {
                "hidden": h,
                **{f"{m} loss": round(float(mean_loss[m][i]), 4) for m in OPTIONS},
                **{f"{m} accuracy": round(float(mean_accuracy[m][i]), 4) for m in OPTIONS},
                "better": winner[int(wins[i])],
            }
            for i, h in enumerate(SIZES)
        ],
        figure=fig,
    )
