"""Group lasso + pruning against a dense network at equal test score (issue 'prune', benchmark).

A synthetic regression with 200 inputs of which 20 are informative. Three models, side by
side in one run, all trained the same way (minibatch SGD, then full-batch steps):

- ``dense``: an unregularized MLP 200-128-64-1;
- ``group lasso``: the same MLP trained with ``GroupLasso(groups="inputs")`` on every
  Linear weight (zero columns: unused input features, unused hidden units), λ chosen by
  3-fold CV over a small grid with the one-standard-error rule (the sparsest model whose
  CV score is within one standard error of the best); its zeros are still stored, so it
  is as slow as ``dense``;
- ``pruned``: that model after :func:`netreg.prune`, physically smaller.

Reported: parameters, batch-inference latency (median of interleaved rounds, batch 1024,
CPU, on one thread and on all of torch's threads), test R², and the ratios against
``dense``. Targets: ≥ 3× fewer parameters and ≥ 2× faster inference at a test R² no
more than 1% below the dense model's.

    python benchmarks/prune.py             # about 1.5 minutes on 2 cores
    python benchmarks/prune.py --quick     # smaller grid and fewer epochs
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.model_selection import KFold
from torch import nn

import netreg as nr
from netreg import select
from netreg.pruning import prune

N_FEATURES, N_INFORMATIVE = 200, 20
SIZES = (N_FEATURES, 128, 64, 1)
FULL_BATCH_STEPS = 100


def make_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """y = linear part + pairwise interactions of the 20 informative inputs + noise
    (standardized afterwards with the training set's mean and deviation)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_FEATURES))
    beta = np.random.default_rng(0).uniform(0.5, 1.5, N_INFORMATIVE) * np.resize([1, -1], 20)
    informative = X[:, :N_INFORMATIVE]
    y = informative @ beta + 1.5 * np.tanh(informative[:, 0::2] * informative[:, 1::2]).sum(1)
    y = y + 0.5 * rng.standard_normal(n)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]


def mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    a, b, c, d = SIZES
    return nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c), nn.ReLU(), nn.Linear(c, d))


def fit(
    X: torch.Tensor, y: torch.Tensor, lam: float | None, epochs: int, seed: int = 0
) -> nn.Module:
    """Minibatch SGD, then full-batch steps; with ``lam``, the group lasso's proximal step
    after every step.

    The full-batch steps matter for the zeros: a group stays at zero only while its
    gradient is below the threshold, and a minibatch gradient's noise keeps pushing the
    columns of useless inputs out again.
    """
    model = mlp(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    if lam is not None:
        plan = nr.Plan({select.weights(nn.Linear): nr.GroupLasso(lam, groups="inputs")})
        plan.bind(model).attach(opt)
    gen = torch.Generator().manual_seed(seed)

    def step(idx: torch.Tensor | slice) -> None:
        opt.zero_grad(set_to_none=True)
        nn.functional.mse_loss(model(X[idx]), y[idx]).backward()
        opt.step()

    for _ in range(epochs):
        order = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), 64):
            step(order[i : i + 64])
    for _ in range(FULL_BATCH_STEPS):
        step(slice(None))
    return model.eval()


