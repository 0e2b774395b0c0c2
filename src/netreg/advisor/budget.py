"""Room for validation and compute: folds, λ values and l1_ratios that the data and a budget allow.

Costs come from the timed screen (two quick CV paths on the sampled data): the seconds per
λ-fit, scaled to all rows and features (coordinate descent costs ∝ n·p per sweep), times
folds + 1 (the refit) times λ values times l1_ratios. These are linear-model seconds; a network
trains once per λ and fold, so its cost is these counts times one training run.
"""

from __future__ import annotations

from netreg.advisor.advice import ValidationPlan, fmt
from netreg.advisor.diagnostics import Diagnostics

#: scikit-learn's suggested l1_ratio grid for ElasticNetCV.
L1_RATIOS = [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0]
#: (λ values, number of l1_ratios) from the richest plan to the leanest.
PLANS = [(100, 7), (50, 7), (50, 3), (20, 3), (20, 1), (10, 1)]
SMALL_N = 100
LARGE_N = 20_000
#: λ values per family in ``--check``.
CHECK_LAMBDAS = 30


def seconds_per_fit(d: Diagnostics) -> dict[str, float]:
    """Seconds for one λ-fit of each family on all rows and features, from the timed screen."""
    s = d.signal
    fits = s.n_targets * (s.n_folds + 1) * s.n_lambdas
    scale = (d.n / d.rows_used) * (max(d.p - len(d.constant), 1) / d.features_used)
    lasso = s.lasso_seconds / fits * scale
    return {
        "l1": lasso,
        "elasticnet": lasso,
        "l2": lasso,  # coordinate descent costs about the same per λ (the screen used an SVD)
        "group": lasso,  # assumed like the lasso: proximal steps cost one gradient each
        "none": 0.0,
    }


def _folds(d: Diagnostics) -> int:
    if d.n_effective < SMALL_N:
        folds = 10
    elif d.n_effective > LARGE_N:
        folds = 3
    else:
        folds = 5
    if d.class_balance is not None:
        smallest = min(c for c in d.class_balance.counts if c > 0)
        folds = min(folds, max(2, smallest))
    return min(folds, d.n)


def cv_seconds(unit: float, n_targets: int, folds: int, n_lambdas: int, n_ratios: int = 1) -> float:
    """Seconds of one cross-validation: (folds + 1 refit) × λ values × l1_ratios fits."""
    return unit * n_targets * (folds + 1) * n_lambdas * n_ratios


def plan_validation(d: Diagnostics, family: str, budget_seconds: float | None) -> ValidationPlan:
    """Choose folds, λ values and l1_ratios for ``family`` within ``budget_seconds``, with reasons."""
    units = seconds_per_fit(d)
    k = d.signal.n_targets
    folds = _folds(d)
    small = d.n_effective < SMALL_N
    full_ratios = [0.5] if small else L1_RATIOS
    reasons: list[str] = []
    if small:
        reasons.append(
            f"Only {d.n_effective} effective rows: cross-validation errors are noisy. Use "
            f"{folds}-fold CV, the one-standard-error rule, few candidates, and a fixed "
            f"l1_ratio of 0.5 for Elastic Net rather than tuning it."
        )
    elif d.n_effective > LARGE_N:
        reasons.append(
            f"{d.n_effective} effective rows: {folds} folds estimate errors well; spend the "
            f"time on λ values instead of folds."
        )
    else:
        reasons.append(
            f"{d.n_effective} effective rows leave room for {folds}-fold CV over λ"
            + (" and l1_ratio." if family == "elasticnet" else ".")
        )
    if d.class_balance is not None:
        smallest = min(c for c in d.class_balance.counts if c > 0)
        reasons.append(
            f"Use stratified folds: the smallest class has {smallest} rows, about "
            f"{max(1, smallest // folds)} per test fold"
            + (
                "; judge models by log-loss or balanced accuracy, not accuracy."
                if d.class_balance.imbalanced
                else "."
            )
        )
    chosen = None
    for n_lambdas, n_ratios in PLANS:
        ratios = full_ratios if family == "elasticnet" else [1.0]
        if family == "elasticnet" and n_ratios < len(ratios):
            ratios = [0.5] if n_ratios == 1 else [0.2, 0.5, 0.8]
        cost = cv_seconds(units[family], k, folds, n_lambdas, len(ratios))
        if budget_seconds is None or cost <= budget_seconds:
            chosen = (n_lambdas, ratios)
            break
    affordable = chosen is not None
    if chosen is None:
        folds = min(folds, 3)
        chosen = (10, [0.5] if family == "elasticnet" else [1.0])
    n_lambdas, ratios = chosen
    l1_ratios = ratios if family == "elasticnet" else []
    seconds = {
        fam: cv_seconds(units[fam], k, folds, n_lambdas, len(ratios) if fam == "elasticnet" else 1)
        for fam in ("l1", "l2", "elasticnet", "group", "none")
    }
    check_seconds = sum(
        cv_seconds(units[fam], k, 5, CHECK_LAMBDAS) for fam in ("l1", "l2", "elasticnet")
    )
    reasons += _budget_reasons(
        family,
        budget_seconds,
        affordable,
        seconds[family],
        folds,
        n_lambdas,
        l1_ratios,
        check_seconds,
        d,
    )
    rule = "1se" if small or family in ("l1", "elasticnet", "group") else "min"
    return ValidationPlan(
        n_effective=d.n_effective,
        folds=folds,
        n_lambdas=n_lambdas,
        l1_ratios=l1_ratios,
        rule=rule,
        seconds=seconds,
        check_seconds=check_seconds,
        budget_seconds=budget_seconds,
        affordable=affordable,
        reasons=reasons,
        compute=_compute_notes(d, family, units, k, folds, n_lambdas, budget_seconds),
    )


