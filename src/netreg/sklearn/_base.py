"""What every netreg estimator does at fit and predict: one model, one plan, one engine.

``_fit_at(X, y, sample_weight, spec, alpha)`` trains at one strength ``alpha`` and sets
the fitted attributes; the plain estimators call it with their ``alpha``, the CV
variants with the ``alpha_`` they chose. Two engines:

- ``coordinate_descent`` / ``least_squares``: a linear regression with no, L1, L2 or
  Elastic Net penalty (``mode`` "auto" or "prox") is solved exactly by scikit-learn
  (:mod:`netreg.sklearn._linear`), then copied into the same one-layer network;
- ``network``: :func:`netreg.train.fit` on :func:`netreg.train.mlp`, the penalty bound
  as a :class:`netreg.Plan` (:func:`netreg.sklearn._params.build_plan`).

Everything trains and predicts in float64, as scikit-learn does.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from torch import nn

from netreg.regularizer import Regularizer
from netreg.sklearn._linear import solve_linear, zou_hastie
from netreg.sklearn._params import Spec, build_plan
from netreg.train import FitResult, fit, mlp, predict


def as_tensor(array: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A writable copy as a tensor (read-only memmaps would make torch warn)."""
    return torch.tensor(np.asarray(array), dtype=dtype)


def first_linear(model: nn.Module) -> nn.Linear:
    """The Linear layer that reads the input features."""
    return next(m for m in model.modules() if isinstance(m, nn.Linear))


def last_linear(model: nn.Module) -> nn.Linear:
    """The output layer."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def start_at_mean(model: nn.Module, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
    """Set the output bias to the (weighted) mean target.

    The objective and its minimizers are unchanged; the first epochs just do not spend
    themselves learning the mean of an uncentred target.
    """
    if sample_weight is not None and not sample_weight.sum() > 0:
        return
    with torch.no_grad():
        last_linear(model).bias.fill_(float(np.average(y, weights=sample_weight)))


class NetRegEstimator(BaseEstimator):
    """Shared fit machinery; subclasses define the task, the target encoding and ``__init__``.

    Subclasses set ``_task`` ("regression" or "classification") and implement
    ``_encode(y, sample_weight) -> (target, n_outputs, loss)``.
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

    def _fit_at(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        spec: Spec,
        alpha: float,
        n_outputs: int,
        loss: str,
    ) -> None:
        """Train at strength ``alpha`` (``y`` already encoded) and set the fitted attributes."""
        result: FitResult | None = None
        model: nn.Module
        reg: Regularizer | None
        if spec.uses_linear_engine(self._task):
            solution = solve_linear(X, y, sample_weight, spec.penalty, alpha, spec.l1_ratio)
            model = mlp(X.shape[1], hidden=(), seed=spec.seed, dtype=torch.float64)
            with torch.no_grad():
                first_linear(model).weight.copy_(torch.from_numpy(solution.coef).reshape(1, -1))
                first_linear(model).bias.fill_(solution.intercept)
            plan = build_plan(model, spec, alpha)
            reg = None if plan is None else plan.bind(model)  # what the solver minimized
            engine, n_iter = solution.engine, solution.n_iter
        else:
            model, reg, result = self._train_network(
                X, y, sample_weight, spec, alpha, n_outputs, loss
            )
            engine, n_iter = "network", result.epochs_run
        if spec.correction == "zou-hastie":
            layer = first_linear(model)
            coef, intercept = zou_hastie(
                layer.weight.detach().numpy()[0], X, y, sample_weight, alpha, spec.l1_ratio
            )
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(coef).reshape(1, -1))
                layer.bias.fill_(intercept)
        self.model_ = model
        self.regularizer_ = reg
        self.fit_result_ = result
        self.engine_ = engine
        self.n_iter_ = int(n_iter)
        self.loss_curve_ = [] if result is None else list(result.train_losses)
        self.validation_curve_ = [] if result is None else list(result.val_losses)
        self._set_structure(spec)
        self._pruned: tuple[nn.Module, nn.Module, Any] | None = None
        self._input_columns: np.ndarray | None = None

    def _train_network(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        spec: Spec,
        alpha: float,
        n_outputs: int,
        loss: str,
    ) -> tuple[nn.Module, Regularizer | None, FitResult]:
        model: nn.Module = mlp(
            X.shape[1],
            hidden=spec.hidden,
            n_outputs=n_outputs,
            activation=spec.activation,
            dropout=spec.dropout,
            seed=spec.seed,
            dtype=torch.float64,
        )
        train, val = self._holdout(y, spec)
        if self._task == "regression":
            start_at_mean(model, y[train], None if sample_weight is None else sample_weight[train])
        plan = build_plan(model, spec, alpha)
        reg = None if plan is None else plan.bind(model)
        target_dtype = torch.int64 if loss == "cross_entropy" else torch.float64
        result = fit(
            model,
            as_tensor(X[train]),
            as_tensor(y[train], target_dtype),
            regularizer=reg,
            config=spec.config.replace(loss=loss),
            X_val=None if val is None else as_tensor(X[val]),
            y_val=None if val is None else as_tensor(y[val], target_dtype),
            sample_weight=None if sample_weight is None else as_tensor(sample_weight[train]),
        )
        return model, reg, result

    def _holdout(self, y: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray | None]:
        """Training and validation row indices (no validation without early stopping)."""
        n = len(y)
        rows = np.arange(n)
        if not spec.early_stopping:
            return rows, None
        if n < 2:
            raise ValueError(
                "early_stopping=True holds out validation_fraction of the rows, which needs "
                f"at least 2 samples; got {n} sample. Pass more rows or early_stopping=False. "
                f"Received: n_samples={n}"
            )
        stratify = None
        if self._task == "classification":
            _, counts = np.unique(y, return_counts=True)
            n_val = int(np.ceil(spec.validation_fraction * n))
            if counts.min() >= 2 and len(counts) <= min(n_val, n - n_val):
                stratify = y
        train, val = train_test_split(
            rows, test_size=spec.validation_fraction, random_state=spec.seed, stratify=stratify
        )
        return np.sort(train), np.sort(val)

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
