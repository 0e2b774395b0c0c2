"""The network path engine, side by side: warm against cold, two directions, and LassoNet.

Run: ``.venv/bin/python benchmarks/path.py`` (a few minutes on 2 cores; ``--seeds 1`` for
a quick look, ``--json out.json`` to keep the numbers).

1. **Warm starts.** A 50-λ path of one MLP with warm starts against 50 cold fits of the
   same MLP on the same grid (target: warm ≤ 0.3× the cold wall time).
2. **Direction.** Dense → sparse (netreg's default) against sparse → dense on the same grid.
3. **Feature selection against LassoNet** (the ``lassonet`` package): diabetes with 10
   added noise features, and ``make_friedman1`` (600 rows) with 20 noise features. At
   k ∈ {3, 5, 8} selected features: test MSE (standardized y), recall of the true
   features ``|S ∩ T| / min(k, |T|)`` and the path's wall time.

Protocol for 3: 75/25 train/test split per seed, features and target standardized with
the training rows. Every method holds out the same 10% of the training rows for
validation: the rows LassoNet's own default split picks (``val_size=0.1``,
``random_state=seed``), passed to it explicitly. (Until this version netreg and the
linear lasso held out 25% while LassoNet, by default, held out 10%: LassoNet trained on
20% more rows than the docstring said.) Along each path, the model for k is the path
point with exactly k selected inputs and the lowest validation loss (when no point has
exactly k, the largest k' < k, shown as k').

Rows:

- ``netreg``: the path model itself. ``mlp(p, (32,))``, group lasso on the input layer,
  SGD (momentum 0.9, lr 0.1) on full batches, ≤ 100 epochs and patience 5 per λ, 50 λ
  plus the continuation to all zeros and the refinement (``refine``, on by default) that
  fills skipped support sizes. The same FitConfig serves both problems.
- ``netreg relaxed``: that point refitted by :func:`netreg.path.relax` (no penalty, the
  dropped inputs held at zero, from the point's weights, early-stopped on the same
  validation rows, same FitConfig), blended with the point as glmnet's relaxed fit
  ``γ·θ_λ + (1 − γ)·θ_refit`` with γ ∈ {0, ¼, ½, ¾, 1} chosen on the same validation
  rows (γ = 1 keeps the path point). Its time column adds the refits to the path.
- ``netreg relaxed (Adam refit)``: the same, the refits trained with Adam (lr 0.01, same
  epochs and patience) instead of the path's SGD: the path chooses the inputs, Adam
  fits the final model (on the nearly linear diabetes data Adam's fits are better).
- ``lassonet``: its path models, its defaults with ``hidden_dims=(32,)`` (no refit).
- ``lassonet sets relaxed``: LassoNet's selected inputs for k refitted by the same
  :func:`~netreg.path.relax` in netreg's network, starting from netreg's densest path
  point (the smallest λ) restricted to those inputs, with ``gamma=0`` (the plain refit:
  that starting point is no path point worth blending with): the two SELECTIONS compared
  like for like. Its time column adds the refits to LassoNet's path.

Times: the mean over splits in the table; the speed ratio is given for the means and for
the medians (the first split of a run also pays one-time costs: imports, allocator).
- ``linear lasso``: coordinate descent, 100 λ, same validation rows.

One torch thread for every method.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split

import netreg as nr
from netreg.path import linear_path, rebuild, regularization_path, relax
from netreg.train import FitConfig, mlp, predict

KS = (3, 5, 8)
METHODS = (
    "netreg",
    "netreg relaxed",
    "netreg relaxed (Adam refit)",
    "lassonet",
    "lassonet sets relaxed",
    "linear lasso",
)
HIDDEN = (32,)
VAL_FRACTION = 0.1  # LassoNet's default `val_size`; every method gets the same rows
CONFIG = FitConfig(
    optimizer="sgd", lr=0.1, momentum=0.9, batch_size=None, max_epochs=100, patience=5
)
# The final model of a chosen support trained with Adam: on the nearly linear diabetes
# data Adam's fits are better than SGD's, but a whole path with it is 4-6x slower.
REFIT_CONFIG = FitConfig(optimizer="adam", lr=0.01, batch_size=None, max_epochs=100, patience=5)


def problem(name: str, seed: int) -> tuple[np.ndarray, ...]:
    """Standardized train/test arrays and the indices of the true features."""
    rng = np.random.default_rng(seed)
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        X = np.hstack([X, rng.normal(size=(len(X), 10))])
        true = np.arange(10)
    else:
        X, y = make_friedman1(n_samples=600, n_features=25, noise=1.0, random_state=seed)
        true = np.arange(5)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=seed)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    return (X_tr - mu) / sd, (X_te - mu) / sd, (y_tr - y_mu) / y_sd, (y_te - y_mu) / y_sd, true


def validation_split(X_tr: np.ndarray, y_tr: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """``X_fit, X_val, y_fit, y_val``: the rows LassoNet holds out by default (10%, seeded)."""
    return tuple(train_test_split(X_tr, y_tr, test_size=VAL_FRACTION, random_state=seed))


def group_plan() -> nr.Plan:
    return nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})


def test_mse(model: torch.nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((predict(model, X, task="regression") - y) ** 2))


# -- 1. warm against cold ------------------------------------------------------------------
def warm_vs_cold(seed: int = 0) -> dict[str, Any]:
    X, _, y, _, _ = problem("friedman", seed)
    model = mlp(X.shape[1], HIDDEN, seed=seed)
    probe = regularization_path(model, X, y, group_plan(), n_lambdas=20, config=CONFIG)
    top = probe.lambda_zero or float(probe.lambdas[0])
    grid = np.geomspace(top, top * 1e-2, 50)
    runs = {}
    for warm in (True, False):
        started, cpu = time.perf_counter(), time.process_time()
        path = regularization_path(
            model, X, y, group_plan(), lambdas=grid, config=CONFIG, warm_start=warm
        )
        runs[warm] = (time.perf_counter() - started, time.process_time() - cpu, path)
    (t_warm, c_warm, warm), (t_cold, c_cold, cold) = runs[True], runs[False]
    return {
        "n_lambdas": len(grid),
        "warm_seconds": t_warm,
        "cold_seconds": t_cold,
        "warm_cpu_seconds": c_warm,
        "cold_cpu_seconds": c_cold,
        "time_ratio": t_warm / t_cold,
        "cpu_ratio": c_warm / c_cold,
        "warm_epochs": int(warm.epochs.sum()),
        "cold_epochs": int(cold.epochs.sum()),
        "warm_mean_val_loss": float(np.mean(warm.val_loss)),
        "cold_mean_val_loss": float(np.mean(cold.val_loss)),
        "warm_nonmonotone": warm.nonmonotone_steps,
        "cold_nonmonotone": cold.nonmonotone_steps,
    }


# -- 2. direction ----------------------------------------------------------------------------
def directions(name: str, seed: int) -> dict[str, Any]:
    """Both fitting orders on one grid (the default path's): best validation loss, k = 5."""
    X_tr, X_te, y_tr, y_te, true = problem(name, seed)
    model = mlp(X_tr.shape[1], HIDDEN, seed=seed)
    dense = regularization_path(
        model, X_tr, y_tr, group_plan(), n_lambdas=50, config=CONFIG, val_fraction=VAL_FRACTION
    )
    out: dict[str, Any] = {}
    for direction in ("dense_to_sparse", "sparse_to_dense"):
        cpu = time.process_time()
        path = regularization_path(
            model,
            X_tr,
            y_tr,
            group_plan(),
            lambdas=dense.lambdas,
            config=CONFIG,
            val_fraction=VAL_FRACTION,
            direction=direction,
        )
        points = netreg_points(model, path, X_te, y_te)
        out[direction] = {
            "cpu_seconds": time.process_time() - cpu,
            "best_val_loss": float(np.nanmin(path.val_loss)),
            "k5": at_k(points, 5, true),
            "nonmonotone": path.nonmonotone_steps,
        }
    return out


# -- 3. against LassoNet -----------------------------------------------------------------
def netreg_points(model: torch.nn.Module, path: Any, X_te: np.ndarray, y_te: np.ndarray) -> list:
    """(k, val loss, test MSE, selected) of the best-validation path point for each k."""
    best: dict[int, tuple[int, float, int, list[int]]] = {}
    for i, selected in enumerate(path.selected_inputs):
        k, val = len(selected), float(path.val_loss[i])
        if k and (k not in best or val < best[k][1]):
            best[k] = (k, val, i, list(selected))
    return [
        (k, val, test_mse(rebuild(model, path, i), X_te, y_te), selected)
        for k, val, i, selected in best.values()
    ]


def lassonet_points(X_tr, y_tr, X_te, y_te, seed: int) -> tuple[float, float, int, list]:
    from lassonet import LassoNetRegressor

    X_fit, X_val, y_fit, y_val = validation_split(X_tr, y_tr, seed)
    estimator = LassoNetRegressor(hidden_dims=HIDDEN, verbose=0, random_state=seed, torch_seed=seed)
    started, cpu = time.perf_counter(), time.process_time()
    # the rows its own default split would hold out (val_size=0.1, random_state=seed)
    history = estimator.path(X_fit, y_fit, X_val=X_val, y_val=y_val, return_state_dicts=True)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    best: dict[int, Any] = {}
    for item in history:
        k = int(item.selected.sum())
        if k and (k not in best or item.val_loss < best[k].val_loss):
            best[k] = item
    points = []
    for k, item in best.items():
        estimator.load(item.state_dict)
        mse = float(np.mean((estimator.predict(X_te).ravel() - y_te) ** 2))
        selected = np.flatnonzero(np.asarray(item.selected)).tolist()
        points.append((k, float(item.val_loss), mse, selected))
    return seconds, cpu_seconds, len(history), points


def linear_points(X_tr, y_tr, X_te, y_te, seed: int) -> tuple[float, float, int, list]:
    """The linear lasso (coordinate descent) with the same validation protocol."""
    X_fit, X_val, y_fit, y_val = validation_split(X_tr, y_tr, seed)
    started, cpu = time.perf_counter(), time.process_time()
    path = linear_path(X_fit, y_fit, n_lambdas=100)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    assert path.coefs is not None and path.intercepts is not None
    best: dict[int, tuple] = {}
    for coef, intercept in zip(path.coefs, path.intercepts, strict=True):
        selected = np.flatnonzero(coef).tolist()
        k, val = len(selected), float(np.mean((X_val @ coef + intercept - y_val) ** 2))
        if k and (k not in best or val < best[k][1]):
            best[k] = (k, val, float(np.mean((X_te @ coef + intercept - y_te) ** 2)), selected)
    return seconds, cpu_seconds, len(path.lambdas), list(best.values())


def at_k(points: list, k: int, true: np.ndarray) -> dict[str, Any]:
    """The chosen point for k (or the largest k' < k): k', test MSE, recall."""
    usable = [p for p in points if p[0] <= k]
    if not usable:
        return {"k": 0, "test_mse": float("nan"), "recall": 0.0}
    k_used = max(p[0] for p in usable)
    point = min((p for p in usable if p[0] == k_used), key=lambda p: p[1])
    recall = len(set(point[3]) & set(true.tolist())) / min(k, len(true))
    return {"k": k_used, "test_mse": point[2], "recall": recall}


def relaxed_points(
    model: torch.nn.Module,
    path: Any,
    starts: list,
    data: tuple,
    X_te,
    y_te,
    gamma=None,
    config: FitConfig = CONFIG,
) -> tuple[float, list]:
    """Supports refitted without the penalty (:func:`netreg.path.relax`), timed.

    ``starts``: ``(path index to start from, selected inputs)`` per support; ``gamma`` as
    in :func:`~netreg.path.relax` (None: chosen on validation); returns the points
    ``(k, relaxed val loss, test MSE, selected)``.
    """
    X_fit, X_val, y_fit, y_val = data
    started, relaxed = time.perf_counter(), []
    for index, selected in starts:
        fitted = relax(
            model,
            path,
            index,
            X_fit,
            y_fit,
            inputs=selected,
            config=config,
            X_val=X_val,
            y_val=y_val,
            gamma=gamma,
        )
        mse = test_mse(fitted.model, X_te, y_te)
        relaxed.append((len(selected), fitted.val_loss, mse, list(selected)))
    return time.perf_counter() - started, relaxed


def selection(name: str, seed: int) -> dict[str, Any]:
    X_tr, X_te, y_tr, y_te, true = problem(name, seed)
    data = X_fit, X_val, y_fit, y_val = validation_split(X_tr, y_tr, seed)
    model = mlp(X_tr.shape[1], HIDDEN, seed=seed)
    started, cpu = time.perf_counter(), time.process_time()
    path = regularization_path(
        model, X_fit, y_fit, group_plan(), n_lambdas=50, config=CONFIG, X_val=X_val, y_val=y_val
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    points = netreg_points(model, path, X_te, y_te)
    # netreg's relaxed model for k: the chosen path point for k, refitted from itself
    own = [(point_index(path, k, val), sel) for k, val, _, sel in used_points(points)]
    relax_seconds, relaxed = relaxed_points(model, path, own, data, X_te, y_te)
    adam_seconds, adam_relaxed = relaxed_points(
        model, path, own, data, X_te, y_te, config=REFIT_CONFIG
    )
    out: dict[str, Any] = {
        "netreg": {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "n_lambdas": len(path.lambdas),
            "nonmonotone": path.nonmonotone_steps,
            "points": points,
        },
        "netreg relaxed": {
            "seconds": seconds + relax_seconds,
            "relax_seconds": relax_seconds,
            "n_lambdas": len(path.lambdas),
            "points": relaxed,
        },
        "netreg relaxed (Adam refit)": {
            "seconds": seconds + adam_seconds,
            "relax_seconds": adam_seconds,
            "n_lambdas": len(path.lambdas),
            "points": adam_relaxed,
        },
    }
    for method, run in (("lassonet", lassonet_points), ("linear lasso", linear_points)):
        seconds, cpu_seconds, n_lambdas, points = run(X_tr, y_tr, X_te, y_te, seed)
        out[method] = {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "n_lambdas": n_lambdas,
            "points": points,
        }
    # LassoNet's supports, refitted by the same relaxed procedure in netreg's network,
    # starting from netreg's densest path point: the two selections compared like for like
    theirs = [(-1, selected) for *_, selected in used_points(out["lassonet"]["points"])]
    relax_seconds, relaxed = relaxed_points(model, path, theirs, data, X_te, y_te, gamma=0)
    out["lassonet sets relaxed"] = {
        "seconds": out["lassonet"]["seconds"] + relax_seconds,
        "relax_seconds": relax_seconds,
        "n_lambdas": out["lassonet"]["n_lambdas"],
        "points": relaxed,
    }
    for row in out.values():
        row.update(
            {
                f"k{k}": at_k(row.pop("points") if k == KS[-1] else row["points"], k, true)
                for k in KS
            }
        )
    return out


def used_points(points: list) -> list:
    """The points :func:`at_k` reads for some k of ``KS`` (the ones worth refitting)."""
    sizes = {max((p[0] for p in points if p[0] <= k), default=0) for k in KS}
    return [p for p in points if p[0] in sizes]


def point_index(path: Any, k: int, val: float) -> int:
    """The index of the path point with ``k`` inputs and validation loss ``val``."""
    return next(
        i
        for i, selected in enumerate(path.selected_inputs)
        if len(selected) == k and float(path.val_loss[i]) == val
    )


# -- report ----------------------------------------------------------------------------------
def mean_of(runs: list[dict], method: str, key: str, field: str | None = None) -> float:
    nan = float("nan")
    values = [r[method].get(key, nan) if field is None else r[method][key][field] for r in runs]
    finite = [v for v in values if np.isfinite(v)]  # a path without a point for k gives nan
    return float(np.mean(finite)) if finite else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="train/test splits per problem")
    parser.add_argument("--json", type=Path, default=None, help="write every number here")
    parser.add_argument("--parts", default="123", help="which parts to run, e.g. 3")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = range(args.seeds)
    results: dict[str, Any] = {}

    if "1" in args.parts:
        warm_cold_table(results)
    if "2" in args.parts:
        direction_table(results, seeds)
    if "3" in args.parts:
        selection_table(results, seeds)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=float))


