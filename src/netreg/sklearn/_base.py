"""What every netreg estimator does at fit and predict: one model, one plan, one engine.

``alpha`` is the λ of netreg's path: the plan is always built at unit strength
(:func:`netreg.sklearn._params.build_plan`) and ``regularizer_.scale`` is alpha, so a
plain estimator at ``alpha`` and a path point at λ = alpha are the same objective.
``_fit_point`` trains the plain estimators at their ``alpha``; the CV variants take
their final model from the path (``_cv``) and set the same attributes. Two engines:

- ``coordinate_descent`` / ``least_squares``: a linear regression with no, L1, L2 or
  Elastic Net penalty (``mode`` "auto" or "prox") is solved exactly by scikit-learn
  (:mod:`netreg.sklearn._linear`), then copied into the same one-layer network;
- ``network``: one point of the network path (:func:`netreg.path.fit_point`) on
  :func:`netreg.train.mlp`, from its seeded initial weights.

Everything trains and predicts in float64, as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from torch import nn

from netreg.path import fit_point, split_data
from netreg.regularizer import Regularizer
from netreg.sklearn._linear import solve_linear, zou_hastie
from netreg.sklearn._params import Spec, bind_at
from netreg.train import FitResult, mlp, predict


def as_tensor(array: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """``array`` as a tensor, sharing its memory where it can (training never writes to it).

    A read-only array (a memmap) or one of another dtype is copied: torch warns on
    read-only memory, and a table's features are the largest thing a fit holds.
    """
    array = np.asarray(array)
    if array.flags.writeable and torch.from_numpy(array[:0]).dtype == dtype:
        return torch.from_numpy(array)
    return torch.tensor(array, dtype=dtype)


def first_linear(model: nn.Module) -> nn.Linear:
    """The Linear layer that reads the input features."""
    return next(m for m in model.modules() if isinstance(m, nn.Linear))


def last_linear(model: nn.Module) -> nn.Linear:
    """The output layer."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def start_at_mean(model: nn.Module, y: Any, sample_weight: Any) -> None:
    """Set the output bias to the (weighted) mean target.

    The objective and its minimizers are unchanged; the first epochs just do not spend
    themselves learning the mean of an uncentred target.
    """
    if sample_weight is not None and not sample_weight.sum() > 0:
        return
    with torch.no_grad():
        last_linear(model).bias.fill_(float(np.average(np.asarray(y), weights=sample_weight)))


