"""NetRegRegressor and NetRegRegressorCV: ½·MSE + penalty, with scikit-learn's alpha."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin

from netreg.sklearn import _docs
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
    pass


class NetRegRegressorCV(RegressorMixin, _Regression, CVEstimator):
    pass


_NOTES = """\
    Notes
    -----
    The training objective is ``1/(2n)·Σᵢ(yᵢ − ŷᵢ)² + penalty`` (a weighted mean with
    ``sample_weight``): scikit-learn's and glmnet's scaling, so ``alpha`` means what it
    means in ``Lasso`` / ``ElasticNet``. Neither X nor y is rescaled; the output bias
    starts at the mean target. A linear model (``hidden=()``) with ``none``, ``l1``,
    ``l2`` or ``elasticnet`` and ``mode`` "auto"/"prox" is solved exactly by
    scikit-learn (``engine_``), and its ``coef_`` equals ``Lasso`` / ``ElasticNet`` /
    ``Ridge(alpha·n)`` / ``LinearRegression``."""

NetRegRegressor.__doc__ = f"""A regularized neural network regressor (linear regression with ``hidden=()``).

    Parameters
    ----------
{_docs.NETWORK}
{_docs.PENALTY}
{_docs.ALPHA}
{_docs.REST}

    Attributes
    ----------
{_docs.ATTRIBUTES}
    pruned_model_ : torch.nn.Module
        See :meth:`pruned`.

{_NOTES}

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

NetRegRegressorCV.__doc__ = f"""NetRegRegressor with ``alpha`` chosen by K-fold cross-validation along a path.

    Parameters
    ----------
{_docs.NETWORK}
{_docs.PENALTY}
{_docs.REST}
{_docs.CV}

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray
        The grid, decreasing.
    cv_result_ : netreg.path.CVResult
        Fold errors (validation MSE for the linear engine, ½·MSE for the network
        engine: the choice is the same), their mean and standard error, both choices.
{_docs.ATTRIBUTES}

{_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from netreg.sklearn import NetRegRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = NetRegRegressorCV(hidden=(), penalty="l1", rule="1se").fit(X, y)
    >>> est.alpha_ >= est.cv_result_.lambda_min
    True
    """
