"""compare_methods(): train every method on the same split and folds, score it on held-out rows."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netreg import choices
from netreg._validation import check_choice, check_float, check_int
from netreg.compare._table import as_frame, as_target, split_rows, to_original_units
from netreg.compare.grid_cv import cross_validate_grid
from netreg.compare.methods import DEFAULT_METHODS, Budget, Method, resolve_budget, resolve_methods
from netreg.compare.metrics import CV_TO_PRIMARY, PRIMARY, scores
from netreg.compare.network import (
    all_weights,
    first_layer_norms,
    layer_sparsity,
    max_unit_norm,
    pool_norms,
    selected_inputs,
)
from netreg.compare.result import CompareResult, MethodResult
from netreg.data import TableEncoder
from netreg.path import CVResult, PathResult, make_folds
from netreg.sklearn import (
    NetRegClassifier,
    NetRegClassifierCV,
    NetRegRegressor,
    NetRegRegressorCV,
)

TASKS = ("regression", "classification")


@dataclasses.dataclass(frozen=True)
class _Split:
    """Everything every method shares: encoded splits, folds, and the settings."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    n_classes: int
    y_scale: float
    sources: list[str]
    folds: list[tuple[np.ndarray, np.ndarray]]
    rule: str
    budget: Budget
    seed: int
    n_jobs: int
    backend: str
    address: str | None


