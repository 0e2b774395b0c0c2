"""The estimators' parameters, checked in one place at fit, and the Plan they describe.

scikit-learn's convention is that ``__init__`` only stores its arguments; everything is
validated here, when ``fit`` runs, and turned into a :class:`Spec`: the network's shape,
the penalty, the :class:`~netreg.train.FitConfig` and the seed. :func:`build_plan` maps
``penalty``/``l1_ratio``/``groups``/``max_norm``/``mode`` onto a :class:`~netreg.Plan`
at unit strength, and :func:`bind_at` scales it by ``alpha``, which then means what it
means in scikit-learn.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from torch import nn

from netreg import choices, select
from netreg._validation import (
    check_choice,
    check_fraction,
    check_positive,
    check_strength,
)
from netreg.constraints import Constraint, MaxNorm
from netreg.penalties import L1, L2, ElasticNet, GroupLasso, Penalty, SparseGroupLasso
from netreg.plan import Plan
from netreg.regularizer import Regularizer
from netreg.select import Selector
from netreg.train import FitConfig


@dataclass(frozen=True)
class Spec:
    """Validated parameters of one estimator, ready to build a model and a plan."""

    hidden: tuple[int, ...]
    activation: str
    dropout: float
    penalty: str
    alpha: float
    l1_ratio: float
    groups: str
    max_norm: float | None
    mode: str
    config: FitConfig
    early_stopping: bool
    validation_fraction: float
    correction: str | None
    seed: int

    @property
    def is_linear(self) -> bool:
        """No hidden layer: linear (or logistic) regression."""
        return self.hidden == ()

    def uses_linear_engine(self, task: str) -> bool:
        """True when an exact scikit-learn solver gives the answer the loop would approach.

        A linear regression with no, L1, L2 or Elastic Net penalty applied the default or
        proximal way is a convex problem solved exactly by coordinate descent or a
        least-squares solve; ``mode="loss"`` asks for the (sub)gradient loop on purpose.
        """
        return (
            task == "regression"
            and self.is_linear
            and self.penalty in choices.LINEAR_PENALTIES
            and self.mode in ("auto", "prox")
        )


def _integer(name: str, value: Any, low: int) -> int:
    """An integer (NumPy's too, never a bool) ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer. Received: {name}={value!r}")
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}. Received: {name}={value!r}")
    return int(value)


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return bool(value)


def _hidden(value: Any) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise TypeError(
            "`hidden` must be a tuple of layer widths such as (64,) or (64, 32); () is a "
            f"linear (or logistic) model. Received: hidden={value!r}"
        )
    return tuple(_integer(f"hidden[{i}]", h, 1) for i, h in enumerate(value))


