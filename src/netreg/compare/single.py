"""fit_table(): train one network on a table, the way ``compare`` trains each method.

The same steps as :func:`netreg.compare.compare_methods` for one method: an optional
held-out test split, a :class:`~netreg.data.TableEncoder` fitted on the training rows, a
standardized target for regression, and α either given or chosen by K-fold CV (then the
network is the CV estimator's: the warm path's point at the chosen α, as in ``compare``). The result holds everything
:func:`netreg.compare.save_model` needs to predict on new tables later.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from torch import nn

from netreg import choices
from netreg._validation import check_choice, check_float, check_int
from netreg.compare._table import as_frame, as_target, split_rows, to_original_units
from netreg.compare.methods import Budget, resolve_budget
from netreg.compare.metrics import PRIMARY, scores
from netreg.compare.network import layer_sparsity, selected_inputs
from netreg.compare.table_model import TableModel
from netreg.data import TableEncoder
from netreg.path import make_folds
from netreg.sklearn import (
    NetRegClassifier,
    NetRegClassifierCV,
    NetRegRegressor,
    NetRegRegressorCV,
)


@dataclasses.dataclass(eq=False)
class FittedTable(TableModel):
    """One trained network with its encoder (a :class:`TableModel`) and how it did: what
    ``netreg fit`` prints and saves.

    Attributes
    ----------
    train, test : dict of str to float
        Metrics on the training rows, and on the test rows (empty without a test split).
    nonzero_weights, total_weights : int
    selected_inputs : list of str
    seconds : float
    """

    train: dict[str, float]
    test: dict[str, float]
    nonzero_weights: int
    total_weights: int
    selected_inputs: list[str]
    seconds: float

    @property
    def primary_metric(self) -> str:
        """``"mse"`` or ``"log_loss"``."""
        return PRIMARY[self.task]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no weights)."""
        from netreg.compare.result import _json_ready

        return _json_ready(
            {
                "task": self.task,
                "target": self.target,
                "classes": self.classes,
                "architecture": self.architecture,
                "params": self.params,
                "train": self.train,
                "test": self.test,
                "nonzero_weights": self.nonzero_weights,
                "total_weights": self.total_weights,
                "selected_inputs": self.selected_inputs,
                "seconds": self.seconds,
            }
        )


def fit_table(
    X: pd.DataFrame,
    y: Any,
    *,
    task: str,
    target: str = "y",
    categorical: Sequence[str] | None = None,
    impute: str | None = None,
    classes: Sequence[Any] | None = None,
    penalty: str = "none",
    alpha: float | None = None,
    l1_ratio: float = 0.5,
    dropout: float = 0.0,
    max_norm: float | None = None,
    folds: int = 5,
    rule: str = "1se",
    test_size: float = 0.0,
    seed: int = 0,
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    budget: str | Budget = "quick",
) -> FittedTable:
    """Train one network on a table; α by K-fold CV when ``alpha`` is None and there is a penalty.

    Parameters
    ----------
    X, y, task, categorical, impute, classes :
        As in :func:`netreg.compare.compare_methods`.
    target : str
        Name of the target (kept for the saved model).
    penalty : {"none", "l1", "l2", "elasticnet", "group", "sparse_group"}
    alpha : float >= 0, optional
        The strength (scikit-learn's meaning, standardized target); None chooses it by CV.
    l1_ratio, dropout, max_norm :
        As in :class:`netreg.sklearn.NetRegRegressor`.
    folds, rule :
        For choosing α.
    test_size : float in [0, 1), default 0
        0 trains on every row; otherwise that fraction is held out and scored.
    seed, n_jobs, backend, address, budget :
        As in :func:`netreg.compare.compare_methods`.

    Returns
    -------
    FittedTable

    Examples
    --------
    >>> from netreg.data import sparse_signal
    >>> df = sparse_signal(n=120, p=8, k=2, seed=0)
    >>> fitted = fit_table(df.drop(columns="y"), df["y"], task="regression",
    ...                    penalty="l1", alpha=0.05)  # doctest: +SKIP
    """
    start = time.perf_counter()
    check_choice("task", task, ("regression", "classification"))
    check_choice("penalty", penalty, choices.names(choices.PENALTIES))
    if alpha is not None:
        alpha = check_float("alpha", alpha, low=0.0)
    test_size = check_float("test_size", test_size, low=0.0, high=1.0, high_inclusive=False)
    folds = check_int("folds", folds, low=2)
    plan = resolve_budget(budget)
    frame = as_frame(X, None)
    y_all, labels = as_target(y, task, classes, len(frame))
    if test_size > 0:
        train_idx, test_idx = split_rows(frame, y_all, task, folds, test_size, seed)
    else:
        train_idx, test_idx = np.arange(len(frame)), np.arange(0)
    encoder = TableEncoder(categorical=categorical, impute=impute)
    X_train = encoder.fit_transform(frame.iloc[train_idx])
    y_train = y_all[train_idx]
    y_mean, y_scale = 0.0, 1.0
    if task == "regression":
        y_mean, std = float(y_train.mean()), float(y_train.std())
        y_scale = std if std > 0 else 1.0
        y_train = (y_train - y_mean) / y_scale
    classification = task == "classification"
    params: dict[str, Any] = {
        **plan.estimator_params(seed),
        "penalty": penalty,
        "l1_ratio": l1_ratio,
        "dropout": dropout,
        "max_norm": max_norm,
        "groups": "inputs",
    }
    if penalty != "none" and alpha is None:
        cls_cv = NetRegClassifierCV if classification else NetRegRegressorCV
        splits = make_folds(
            len(y_train), folds, y=y_train if classification else None,
            stratified=classification, seed=seed,
        )  # fmt: skip
        estimator = cls_cv(
            **params, n_alphas=plan.n_alphas, eps=plan.eps, cv=splits, rule=rule,
            n_jobs=n_jobs, backend=backend, address=address,
        ).fit(X_train, y_train)  # fmt: skip
        params["alpha"] = float(estimator.alpha_)
        params["alpha_chosen_by"] = f"{folds}-fold CV, {rule} rule"
    else:
        cls = NetRegClassifier if classification else NetRegRegressor
        params["alpha"] = 0.0 if alpha is None else alpha
        estimator = cls(**params).fit(X_train, y_train)
    n_classes = len(labels) if labels is not None else 0
    predictor: Any = estimator
    model = estimator.model_
    train = to_original_units(scores(task, predictor, X_train, y_train, n_classes), y_scale)
    test: dict[str, float] = {}
    if len(test_idx):
        X_test = encoder.transform(frame.iloc[test_idx])
        y_test = y_all[test_idx]
        if task == "regression":
            y_test = (y_test - y_mean) / y_scale
        test = to_original_units(scores(task, predictor, X_test, y_test, n_classes), y_scale)
    layers = layer_sparsity(model)
    sources = encoder.input_of_output
    return FittedTable(
        model=model,
        architecture={
            "n_inputs": int(X_train.shape[1]),
            "hidden": list(plan.hidden),
            "n_outputs": int(
                [m for m in model.modules() if isinstance(m, nn.Linear)][-1].out_features
            ),
            "activation": plan.activation,
            "dropout": float(dropout),
        },
        encoder=encoder,
        task=task,
        target=str(target),
        classes=labels,
        y_mean=y_mean,
        y_scale=y_scale,
        params={k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
        train=train,
        test=test,
        nonzero_weights=sum(s.nonzero for s in layers),
        total_weights=sum(s.numel for s in layers),
        selected_inputs=selected_inputs(model, sources),
        seconds=time.perf_counter() - start,
    )