def compare_methods(
    X: pd.DataFrame | np.ndarray,
    y: Any,
    *,
    task: str,
    feature_names: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    impute: str | None = None,
    classes: Sequence[Any] | None = None,
    methods: Iterable[str | Method] = DEFAULT_METHODS,
    folds: int = 5,
    rule: str = "1se",
    test_size: float = 0.2,
    seed: int = 0,
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    progress: bool | Callable[[str, int, int], None] = False,
    budget: str | Budget = "quick",
    data: dict[str, Any] | None = None,
) -> CompareResult:
    """Train each method with its strength chosen by CV, and score it on a held-out test split.

    The rows are split once into training and test rows (``test_size``, stratified for
    classification, seeded). A :class:`~netreg.data.TableEncoder` is fitted on the training
    rows alone (one-hot categories, imputation, standardization), and for regression the target
    is standardized with training statistics too (metrics are reported on the original scale;
    α refers to the standardized target). Every method then sees the same K folds of the
    training rows: α-methods choose α along a λ path (``NetRegRegressorCV`` /
    ``NetRegClassifierCV``), dropout methods choose the rate from the budget's grid (see
    :mod:`netreg.compare.grid_cv`). Each is then fitted on all training rows — an α-method
    is its CV estimator's final model, the point at the chosen α of the warm path on all
    training rows that its folds also walked — and scored once on the test rows.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n, p)
        Features before encoding (text and boolean columns are one-hot encoded).
    y : array-like of shape (n,)
        Numbers for regression; for classification class indices ``0 … C−1`` when ``classes``
        is given, else any labels.
    task : {"regression", "classification"}
    feature_names : sequence of str, optional
        Names for the columns of an array ``X`` (``x0, x1, …`` by default).
    categorical : sequence of str, optional
        Columns to one-hot encode (default: text, boolean and categorical columns).
    impute : {None, "mean", "median"}
        Fill missing numeric values with the training statistic.
    classes : sequence, optional
        Labels of the class indices in ``y`` (``PreparedTable.classes``).
    methods : iterable of str or Method, default all seven
        Names from :data:`netreg.compare.METHODS`.
    folds : int >= 2, default 5
    rule : {"1se", "min"}, default "1se"
    test_size : float in (0, 1), default 0.2
    seed : int, default 0
        Seeds the split, the folds and every network's initialization.
    n_jobs, backend, address :
        Where folds run: ``backend`` in {"auto", "serial", "process", "ray"} (``address`` of a
        Ray cluster, ``HOST:PORT``).
    progress : bool or callable, default False
        True shows a rich progress bar on stderr; a callable is called as
        ``progress(method_label, index, n_methods)`` before each method.
    budget : {"quick", "full"} or Budget, default "quick"
    data : dict, optional
        Facts about the source kept in the result (``source``, ``target``, warnings …).

    Returns
    -------
    CompareResult

    Raises
    ------
    DataError
        Too few rows for the split and the folds, or a class too rare to split.

    Examples
    --------
    >>> from netreg.data import sparse_signal
    >>> df = sparse_signal(n=200, p=10, k=3, seed=0)
    >>> result = compare_methods(df.drop(columns="y"), df["y"], task="regression",
    ...                          methods=["l1", "group"], folds=3)  # doctest: +SKIP
    >>> result.method("group").selected_inputs  # doctest: +SKIP
    ['x1', 'x4', 'x7']
    """
    start = time.perf_counter()
    check_choice("task", task, TASKS)
    check_choice("rule", rule, choices.names(choices.RULES))
    check_choice("backend", backend, choices.names(choices.CV_BACKENDS))
    folds = check_int("folds", folds, low=2)
    test_size = check_float(
        "test_size", test_size, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
    )
    seed = check_int("seed", seed, low=0)
    n_jobs = check_int("n_jobs", n_jobs, low=1)
    chosen = resolve_methods(methods)
    plan = resolve_budget(budget)
    frame = as_frame(X, feature_names)
    y, class_labels = as_target(y, task, classes, len(frame))
    split = split_rows(frame, y, task, folds, test_size, seed)
    train_idx, test_idx = split
    encoder = TableEncoder(categorical=categorical, impute=impute)
    X_train = encoder.fit_transform(frame.iloc[train_idx])
    X_test = encoder.transform(frame.iloc[test_idx])
    y_train, y_test = y[train_idx], y[test_idx]
    y_scale = 1.0
    if task == "regression":
        mean, std = float(y_train.mean()), float(y_train.std())
        y_scale = std if std > 0 else 1.0
        y_train, y_test = (y_train - mean) / y_scale, (y_test - mean) / y_scale
    n_classes = len(class_labels) if class_labels is not None else 0
    ctx = _Split(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        task=task,
        n_classes=n_classes,
        y_scale=y_scale,
        sources=encoder.input_of_output,
        folds=make_folds(
            len(y_train),
            folds,
            y=y_train if task == "classification" else None,
            stratified=task == "classification",
            seed=seed,
        ),
        rule=rule,
        budget=plan,
        seed=seed,
        n_jobs=n_jobs,
        backend=backend,
        address=address,
    )
    results = _run_all(chosen, ctx, progress)
    return CompareResult(
        task=task,
        primary_metric=PRIMARY[task],
        methods=results,
        input_columns=list(frame.columns),
        encoded_columns=encoder.output_names,
        n_train=len(train_idx),
        n_test=len(test_idx),
        classes=class_labels,
        settings={
            "folds": folds,
            "rule": rule,
            "test_size": test_size,
            "seed": seed,
            "budget": plan.to_dict(),
            "n_jobs": n_jobs,
            "backend": backend,
            "methods": [m.name for m in chosen],
        },
        data=dict(data or {}),
        seconds=time.perf_counter() - start,
    )


def _run_all(
    methods: list[Method], ctx: _Split, progress: bool | Callable[[str, int, int], None]
) -> list[MethodResult]:
    if callable(progress):
        results = []
        for i, method in enumerate(methods):
            progress(method.label, i, len(methods))
            results.append(run_method(method, ctx))
        return results
    if not progress:
        return [run_method(method, ctx) for method in methods]
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task_id = bar.add_task("methods", total=len(methods))
        results = []
        for method in methods:
            bar.update(task_id, description=f"training {method.label}")
            results.append(run_method(method, ctx))
            bar.advance(task_id)
        return results