def _budget_reasons(
    family: str,
    budget: float | None,
    affordable: bool,
    seconds: float,
    folds: int,
    n_lambdas: int,
    l1_ratios: list[float],
    check_seconds: float,
    d: Diagnostics,
) -> list[str]:
    grid = f"{folds} folds × {n_lambdas} λ" + (
        f" × {len(l1_ratios)} l1_ratio(s)" if l1_ratios else ""
    )
    if budget is None:
        lines = [f"Plan: {grid}, about {fmt(seconds)} s for a linear model (no --budget given)."]
    elif affordable:
        lines = [
            f"Within the {fmt(budget)} s budget: {grid}, about {fmt(seconds)} s for a linear model."
        ]
    else:
        lines = [
            f"No room for validation within {fmt(budget)} s: even {grid} takes about "
            f"{fmt(seconds)} s. Train once at the starting λ from the screen, or subsample rows."
        ]
    if d.task == "classification":
        lines.append(
            "Method testing (--check) fits logistic models, far slower than coordinate descent: "
            "expect seconds to minutes; worth it before a large training run."
        )
    elif budget is not None and check_seconds > budget:
        lines.append(f"--check would take about {fmt(check_seconds)} s, more than the budget.")
    else:
        lines.append(
            f"Method testing (--check: L1, L2 and Elastic Net on the same folds) takes about "
            f"{fmt(check_seconds)} s here; worth it before a large training run."
        )
    return lines


def _compute_notes(
    d: Diagnostics,
    family: str,
    units: dict[str, float],
    k: int,
    folds: int,
    n_lambdas: int,
    budget: float | None,
) -> list[str]:
    lasso = cv_seconds(units["l1"], k, folds, n_lambdas)
    ridge = cv_seconds(units["l2"], k, folds, n_lambdas)
    enet = cv_seconds(units["elasticnet"], k, folds, n_lambdas, len(L1_RATIOS))
    notes = [
        f"Elastic Net tunes two hyperparameters (λ and l1_ratio): over {len(L1_RATIOS)} l1_ratios "
        f"it costs about {len(L1_RATIOS)}× the lasso ({fmt(enet)} s against {fmt(lasso)} s for "
        f"L1 and {fmt(ridge)} s for L2 here).",
        f"Times are for a linear model on all {d.n} rows; a network trains once per λ and fold, "
        f"so multiply {folds} folds × {n_lambdas} λ by one training run.",
    ]
    if family == "elasticnet" and budget is not None and enet > budget:
        notes.append(
            "With this budget, fix l1_ratio (0.5) so Elastic Net costs no more than the lasso, "
            "or use prior knowledge to choose between L1 and L2."
        )
    return notes