def seed_of(random_state: Any) -> int:
    """An int seed from scikit-learn's ``random_state`` (int, None or a RandomState).

    An int is used as is (same data and seed give bit-identical fits on CPU); None and a
    ``RandomState`` draw a fresh seed, as scikit-learn estimators do.
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return _integer("random_state", random_state, 0)
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return int(check_random_state(random_state).randint(0, 2**31 - 1))
    raise TypeError(
        "`random_state` must be an int >= 0, None or a numpy RandomState. "
        f"Received: random_state={random_state!r}"
    )


def check_params(est: Any, task: str, *, has_alpha: bool = True) -> Spec:
    """Validate every constructor parameter of ``est``; the :class:`Spec` they describe.

    ``task`` is ``"regression"`` or ``"classification"``; ``has_alpha=False`` for the CV
    variants (alpha is chosen, not given).
    """
    hidden = _hidden(est.hidden)
    check_choice("activation", est.activation, choices.ACTIVATIONS)
    dropout = check_fraction("dropout", est.dropout)
    if dropout >= 1.0:
        raise ValueError(f"`dropout` must be < 1. Received: dropout={est.dropout!r}")
    penalty = check_choice("penalty", est.penalty, choices.names(choices.PENALTIES))
    alpha = check_strength("alpha", est.alpha) if has_alpha else 1.0
    l1_ratio = check_fraction("l1_ratio", est.l1_ratio)
    groups = check_choice("groups", est.groups, choices.names(choices.GROUP_KINDS))
    max_norm = None if est.max_norm is None else check_positive("max_norm", est.max_norm)
    mode = check_choice("mode", est.mode, choices.names(choices.MODES))
    check_choice("optimizer", est.optimizer, choices.names(choices.OPTIMIZERS))
    lr = check_positive("lr", est.lr)
    batch_size = None if est.batch_size is None else _integer("batch_size", est.batch_size, 1)
    max_epochs = _integer("max_epochs", est.max_epochs, 1)
    early_stopping = _boolean("early_stopping", est.early_stopping)
    validation_fraction = check_fraction("validation_fraction", est.validation_fraction)
    if early_stopping and not 0.0 < validation_fraction < 1.0:
        raise ValueError(
            "`validation_fraction` must be strictly between 0 and 1 when early_stopping=True. "
            f"Received: validation_fraction={est.validation_fraction!r}"
        )
    patience = None if est.patience is None else _integer("patience", est.patience, 1)
    correction = check_choice("correction", est.correction, choices.CORRECTIONS)
    verbose = _boolean("verbose", est.verbose)
    seed = seed_of(est.random_state)

    if penalty in ("group", "sparse_group") and groups == "units" and not hidden:
        raise ValueError(
            "groups='units' zeroes whole hidden units, and hidden=() has none: use "
            "groups='inputs' (feature selection) or add a hidden layer. Received: groups='units'"
        )
    if max_norm is not None and not hidden:
        raise ValueError(
            "max_norm bounds the incoming weights of each hidden unit, and hidden=() has no "
            "hidden layer. Received: max_norm=" + repr(est.max_norm)
        )
    if correction is not None:
        _check_correction(task, hidden, penalty)

    config = FitConfig(
        optimizer=est.optimizer,
        lr=lr,
        batch_size=batch_size,
        max_epochs=max_epochs,
        early_stopping=early_stopping,
        patience=patience,
        seed=seed,
        loss="half_mse" if task == "regression" else "cross_entropy",
        dtype="float64",
        verbose=verbose,
    )
    return Spec(
        hidden=hidden,
        activation=est.activation,
        dropout=dropout,
        penalty=penalty,
        alpha=alpha,
        l1_ratio=l1_ratio,
        groups=groups,
        max_norm=max_norm,
        mode=mode,
        config=config,
        early_stopping=early_stopping,
        validation_fraction=validation_fraction,
        correction=correction,
        seed=seed,
    )


def _check_correction(task: str, hidden: tuple[int, ...], penalty: str) -> None:
    """Zou & Hastie's (1 + λ₂) rescaling is defined for a linear least-squares Elastic Net."""
    if hidden:
        raise ValueError(
            "correction='zou-hastie' is defined for linear models only (hidden=()). It undoes "
            "the double shrinkage of a linear Elastic Net: the coefficients are rescaled by "
            "(1 + λ₂). In a network with hidden layers the weights are not regression "
            "coefficients, scaling them changes the function non-linearly, and there is no "
            "agreed corrected estimator, so netreg refuses rather than guess. Use hidden=() "
            f"or correction=None. Received: hidden={hidden!r}"
        )
    if task != "regression":
        raise ValueError(
            "correction='zou-hastie' is defined for the least-squares Elastic Net (regression); "
            "for logistic models there is no agreed corrected estimator. Use correction=None. "
            "Received: correction='zou-hastie'"
        )
    if penalty != "elasticnet":
        raise ValueError(
            "correction='zou-hastie' rescales an Elastic Net by (1 + λ₂), λ₂ = alpha·(1 − l1_ratio); "
            "it needs penalty='elasticnet'. Received: penalty=" + repr(penalty)
        )