def run_method(method: Method, ctx: _Split) -> MethodResult:
    """Choose one method's strength by CV on the training rows, fit the final network, score it.

    An α-method's final network is its CV estimator's: the point at ``alpha_`` of the
    warm path on all training rows (``estimator.path_``), which the report also draws.
    """
    start = time.perf_counter()
    base = ctx.budget.estimator_params(ctx.seed)
    max_norm = ctx.budget.max_norm if method.max_norm else None
    classification = ctx.task == "classification"
    strengths: dict[str, float | None] = {
        "alpha": None,
        "l1_ratio": method.l1_ratio,
        "dropout": 0.0,
        "max_norm": max_norm,
    }
    path: PathResult | None = None
    if method.search == "alpha":
        cls_cv = NetRegClassifierCV if classification else NetRegRegressorCV
        extra: dict[str, Any] = {"max_norm": max_norm}
        if method.l1_ratio is not None:
            extra["l1_ratio"] = method.l1_ratio
        if method.groups is not None:
            extra["groups"] = method.groups
        estimator = cls_cv(
            **base, **extra, penalty=method.penalty, n_alphas=ctx.budget.n_alphas,
            eps=ctx.budget.eps, cv=ctx.folds, rule=ctx.rule, n_jobs=ctx.n_jobs,
            backend=ctx.backend, address=ctx.address,
        ).fit(ctx.X_train, ctx.y_train)  # fmt: skip
        cv: CVResult = estimator.cv_result_
        strengths["alpha"] = float(estimator.alpha_)
        path = estimator.path_
    else:
        cls = NetRegClassifier if classification else NetRegRegressor
        params = {**base, "penalty": "none", "max_norm": max_norm}
        values = ctx.budget.dropout_rates if method.search == "dropout" else (0.0,)
        cv = cross_validate_grid(
            cls, params, "dropout", values, ctx.X_train, ctx.y_train, folds=ctx.folds,
            task=ctx.task, n_classes=ctx.n_classes, n_jobs=ctx.n_jobs, backend=ctx.backend,
            address=ctx.address,
        )  # fmt: skip
        rate = cv.choice(ctx.rule)
        strengths["dropout"] = float(rate)
        estimator = cls(**params, dropout=float(rate)).fit(ctx.X_train, ctx.y_train)
    seconds = time.perf_counter() - start
    return _describe(method, estimator, cv, strengths, seconds, path, ctx)


def _describe(
    method: Method,
    estimator: Any,
    cv: CVResult,
    strengths: dict[str, float | None],
    seconds: float,
    path: PathResult | None,
    ctx: _Split,
) -> MethodResult:
    index = cv.index_1se if ctx.rule == "1se" else cv.index_min
    factor = CV_TO_PRIMARY[ctx.task] * ctx.y_scale**2

    def measured(X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        return to_original_units(scores(ctx.task, estimator, X, y, ctx.n_classes), ctx.y_scale)

    model = estimator.model_
    layers = layer_sparsity(model)
    path_lambdas = path_norms = None
    if path is not None and path.input_norms is not None:
        path_lambdas = np.asarray(path.lambdas, dtype=np.float64)
        path_norms = pool_norms(path.input_norms, ctx.sources)
    return MethodResult(
        name=method.name,
        label=method.label,
        search=method.search,
        strengths=strengths,
        cv=cv,
        cv_error=float(cv.mean[index]) * factor,
        cv_se=float(cv.se[index]) * factor,
        cv_scale=factor,
        test=measured(ctx.X_test, ctx.y_test),
        train=measured(ctx.X_train, ctx.y_train),
        nonzero_weights=sum(s.nonzero for s in layers),
        total_weights=sum(s.numel for s in layers),
        selected_inputs=selected_inputs(model, ctx.sources),
        layers=layers,
        fit_seconds=seconds,
        epochs=int(estimator.n_iter_),
        train_curve=np.asarray(estimator.loss_curve_, dtype=np.float64),
        val_curve=np.asarray(estimator.validation_curve_, dtype=np.float64),
        weights=all_weights(model),
        input_norms=first_layer_norms(model, ctx.sources),
        max_unit_norm=max_unit_norm(model),
        path_lambdas=path_lambdas,
        path_input_norms=path_norms,
    )