def warm_cold_table(results: dict[str, Any]) -> None:
    results["warm_vs_cold"] = wc = warm_vs_cold()
    print("## 1. Warm starts: 50-λ path vs 50 cold fits (friedman1 + 20 noise, MLP 32)\n")
    print("| | wall s | CPU s | epochs | mean val loss | non-monotone steps |")
    print("|---|---|---|---|---|---|")
    for kind in ("warm", "cold"):
        print(
            f"| {kind} | {wc[f'{kind}_seconds']:.2f} | {wc[f'{kind}_cpu_seconds']:.2f} | "
            f"{wc[f'{kind}_epochs']} | {wc[f'{kind}_mean_val_loss']:.4f} | "
            f"{wc[f'{kind}_nonmonotone']} |"
        )
    print(f"\nwarm / cold: wall {wc['time_ratio']:.3f}, CPU {wc['cpu_ratio']:.3f}\n")


def direction_table(results: dict[str, Any], seeds: range) -> None:
    print("## 2. Direction (same grid, mean over seeds)\n")
    print("| problem | direction | best val loss | k=5: k', test MSE | CPU s | non-monotone |")
    print("|---|---|---|---|---|---|")
    results["directions"] = {}
    for name in ("diabetes", "friedman"):
        runs = [directions(name, seed) for seed in seeds]
        results["directions"][name] = runs
        for direction in ("dense_to_sparse", "sparse_to_dense"):
            ks = "/".join(str(r[direction]["k5"]["k"]) for r in runs)
            print(
                f"| {name} | {direction} | {mean_of(runs, direction, 'best_val_loss'):.4f} | "
                f"{ks}, {mean_of(runs, direction, 'k5', 'test_mse'):.3f} | "
                f"{mean_of(runs, direction, 'cpu_seconds'):.2f} | "
                f"{[r[direction]['nonmonotone'] for r in runs]} |"
            )


