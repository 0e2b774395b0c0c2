"""lr-lambda-confounded: the learning rate, λ and early stopping all bound the weights."""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn

from netreg import select
from netreg.lab import _nets
from netreg.lab._figures import new_figure
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import L2
from netreg.plan import Plan

SPEC = ClaimSpec(
    id="lr-lambda-confounded",
    title="Learning rate and λ are confounded; a lower rate with early stopping regularizes",
    seeds=("003",),
    claim=(
        "Lower learning rates (with early stopping) often produce the same effect [as L2] "
        "because the steps away from 0 aren't as large. Consequently, tweaking learning rate "
        "and lambda simultaneously may have confounding effects."
    ),
    experiment=(
        "A 30→64→1 MLP started near zero, trained by full-batch gradient descent on 100 noisy "
        "rows with early stopping (patience 50) and a budget of 200 epochs, over a grid of "
        "learning rates and L2 strengths; the weight norm where training stopped."
    ),
    rule=(
        "λ = 0: holds if early-stopped runs differ in norm by ≥ 5% (smaller at lower rates); "
        "holds only when the budget cuts training if they agree within 5% but a budget-cut run "
        "is ≥ 5% smaller"
    ),
)

LEARNING_RATES = (0.01, 0.03, 0.1, 0.3)
LAMBDAS = (0.0, 1e-3, 1e-2, 3e-2, 1e-1)
BUDGET, PATIENCE = 200, 50


