"""The parameter and attribute sections the four estimators share (numpydoc)."""

from __future__ import annotations

NETWORK = """\
    hidden : tuple of int, default (64,)
        Width of each hidden layer of the :func:`netreg.train.mlp`. ``()`` is a linear
        model (linear regression, or logistic / multinomial regression for the
        classifiers).
    activation : {"relu", "tanh", "gelu", "sigmoid", "identity"}, default "relu"
        Nonlinearity after each hidden layer.
    dropout : float in [0, 1), default 0.0
        Dropout probability after each hidden activation."""

PENALTY = """\
    penalty : {"none", "l1", "l2", "elasticnet", "group", "sparse_group"}, default "none"
        ``l1``, ``l2`` and ``elasticnet`` act on every Linear weight (output layer
        included, biases never); ``group`` and ``sparse_group`` act on the groups named
        by ``groups``. Penalty values (added to the mean data loss, see Notes):
        ``l1`` ``alpha·‖w‖₁``; ``l2`` ``½·alpha·‖w‖²``; ``elasticnet``
        ``alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖²``; ``group``
        ``alpha·Σ_g √|g|·‖w_g‖₂``; ``sparse_group``
        ``alpha·(l1_ratio·‖w‖₁ + (1 − l1_ratio)·Σ_g √|g|·‖w_g‖₂)``."""

ALPHA = """\
    alpha : float >= 0, default 1e-3
        Penalty strength, with scikit-learn's meaning: for a linear regression,
        ``penalty="l1"`` is ``Lasso(alpha)``, ``"elasticnet"`` is
        ``ElasticNet(alpha, l1_ratio)`` and ``"l2"`` is ``Ridge(alpha·n)``."""

REST = """\
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
        A progress bar while training."""

CV = """\
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
        A Ray cluster's address for ``backend="ray"``."""

ATTRIBUTES = """\
    model_ : torch.nn.Sequential
        The trained network (float64), as built by :func:`netreg.train.mlp`.
    regularizer_ : netreg.Regularizer or None
        The plan bound to ``model_`` (None with ``penalty="none"`` and no ``max_norm``);
        ``regularizer_.describe()`` prints which weight got what.
    engine_ : {"coordinate_descent", "least_squares", "network"}
        Which engine trained the model: scikit-learn's exact solvers for linear
        regression with ``none``/``l1``/``l2``/``elasticnet`` (``mode`` "auto"/"prox"),
        the training loop otherwise.
    fit_result_ : netreg.train.FitResult or None
        The training loop's record (None for the exact solvers).
    n_iter_ : int
        Epochs run (network), coordinate-descent iterations, or 1 (closed form).
    loss_curve_, validation_curve_ : list of float
        Training objective and validation data loss per epoch (empty for the exact solvers).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    selected_features_ : ndarray of int
        Indices of the inputs whose column in the input layer is not entirely zero.
    selected_feature_names_ : ndarray of str
        Their names, when ``feature_names_in_`` exists.
    coef_, intercept_ : ndarray
        Only for ``hidden=()``."""
