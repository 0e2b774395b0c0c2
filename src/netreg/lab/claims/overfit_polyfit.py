"""overfit-polyfit: a 10th-degree polynomial oscillates on a few points; L2 tames it."""

from __future__ import annotations

from typing import Any

import numpy as np

from netreg.lab._figures import COLORS, new_figure, note
from netreg.lab.result import ClaimResult
from netreg.lab.spec import ClaimSpec

SPEC = ClaimSpec(
    id="overfit-polyfit",
    title="A 10th-degree fit oscillates; regularization tames it",
    seeds=("000",),
    claim=(
        "On a few data points (loans vs cash flow of a bank) a polyfit of the tenth degree "
        "produces a wildly oscillating function where one of the third degree does not; "
        "regularization steers the model towards the more generic mapping."
    ),
    experiment=(
        "Twelve noisy points from a smooth loans → cash-flow curve; fit degree 3, degree 10, "
        "and degree 10 with an L2 penalty chosen by leave-one-out CV; test error on fresh "
        "points and the largest deviation from the true curve between the points."
    ),
    rule=(
        "oscillates: median max |fit − truth| of degree 10 ≥ 3× degree 3; tamed: L2 cuts degree "
        "10's median max deviation and test error ≥ 10×, to within 2× of degree 3; holds if both"
    ),
)

N_POINTS, NOISE, LOW, HIGH = 12, 0.4, 0.5, 5.0
LAMBDAS = np.geomspace(1e2, 1e-9, 60)


def cash_flow(loans: np.ndarray) -> np.ndarray:
    """The smooth truth behind the toy data ($k): diminishing returns on loans."""
    return 0.5 + 1.6 * loans - 0.22 * loans**2


def _features(x: np.ndarray, degree: int) -> np.ndarray:
    """Powers 1…degree of x rescaled to [−1, 1] (well conditioned)."""
    t = (2 * x - (LOW + HIGH)) / (HIGH - LOW)
    return np.column_stack([t**k for k in range(1, degree + 1)])


class _Ridge:
    """Polynomial ridge: ½·mean residual² + ½·λ‖β‖² on standardized powers; LOO-CV for λ."""

    def __init__(self, x: np.ndarray, y: np.ndarray, degree: int):
        F = _features(x, degree)
        self.mean, self.scale, self.degree = F.mean(0), F.std(0), degree
        self.Z = (F - self.mean) / self.scale
        self.y_mean = y.mean()
        self.y = y - self.y_mean

    def coef(self, lam: float) -> np.ndarray:
        n, p = self.Z.shape
        return np.linalg.solve(self.Z.T @ self.Z / n + lam * np.eye(p), self.Z.T @ self.y / n)

    def loo_error(self, lam: float) -> float:
        n, p = self.Z.shape
        hat = self.Z @ np.linalg.solve(self.Z.T @ self.Z + n * lam * np.eye(p), self.Z.T)
        hat += 1.0 / n  # the intercept
        residual = self.y - (hat - 1.0 / n) @ self.y
        return float(np.mean((residual / (1 - np.diag(hat))) ** 2))

    def predict(self, x: np.ndarray, lam: float) -> np.ndarray:
        Z = (_features(x, self.degree) - self.mean) / self.scale
        return self.y_mean + Z @ self.coef(lam)


def _one(rng: np.random.Generator) -> dict[str, Any]:
    x = np.sort(rng.uniform(LOW, HIGH, N_POINTS))
    y = cash_flow(x) + NOISE * rng.standard_normal(N_POINTS)
    grid = np.linspace(x.min(), x.max(), 400)  # between the points: where oscillation shows
    test_x = rng.uniform(x.min(), x.max(), 200)
    fits = {
        "degree 3": np.polynomial.Polynomial.fit(x, y, 3),
        "degree 10": np.polynomial.Polynomial.fit(x, y, 10),
    }
    ridge = _Ridge(x, y, 10)
    loo = [ridge.loo_error(lam) for lam in LAMBDAS]
    lam = float(LAMBDAS[int(np.argmin(loo))])
    curves = {name: f(grid) for name, f in fits.items()}
    curves["degree 10 + L2"] = ridge.predict(grid, lam)
    tests = {name: f(test_x) for name, f in fits.items()}
    tests["degree 10 + L2"] = ridge.predict(test_x, lam)
    truth_grid, truth_test = cash_flow(grid), cash_flow(test_x)
    return {
        "x": x,
        "y": y,
        "grid": grid,
        "curves": curves,
        "lambda": lam,
        "path_error": [
            float(np.mean((ridge.predict(test_x, v) - truth_test) ** 2)) for v in LAMBDAS
        ],
        "loo": loo,
        "max_deviation": {k: float(np.abs(c - truth_grid).max()) for k, c in curves.items()},
        "test_error": {k: float(np.mean((p - truth_test) ** 2)) for k, p in tests.items()},
    }