def selection_table(results: dict[str, Any], seeds: range) -> None:
    print("\n## 3. Feature selection against LassoNet (mean over seeds)\n")
    print(
        "| problem | method | path wall s | CPU s | λ values | "
        + " | ".join(f"k={k}: k', test MSE, recall" for k in KS)
        + " |\n|---|---|---|---|---|"
        + "---|" * len(KS)
    )
    results["selection"] = {}
    for name in ("diabetes", "friedman"):
        runs = [selection(name, seed) for seed in seeds]
        results["selection"][name] = runs
        for method in METHODS:
            cells = []
            for k in KS:
                ks = "/".join(str(r[method][f"k{k}"]["k"]) for r in runs)
                cells.append(
                    f"{ks}, {mean_of(runs, method, f'k{k}', 'test_mse'):.3f}, "
                    f"{mean_of(runs, method, f'k{k}', 'recall'):.2f}"
                )
            print(
                f"| {name} | {method} | {mean_of(runs, method, 'seconds'):.2f} | "
                f"{mean_of(runs, method, 'cpu_seconds'):.2f} | "
                f"{mean_of(runs, method, 'n_lambdas'):.0f} | " + " | ".join(cells) + " |"
            )
    print()
    for name, runs in results["selection"].items():
        wall = mean_of(runs, "lassonet", "seconds") / mean_of(runs, "netreg", "seconds")
        medians = float(
            np.median([r["lassonet"]["seconds"] for r in runs])
            / np.median([r["netreg"]["seconds"] for r in runs])
        )
        cpu = mean_of(runs, "lassonet", "cpu_seconds") / mean_of(runs, "netreg", "cpu_seconds")
        nonmono = [r["netreg"]["nonmonotone"] for r in runs]
        print(
            f"{name}: netreg's path is {wall:.1f}× faster than LassoNet's (wall; {medians:.1f}× "
            f"for the medians), {cpu:.1f}× (CPU); "
            f"λ steps where netreg's selected inputs grew with λ: {nonmono} "
            f"of {[r['netreg']['n_lambdas'] - 1 for r in runs]}"
        )
        for method in ("netreg", "netreg relaxed", "netreg relaxed (Adam refit)"):
            cells = [paired_difference(runs, method, "lassonet", k) for k in KS]
            print(f"  {method} − lassonet, test MSE (mean ± SE over splits): " + "; ".join(cells))


def paired_difference(runs: list[dict], method: str, other: str, k: int) -> str:
    """``k=…: mean ± standard error`` of the per-split test-MSE difference, both at k."""
    diffs = [
        r[method][f"k{k}"]["test_mse"] - r[other][f"k{k}"]["test_mse"]
        for r in runs
        if np.isfinite(r[method][f"k{k}"]["test_mse"])
        and np.isfinite(r[other][f"k{k}"]["test_mse"])
    ]
    if len(diffs) < 2:
        return f"k={k}: n/a"
    se = float(np.std(diffs, ddof=1) / np.sqrt(len(diffs)))
    return f"k={k}: {np.mean(diffs):+.3f} ± {se:.3f}"


if __name__ == "__main__":
    main()
