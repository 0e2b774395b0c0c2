"""Cost of a training step with regularization, relative to an unregularized step.

Side by side in one run, interleaved rounds, medians (issue 'Core', benchmark):
a naive Python-loop penalty in the loss, netreg's loss mode, netreg's prox mode (L1,
ElasticNet, GroupLasso, MaxNorm), torch's weight_decay, and the floor (an in-place
``p.mul_(1)`` over all parameters after each step).

    python benchmarks/overhead.py            # both models, ~3 minutes on 2 cores
    python benchmarks/overhead.py --quick    # small model only
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

import netreg as nr
from netreg import select

LAM = 1e-5


def mlp(sizes: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def make_variant(
    name: str, sizes: tuple[int, ...], opt_name: str
) -> Callable[[torch.Tensor, torch.Tensor], None]:
    torch.manual_seed(0)
    model = mlp(sizes)
    wd = 2 * LAM if name == "torch weight_decay" else 0.0
    if opt_name == "sgd":
        opt = torch.optim.SGD(nr.param_groups(model, weight_decay=wd), lr=1e-3, momentum=0.9)
    else:
        opt = torch.optim.AdamW(nr.param_groups(model, weight_decay=wd), lr=1e-4, fused=True)
    params = [p for n, p in model.named_parameters() if n.endswith("weight")]
    all_params = list(model.parameters())
    penalties = {
        "netreg loss (L1)": (nr.L1(LAM), "loss"),
        "netreg prox L1": nr.L1(LAM),
        "netreg prox L1 (step=lr)": nr.L1(LAM),
        "netreg prox ElasticNet": nr.ElasticNet(LAM, LAM),
        "netreg prox GroupLasso": nr.GroupLasso(LAM),
        "netreg MaxNorm": nr.MaxNorm(10.0),
    }
    reg = None
    if name in penalties:
        reg = nr.Plan({select.weights(nn.Linear): penalties[name]}).bind(model)
        reg.attach(opt, step="lr" if "step=lr" in name else "auto")
    loss_fn = nn.CrossEntropyLoss()

    def step(x: torch.Tensor, y: torch.Tensor) -> None:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        if name == "naive loop (L1 in loss)":
            loss = loss + LAM * sum(p.abs().sum() for p in params)
        elif reg is not None:
            loss = loss + reg.penalty()
        loss.backward()
        opt.step()
        if name == "floor (p.mul_(1))":
            with torch.no_grad():
                for p in all_params:
                    p.mul_(1)

    return step


VARIANTS = [
    "unregularized",
    "naive loop (L1 in loss)",
    "netreg loss (L1)",
    "netreg prox L1",
    "netreg prox L1 (step=lr)",
    "netreg prox ElasticNet",
    "netreg prox GroupLasso",
    "netreg MaxNorm",
    "torch weight_decay",
    "floor (p.mul_(1))",
]


def measure(
    sizes: tuple[int, ...], batch: int, opt_name: str, rounds: int, steps: int
) -> dict[str, float]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, sizes[0], generator=g)
    y = torch.randint(0, sizes[-1], (batch,), generator=g)
    steppers = {v: make_variant(v, sizes, opt_name) for v in VARIANTS}
    for s in steppers.values():  # warm-up: optimizer state, allocator
        for _ in range(2):
            s(x, y)
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for r in range(rounds):
        order = VARIANTS if r % 2 == 0 else VARIANTS[::-1]  # interleave to cancel drift
        for v in order:
            t0 = time.perf_counter()
            for _ in range(steps):
                steppers[v](x, y)
            times[v].append((time.perf_counter() - t0) / steps)
    return {v: statistics.median(t) for v, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small model only, fewer rounds")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(2)
    configs = [("784→1024→1024→10, batch 32", (784, 1024, 1024, 10), 32, 10)]
    if not args.quick:
        configs.append(("1024→4096→4096→10, batch 64", (1024, 4096, 4096, 10), 64, 3))
    for label, sizes, batch, steps in configs:
        for opt_name in ("sgd", "adamw"):
            med = measure(sizes, batch, opt_name, 3 if args.quick else args.rounds, steps)
            base = med["unregularized"]
            print(
                f"\n{label}, {'SGD (momentum)' if opt_name == 'sgd' else 'AdamW (fused)'}: "
                f"unregularized step {base * 1e3:.2f} ms"
            )
            for v in VARIANTS[1:]:
                print(f"  {v:<28} {100 * (med[v] / base - 1):+6.1f} %")


if __name__ == "__main__":
    main()
