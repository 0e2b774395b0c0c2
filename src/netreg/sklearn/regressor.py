"""NetRegRegressor and NetRegRegressorCV: ½·MSE + penalty, with scikit-learn's alpha."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin

from netreg.sklearn._cv import CVEstimator
from netreg.sklearn._plain import PlainEstimator


class _Regression:
    """The regression task: float targets, one output, ``half_mse``."""

    _task = "regression"

    def _encode(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, int, str]:
        return np.asarray(y, dtype=np.float64), 1, "half_mse"

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape ``(n_samples,)``."""
        return self._outputs(X)  # type: ignore[attr-defined]  # NetRegEstimator


class NetRegRegressor(RegressorMixin, _Regression, PlainEstimator):
    """A regularized neural network regressor (linear regression with ``hidden=()``).

    ``fit`` trains one point of netreg's path at ``alpha`` (:func:`netreg.path.fit_point`)
    from the seeded initial weights; a linear model with ``none``, ``l1``, ``l2`` or
    ``elasticnet`` and ``mode`` "auto"/"prox" is solved exactly by scikit-learn instead
    (``engine_``), and its ``coef_`` equals ``Lasso`` / ``ElasticNet`` /
    ``Ridge(alpha·n)`` / ``LinearRegression``. The parameters are documented on
    ``__init__``; the fitted attributes (``model_``, ``regularizer_``, ``engine_``,
    ``n_iter_``, ``loss_curve_``, ``selected_features_``, ``coef_`` …) on the shared base
    ``netreg.sklearn._base.NetRegEstimator``; ``pruned_model_`` and :meth:`pruned` give the
    network without its exactly-zero units and inputs.

    Notes
    -----
    The training objective is ``1/(2n)·Σᵢ(yᵢ − ŷᵢ)² + alpha·penalty`` (a weighted mean
    with ``sample_weight``): scikit-learn's and glmnet's scaling, so ``alpha`` means what
    it means in ``Lasso`` / ``ElasticNet``. Neither X nor y is rescaled; the output bias
    starts at the mean target.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Lasso
    >>> from netreg.sklearn import NetRegRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = NetRegRegressor(hidden=(), penalty="l1", alpha=0.1).fit(X, y)
    >>> bool((est.coef_ == Lasso(alpha=0.1).fit(X, y).coef_).all()), est.engine_
    (True, 'coordinate_descent')
    """


class NetRegRegressorCV(RegressorMixin, _Regression, CVEstimator):
    """NetRegRegressor with ``alpha`` chosen by K-fold cross-validation along the path.

    Every fold and all training rows walk one grid of alphas (the path's λ); ``rule``
    picks ``alpha_``, and the final model is the all-rows path's point there (for a
    network: the weights the warm path reached at ``alpha_``, never a cold refit). The
    parameters are documented on ``__init__``; the fitted attributes of the plain
    estimator are set too (see :class:`NetRegRegressor`).

    Attributes
    ----------
    alpha_ : float
        The chosen alpha (``regularizer_.scale``).
    alphas_ : ndarray
        The grid, decreasing: ``cv_result_.lambdas`` and ``path_.lambdas``.
    cv_result_ : netreg.path.CVResult
        Fold errors (validation MSE for the linear engine, ½·MSE for the network
        engine: the choice is the same), their mean and standard error, both choices.
    path_ : netreg.path.PathResult
        The path on all training rows, one point per alpha of ``alphas_`` (network:
        ``states`` to rebuild any point with :func:`netreg.path.rebuild`).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from netreg.sklearn import NetRegRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = NetRegRegressorCV(hidden=(), penalty="l1", rule="1se").fit(X, y)
    >>> est.alpha_ >= est.cv_result_.lambda_min
    True
    """
