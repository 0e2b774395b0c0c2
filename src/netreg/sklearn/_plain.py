"""Estimators at one given ``alpha``: the constructor and ``fit(X, y, sample_weight)``."""

from __future__ import annotations

from typing import Any

from netreg.sklearn._base import NetRegEstimator
from netreg.sklearn._params import check_params


class PlainEstimator(NetRegEstimator):
    """An estimator trained at the ``alpha`` it is given (see the public subclasses)."""

    def __init__(
        self,
        hidden: tuple[int, ...] = (64,),
        *,
        activation: str = "relu",
        dropout: float = 0.0,
        penalty: str = "none",
        alpha: float = 1e-3,
        l1_ratio: float = 0.5,
        groups: str = "inputs",
        max_norm: float | None = None,
        mode: str = "auto",
        optimizer: str = "adam",
        lr: float = 1e-3,
        batch_size: int | None = 64,
        max_epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        patience: int | None = 10,
        correction: str | None = None,
        random_state: Any = 0,
        verbose: bool = False,
    ):
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.groups = groups
        self.max_norm = max_norm
        self.mode = mode
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.correction = correction
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> PlainEstimator:
        """Train on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Not standardized here: put a ``StandardScaler`` in a ``Pipeline`` when the
            columns have different scales (penalties compare weights across columns).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights: the data loss becomes ``Σwᵢℓᵢ / Σwᵢ``.

        Returns
        -------
        self
        """
        spec = check_params(self, self._task)
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        target, n_outputs, loss = self._encode(y, sample_weight)
        self._fit_point(X, target, sample_weight, spec, n_outputs, loss)
        return self
