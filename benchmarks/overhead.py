"""Cost of a training step with regularization, relative to an unregularized step.

Side by side in one run, interleaved rounds, medians (issue 'Core', benchmark):
a naive Python-loop penalty in the loss, netreg's loss mode, netreg's prox mode (L1,
ElasticNet, GroupLasso, MaxNorm), torch's weight_decay, and the floor (an in-place
``p.mul_(1)`` over all parameters after each step).

Two measures per variant: the whole training step relative to an unregularized step
(what a user feels, but a few points of noise on a shared machine), and the work added
after ``opt.step()`` timed alone over many repeats (the prox and projection hooks),
as a multiple of the floor's pass and as a share of the unregularized step. For
``ProxAdamW`` (AdamW with the prox inside its own update, AdamW runs only) there is no
post-step work: its added work is its ``opt.step()`` minus torch's fused AdamW
``opt.step()``, both timed alone on the same gradients (negative: faster). Set
``NETREG_KERNELS=off`` to measure the eager PyTorch path instead of the fused kernels.

    python benchmarks/overhead.py            # both models, ~3 minutes on 2 cores
    python benchmarks/overhead.py --quick    # small model only
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable
from typing import NamedTuple

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


class Variant(NamedTuple):
    step: Callable[[torch.Tensor, torch.Tensor], None]  # a whole training step
    after_step: Callable[[], None]  # the work it adds after ``opt.step()``
    opt_step: Callable[[], None]  # ``opt.step()`` on the gradients it holds
    tensors: Callable[[], list[torch.Tensor]]  # the weights and the optimizer's state


def make_variant(name: str, sizes: tuple[int, ...], opt_name: str) -> Variant:
    """A training step for ``name``, and the work it adds after ``opt.step()`` alone."""
    torch.manual_seed(0)
    model = mlp(sizes)
    wd = 2 * LAM if name == "torch weight_decay" else 0.0
    if opt_name == "sgd":
        opt = torch.optim.SGD(nr.param_groups(model, weight_decay=wd), lr=1e-3, momentum=0.9)
    else:
        cls = nr.optim.ProxAdamW if "ProxAdamW" in name else torch.optim.AdamW
        opt = cls(nr.param_groups(model, weight_decay=wd), lr=1e-4, fused=True)
    params = [p for n, p in model.named_parameters() if n.endswith("weight")]
    all_params = list(model.parameters())
    penalties = {
        "netreg loss (L1)": (nr.L1(LAM), "loss"),
        "netreg prox L1": nr.L1(LAM),
        "netreg prox L1 (step=lr)": nr.L1(LAM),
        "netreg prox L1 (ProxAdamW)": nr.L1(LAM),
        "netreg prox ElasticNet": nr.ElasticNet(LAM, LAM),
        "netreg prox ElasticNet (ProxAdamW)": nr.ElasticNet(LAM, LAM),
        "netreg prox GroupLasso": nr.GroupLasso(LAM),
        "netreg prox GroupLasso (step=lr)": nr.GroupLasso(LAM),
        "netreg prox GroupLasso (ProxAdamW)": nr.GroupLasso(LAM),
        "netreg MaxNorm": nr.MaxNorm(10.0),
    }
    reg = None
    if name in penalties:
        reg = nr.Plan({select.weights(nn.Linear): penalties[name]}).bind(model)
        reg.attach(opt, step="lr" if "step=lr" in name else "auto")
    loss_fn = nn.CrossEntropyLoss()

    def floor() -> None:
        with torch.no_grad():
            for p in all_params:
                p.mul_(1)

    def after_step() -> None:
        if reg is not None and name != "netreg loss (L1)":
            reg._after_step(opt, "lr" if "step=lr" in name else "auto")
        elif name == "floor (p.mul_(1))":
            floor()

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
            floor()

    def opt_step() -> None:
        opt.step()

    def tensors() -> list[torch.Tensor]:
        state = [t for s in opt.state.values() for t in s.values() if isinstance(t, torch.Tensor)]
        return [p.data for p in all_params] + state

    return Variant(step, after_step, opt_step, tensors)


def timed_alone(work: Callable[[], None], repeats: int, variant: Variant) -> float:
    """Seconds per call of ``work``; the weights and optimizer state are restored after.

    Why restore: hundreds of optimizer passes on the same stale gradients drive the model
    far from where training would take it, its gradients and ``exp_avg_sq`` fill with
    denormal floats, and the next rounds' whole steps then ran up to 2x slower at random.
    """
    tensors = variant.tensors()
    saved = [t.clone() for t in tensors]
    t0 = time.perf_counter()
    for _ in range(repeats):
        work()
    elapsed = (time.perf_counter() - t0) / repeats
    with torch.no_grad():
        for t, s in zip(tensors, saved, strict=True):
            t.copy_(s)  # in place: a kernel's views of the storage stay valid
    return elapsed


VARIANTS = [
    "unregularized",
    "naive loop (L1 in loss)",
    "netreg loss (L1)",
    "netreg prox L1",
    "netreg prox L1 (step=lr)",
    "netreg prox L1 (ProxAdamW)",
    "netreg prox ElasticNet",
    "netreg prox ElasticNet (ProxAdamW)",
    "netreg prox GroupLasso",
    "netreg prox GroupLasso (step=lr)",
    "netreg prox GroupLasso (ProxAdamW)",
    "netreg MaxNorm",
    "torch weight_decay",
    "floor (p.mul_(1))",
]


FUSED = [v for v in VARIANTS if "ProxAdamW" in v]  # the prox runs inside opt.step()
POST_STEP = [
    v for v in VARIANTS if ("prox" in v or "MaxNorm" in v or "floor" in v) and v not in FUSED
]
OPT_STEP = ["unregularized", *FUSED]


def variants_for(opt_name: str) -> list[str]:
    return [v for v in VARIANTS if opt_name == "adamw" or v not in FUSED]


def measure(
    sizes: tuple[int, ...], batch: int, opt_name: str, rounds: int, steps: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of whole steps, and of the post-step work alone (the hooks, many repeats)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, sizes[0], generator=g)
    y = torch.randint(0, sizes[-1], (batch,), generator=g)
    names = variants_for(opt_name)
    variants = {v: make_variant(v, sizes, opt_name) for v in names}
    for variant in variants.values():  # warm-up: optimizer state, allocator, kernel compilation
        for _ in range(2):
            variant.step(x, y)
    times: dict[str, list[float]] = {v: [] for v in names}
    hooks: dict[str, list[float]] = {v: [] for v in POST_STEP}
    opt_steps: dict[str, list[float]] = {v: [] for v in OPT_STEP if v in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]  # interleave to cancel drift
        for v in order:
            variant = variants[v]
            t0 = time.perf_counter()
            for _ in range(steps):
                variant.step(x, y)
            times[v].append((time.perf_counter() - t0) / steps)
            if v in hooks:
                hooks[v].append(timed_alone(variant.after_step, 5 * steps, variant))
            if v in opt_steps:  # the optimizer's own pass, again on the same gradients
                opt_steps[v].append(timed_alone(variant.opt_step, 5 * steps, variant))
    hook = {v: statistics.median(t) for v, t in hooks.items()}
    if opt_steps:  # fused: the work added is its optimizer pass minus AdamW's own
        base = statistics.median(opt_steps["unregularized"])
        hook.update({v: statistics.median(opt_steps[v]) - base for v in opt_steps if v in FUSED})
    return {v: statistics.median(t) for v, t in times.items()}, hook


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small model only, fewer rounds")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(2)
    configs = [("784→1024→1024→10, batch 32", (784, 1024, 1024, 10), 32, 30)]
    if not args.quick:
        configs.append(("1024→4096→4096→10, batch 64", (1024, 4096, 4096, 10), 64, 5))
    for label, sizes, batch, steps in configs:
        for opt_name in ("sgd", "adamw"):
            med, hook = measure(sizes, batch, opt_name, 3 if args.quick else args.rounds, steps)
            base, floor = med["unregularized"], hook["floor (p.mul_(1))"]
            print(
                f"\n{label}, {'SGD (momentum)' if opt_name == 'sgd' else 'AdamW (fused)'}: "
                f"unregularized step {base * 1e3:.2f} ms, floor's pass {floor * 1e3:.3f} ms"
            )
            print(f"  {'variant':<36} {'whole step':>10}   {'post-step work alone':>30}")
            for v in variants_for(opt_name)[1:]:
                alone = ""
                if v in hook:
                    alone = (
                        f"{hook[v] * 1e3:8.3f} ms = {hook[v] / floor:4.2f}× floor "
                        f"= {100 * hook[v] / base:+5.1f} %"
                    )
                print(f"  {v:<36} {100 * (med[v] / base - 1):+9.1f} %   {alone}")


if __name__ == "__main__":
    main()
