"""The methods ``netreg compare`` trains, and the budgets that size their training.

A :class:`Method` says which regularizer a network gets and how its strength is chosen:

- ``search="alpha"``: the penalty strength α is chosen along a λ path by K-fold
  cross-validation (the ``…CV`` estimators of :mod:`netreg.sklearn`);
- ``search="dropout"``: the dropout rate is chosen from a small grid by the same K-fold
  cross-validation and the same min / one-standard-error rule, the rates playing the part
  of λ (a higher rate is more regularization, so "1-SE" takes the highest rate whose error
  is within one SE of the best);
- ``search="none"``: nothing to choose; the folds still run, to give the spread.

Max-norm with dropout follows Srivastava et al. (2014, "Dropout", §5.1): every hidden unit's
incoming weight vector is projected onto the ball ``‖w‖₂ ≤ c`` after each step, with the
paper's typical ``c = 3`` fixed (:attr:`Budget.max_norm`), and the dropout rate chosen by CV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from netreg import choices
from netreg._validation import check_choice, check_float, check_int, check_positive

Search = Literal["alpha", "dropout", "none"]


@dataclasses.dataclass(frozen=True)
class Method:
    """One entry of the comparison.

    Attributes
    ----------
    name : str
        Short id used on the command line and in the JSON (``"l1"``, ``"group"``…).
    label : str
        The name shown in tables and figures.
    penalty : str
        The estimator's ``penalty`` (``"none"``, ``"l1"``, ``"l2"``, ``"elasticnet"``, ``"group"``).
    search : {"alpha", "dropout", "none"}
        How the strength is chosen (see the module docstring).
    max_norm : bool
        Add ``MaxNorm(c)`` on every hidden layer, ``c`` from the budget.
    l1_ratio : float or None
        Elastic Net's mix (scikit-learn's meaning); None for other penalties.
    groups : str or None
        ``"inputs"`` for group lasso on the input layer (feature selection).
    """

    name: str
    label: str
    penalty: str
    search: Search
    max_norm: bool = False
    l1_ratio: float | None = None
    groups: str | None = None


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("none", "None", "none", "none"),
        Method("l1", "L1", "l1", "alpha"),
        Method("l2", "L2", "l2", "alpha"),
        Method("elasticnet", "Elastic Net", "elasticnet", "alpha", l1_ratio=0.5),
        Method("group", "Group lasso (inputs)", "group", "alpha", groups="inputs"),
        Method("dropout", "Dropout", "none", "dropout"),
        Method("maxnorm", "Max-norm + dropout", "none", "dropout", max_norm=True),
    )
}
#: Every method, in the order of the issue: none, L1, L2, Elastic Net, group lasso, dropout, max-norm.
DEFAULT_METHODS: tuple[str, ...] = tuple(METHODS)


def resolve_methods(methods: Iterable[str | Method]) -> list[Method]:
    """Method names (or :class:`Method` objects) as a list of methods, checked, without repeats.

    Examples
    --------
    >>> [m.label for m in resolve_methods(["l1", "group"])]
    ['L1', 'Group lasso (inputs)']
    """
    if isinstance(methods, str):
        methods = [part.strip() for part in methods.split(",") if part.strip()]
    resolved: list[Method] = []
    for item in methods:
        method = item if isinstance(item, Method) else METHODS.get(str(item))
        if method is None:
            check_choice("methods", item, list(METHODS))
        assert method is not None
        if any(m.name == method.name for m in resolved):
            raise ValueError(
                f"`methods` lists {method.name!r} twice; give each method once. "
                f"Received: methods={[getattr(m, 'name', m) for m in methods]!r}"
            )
        resolved.append(method)
    if not resolved:
        raise ValueError(
            f"`methods` must name at least one of {', '.join(METHODS)}. Received: methods=[]"
        )
    return resolved


@dataclasses.dataclass(frozen=True)
class Budget:
    """How much training each fit gets: network size, epochs, grid sizes.

    ``"quick"`` (the default) trains small networks full-batch and keeps the λ grid short, so
    that ``netreg demo`` finishes in well under three minutes on two cores; ``"full"`` trains
    wider networks on minibatches with longer grids. Any field may be overridden
    (``budget.replace(hidden=(128,))`` or the ``[model]`` section of a config file).

    Attributes
    ----------
    name : str
    hidden : tuple of int
        Hidden layer widths of every network.
    activation : str
    optimizer : {"adam", "sgd", "adamw"}
    lr : float
        The learning rate.
    batch_size : int or None
        None trains full-batch (one step per epoch).
    max_epochs : int
    patience : int
        Early stopping on a 10 % validation split of the training rows.
    n_alphas : int
        Points of each λ grid (geometric, from λ_max down to ``eps·λ_max``).
    eps : float
    dropout_rates : tuple of float
        The grid the dropout rate is chosen from.
    max_norm : float
        ``c`` of max-norm (Srivastava et al. 2014 use 3–4).
    """

    name: str = "quick"
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 3e-2
    batch_size: int | None = None
    max_epochs: int = 200
    patience: int = 30
    n_alphas: int = 10
    eps: float = 1e-3
    dropout_rates: tuple[float, ...] = (0.1, 0.2, 0.35, 0.5)
    max_norm: float = 3.0

    def __post_init__(self) -> None:
        hidden = tuple(self.hidden)
        for i, h in enumerate(hidden):
            check_int(f"hidden[{i}]", h, low=1)
        object.__setattr__(self, "hidden", hidden)
        check_choice("optimizer", self.optimizer, choices.names(choices.OPTIMIZERS))
        check_positive("lr", self.lr)
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, low=1)
        check_int("max_epochs", self.max_epochs, low=1)
        check_int("patience", self.patience, low=1)
        check_int("n_alphas", self.n_alphas, low=2)
        check_float("eps", self.eps, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
        rates = tuple(float(r) for r in self.dropout_rates)
        if not rates:
            raise ValueError(
                "`dropout_rates` must hold at least one rate. Received: dropout_rates=()"
            )
        for i, r in enumerate(rates):
            check_float(f"dropout_rates[{i}]", r, low=0.0, high=1.0, high_inclusive=False)
        object.__setattr__(self, "dropout_rates", tuple(sorted(set(rates))))
        check_positive("max_norm", self.max_norm)

    def replace(self, **changes: Any) -> Budget:
        """A copy with some fields changed, checked like a new budget."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain values, JSON-ready."""
        data = dataclasses.asdict(self)
        data["hidden"] = list(self.hidden)
        data["dropout_rates"] = list(self.dropout_rates)
        return data

    def estimator_params(self, seed: int) -> dict[str, Any]:
        """Keyword arguments shared by every estimator of a comparison."""
        return {
            "hidden": self.hidden,
            "activation": self.activation,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "batch_size": self.batch_size,
            "max_epochs": self.max_epochs,
            "early_stopping": True,
            "validation_fraction": 0.1,
            "patience": self.patience,
            "random_state": seed,
        }


BUDGETS: dict[str, Budget] = {
    "quick": Budget(),
    "full": Budget(
        name="full",
        hidden=(64,),
        lr=1e-3,
        batch_size=64,
        max_epochs=300,
        patience=20,
        n_alphas=20,
        eps=1e-3,
        dropout_rates=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5),
    ),
}


def resolve_budget(budget: str | Budget, overrides: Sequence[tuple[str, Any]] = ()) -> Budget:
    """A budget by name (``"quick"``, ``"full"``) or as given, with fields overridden.

    Examples
    --------
    >>> resolve_budget("quick", [("hidden", (16,))]).hidden
    (16,)
    """
    if isinstance(budget, Budget):
        base = budget
    else:
        check_choice("budget", budget, list(BUDGETS))
        base = BUDGETS[budget]
    changes = {key: value for key, value in overrides if value is not None}
    return base.replace(**changes) if changes else base