def check_cv_params(est: Any) -> dict[str, Any]:
    """The CV variants' own parameters: the alpha grid, the folds and the rule."""
    alphas = est.alphas
    if alphas is not None:
        alphas = np.asarray(alphas, dtype=float).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError(
                "`alphas` must be a non-empty sequence of finite values >= 0. "
                f"Received: alphas={est.alphas!r}"
            )
    n_alphas = _integer("n_alphas", est.n_alphas, 1)
    eps = check_fraction("eps", est.eps)
    if not 0.0 < eps < 1.0:
        raise ValueError(f"`eps` must be strictly between 0 and 1. Received: eps={est.eps!r}")
    cv = est.cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        cv = _integer("cv", cv, 2)
    elif cv is None or isinstance(cv, (bool, str, float)):
        raise TypeError(
            "`cv` must be a number of folds (>= 2), a scikit-learn splitter or a list of "
            f"(train, test) index pairs. Received: cv={cv!r}"
        )
    return {
        "alphas": alphas,
        "n_alphas": n_alphas,
        "eps": eps,
        "cv": cv,
        "rule": check_choice("rule", est.rule, choices.names(choices.RULES)),
        "n_jobs": -1 if est.n_jobs == -1 else _integer("n_jobs", est.n_jobs, 1),
        "backend": check_choice("backend", est.backend, choices.names(choices.CV_BACKENDS)),
        "address": est.address,
    }


def penalty_of(penalty: str, alpha: float, l1_ratio: float, groups: str) -> Penalty | None:
    """The penalty object whose value, added to ½·MSE, is scikit-learn's ``alpha`` term.

    ``l1`` → ``alpha·‖w‖₁`` (Lasso); ``l2`` → ``½·alpha·‖w‖²`` (``ElasticNet(l1_ratio=0)``);
    ``elasticnet`` → ``ElasticNet.from_sklearn(alpha, l1_ratio)``; ``group`` →
    ``alpha·Σ_g √|g|·‖w_g‖``; ``sparse_group`` → ``SparseGroupLasso(alpha, l1_ratio)``.
    """
    if penalty == "none":
        return None
    if penalty == "l1":
        return L1(alpha)
    if penalty == "l2":
        return L2(alpha / 2.0)
    if penalty == "elasticnet":
        return ElasticNet.from_sklearn(alpha, l1_ratio)
    if penalty == "group":
        return GroupLasso(alpha, groups=groups)
    return SparseGroupLasso(alpha, l1_ratio=l1_ratio, groups=groups)


def _named(names: list[str]) -> Selector:
    """Exactly these parameters (selectors pickle, so the plan reaches worker processes)."""
    return select.name(*names)


def build_plan(model: nn.Module, spec: Spec) -> Plan | None:
    """The plan of ``spec`` at unit strength for ``model`` (an :func:`~netreg.train.mlp`).

    Every penalty is linear in its strength, so the plan at strength 1 scaled by λ
    (``Regularizer.scale``) is the plan at strength λ: alpha is that λ.

    l1 / l2 / elasticnet go on every Linear weight (the output layer's too, as in weight
    decay); group penalties with ``groups="inputs"`` on the input layer only (feature
    selection), with ``groups="units"`` on every hidden layer (the output layer's units
    are the predictions, never removed); ``max_norm`` on every hidden layer. Biases are
    never penalized. Returns None when nothing applies.
    """
    weights = [f"{name}.weight" for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    every = _named(weights)
    hidden = _named(weights[:-1]) if len(weights) > 1 else None
    rules: dict[Selector, list[Penalty | Constraint]] = {}
    item = penalty_of(spec.penalty, 1.0, spec.l1_ratio, spec.groups)
    if item is not None:
        if spec.penalty in ("group", "sparse_group"):
            target = _named(weights[:1]) if spec.groups == "inputs" else hidden
        else:
            target = every
        assert target is not None  # check_params refused groups="units" without hidden layers
        rules.setdefault(target, []).append(item)
    if spec.max_norm is not None:
        assert hidden is not None  # check_params refused max_norm without hidden layers
        rules.setdefault(hidden, []).append(MaxNorm(spec.max_norm))
    if not rules:
        return None
    return Plan(
        {sel: items if len(items) > 1 else items[0] for sel, items in rules.items()},
        mode=spec.mode,
    )


def bind_at(model: nn.Module, spec: Spec, alpha: float) -> Regularizer | None:
    """``spec``'s unit-strength plan bound to ``model`` and scaled to ``alpha`` (or None)."""
    plan = build_plan(model, spec)
    if plan is None:
        return None
    reg = plan.bind(model)
    reg.scale = alpha
    return reg
