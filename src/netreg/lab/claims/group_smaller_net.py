"""group-smaller-net: group lasso on units zeroes whole neurons; removing them gives a smaller net."""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import torch

from netreg import select
from netreg.lab import _nets
from netreg.lab._figures import COLORS, new_figure
from netreg.lab.claims._shrink import n_parameters, shrink, zero_units
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.penalties import GroupLasso
from netreg.plan import Plan

SPEC = ClaimSpec(
    id="group-smaller-net",
    title="Group penalties remove whole neurons: a smaller, simpler network",
    seeds=("003",),
    claim=(
        "Group lasso regularization drives all the weights of some neurons to zero, which "
        "will result in a much smaller and simpler neural network."
    ),
    experiment=(
        "A 64→256→256→10 MLP on the digits with GroupLasso(groups='units') as a proximal step "
        "on the hidden layers (SGD, momentum 0.9); remove the zero units, check the outputs are "
        "unchanged, count parameters and time inference against the full network."
    ),
    rule=(
        "take the λ with fewest parameters among those within 2 accuracy points of no penalty; "
        "holds if it has zero units, identical outputs (≤ 1e-6), fewer parameters and ≥ 1.2× "
        "faster inference"
    ),
)

LAMBDAS = (0.0, 1e-3, 2e-3, 4e-3)
ACCURACY_SLACK = 0.02


def _inference_ms(models: Sequence[torch.nn.Module], X: torch.Tensor, repeats: int) -> list[float]:
    """Median wall time of one forward pass per model, timed in interleaved rounds."""
    times: list[list[float]] = [[] for _ in models]
    with torch.no_grad():
        for m in models:
            m(X)  # warm up
        for _ in range(repeats):
            for k, m in enumerate(models):
                start = time.perf_counter()
                m(X)
                times[k].append(1e3 * (time.perf_counter() - start))
    return [float(np.median(t)) for t in times]


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Train at each λ; shrink; compare outputs (float64), parameters, accuracy, speed.

    Rule: among the λ whose test accuracy is within 2 points of the unregularized net's,
    take the one with the fewest parameters. Holds if it has zero units, its shrunk copy
    gives the same outputs (max |Δ| ≤ 1e-6 in float64) with fewer parameters, and a forward
    pass on 8,000 rows is ≥ 1.2× faster (median of interleaved repeats); "holds only when
    speed is not the point" if smaller and identical but not 1.2× faster.
    """
    epochs = 60 if not full else 150
    X, y, X_test, y_test = _nets.shuffled_digits(seed, (1200,))
    batch = X_test.repeat(-(-8000 // len(X_test)), 1)[:8000]
    rows: list[dict[str, Any]] = []
    nets: dict[float, tuple[torch.nn.Module, torch.nn.Module]] = {}
    with _nets.threads(1):
        for lam in LAMBDAS:
            model = _nets.mlp([64, 256, 256, 10], seed=seed)
            reg = (
                Plan({select.name("0.weight", "2.weight"): GroupLasso(lam, groups="units")}).bind(
                    model
                )
                if lam
                else None
            )
            optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            _nets.train(model, X, y, optimizer, epochs=epochs, batch_size=64, reg=reg, seed=seed)
            small = shrink(model)
            with torch.no_grad():
                gap = float(
                    (
                        copy.deepcopy(model).double()(X_test.double())
                        - copy.deepcopy(small).double()(X_test.double())
                    )
                    .abs()
                    .max()
                )
            nets[lam] = (model, small)
            rows.append(
                {
                    "λ": lam,
                    "zero units (layer 1, 2)": [
                        int(zero_units(cast(torch.nn.Linear, model[i])).sum()) for i in (0, 2)
                    ],
                    "parameters": n_parameters(small),
                    "test accuracy": _nets.evaluate(model, X_test, y_test)[1],
                    "max |Δ output|": gap,
                }
            )
        repeats = 30 if not full else 100
        full_ms, *small_ms = _inference_ms(
            [nets[0.0][0]] + [nets[lam][1] for lam in LAMBDAS[1:]], batch, repeats
        )
    for row, ms in zip(rows[1:], small_ms, strict=True):
        row["inference_ms"] = ms
        row["speedup"] = full_ms / ms
    rows[0]["inference_ms"] = full_ms
    rows[0]["speedup"] = 1.0
    baseline = rows[0]
    usable = [
        r for r in rows[1:] if r["test accuracy"] >= baseline["test accuracy"] - ACCURACY_SLACK
    ]
    best = min(usable, key=lambda r: r["parameters"]) if usable else None
    smaller = (
        best is not None
        and best["parameters"] < baseline["parameters"]
        and best["max |Δ output|"] <= 1e-6
    )
    if smaller and best is not None and best["speedup"] >= 1.2:
        verdict = "holds"
    elif smaller:
        verdict = "holds only when size, not speed, is the point: the smaller net was not measurably faster"
    else:
        verdict = "does not hold"
    if best is not None:
        explanation = (
            f"At λ = {best['λ']:g}, group lasso zeroed {sum(best['zero units (layer 1, 2)'])} of 512 hidden "
            f"units; removing them left {best['parameters']:,} of {baseline['parameters']:,} parameters "
            f"({best['parameters'] / baseline['parameters']:.0%}) with identical outputs (max difference "
            f"{best['max |Δ output|']:.1e}), test accuracy {best['test accuracy']:.3f} vs "
            f"{baseline['test accuracy']:.3f} unregularized, and inference {best['speedup']:.1f}× faster."
        )
    else:
        explanation = "No λ kept the accuracy within 2 points while zeroing units."
    numbers = {
        "lambdas": list(LAMBDAS),
        "zero_units": [r["zero units (layer 1, 2)"] for r in rows],
        "parameters": [r["parameters"] for r in rows],
        "test_accuracy": [r["test accuracy"] for r in rows],
        "max_output_difference": [r["max |Δ output|"] for r in rows],
        "inference_ms": [r["inference_ms"] for r in rows],
        "speedup_timing": [r["speedup"] for r in rows],
        "chosen_lambda": best["λ"] if best is not None else None,
    }

    fig, axes = new_figure(2, width=4.0)
    x = np.arange(len(LAMBDAS))
    axes[0].bar(x, numbers["parameters"], color=COLORS["group"])
    axes[0].set_xticks(x, [f"{v:g}" for v in LAMBDAS], fontsize=7)
    axes[0].set_xlabel("λ (GroupLasso on units)")
    axes[0].set_ylabel("parameters after removing zero units")
    twin = axes[0].twinx()
    twin.plot(x, numbers["test_accuracy"], "ko-", ms=4)
    twin.set_ylabel("test accuracy")
    twin.set_ylim(0.8, 1.0)
    axes[0].set_title("smaller net, same outputs", fontsize=9)
    axes[1].bar(x, numbers["inference_ms"], color=COLORS["group"], alpha=0.7)
    axes[1].set_xticks(x, [f"{v:g}" for v in LAMBDAS], fontsize=7)
    axes[1].set_xlabel("λ")
    axes[1].set_ylabel("forward pass on 8,000 rows (ms, median)")
    axes[1].set_title("inference time", fontsize=9)
    return SPEC.result(verdict, explanation, numbers, table=rows, figure=fig)
