"""What a comparison found: one :class:`MethodResult` per method inside a :class:`CompareResult`.

Both are plain dataclasses that the report and the command line only read.
:meth:`CompareResult.to_dict` is the JSON document ``netreg compare --json`` writes; its
schema (``"schema": "netreg.compare"``, ``"version": 1``) is documented in ``docs/cli.md``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from netreg.compare.metrics import SECONDARY
from netreg.path import CVResult

SCHEMA = "netreg.compare"
SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True)
class LayerSparsity:
    """Exact zeros of one weight matrix: ``nonzero`` of ``numel`` entries are not 0."""

    layer: str
    numel: int
    nonzero: int

    @property
    def nonzero_fraction(self) -> float:
        """``nonzero / numel`` (1 for an empty layer)."""
        return self.nonzero / self.numel if self.numel else 1.0


@dataclasses.dataclass(eq=False)
class MethodResult:
    """One method, tuned by cross-validation on the training split, scored on the test split.

    Attributes
    ----------
    name, label : str
        The method's id and display name (see :data:`netreg.compare.METHODS`).
    search : {"alpha", "dropout", "none"}
        What cross-validation chose.
    strengths : dict
        The chosen settings: ``alpha`` (penalty strength, scikit-learn's meaning), ``dropout``
        (rate), ``max_norm`` (``c``), ``l1_ratio``; None where they do not apply.
    cv : CVResult
        The CV curve: ``lambdas`` are the α grid, or the dropout rates for dropout methods, or
        a single 0 for ``none``; fold errors in the estimators' loss (½·MSE or log-loss).
    cv_error, cv_se : float
        Mean CV error and its standard error at the choice, in primary-metric units: the
        "spread over folds".
    cv_scale : float
        Factor from ``cv.mean`` / ``cv.se`` to primary-metric units (2·σ_y² for regression,
        where the folds are scored by ½·MSE of the standardized target; 1 for log-loss).
    test, train : dict of str to float
        Every metric of the task on the test split and on the training split.
    nonzero_weights, total_weights : int
        Entries of the weight matrices (biases excluded) that are not exactly zero, and all.
    selected_inputs : list of str
        Input columns (as in the data, before one-hot encoding) with at least one nonzero
        weight leaving them into the first layer.
    layers : list of LayerSparsity
        Per weight matrix, in forward order.
    fit_seconds : float
        Wall time of cross-validation plus the final fit.
    epochs : int
        Epochs of the final fit.
    train_curve, val_curve : numpy.ndarray
        Losses per epoch of the final fit (validation: the early-stopping split).
    weights : numpy.ndarray
        All weight-matrix entries of the final network, flattened (for histograms).
    max_unit_norm : float
        The largest norm of a hidden unit's incoming weights in the final network (what
        max-norm bounds by ``c``).
    input_norms : numpy.ndarray
        Per input column (pooled over its one-hot columns), the Euclidean norm of the final
        network's first-layer weights leaving it; zero exactly when the column is unused.
    path_lambdas : numpy.ndarray or None
        The α of each point of the path on all training rows (α-search methods).
    path_input_norms : numpy.ndarray or None
        ``(n_alphas, n_inputs)``: the Euclidean norm of each input column's first-layer weights
        (all its one-hot columns together) at each α of the path.
    """

    name: str
    label: str
    search: str
    strengths: dict[str, float | None]
    cv: CVResult
    cv_error: float
    cv_se: float
    cv_scale: float
    test: dict[str, float]
    train: dict[str, float]
    nonzero_weights: int
    total_weights: int
    selected_inputs: list[str]
    layers: list[LayerSparsity]
    fit_seconds: float
    epochs: int
    train_curve: np.ndarray
    val_curve: np.ndarray
    weights: np.ndarray = dataclasses.field(repr=False)
    input_norms: np.ndarray = dataclasses.field(repr=False)
    max_unit_norm: float = 0.0
    path_lambdas: np.ndarray | None = dataclasses.field(default=None, repr=False)
    path_input_norms: np.ndarray | None = dataclasses.field(default=None, repr=False)

    def strength_text(self) -> str:
        """The chosen strength(s) in a few characters: ``α=0.012``, ``p=0.2, c=3``, ``—``."""
        parts = []
        symbols = {"alpha": "α", "l1_ratio": "l1_ratio", "dropout": "p", "max_norm": "c"}
        for key, symbol in symbols.items():
            value = self.strengths.get(key)
            if value is not None and not (key == "dropout" and value == 0.0):
                parts.append(f"{symbol}={value:.3g}")
        return ", ".join(parts) or "—"


@dataclasses.dataclass(eq=False)
class CompareResult:
    """Every method of a comparison on one table, and how the comparison was run.

    Attributes
    ----------
    task : {"regression", "classification"}
    primary_metric : str
        ``"mse"`` or ``"log_loss"``: the test metric of the summary (lower is better).
    methods : list of MethodResult
    input_columns : list of str
        The feature columns given (before encoding).
    encoded_columns : list of str
        The network's inputs after one-hot encoding.
    n_train, n_test : int
    classes : list or None
        Class labels for classification (``classes[k]`` is class index ``k``).
    settings : dict
        folds, rule, test_size, seed, budget (a dict), n_jobs, backend.
    data : dict
        Where the data came from (``source``, ``target``, ``dropped_constant``, ``warnings``).
    seconds : float
        Wall time of the whole comparison.
    """

    task: str
    primary_metric: str
    methods: list[MethodResult]
    input_columns: list[str]
    encoded_columns: list[str]
    n_train: int
    n_test: int
    classes: list[Any] | None
    settings: dict[str, Any]
    data: dict[str, Any]
    seconds: float

    @property
    def secondary_metric(self) -> str:
        """``"r2"`` or ``"accuracy"``."""
        return SECONDARY[self.task]

    @property
    def best(self) -> MethodResult:
        """The method with the lowest test primary metric (the first on ties)."""
        return min(self.methods, key=lambda m: _sort_key(m.test[self.primary_metric]))

    def method(self, name: str) -> MethodResult:
        """The result of the method called ``name``."""
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(
            f"No method {name!r} in this comparison; it has {[m.name for m in self.methods]}."
        )

    def summary_columns(self) -> list[str]:
        """Column names of :meth:`summary_rows`."""
        primary, secondary = (
            metric_label(self.primary_metric),
            metric_label(self.secondary_metric),
        )
        return [
            "method",
            "chosen strength",
            f"test {primary}",
            f"CV {primary} ± SE",
            f"test {secondary}",
            "nonzero weights",
            "selected inputs",
            "train–test gap",
            "fit time (s)",
        ]

    def summary_rows(self) -> list[list[Any]]:
        """One row per method: the summary table of the command line and the report."""
        n_inputs = len(self.input_columns)
        rows = []
        for m in self.methods:
            rows.append(
                [
                    m.label,
                    m.strength_text(),
                    m.test[self.primary_metric],
                    f"{m.cv_error:.4g} ± {m.cv_se:.2g}",
                    m.test[self.secondary_metric],
                    f"{m.nonzero_weights} / {m.total_weights}",
                    f"{len(m.selected_inputs)} / {n_inputs}",
                    m.test[self.primary_metric] - m.train[self.primary_metric],
                    round(m.fit_seconds, 1),
                ]
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``netreg compare --json`` (strict JSON: NaN becomes null)."""
        pm = self.primary_metric
        methods = []
        for m in self.methods:
            index = m.cv.index_1se if self.settings.get("rule", "1se") == "1se" else m.cv.index_min
            methods.append(
                {
                    "name": m.name,
                    "label": m.label,
                    "search": m.search,
                    "strengths": dict(m.strengths),
                    "test_metric": m.test[pm],
                    "test": dict(m.test),
                    "train": dict(m.train),
                    "train_test_gap": m.test[pm] - m.train[pm],
                    "cv": {
                        "parameter": _cv_parameter(m.search),
                        "values": m.cv.lambdas,
                        "metric": pm,
                        "mean": np.asarray(m.cv.mean) * m.cv_scale,
                        "se": np.asarray(m.cv.se) * m.cv_scale,
                        "value_min": m.cv.lambda_min,
                        "value_1se": m.cv.lambda_1se,
                        "chosen_index": index,
                        "error_at_choice": m.cv_error,
                        "se_at_choice": m.cv_se,
                        "n_folds": m.cv.n_folds,
                    },
                    "nonzero_weights": m.nonzero_weights,
                    "total_weights": m.total_weights,
                    "selected_inputs": list(m.selected_inputs),
                    "n_selected_inputs": len(m.selected_inputs),
                    "input_norms": dict(
                        zip(self.input_columns, np.asarray(m.input_norms).tolist(), strict=True)
                    ),
                    "layers": [
                        {"layer": s.layer, "weights": s.numel, "nonzero": s.nonzero}
                        for s in m.layers
                    ],
                    "max_unit_norm": m.max_unit_norm,
                    "epochs": m.epochs,
                    "fit_seconds": m.fit_seconds,
                }
            )
        return _json_ready(
            {
                "schema": SCHEMA,
                "version": SCHEMA_VERSION,
                "task": self.task,
                "primary_metric": pm,
                "secondary_metric": self.secondary_metric,
                "best_method": self.best.name,
                "data": {
                    **self.data,
                    "input_columns": list(self.input_columns),
                    "encoded_columns": list(self.encoded_columns),
                    "n_train": self.n_train,
                    "n_test": self.n_test,
                    "classes": self.classes,
                },
                "settings": dict(self.settings),
                "methods": methods,
                "seconds": self.seconds,
            }
        )


def _cv_parameter(search: str) -> str | None:
    return {"alpha": "alpha", "dropout": "dropout"}.get(search)


def metric_label(metric: str) -> str:
    """How a metric is written for people: ``MSE``, ``R²``, ``log-loss``, ``accuracy``."""
    return {"mse": "MSE", "r2": "R²", "log_loss": "log-loss", "accuracy": "accuracy"}[metric]


def _sort_key(value: float) -> float:
    return value if math.isfinite(value) else math.inf


def _json_ready(value: Any) -> Any:
    """numpy → Python, non-finite floats → None, tuples → lists, recursively."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_ready(value.tolist())
    if isinstance(value, np.generic):
        return _json_ready(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
