"""scikit-learn estimators: thin shells over netreg's path.

``alpha`` is the path's λ on a unit-strength plan (scikit-learn's strength).
``NetRegRegressor`` / ``NetRegClassifier`` fit one path point at a given ``alpha``;
``NetRegRegressorCV`` / ``NetRegClassifierCV`` choose it by K-fold cross-validation
with the min or one-standard-error rule and keep the all-rows path's point there. ``hidden=()`` gives linear and logistic
regression; linear regression is solved exactly by scikit-learn. They follow the
scikit-learn contract (``parametrize_with_checks``), work in ``Pipeline`` and
``GridSearchCV``, pickle, and accept ``sample_weight`` (the plain ones).

Files: ``_params`` (validation, the plan), ``_linear`` (exact linear engine, Zou-Hastie),
``_base`` (fit/predict machinery, fitted attributes, pruning), ``_plain`` and ``_cv``
(constructors, whose docstrings document the parameters, and ``fit``), ``regressor`` and
``classifier`` (the public classes).

>>> from sklearn.datasets import load_diabetes
>>> from netreg.sklearn import NetRegRegressor
>>> X, y = load_diabetes(return_X_y=True)
>>> NetRegRegressor(hidden=(), penalty="elasticnet", alpha=0.01).fit(X, y).coef_.shape
(10,)
"""

from netreg.sklearn.classifier import NetRegClassifier, NetRegClassifierCV
from netreg.sklearn.regressor import NetRegRegressor, NetRegRegressorCV

__all__ = ["NetRegClassifier", "NetRegClassifierCV", "NetRegRegressor", "NetRegRegressorCV"]
