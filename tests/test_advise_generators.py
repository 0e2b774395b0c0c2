"""The advisor on the three textbook situations, over several seeds each.

- sparse, uncorrelated: a few strong effects among independent features → L1;
- groups of strongly correlated relevant features (Zou & Hastie's example 4 shape) → Elastic Net;
- many small dense effects → L2;

and ``check=True`` (cross-validating every family on the same folds) agrees each time.
"""

from __future__ import annotations

import numpy as np
import pytest

from netreg.advisor import Advice, advise
from netreg.data import sparse_signal

SEEDS = (0, 1, 2)


def sparse_uncorrelated(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n = 200, p = 50, 5 effects ±U(1, 2), independent N(0, 1) features, noise σ = 1."""
    df = sparse_signal(n=200, p=50, k=5, noise=1.0, seed=seed)
    return df.drop(columns="y").to_numpy(), df["y"].to_numpy()


def correlated_groups(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """3 groups of 5 features with pairwise r = 0.9, all with β = 1; 25 noise features; σ = 3."""
    rng = np.random.default_rng(seed)
    n, rho = 200, 0.9
    blocks = [
        np.sqrt(rho) * rng.standard_normal((n, 1)) + np.sqrt(1 - rho) * rng.standard_normal((n, 5))
        for _ in range(3)
    ]
    X = np.hstack([*blocks, rng.standard_normal((n, 25))])
    beta = np.r_[np.ones(15), np.zeros(25)]
    return X, X @ beta + 3.0 * rng.standard_normal(n)


def dense_small_effects(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n = 300, p = 50, every β_j ~ N(0, 0.3²), independent features, noise σ = 1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 50))
    return X, X @ rng.normal(0.0, 0.3, 50) + rng.standard_normal(300)


GENERATORS = {
    "sparse": (sparse_uncorrelated, "l1"),
    "groups": (correlated_groups, "elasticnet"),
    "dense": (dense_small_effects, "l2"),
}
CASES = [(name, seed) for name in GENERATORS for seed in SEEDS]


@pytest.fixture(scope="module")
def advices() -> dict[tuple[str, int], Advice]:
    results = {}
    for name, seed in CASES:
        X, y = GENERATORS[name][0](seed)
        results[name, seed] = advise(X, y, check=True, seed=seed)
    return results


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_recommends_the_family_the_generator_calls_for(advices, name, seed) -> None:
    advice = advices[name, seed]
    assert advice.recommendation.family == GENERATORS[name][1], advice.render_text()
    assert advice.recommendation.confidence in {"high", "medium"}


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_check_agrees_with_the_recommendation(advices, name, seed) -> None:
    check = advices[name, seed].check
    assert check is not None and check.agrees is True
    mine = check.score(check.recommended)
    best = check.score(check.winner)
    assert mine is not None and best is not None
    assert mine.best_error <= best.best_error + best.se  # the stated rule, recomputed


@pytest.mark.parametrize("seed", SEEDS)
def test_check_can_disagree_ridge_is_clearly_worse_on_a_sparse_signal(advices, seed) -> None:
    check = advices["sparse", seed].check
    assert check is not None
    assert check.winner == "l1"
    assert "l2" not in check.within_one_se
    assert "none" not in check.within_one_se


@pytest.mark.parametrize("seed", SEEDS)
def test_sparse_screen_finds_the_true_support(advices, seed) -> None:
    df = sparse_signal(n=200, p=50, k=5, noise=1.0, seed=seed)
    selected = set(advices["sparse", seed].diagnostics.signal.selected)
    assert set(df.attrs["informative"]) <= selected
    assert len(selected) <= 15


@pytest.mark.parametrize("seed", SEEDS)
def test_correlated_clusters_are_exactly_the_three_groups(advices, seed) -> None:
    diagnostics = advices["groups", seed].diagnostics
    expected = {frozenset(f"x{5 * g + j}" for j in range(5)) for g in range(3)}
    assert {frozenset(c) for c in diagnostics.clusters} == expected
    assert any(
        "grouping effect" in reason for reason in advices["groups", seed].recommendation.reasons
    )


def test_the_three_signals_are_told_apart_by_both_measures(advices) -> None:
    by = {name: [advices[name, s].diagnostics.signal for s in SEEDS] for name in GENERATORS}
    assert max(s.relevant_fraction for s in by["sparse"]) < min(
        s.relevant_fraction for s in by["dense"]
    )
    assert max(s.participation for s in by["sparse"]) < min(s.participation for s in by["dense"])


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_lambda_range_brackets_the_start_and_the_check_optimum(advices, name, seed) -> None:
    advice = advices[name, seed]
    r = advice.recommendation
    assert r.lambda_range is not None and r.lambda_start is not None
    low, high = r.lambda_range
    assert 0 < low < r.lambda_start <= high
    best = advice.check.score(r.family) if advice.check else None
    assert best is not None and low <= best.best_lambda <= high
