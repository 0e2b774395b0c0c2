"""Estimators that choose ``alpha`` by K-fold cross-validation along a path.

The linear regression engine uses :func:`netreg.path.cross_validate_linear` (coordinate
descent with warm starts); everything else :func:`netreg.path.cross_validate` (the
network engine). Both run the path on all training rows (kept as ``path_``) and on every
fold, on one grid, and ``rule`` picks ``alpha_`` (``"min"`` or glmnet's ``"1se"``).

The final model is the all-rows path's point at ``alpha_``: for a network the weights
the warm path reached there, walking from the dense fit through every smaller alpha —
the estimator the folds scored. A cold fit at ``alpha_`` from random weights is a
different, non-convex problem's answer: a strong group penalty from the first step can
switch every input off before the signal is learned. For the convex linear engine the
exact solver's answer at ``alpha_`` is the path's solution (as scikit-learn's
``ElasticNetCV`` refits).
"""

from __future__ import annotations

import numbers
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from netreg.path import (
    CVResult,
    cross_validate,
    cross_validate_linear,
    lambda_grid,
    linear_lambda_max,
    network_lambda_max,
    rebuild,
)
from netreg.sklearn._base import NetRegEstimator, as_tensor, start_at_mean
from netreg.sklearn._params import Spec, build_plan, check_cv_params, check_params

# Ridge has no alpha_max. Its grid starts where glmnet starts one, at the alpha_max of an
# Elastic Net with this L1 share (1/ratio times the lasso's), and ends eps times below the
# lasso's alpha_max, so it covers both the heavily shrunk and the nearly free fits.
RIDGE_GRID_L1_RATIO = 1e-3