class NetRegEstimator(BaseEstimator):
    """Shared fit machinery; subclasses define the task, the target encoding and ``__init__``.

    Subclasses set ``_task`` ("regression" or "classification") and implement
    ``_encode(y, sample_weight) -> (target, n_outputs, loss)``.

    Attributes
    ----------
    model_ : torch.nn.Sequential
        The trained network (float64), as built by :func:`netreg.train.mlp`.
    regularizer_ : netreg.Regularizer or None
        The unit-strength plan bound to ``model_``, its ``scale`` set to ``alpha`` (or
        ``alpha_``); None with ``penalty="none"`` and no ``max_norm``.
        ``regularizer_.describe()`` prints which weight got what.
    engine_ : {"coordinate_descent", "least_squares", "network"}
        Which engine trained the model: scikit-learn's exact solvers for linear
        regression with ``none``/``l1``/``l2``/``elasticnet`` (``mode`` "auto"/"prox"),
        the training loop otherwise.
    fit_result_ : netreg.train.FitResult or None
        The training loop's record (None for the exact solvers and the CV variants).
    n_iter_ : int
        Epochs run (network; for the CV variants, by the path's fit at ``alpha_``),
        coordinate-descent iterations, or 1 (closed form).
    loss_curve_, validation_curve_ : list of float
        Training objective and validation data loss per epoch of the fit that ended at
        the final weights (empty for the exact solvers).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    selected_features_ : ndarray of int
        Indices of the inputs whose column in the input layer is not entirely zero.
    selected_feature_names_ : ndarray of str
        Their names, when ``feature_names_in_`` exists.
    coef_, intercept_ : ndarray
        Only for ``hidden=()``.
    """

    _task: ClassVar[str] = "regression"
    _has_alpha: ClassVar[bool] = True

    # -- data ------------------------------------------------------------------------
    def _validate_fit_data(
        self, X: Any, y: Any, sample_weight: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=self._task == "regression")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        return X, y, sample_weight

    def _features(self, X: Any) -> torch.Tensor:
        """Checked prediction input, restricted to the columns the network reads."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        columns = getattr(self, "_input_columns", None)
        if columns is not None:
            X = X[:, columns]
        return as_tensor(X)

    def _outputs(self, X: Any) -> np.ndarray:
        """Raw network outputs: ``(n,)`` for one output, ``(n, k)`` for k."""
        features = self._features(X)  # first: it raises NotFittedError before fit
        return predict(self.model_, features, task="regression")

    # -- training --------------------------------------------------------------------
    def _encode(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, int, str]:
        raise NotImplementedError

    def _network(self, spec: Spec, n_features: int, n_outputs: int) -> nn.Module:
        """The untrained network of ``spec`` (seeded, float64)."""
        return mlp(
            n_features,
            hidden=spec.hidden,
            n_outputs=n_outputs,
            activation=spec.activation,
            dropout=spec.dropout,
            seed=spec.seed,
            dtype=torch.float64,
        )

    def _fit_point(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        spec: Spec,
        n_outputs: int,
        loss: str,
    ) -> None:
        """Train at ``spec.alpha`` (``y`` already encoded) and set the fitted attributes.

        The linear engine solves the convex problem exactly; the network engine fits one
        point of the path (:func:`netreg.path.fit_point`) from the initial weights.
        """
        result: FitResult | None = None
        reg: Regularizer | None = None
        if spec.uses_linear_engine(self._task):
            solution = solve_linear(X, y, sample_weight, spec.penalty, spec.alpha, spec.l1_ratio)
            model = self._linear_model(X.shape[1], spec, solution.coef, solution.intercept)
            engine, n_iter = solution.engine, solution.n_iter
        else:
            if spec.early_stopping and len(y) < 2:
                raise ValueError(
                    "early_stopping=True holds out validation_fraction of the rows, which "
                    f"needs at least 2 samples; got {len(y)} sample. Pass more rows or "
                    f"early_stopping=False. Received: n_samples={len(y)}"
                )
            model = self._network(spec, X.shape[1], n_outputs)
            config = spec.config.replace(loss=loss)
            data = split_data(
                as_tensor(X),  # a writable copy (read-only memmaps would make torch warn)
                as_tensor(y, torch.int64 if loss == "cross_entropy" else torch.float64),
                config,
                val_fraction=spec.validation_fraction if spec.early_stopping else 0.0,
                seed=spec.seed,
                sample_weight=sample_weight,
            )
            if self._task == "regression":
                start_at_mean(model, data.y.numpy(), None if data.w is None else data.w.numpy())
            reg = bind_at(model, spec, spec.alpha)
            n_iter, result = fit_point(model, reg, spec.alpha, data, config)
            engine = "network"
        if spec.correction == "zou-hastie":
            layer = first_linear(model)
            coef, intercept = zou_hastie(
                layer.weight.detach().numpy()[0], X, y, sample_weight, spec.alpha, spec.l1_ratio
            )
            model, reg = self._linear_model(X.shape[1], spec, coef, intercept), None
        self._set_fitted(model, spec, engine, n_iter, result, reg=reg)

    @staticmethod
    def _linear_model(n_features: int, spec: Spec, coef: np.ndarray, intercept: float) -> nn.Module:
        """A one-layer network holding a linear solution."""
        model = mlp(n_features, hidden=(), seed=spec.seed, dtype=torch.float64)
        with torch.no_grad():
            first_linear(model).weight.copy_(torch.from_numpy(coef).reshape(1, -1))
            first_linear(model).bias.fill_(intercept)
        return model

    def _set_fitted(
        self,
        model: nn.Module,
        spec: Spec,
        engine: str,
        n_iter: int,
        result: FitResult | None = None,
        curves: tuple[Sequence[float], Sequence[float]] | None = None,
        reg: Regularizer | None = None,
    ) -> None:
        """The fitted attributes of ``model``, trained (or solved) at ``spec.alpha``.

        ``curves``: the learning curves when they come from elsewhere than ``result``;
        ``reg``: the regularizer that trained ``model`` (else one is bound to it).
        """
        if curves is None and result is not None:
            curves = (result.train_losses, result.val_losses)
        self.model_ = model
        self.regularizer_ = reg if reg is not None else bind_at(model, spec, spec.alpha)
        self.fit_result_ = result
        self.engine_ = engine
        self.n_iter_ = int(n_iter)
        self.loss_curve_ = [] if curves is None else list(curves[0])
        self.validation_curve_ = [] if curves is None else list(curves[1])
        self._set_structure(spec)
        self._pruned: tuple[nn.Module, nn.Module, Any] | None = None
        self._input_columns: np.ndarray | None = None

    def _set_structure(self, spec: Spec) -> None:
        """selected_features_, selected_feature_names_ and, for linear models, coef_/intercept_."""
        for stale in ("selected_feature_names_", "coef_", "intercept_"):  # from an earlier fit
            self.__dict__.pop(stale, None)
        layer = first_linear(self.model_)
        weight = layer.weight.detach().numpy()
        self.selected_features_ = np.flatnonzero(np.any(weight != 0.0, axis=0))
        if hasattr(self, "feature_names_in_"):
            self.selected_feature_names_ = self.feature_names_in_[self.selected_features_]
        if spec.is_linear:
            bias = layer.bias.detach().numpy()
            regression = self._task == "regression"
            self.coef_: np.ndarray = weight[0].copy() if regression else weight.copy()
            self.intercept_: Any = float(bias[0]) if regression else bias.copy()

    # -- pruning ---------------------------------------------------------------------
    def _prune(self) -> tuple[nn.Module, Any]:
        check_is_fitted(self, "model_")
        cached = getattr(self, "_pruned", None)
        if cached is not None and cached[0] is self.model_:
            return cached[1], cached[2]
        from netreg.pruning import prune

        names = list(self.feature_names_in_) if hasattr(self, "feature_names_in_") else None
        columns = getattr(self, "_input_columns", None)
        if names is not None and columns is not None:
            names = [names[j] for j in columns]
        small, result = prune(self.model_, input_names=names)
        self._pruned = (self.model_, small, result)
        return small, result

    @property
    def pruned_model_(self) -> nn.Module:
        """The network with its exactly-zero units and inputs removed (:func:`netreg.prune`).

        It computes the same function on fewer inputs: feed it
        ``prune_result_.select_inputs(X)``. Use :meth:`pruned` for an estimator that
        takes ``X`` itself.
        """
        return self._prune()[0]

    @property
    def prune_result_(self) -> Any:
        """The :class:`netreg.pruning.PruneResult`: parameters before/after, inputs kept."""
        return self._prune()[1]

    def pruned(self) -> NetRegEstimator:
        """A fitted copy whose network is :attr:`pruned_model_`; ``predict(X)`` is unchanged.

        The copy takes the same ``X`` (it selects the kept columns itself) and gives the
        same predictions, with a physically smaller network. Its ``regularizer_`` is None
        (the pruned network has new parameters); the other fitted attributes, such as
        ``coef_`` and ``selected_features_``, still refer to the original columns.

        Examples
        --------
        >>> import numpy as np
        >>> from netreg.sklearn import NetRegRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(80, 6)); y = X[:, 0] - X[:, 1]
        >>> est = NetRegRegressor(hidden=(8,), penalty="group", alpha=0.05, lr=0.01,
        ...                       early_stopping=False, max_epochs=100).fit(X, y)
        >>> small = est.pruned()
        >>> bool(np.allclose(small.predict(X), est.predict(X)))
        True
        """
        small, result = self._prune()
        out = type(self).__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.model_ = small
        out.regularizer_ = None
        kept = None if result.inputs_kept is None else np.asarray(result.inputs_kept)
        columns = getattr(self, "_input_columns", None)
        if kept is not None and columns is not None:
            kept = columns[kept]
        out._input_columns = kept
        out._pruned = None
        return out