def run(full: bool = False, seed: int = 0) -> ClaimResult:
    """Medians over 30 toy data sets (200 with ``full``).

    Rule: holds if the degree-10 fit's median largest deviation from the truth is ≥ 3× the
    degree-3 fit's (it oscillates) and the L2 penalty cuts degree 10's median largest
    deviation and median test error at least tenfold, to within 2× of degree 3's (tamed).
    """
    replications = 30 if not full else 200
    rng = np.random.default_rng(seed)
    runs = [_one(rng) for _ in range(replications)]
    names = ["degree 3", "degree 10", "degree 10 + L2"]
    deviation = {n: float(np.median([r["max_deviation"][n] for r in runs])) for n in names}
    error = {n: float(np.median([r["test_error"][n] for r in runs])) for n in names}
    oscillates = deviation["degree 10"] >= 3 * deviation["degree 3"]
    tamed = all(
        d["degree 10 + L2"] * 10 <= d["degree 10"] and d["degree 10 + L2"] <= 2 * d["degree 3"]
        for d in (deviation, error)
    )
    if oscillates and tamed:
        verdict = "holds"
    elif oscillates:
        verdict = (
            "holds only when the fit is unpenalized: degree 10 oscillates, but L2 did not bring it "
            "close to degree 3"
        )
    else:
        verdict = "does not hold"
    explanation = (
        f"Over {replications} sets of {N_POINTS} points, the largest gap between fit and truth was "
        f"{deviation['degree 3']:.2f} for degree 3 and {deviation['degree 10']:.1f} for degree 10 "
        f"(medians, $k); an L2 penalty chosen by leave-one-out CV brought degree 10 back to "
        f"{deviation['degree 10 + L2']:.2f}, with test error {error['degree 10 + L2']:.3f} vs "
        f"{error['degree 3']:.3f} (degree 3) and {error['degree 10']:.1f} (degree 10)."
    )
    numbers = {
        "replications": replications,
        "median_max_deviation": deviation,
        "median_test_error": error,
        "median_lambda": float(np.median([r["lambda"] for r in runs])),
    }

    shown = runs[0]
    fig, axes = new_figure(2, width=4.0)
    ax = axes[0]
    ax.plot(shown["grid"], cash_flow(shown["grid"]), "k:", lw=1, label="truth")
    colors = {
        "degree 3": COLORS["l1"],
        "degree 10": COLORS["dropout"],
        "degree 10 + L2": COLORS["l2"],
    }
    for name, curve in shown["curves"].items():
        ax.plot(shown["grid"], curve, color=colors[name], label=name)
    ax.plot(shown["x"], shown["y"], "ko", ms=4)
    y_range = np.ptp(shown["y"])
    ax.set_ylim(min(shown["y"]) - y_range, max(shown["y"]) + y_range)
    ax.set_xlabel("loans ($k)")
    ax.set_ylabel("cash-flow impact ($k)")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("one data set", fontsize=9)
    axes[1].plot(LAMBDAS, shown["path_error"], color=COLORS["l2"], label="test error")
    axes[1].plot(LAMBDAS, shown["loo"], "--", color="gray", label="leave-one-out error")
    axes[1].axvline(shown["lambda"], color="k", ls=":", lw=0.8)  # type: ignore[arg-type]
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("λ (L2 on the degree-10 coefficients)")
    axes[1].legend(fontsize=7, loc="upper right")
    axes[1].set_title("the L2 path for degree 10", fontsize=9)
    note(axes[1], f"dotted: LOO choice λ = {shown['lambda']:.1e}")
    return SPEC.result(
        verdict,
        explanation,
        numbers,
        table=[
            {
                "fit": n,
                "median max deviation": round(deviation[n], 3),
                "median test error": round(error[n], 4),
            }
            for n in names
        ],
        figure=fig,
    )
