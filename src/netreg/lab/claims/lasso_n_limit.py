"""lasso-n-limit: with p > n the lasso selects at most n variables (n − 1 with an intercept)."""

from __future__ import annotations

from typing import Any

import numpy as np

from netreg.lab._figures import COLORS, new_figure
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec
from netreg.path import linear_path

SPEC = ClaimSpec(
    id="lasso-n-limit",
    title="With p > n the lasso selects at most n variables",
    seeds=("000",),
    claim=(
        "Lasso does not work that well in the 'large p, small n' case, because L1 regularization "
        "can only select n variables at most."
    ),
    experiment=(
        "p = 200, n = 50 linear data (10 true variables); count the nonzero coefficients along "
        "the whole lasso path, solved to a tight tolerance and checked by KKT, and along the "
        "Elastic Net path for contrast."
    ),
    rule="holds if the converged lasso path (KKT violation ≤ 1e-3·λ) never exceeds n nonzeros",
)

N, P, K = 50, 200, 10


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, P))
    beta = np.zeros(P)
    beta[:K] = rng.choice([-1.0, 1.0], K) * rng.uniform(1.0, 2.0, K)
    return X, X @ beta + rng.standard_normal(N)


def _kkt_violation(
    X: np.ndarray, y: np.ndarray, coefs: np.ndarray, intercepts: np.ndarray, lambdas: np.ndarray
) -> float:
    """Largest relative violation of the lasso optimality conditions along the path."""
    worst = 0.0
    for coef, b0, lam in zip(coefs, intercepts, lambdas, strict=True):
        grad = X.T @ (y - X @ coef - b0) / len(y)  # −∂(½MSE)/∂β
        active = coef != 0
        off = np.abs(grad[~active]).max(initial=0.0) - lam
        on = np.abs(grad[active] - lam * np.sign(coef[active])).max(initial=0.0)
        worst = max(worst, max(off, 0.0) / lam, on / lam)
    return worst


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Nonzero counts along 60-λ lasso and Elastic Net (l1_ratio 0.5) paths, 5 data sets.

    Rule: holds if on every data set the converged lasso path (KKT violation ≤ 1e-3 of λ)
    never has more than n nonzero coefficients.
    """
    replications = 5 if not full else 20
    tight, loose = 1e-9, 1e-4
    lasso_max, enet_max, loose_max, violations = [], [], [], []
    curves = {}
    for r in range(replications):
        X, y = _data(seed + r)
        path: dict[str, Any] = {"n_lambdas": 60, "eps": 1e-3, "max_iter": 200_000}
        lasso = linear_path(X, y, l1_ratio=1.0, tol=tight, **path)
        # the count of a dense Elastic Net solution does not need a tight tolerance
        enet = linear_path(X, y, l1_ratio=0.5, tol=1e-6, **path)
        rough = linear_path(X, y, l1_ratio=1.0, tol=loose, **path)
        assert lasso.coefs is not None and lasso.intercepts is not None
        assert lasso.nonzero is not None and enet.nonzero is not None and rough.nonzero is not None
        violations.append(_kkt_violation(X, y, lasso.coefs, lasso.intercepts, lasso.lambdas))
        lasso_max.append(int(lasso.nonzero.max()))
        enet_max.append(int(enet.nonzero.max()))
        loose_max.append(int(rough.nonzero.max()))
        if r == 0:
            curves = {
                "lasso": (lasso.lambdas / lasso.lambdas[0], lasso.nonzero),
                "elastic net (l1_ratio 0.5)": (enet.lambdas / enet.lambdas[0], enet.nonzero),
                f"lasso, loose tolerance {loose:g}": (
                    rough.lambdas / rough.lambdas[0],
                    rough.nonzero,
                ),
            }
    converged = max(violations) <= 1e-3
    holds = converged and max(lasso_max) <= N
    verdict = "holds" if holds else "does not hold"
    explanation = (
        f"On {replications} data sets with n = {N}, p = {P}, the lasso path never had more than "
        f"{max(lasso_max)} nonzero coefficients (the bound is n − 1 = {N - 1} with an intercept), "
        f"while the Elastic Net kept up to {max(enet_max)}. A solver stopped at scikit-learn's "
        f"default tolerance showed up to {max(loose_max)}: an artefact of an unconverged solution."
    )
    if not holds:
        explanation = (
            f"The lasso path reached {max(lasso_max)} nonzero coefficients with n = {N} "
            f"(largest KKT violation {max(violations):.2g} of λ)."
        )
    numbers = {
        "n": N,
        "p": P,
        "replications": replications,
        "lasso_max_nonzero": lasso_max,
        "enet_max_nonzero": enet_max,
        "lasso_loose_tolerance_max_nonzero": loose_max,
        "max_kkt_violation": max(violations),
    }
    fig, ax = new_figure(width=5.0)
    colors = [COLORS["lasso"], COLORS["elasticnet"], "#aec7e8"]
    for (label, (lam, nz)), color in zip(curves.items(), colors, strict=True):
        ax.plot(lam, nz, label=label, color=color, ls=":" if "loose" in label else "-")
    ax.axhline(N, color="k", lw=0.8, ls="--", label=f"n = {N}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ / λ_max")
    ax.set_ylabel("nonzero coefficients")
    ax.set_title(f"p = {P}, n = {N}: lasso saturates at n", fontsize=9)
    ax.legend(fontsize=7)
    return SPEC.result(verdict, explanation, numbers, figure=fig)
