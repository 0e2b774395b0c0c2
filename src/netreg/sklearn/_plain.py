"""Estimators at one given ``alpha``: the constructor (its docstring documents the
parameters every estimator shares) and ``fit(X, y, sample_weight)``."""

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
        """Store the parameters (scikit-learn's convention: ``fit`` checks them).

        Parameters
        ----------
        hidden : tuple of int, default (64,)
            Width of each hidden layer of the :func:`netreg.train.mlp`. ``()`` is a linear
            model (linear regression, or logistic / multinomial regression for the
            classifiers).
        activation : {"relu", "tanh", "gelu", "sigmoid", "identity"}, default "relu"
            Nonlinearity after each hidden layer.
        dropout : float in [0, 1), default 0.0
            Dropout probability after each hidden activation.
        penalty : {"none", "l1", "l2", "elasticnet", "group", "sparse_group"}, default "none"
            ``l1``, ``l2`` and ``elasticnet`` act on every Linear weight (output layer
            included, biases never); ``group`` and ``sparse_group`` act on the groups named
            by ``groups``. Penalty values (added to the mean data loss, see Notes):
            ``l1`` ``alpha·‖w‖₁``; ``l2`` ``½·alpha·‖w‖²``; ``elasticnet``
            ``alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖²``; ``group``
            ``alpha·Σ_g √|g|·‖w_g‖₂``; ``sparse_group``
            ``alpha·(l1_ratio·‖w‖₁ + (1 − l1_ratio)·Σ_g √|g|·‖w_g‖₂)``.
        alpha : float >= 0, default 1e-3
            The λ of netreg's path: the penalty is built at unit strength and multiplied by
            ``alpha`` (``regularizer_.scale``), so ``alpha`` is the penalty strength with
            scikit-learn's meaning. For a linear regression, ``penalty="l1"`` is
            ``Lasso(alpha)``, ``"elasticnet"`` is ``ElasticNet(alpha, l1_ratio)`` and ``"l2"``
            is ``Ridge(alpha·n)``; for the classifiers it scales against the mean log-loss
            (``LogisticRegression(C=1/(n·alpha))``, see their Notes). The CV variants choose
            it (``alpha_``) on the same scale.
        l1_ratio : float in [0, 1], default 0.5
            Share of the L1 part in ``elasticnet`` and ``sparse_group``.
        groups : {"inputs", "units"}, default "inputs"
            For ``group`` / ``sparse_group``: ``"inputs"`` puts one group per input feature
            on the input layer (feature selection: ``selected_features_``); ``"units"`` one
            group per hidden unit (its incoming weights and bias) on every hidden layer
            (units that :attr:`pruned_model_` removes). The output layer is never grouped.
        max_norm : float > 0 or None, default None
            Bound on the L2 norm of each hidden unit's incoming weights (``MaxNorm``,
            projected after every step); needs a hidden layer.
        mode : {"auto", "loss", "prox"}, default "auto"
            How penalties apply (:class:`netreg.Plan`): ``auto`` gives non-smooth penalties a
            proximal step after each optimizer step (exact zeros) and puts L2 in the loss;
            ``loss`` adds every penalty to the loss (subgradients, Keras's way).
        optimizer : {"adam", "sgd", "adamw"}, default "adam"
        lr : float > 0, default 1e-3
            Learning rate; also the proximal step (per coordinate under Adam).
        batch_size : int >= 1 or None, default 64
            Rows per step; None is full-batch gradient descent.
        max_epochs : int >= 1, default 200
        early_stopping : bool, default True
            Hold out ``validation_fraction`` of the rows (stratified for classifiers when
            every class allows it), stop when the validation data loss has not improved by
            1e-4 for ``patience`` epochs, and keep the best epoch's weights. The validation
            loss is unweighted even with ``sample_weight``. False: train on all rows and stop
            when the training objective stops improving (scikit-learn's MLP rule).
        validation_fraction : float in (0, 1), default 0.1
        patience : int >= 1 or None, default 10
            Epochs without improvement before stopping; None runs ``max_epochs``.
        correction : {None, "zou-hastie"}, default None
            ``"zou-hastie"`` rescales a linear Elastic Net's coefficients by
            ``1 + alpha·(1 − l1_ratio)`` (Zou & Hastie 2005) and re-solves the intercept.
            Only for ``hidden=()`` regression with ``penalty="elasticnet"``; the factor
            assumes standardized columns (a UserWarning says when they are not). Anything
            else raises a ValueError that explains why.
        random_state : int >= 0, None or numpy RandomState, default 0
            Seeds the initialization, the shuffling, dropout and the validation split. The
            same int gives bit-identical fits on CPU.
        verbose : bool, default False
            A progress bar while training.
        """
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
