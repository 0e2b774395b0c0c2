"""The classifiers' loss and its scale: mean log-loss + penalty, alpha = 1/(n·C).

A logistic model (``hidden=()``) trained by full-batch proximal gradient descent reaches
scikit-learn's ``LogisticRegression(C=1/(n·alpha))`` for two classes (one logit, BCE) and
for three (multinomial, cross-entropy): the relation the docs state, pinned here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from netreg.sklearn import NetRegClassifier


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


@pytest.mark.parametrize(
    ("classes", "penalty", "l1_ratio"),
    [
        ("binary", "l2", 0.0),
        ("binary", "l1", 1.0),
        ("multiclass", "l2", 0.0),
        ("multiclass", "elasticnet", 0.5),
    ],
)
def test_alpha_is_one_over_n_c_of_logistic_regression(iris, classes, penalty, l1_ratio):
    X, y = iris
    if classes == "binary":
        y = (y == 1).astype(int)
    n, alpha = len(y), 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's convergence chatter
        ref = LogisticRegression(
            C=1.0 / (n * alpha),
            l1_ratio=l1_ratio,
            solver="lbfgs" if l1_ratio == 0.0 else "saga",
            tol=1e-12,
            max_iter=100_000,
        ).fit(X, y)
    # 1/L for the log-loss (its Hessian is at most ½·XᵀX/n) plus the L2 part
    lipschitz = float(np.linalg.eigvalsh(X.T @ X / n)[-1]) / 2 + alpha
    est = NetRegClassifier(
        hidden=(),
        penalty=penalty,
        alpha=alpha,
        l1_ratio=0.5,
        optimizer="sgd",
        lr=1.0 / lipschitz,
        batch_size=None,
        max_epochs=1000,
        early_stopping=False,
        patience=None,
    ).fit(X, y)
    assert est.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_array_equal(est.coef_ == 0, ref.coef_ == 0)
    np.testing.assert_allclose(est.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_string_labels_probabilities_and_decisions(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = NetRegClassifier(hidden=(8,), lr=0.02, max_epochs=60, random_state=1).fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, labels) > 0.8
    assert clf.decision_function(X).shape == (len(y), 3)

    binary = NetRegClassifier(hidden=(), lr=0.05, max_epochs=60).fit(X, labels == "virginica")
    logits = binary.decision_function(X)
    assert logits.shape == (len(y),)
    np.testing.assert_array_equal(binary.predict(X), logits > 0)
    np.testing.assert_allclose(binary.predict_proba(X)[:, 1], 1 / (1 + np.exp(-logits)))


def test_one_class_is_refused_with_the_reason(iris):
    X, y = iris
    with pytest.raises(ValueError, match="at least 2 classes"):
        NetRegClassifier(hidden=()).fit(X, np.zeros(len(y), dtype=int))
    weights = (y == 0).astype(float)
    with pytest.raises(ValueError, match="Only one class has a positive sample_weight"):
        NetRegClassifier(hidden=()).fit(X, y, sample_weight=weights)
