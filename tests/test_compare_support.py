"""A CompareResult built from made-up numbers, for report tests that need no training (no
tests here)."""

from __future__ import annotations

import numpy as np

from netreg.compare import CompareResult, LayerSparsity, MethodResult
from netreg.path import summarize

HOSTILE = "<script>alert(1)</script>"
COLUMNS = ["x0", "x1", HOSTILE, "cost $\\frac{$", "color"]


def _method(name: str, label: str, search: str, rng: np.random.Generator) -> MethodResult:
    values = np.geomspace(1.0, 1e-3, 6) if search == "alpha" else np.array([0.5, 0.3, 0.1])
    if search == "none":
        values = np.array([0.0])
    errors = 1.0 + rng.random((3, len(values)))
    cv = summarize(values, errors)
    weights = rng.normal(size=120) * (rng.random(120) > 0.4)
    norms = np.abs(rng.normal(size=(len(values), len(COLUMNS))))
    selected = [c for c, keep in zip(COLUMNS, rng.random(len(COLUMNS)) > 0.3, strict=True) if keep]
    return MethodResult(
        name=name,
        label=label,
        search=search,
        strengths={
            "alpha": float(cv.lambda_1se) if search == "alpha" else None,
            "l1_ratio": None,
            "dropout": float(cv.lambda_1se) if search == "dropout" else 0.0,
            "max_norm": 3.0 if search == "dropout" else None,
        },
        cv=cv,
        cv_error=float(cv.mean[cv.index_1se]),
        cv_se=float(cv.se[cv.index_1se]),
        cv_scale=2.0,
        test={"mse": 1.0 + rng.random(), "r2": rng.random()},
        train={"mse": rng.random(), "r2": rng.random()},
        nonzero_weights=int(np.count_nonzero(weights)),
        total_weights=weights.size,
        selected_inputs=selected,
        layers=[LayerSparsity("0.weight", 100, 60), LayerSparsity("2.weight", 20, 20)],
        fit_seconds=1.5,
        epochs=30,
        train_curve=np.linspace(1.0, 0.2, 30),
        val_curve=np.linspace(1.1, 0.4, 30),
        weights=weights,
        input_norms=norms[-1],
        max_unit_norm=1.2,
        path_lambdas=values if search == "alpha" else None,
        path_input_norms=norms if search == "alpha" else None,
    )


def synthetic_result(seed: int = 0) -> CompareResult:
    """Three methods (none, L1, dropout) on five columns, one of them named ``<script>…``."""
    rng = np.random.default_rng(seed)
    methods = [
        _method("none", "None", "none", rng),
        _method("l1", "L1", "alpha", rng),
        _method("dropout", "Dropout", "dropout", rng),
    ]
    return CompareResult(
        task="regression",
        primary_metric="mse",
        methods=methods,
        input_columns=list(COLUMNS),
        encoded_columns=[*COLUMNS[:-1], "color=blue", "color=red"],
        n_train=80,
        n_test=20,
        classes=None,
        settings={
            "folds": 3,
            "rule": "1se",
            "test_size": 0.2,
            "seed": 0,
            "budget": {"name": "quick", "max_norm": 3.0, "dropout_rates": [0.1, 0.3, 0.5]},
            "n_jobs": 1,
            "backend": "auto",
            "methods": [m.name for m in methods],
        },
        data={"source": f"{HOSTILE}.csv", "target": "y", "warnings": [f"column {HOSTILE!r}"]},
        seconds=3.0,
    )
