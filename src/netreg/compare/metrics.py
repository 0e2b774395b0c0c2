"""Test metrics and cross-validation losses of a fitted estimator, in one place.

The primary metric of a comparison is the loss that cross-validation minimizes, measured on
the held-out test rows, so that "test metric" and "spread over folds" are in the same units:

- regression: the mean squared error ``mean((y − ŷ)²)`` (R² is reported beside it);
- classification: the log-loss ``−mean(log p̂(yᵢ))`` (accuracy is reported beside it).

Cross-validation inside the estimators measures regression folds by ``½·MSE`` (the data loss
of scikit-learn's and glmnet's objective); :data:`CV_TO_PRIMARY` converts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

#: Primary metric per task; lower is better for both.
PRIMARY: dict[str, str] = {"regression": "mse", "classification": "log_loss"}
#: Secondary metric per task, shown beside the primary one; higher is better for both.
SECONDARY: dict[str, str] = {"regression": "r2", "classification": "accuracy"}
#: Factor from the CV loss of the estimators to the primary metric (½·MSE → MSE).
CV_TO_PRIMARY: dict[str, float] = {"regression": 2.0, "classification": 1.0}
#: Smallest probability used in the log-loss, so that one confident mistake stays finite.
PROBA_FLOOR = 1e-15


def class_probabilities(estimator: Any, X: np.ndarray, n_classes: int) -> np.ndarray:
    """``P(y = k | x)`` for every class ``k < n_classes``, as an ``(n, n_classes)`` array.

    A class absent from the estimator's training rows (a rare class left out of a fold) gets
    probability 0, so losses stay comparable across folds.
    """
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    full = np.zeros((proba.shape[0], n_classes))
    full[:, np.asarray(estimator.classes_, dtype=np.int64)] = proba
    return full


def cv_loss(task: str, estimator: Any, X: np.ndarray, y: np.ndarray, n_classes: int) -> float:
    """The validation loss of one fold, in the estimators' CV units (½·MSE or log-loss)."""
    if task == "regression":
        residual = y - np.asarray(estimator.predict(X), dtype=np.float64).ravel()
        return float(0.5 * np.mean(residual**2))
    proba = class_probabilities(estimator, X, n_classes)
    return _log_loss(y, proba)


def _log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    p = np.clip(proba[np.arange(len(y)), y.astype(np.int64)], PROBA_FLOOR, 1.0)
    return float(-np.mean(np.log(p)))


def scores(
    task: str, estimator: Any, X: np.ndarray, y: np.ndarray, n_classes: int
) -> dict[str, float]:
    """Every metric of a task on ``(X, y)``: ``mse``, ``r2`` (regression) or ``log_loss``,
    ``accuracy`` (classification)."""
    if task == "regression":
        pred = np.asarray(estimator.predict(X), dtype=np.float64).ravel()
        r2 = float(r2_score(y, pred)) if len(y) > 1 else float("nan")
        return {"mse": float(mean_squared_error(y, pred)), "r2": r2}
    proba = class_probabilities(estimator, X, n_classes)
    proba = np.clip(proba, PROBA_FLOOR, 1.0)
    proba /= proba.sum(axis=1, keepdims=True)
    return {
        "log_loss": float(log_loss(y, proba, labels=np.arange(n_classes))),
        "accuracy": float(accuracy_score(y, proba.argmax(axis=1))),
    }
