"""The final network of an α-method: the warm path on all training rows, at the chosen α.

Cross-validation along a λ path scores WARM-started fits: each fold walks the grid from a
dense fit towards sparsity, every λ starting from the previous weights
(:func:`netreg.path.regularization_path`). A cold fit at the chosen α from random weights
is a different estimator, and with a non-convex network it can be a much worse one: a
strong group penalty applied from the first step can switch every input off before the
signal is learned, and early stopping then keeps the null model (seen on
``sparse_signal(n=300, p=50, k=5, seed=2)``: test R² 0.03 cold, 0.92 along the path). So the
final network here is the one cross-validation measured: the warm path fitted on all
training rows, taken at the chosen α, then trained on at that α with early stopping (the
learning curves of the report are that last fit's).

The path uses the estimator's own plan: ``estimator.regularizer_.plan`` holds the penalties
at ``alpha_``, and λ multiplies every penalty of a plan, so the multipliers ``α / alpha_``
walk exactly the estimator's α grid with exactly its penalties. The network starts from the
same seeded initialization as the estimator's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

from netreg.compare.methods import Budget
from netreg.path import PathResult, rebuild, regularization_path
from netreg.train import FitConfig, FitResult, fit, mlp, predict

#: Fraction of the training rows the path and the last fit hold out for early stopping.
VALIDATION_FRACTION = 0.1


@dataclasses.dataclass(eq=False)
class PathFit:
    """The path on all training rows and the network taken from it at the chosen α.

    Attributes
    ----------
    model : nn.Module
        The final network (float64), encoded inputs in, raw outputs (logits) out.
    alphas : numpy.ndarray
        The α of each point of the path, decreasing.
    path : PathResult
        Per α: losses, nonzero weights, ``input_norms`` (first-layer column norms).
    index : int
        The chosen α's position in ``alphas``.
    fit_result : FitResult
        The last fit, started from the path's weights at the chosen α.
    """

    model: nn.Module
    alphas: np.ndarray
    path: PathResult
    index: int
    fit_result: FitResult


class NetworkPredictor:
    """``predict`` / ``predict_proba`` / ``classes_`` over a bare network, as the metrics need.

    Classification networks output one logit per class (class ``k`` is output ``k``), or one
    logit for two classes (``P(class 1) = sigmoid(logit)``), as the classifier trains them.
    """

    def __init__(self, model: nn.Module, task: str, n_classes: int = 0) -> None:
        self.model = model
        self.task = task
        self.classes_ = np.arange(n_classes)

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(
            predict(self.model, torch.as_tensor(X, dtype=torch.float64), task="regression")
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.task == "regression":
            return self._outputs(X)
        return self.predict_proba(X).argmax(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        logits = self._outputs(X).reshape(len(X), -1)
        if logits.shape[1] == 1:  # two classes, one logit: P(class 1) = sigmoid
            positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)


def fit_along_path(
    estimator: Any, X: np.ndarray, y: np.ndarray, *, task: str, budget: Budget, seed: int
) -> PathFit | None:
    """Fit the warm path of a fitted CV estimator on ``(X, y)`` and take it at ``alpha_``.

    Parameters
    ----------
    estimator : fitted NetRegRegressorCV or NetRegClassifierCV
    X, y : numpy.ndarray
        The training rows it was fitted on (standardized target for regression, class
        indices ``0 … C−1`` for classification).
    task : {"regression", "classification"}
    budget : Budget
        The network and training settings of the comparison.
    seed : int

    Returns
    -------
    PathFit or None
        None when the estimator has no plan to scale (no penalty, or ``alpha_ = 0``).
    """
    plan = getattr(getattr(estimator, "regularizer_", None), "plan", None)
    alpha = float(getattr(estimator, "alpha_", 0.0))
    if plan is None or alpha <= 0:
        return None
    linears = [m for m in estimator.model_.modules() if isinstance(m, nn.Linear)]
    n_outputs = linears[-1].out_features
    template = mlp(
        X.shape[1],
        hidden=budget.hidden,
        n_outputs=n_outputs,
        activation=budget.activation,
        dropout=float(getattr(estimator, "dropout", 0.0)),
        seed=seed,
        dtype=torch.float64,
    )
    classification = task == "classification"
    # Two classes: one logit and binary cross-entropy, as the classifier trains them.
    loss = "half_mse" if not classification else ("bce" if n_outputs == 1 else "cross_entropy")
    config = FitConfig.from_dict(
        {
            "optimizer": budget.optimizer,
            "lr": budget.lr,
            "batch_size": budget.batch_size,
            "max_epochs": budget.max_epochs,
            "patience": budget.patience,
            "seed": seed,
            "loss": loss,
            "dtype": "float64",
        }
    )
    X_t = torch.as_tensor(X, dtype=torch.float64)
    y_t = torch.as_tensor(y, dtype=torch.int64 if loss == "cross_entropy" else torch.float64)
    grid = np.sort(np.asarray(estimator.cv_result_.lambdas, dtype=np.float64))[::-1]
    path = regularization_path(
        template,
        X_t,
        y_t,
        plan,
        lambdas=grid / alpha,
        config=config,
        val_fraction=VALIDATION_FRACTION,
        seed=seed,
    )
    multipliers = np.asarray(path.lambdas, dtype=np.float64)
    index = int(np.argmin(np.abs(np.log(multipliers))))
    model = rebuild(template, path, index)
    train, val = _holdout(y, classification, seed)
    result = fit(
        model,
        X_t[train],
        y_t[train],
        regularizer=plan,
        config=config.replace(early_stopping=True),
        X_val=X_t[val],
        y_val=y_t[val],
    )
    return PathFit(
        model=model, alphas=multipliers * alpha, path=path, index=index, fit_result=result
    )


def _holdout(y: np.ndarray, classification: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(y))
    stratify = None
    if classification:
        _, counts = np.unique(y, return_counts=True)
        n_val = int(np.ceil(VALIDATION_FRACTION * len(y)))
        if counts.min() >= 2 and len(counts) <= min(n_val, len(y) - n_val):
            stratify = y
    train, val = train_test_split(
        rows, test_size=VALIDATION_FRACTION, random_state=seed, stratify=stratify
    )
    return np.sort(train), np.sort(val)
