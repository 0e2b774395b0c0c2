"""NetRegClassifier and NetRegClassifierCV: mean log-loss + penalty."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from netreg.sklearn._cv import CVEstimator
from netreg.sklearn._plain import PlainEstimator


class _Classification:
    """The classification task: one logit and BCE for two classes, C logits and CE for C."""

    _task = "classification"

    def _encode(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, int, str]:
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                "A classifier needs samples of at least 2 classes; y has 1 class "
                f"({classes[0]!r}). Received: classes={classes.tolist()}"
            )
        if sample_weight is not None:
            weighted = np.unique(encoded[sample_weight > 0])
            if len(weighted) < 2:
                raise ValueError(
                    "Only one class has a positive sample_weight, so there is nothing to "
                    f"separate. Received: classes with weight > 0={classes[weighted].tolist()}"
                )
        self.classes_ = classes
        if len(classes) == 2:
            return encoded.astype(np.float64), 1, "bce"
        return encoded.astype(np.int64), len(classes), "cross_entropy"

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits: ``(n_samples,)`` for two classes (of ``classes_[1]``), else ``(n, C)``."""
        return self._outputs(X)  # type: ignore[attr-defined]  # NetRegEstimator

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n_samples, n_classes)``: sigmoid or softmax of the logits."""
        logits = self.decision_function(X)
        if logits.ndim == 1:
            positive = expit(logits)
            return np.column_stack([1.0 - positive, positive])
        return softmax(logits, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (a positive logit means ``classes_[1]``)."""
        logits = self.decision_function(X)
        if logits.ndim == 1:
            return self.classes_[(logits > 0).astype(np.intp)]  # type: ignore[attr-defined]
        return self.classes_[np.argmax(logits, axis=1)]  # type: ignore[attr-defined]


class NetRegClassifier(ClassifierMixin, _Classification, PlainEstimator):
    """A regularized neural network classifier (logistic regression with ``hidden=()``).

    ``fit`` trains one point of netreg's path at ``alpha`` (:func:`netreg.path.fit_point`)
    from the seeded initial weights (``engine_`` is always ``"network"``). The parameters
    are documented on ``__init__``; the fitted attributes (``model_``, ``regularizer_``,
    ``n_iter_``, ``loss_curve_``, ``selected_features_``, ``coef_`` …) on the shared base
    ``netreg.sklearn._base.NetRegEstimator``, with ``coef_`` of shape ``(1, n_features)``
    for two classes and ``(n_classes, n_features)`` otherwise, as in
    ``LogisticRegression``; ``classes_`` holds the sorted labels.

    Notes
    -----
    The training objective is the mean log-loss plus ``alpha·penalty``: for two classes
    ``−1/n·Σᵢ[yᵢ·log σ(zᵢ) + (1 − yᵢ)·log(1 − σ(zᵢ))]`` with one logit ``zᵢ`` per row
    (``torch.nn.BCEWithLogitsLoss``), for C classes ``−1/n·Σᵢ log softmax(zᵢ)[yᵢ]`` with
    C logits (``CrossEntropyLoss``); with ``sample_weight`` a weighted mean. ``alpha``
    therefore scales against the mean log-loss (not ½·MSE): a linear model
    (``hidden=()``) with ``penalty="l2"`` and strength ``alpha`` minimizes the same
    objective as scikit-learn's ``LogisticRegression(C=1/(n·alpha))`` (which minimizes
    ``½‖w‖² + C·Σᵢ log-loss``), for two classes and, multinomial, for more (tested).
    ``l1`` and ``elasticnet`` scale the same way (``LogisticRegression(C, l1_ratio)``
    with ``solver="saga"``). X is not rescaled.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from netreg.sklearn import NetRegClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), NetRegClassifier(hidden=(16,), penalty="group",
    ...                     alpha=1e-2, lr=1e-2, max_epochs=100)).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """


class NetRegClassifierCV(ClassifierMixin, _Classification, CVEstimator):
    """NetRegClassifier with ``alpha`` chosen by stratified K-fold cross-validation.

    The fold error is the validation mean log-loss. As in
    :class:`~netreg.sklearn.NetRegRegressorCV`, the final model is the all-rows path's
    point at ``alpha_`` (never a cold refit), and ``alpha_``, ``alphas_``,
    ``cv_result_`` and ``path_`` mean the same; the other fitted attributes are those of
    :class:`NetRegClassifier`. The parameters are documented on ``__init__``.
    """