def _fit(
    lr: float, lam: float, data: tuple[torch.Tensor, ...], budget: int, seed: int
) -> dict[str, float]:
    X, y, X_val, y_val, X_test, y_test = data
    model = _nets.mlp([30, 64, 1], seed=seed)
    with torch.no_grad():  # start near zero, so the norm measures how far training went
        for p in model.parameters():
            p.mul_(0.1)
    reg = Plan({select.weights(nn.Linear): (L2(lam), "loss")}).bind(model) if lam else None
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = _nets.train(
        model,
        X,
        y,
        optimizer,
        epochs=budget,
        reg=reg,
        seed=seed,
        X_val=X_val,
        y_val=y_val,
        patience=PATIENCE,
    )
    return {
        "norm": _nets.weight_norm(model),
        "best_epoch": history.best_epoch,
        "early_stopped": float(history.stopped_early),
        "val_mse": min(history.val_loss),
        "test_mse": _nets.evaluate(model, X_test, y_test)[0],
    }


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Weight norm at the stopping point for every (lr, λ).

    Rule, on the λ = 0 column: the rate "acts like regularization under early stopping" if
    the runs that early stopping ended differ in weight norm by ≥ 5 % (smaller for lower
    rates); "holds only when the budget ends training first" if those runs agree within
    5 % but a run the epoch budget cut short has a ≥ 5 % smaller norm than them;
    "does not hold" otherwise.
    """
    budget = BUDGET if not full else 2 * BUDGET
    data = _nets.sparse_regression(seed, n=400, p=30, k=5, noise=1.0, ends=(100, 250))
    grid: dict[tuple[float, float], dict[str, float]] = {}
    with _nets.threads(1):
        for lr in LEARNING_RATES:
            for lam in LAMBDAS:
                grid[(lr, lam)] = _fit(lr, lam, data, budget, seed)
    free = {lr: grid[(lr, 0.0)] for lr in LEARNING_RATES}
    stopped = [lr for lr in LEARNING_RATES if free[lr]["early_stopped"]]
    cut = [lr for lr in LEARNING_RATES if not free[lr]["early_stopped"]]
    stopped_norms = [free[lr]["norm"] for lr in stopped]
    spread = (max(stopped_norms) / min(stopped_norms) - 1) if len(stopped) >= 2 else 0.0
    increasing = all(a <= b for a, b in itertools.pairwise(stopped_norms))
    reference = float(np.mean(stopped_norms)) if stopped_norms else float("nan")
    cut_shrink = {lr: 1 - free[lr]["norm"] / reference for lr in cut} if stopped else {}
    # Which λ at the largest rate gives the norm the slowest rate reached without a penalty?
    fastest = LEARNING_RATES[-1]
    slow_norm = free[LEARNING_RATES[0]]["norm"]
    equivalent = min(LAMBDAS, key=lambda lam: abs(grid[(fastest, lam)]["norm"] - slow_norm))
    fastest_min = min(grid[(fastest, lam)]["norm"] for lam in LAMBDAS)
    if len(stopped) >= 2 and spread >= 0.05 and increasing:
        verdict = "holds"
    elif cut_shrink and max(cut_shrink.values()) >= 0.05:
        verdict = (
            "holds only when the epoch budget ends training before early stopping does: once "
            "early stopping decides, the learning rate barely changes the weights"
        )
    else:
        verdict = "does not hold"
    explanation = (
        f"Without a penalty, the runs that early stopping ended (lr {', '.join(f'{v:g}' for v in stopped)}) "
        f"stopped at weight norms within {spread:.1%} of each other: gradient descent follows "
        f"nearly the same path at any rate, only faster. Runs cut short by the {budget}-epoch "
        f"budget (lr {', '.join(f'{v:g}' for v in cut) or 'none'}) stopped "
        + (f"up to {max(cut_shrink.values()):.0%} smaller" if cut_shrink else "no smaller")
        + "; "
        + (
            f"the slowest rate without a penalty ended smaller ({slow_norm:.2f}) than the "
            f"strongest λ = {LAMBDAS[-1]:g} made it at lr {fastest:g} ({fastest_min:.2f})"
            if slow_norm < fastest_min
            else f"the slowest rate without a penalty matched lr {fastest:g} with λ ≈ {equivalent:g}"
        )
        + ", so changing both at once confounds their effects."
    )
    numbers = {
        "learning_rates": list(LEARNING_RATES),
        "lambdas": list(LAMBDAS),
        "budget_epochs": budget,
        "norm": [[grid[(lr, lam)]["norm"] for lam in LAMBDAS] for lr in LEARNING_RATES],
        "best_epoch": [[grid[(lr, lam)]["best_epoch"] for lam in LAMBDAS] for lr in LEARNING_RATES],
        "early_stopped": [
            [grid[(lr, lam)]["early_stopped"] for lam in LAMBDAS] for lr in LEARNING_RATES
        ],
        "test_mse": [[grid[(lr, lam)]["test_mse"] for lam in LAMBDAS] for lr in LEARNING_RATES],
        "early_stopped_norm_spread": spread,
        "budget_cut_shrink": {f"{k:g}": v for k, v in cut_shrink.items()},
        "equivalent_lambda_at_fastest_rate": equivalent,
    }

    fig, axes = new_figure(2, width=4.0)
    norms = np.array(numbers["norm"])
    image = axes[0].imshow(norms, cmap="viridis", aspect="auto")
    axes[0].set_xticks(range(len(LAMBDAS)), [f"{v:g}" for v in LAMBDAS], fontsize=7)
    axes[0].set_yticks(range(len(LEARNING_RATES)), [f"{v:g}" for v in LEARNING_RATES], fontsize=7)
    for i, lr in enumerate(LEARNING_RATES):
        for j, lam in enumerate(LAMBDAS):
            mark = "" if grid[(lr, lam)]["early_stopped"] else "*"
            axes[0].text(
                j, i, f"{norms[i, j]:.2f}{mark}", ha="center", va="center", fontsize=6.5, color="w"
            )
    axes[0].set_xlabel("λ (L2 in the loss)")
    axes[0].set_ylabel("learning rate")
    axes[0].set_title("weight norm at stop (* = budget ran out)", fontsize=8.5)
    fig.colorbar(image, ax=axes[0], shrink=0.8)
    for j, lam in enumerate(LAMBDAS):
        axes[1].plot(LEARNING_RATES, norms[:, j], "o-", label=f"λ = {lam:g}")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("learning rate")
    axes[1].set_ylabel("‖W‖ where training stopped")
    axes[1].legend(fontsize=7)
    axes[1].set_title("lower rate ~ larger λ only when cut short", fontsize=8.5)
    return SPEC.result(verdict, explanation, numbers, figure=fig)