class CVEstimator(NetRegEstimator):
    """An estimator that chooses ``alpha_`` by cross-validation (see the public subclasses)."""

    _has_alpha = False

    def __init__(
        self,
        hidden: tuple[int, ...] = (64,),
        *,
        activation: str = "relu",
        dropout: float = 0.0,
        penalty: str = "none",
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
        alphas: Any = None,
        n_alphas: int = 20,
        eps: float = 1e-2,
        cv: Any = 5,
        rule: str = "1se",
        n_jobs: int = 1,
        backend: str = "auto",
        address: str | None = None,
    ):
        r"""Store the parameters (scikit-learn's convention: ``fit`` checks them).

        Parameters
        ----------
        hidden, activation, dropout, penalty, l1_ratio, groups, max_norm, mode, optimizer, lr, \
        batch_size, max_epochs, early_stopping, validation_fraction, patience, correction, \
        random_state, verbose :
            As in the plain estimators (:class:`~netreg.sklearn.NetRegRegressor`,
            :class:`~netreg.sklearn.NetRegClassifier`); ``alpha`` is chosen, on the same scale.
        alphas : array-like of float or None, default None
            The grid of alpha values; None builds ``n_alphas`` values from the smallest alpha
            that zeroes every penalized group (``alpha_max``) down to ``eps·alpha_max``. For
            ``penalty="l2"`` there is no such alpha: the grid starts where glmnet starts one,
            at the ``alpha_max`` of an Elastic Net with ``l1_ratio=1e-3`` (1000 times the
            lasso's), and ends at ``eps`` times the lasso's ``alpha_max``.
        n_alphas : int >= 1, default 20
        eps : float in (0, 1), default 1e-2
        cv : int >= 2, splitter or list of (train, test) pairs, default 5
            Folds (stratified for the classifier).
        rule : {"min", "1se"}, default "1se"
            ``min``: the alpha of least mean validation error; ``1se``: the LARGEST alpha
            whose mean error is within one standard error of that minimum (glmnet).
        n_jobs : int >= 1 or -1, default 1
            Folds run in that many worker processes when > 1 (-1: one per core); the
            results equal the serial ones.
        backend : {"auto", "serial", "process", "ray"}, default "auto"
        address : str or None, default None
            A Ray cluster's address for ``backend="ray"``.
        """
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.penalty = penalty
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
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.rule = rule
        self.n_jobs = n_jobs
        self.backend = backend
        self.address = address

    def fit(self, X: Any, y: Any) -> CVEstimator:
        """Cross-validate alpha along the path, then take the final model from the path.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        spec = check_params(self, self._task, has_alpha=False)
        options = check_cv_params(self)
        if spec.penalty == "none":
            raise ValueError(
                "penalty='none' has no alpha to choose: use the plain estimator, or pick a "
                "penalty. Received: penalty='none'"
            )
        if spec.correction is not None:
            raise ValueError(
                "correction='zou-hastie' is not available in the CV variants: their folds "
                "score uncorrected fits, so the chosen alpha would not be the corrected "
                "estimator's. Cross-validate with NetRegRegressor(correction='zou-hastie') in "
                "GridSearchCV instead. Received: correction='zou-hastie'"
            )
        X, y, _ = self._validate_fit_data(X, y, None)
        cv = options["cv"]
        if isinstance(cv, numbers.Integral) and len(y) < int(cv):
            raise ValueError(
                f"cv={cv} folds need at least {cv} samples; got {len(y)} sample(s). "
                f"Received: n_samples={len(y)}"
            )
        target, n_outputs, loss = self._encode(y, None)
        linear = spec.uses_linear_engine(self._task)
        template = None if linear else self._template(X.shape[1], target, spec, n_outputs)
        if template is None:
            result = self._linear_cv(X, target, spec, options)
        else:
            result = self._network_cv(X, target, template, spec, options, loss)
        index = result.index_min if options["rule"] == "min" else result.index_1se
        path = result.path
        assert path is not None and path.lambdas[index] == result.lambdas[index]
        self.cv_result_ = result
        self.path_ = path
        self.alphas_ = np.asarray(result.lambdas, dtype=float)
        self.alpha_ = float(result.lambdas[index])
        chosen = replace(spec, alpha=self.alpha_)
        if template is None:
            # Convex: the exact solver's answer at alpha_ is the path's solution there,
            # to coordinate descent's tolerance (scikit-learn's ElasticNetCV refits so).
            self._fit_point(X, target, None, chosen, n_outputs, loss)
        else:
            assert path.states is not None and path.epochs is not None
            curves = None
            if path.train_curves is not None and path.val_curves is not None:
                curves = (path.train_curves[index], path.val_curves[index])
            model = rebuild(template, path, index)
            self._set_fitted(model, chosen, "network", int(path.epochs[index]), curves=curves)
        return self

    def _template(
        self, n_features: int, y: np.ndarray, spec: Spec, n_outputs: int
    ) -> torch.nn.Module:
        """The network every fold and the all-rows path start from."""
        model = self._network(spec, n_features, n_outputs)
        if self._task == "regression":
            start_at_mean(model, y, None)
        return model

    # -- the two engines -----------------------------------------------------------------
    @staticmethod
    def _linear_cv(X: np.ndarray, y: np.ndarray, spec: Spec, options: dict[str, Any]) -> CVResult:
        l1_ratio = {"l1": 1.0, "l2": 0.0, "elasticnet": spec.l1_ratio}[spec.penalty]
        alphas = options["alphas"]
        if alphas is None and l1_ratio == 0.0:
            top = linear_lambda_max(X, y, RIDGE_GRID_L1_RATIO)
            alphas = lambda_grid(top, options["n_alphas"], options["eps"] * RIDGE_GRID_L1_RATIO)
        return cross_validate_linear(
            X,
            y,
            l1_ratio=l1_ratio,
            lambdas=alphas,
            n_lambdas=options["n_alphas"],
            eps=options["eps"],
            folds=options["cv"],
            seed=spec.seed,
            n_jobs=options["n_jobs"],
            backend=options["backend"],
            address=options["address"],
            progress=spec.config.verbose,
        )

    def _network_cv(
        self,
        X: np.ndarray,
        y: np.ndarray,
        model: torch.nn.Module,
        spec: Spec,
        options: dict[str, Any],
        loss: str,
    ) -> CVResult:
        plan = build_plan(model, spec)  # unit strength: λ is alpha
        assert plan is not None  # penalty != "none" was checked
        config = spec.config.replace(loss=loss)
        target_dtype = torch.int64 if loss == "cross_entropy" else torch.float64
        X_t, y_t = as_tensor(X), as_tensor(y, target_dtype)
        alphas = options["alphas"]
        if alphas is None and spec.penalty == "l2":
            ridge_like = replace(spec, penalty="elasticnet", l1_ratio=RIDGE_GRID_L1_RATIO)
            proxy = build_plan(model, ridge_like)
            assert proxy is not None
            top = network_lambda_max(model, X_t, y_t, proxy, config)
            alphas = lambda_grid(top, options["n_alphas"], options["eps"] * RIDGE_GRID_L1_RATIO)
        return cross_validate(
            model,
            X_t,
            y_t,
            plan,
            lambdas=alphas,
            n_lambdas=options["n_alphas"],
            eps=options["eps"],
            folds=options["cv"],
            stratified=self._task == "classification",
            seed=spec.seed,
            config=config,
            metric="loss",
            n_jobs=options["n_jobs"],
            backend=options["backend"],
            address=options["address"],
            progress=spec.config.verbose,
            val_fraction=spec.validation_fraction,
        )