def r2(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    with torch.inference_mode():
        residual = ((model(X) - y) ** 2).sum()
    return float(1 - residual / ((y - y.mean()) ** 2).sum())


def choose_lambda(
    X: torch.Tensor, y: torch.Tensor, grid: list[float], epochs: int, folds: int
) -> tuple[float, float]:
    """K-fold CV over ``grid``: the best λ, and the largest λ within one standard error
    of the best mean validation R² (the one-standard-error rule)."""
    mean, se = {}, {}
    for lam in grid:
        per_fold = []
        for train, val in KFold(folds, shuffle=True, random_state=0).split(X):
            model = fit(X[train], y[train], lam, epochs)
            per_fold.append(r2(model, X[val], y[val]))
        mean[lam] = float(np.mean(per_fold))
        se[lam] = float(np.std(per_fold, ddof=1) / np.sqrt(folds))
        print(f"  λ={lam:<7g} CV R² = {mean[lam]:.4f} ± {se[lam]:.4f}", flush=True)
    best = max(mean, key=mean.__getitem__)
    one_se = max(lam for lam in grid if mean[lam] >= mean[best] - se[best])
    return best, one_se


def latencies(
    models: dict[str, tuple[nn.Module, torch.Tensor]], rounds: int, reps: int, threads: int
) -> dict[str, float]:
    """Median seconds per batch for each model on ``threads`` threads, interleaved rounds."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    times: dict[str, list[float]] = {name: [] for name in models}
    with torch.inference_mode():
        for model, x in models.values():  # warm up
            for _ in range(3):
                model(x)
        for _ in range(rounds):
            for name, (model, x) in models.items():
                start = time.perf_counter()
                for _ in range(reps):
                    model(x)
                times[name].append((time.perf_counter() - start) / reps)
    torch.set_num_threads(before)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller grid, fewer epochs")
    args = parser.parse_args()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # training: small batches run fastest on one thread
    epochs = 15 if args.quick else 30
    grid = [1e-3, 2e-3] if args.quick else [5e-4, 1e-3, 1.5e-3, 2e-3, 3e-3]
    started = time.perf_counter()

    X, y = make_data(3000, seed=1)
    X_test, y_test = make_data(5000, seed=2)
    mean, std = y.mean(), y.std()
    y, y_test = (y - mean) / std, (y_test - mean) / std
    print(
        f"data: {len(X)} train / {len(X_test)} test, {N_FEATURES} inputs, {N_INFORMATIVE} informative"
    )
    print(f"choosing λ by 3-fold CV over {grid}:")
    best, lam = choose_lambda(X, y, grid, epochs, folds=3)
    print(f"  best mean CV R² at λ={best:g}; one-standard-error rule: λ={lam:g}")
    dense = fit(X, y, None, epochs)
    sparse = fit(X, y, lam, epochs)
    pruned, result = prune(sparse, input_names=[f"x{j}" for j in range(N_FEATURES)])
    kept = result.inputs_kept or []
    informative_kept = sum(j < N_INFORMATIVE for j in kept)

    batch = make_data(1024, seed=3)[0]
    models = {
        "dense": (dense, batch),
        "group lasso": (sparse, batch),
        "pruned": (pruned, result.select_inputs(batch)),
    }
    rounds = 11 if args.quick else 31
    one = latencies(models, rounds=rounds, reps=20, threads=1)
    many = latencies(models, rounds=rounds, reps=20, threads=threads)
    params = {
        "dense": sum(p.numel() for p in dense.parameters()),
        "group lasso": result.params_before,
        "pruned": result.params_after,
    }
    scores = {
        "dense": r2(dense, X_test, y_test),
        "group lasso": r2(sparse, X_test, y_test),
        "pruned": r2(pruned, result.select_inputs(X_test), y_test),
    }

    print(
        f"\nλ = {lam:g}: inputs kept {len(kept)} of {N_FEATURES} ({informative_kept} of the "
        f"{N_INFORMATIVE} informative); hidden units kept {pruned[0].out_features} of "
        f"{SIZES[1]}, {pruned[2].out_features} of {SIZES[2]}"
    )
    print(f"latency: batch 1024, median of {rounds} interleaved rounds\n")
    header = (
        f"{'model':<12} {'params':>8} {'× fewer':>8} {'1 thread':>10} {'× faster':>9} "
        f"{f'{threads} threads':>10} {'× faster':>9} {'test R²':>8}"
    )
    print(header)
    print("-" * len(header))
    for name in models:
        print(
            f"{name:<12} {params[name]:>8,} {params['dense'] / params[name]:>8.1f} "
            f"{one[name] * 1e3:>7.3f} ms {one['dense'] / one[name]:>9.1f} "
            f"{many[name] * 1e3:>7.3f} ms {many['dense'] / many[name]:>9.1f} {scores[name]:>8.4f}"
        )
    param_ratio = params["dense"] / params["pruned"]
    speedup = min(one["dense"] / one["pruned"], many["dense"] / many["pruned"])
    score_ok = scores["pruned"] >= scores["dense"] - 0.01 * abs(scores["dense"])
    print()
    print(f">= 3x fewer parameters: {'yes' if param_ratio >= 3 else 'NO'} ({param_ratio:.1f}x)")
    print(
        f">= 2x faster inference: {'yes' if speedup >= 2 else 'NO'} ({speedup:.1f}x, slower of the two)"
    )
    print(
        f"test R² within 1% of dense or better: {'yes' if score_ok else 'NO'} "
        f"({scores['pruned']:.4f} vs {scores['dense']:.4f})"
    )
    print(f"pruned vs group lasso outputs: max |Δ| = {result.max_abs_diff:.1e}")
    print(f"total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
