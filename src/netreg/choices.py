"""The one registry of valid choices: every layer that takes a named option reads it here.

The estimators, the CLI's options, the config schema, ``compare`` and the docs all check
against these tuples, so a new penalty or rule is added in one place and appears
everywhere. Each choice carries a one-line description for help texts and docs.

This module sits at the bottom of the layers (it imports nothing of netreg), so any
layer may read it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final


def _choices(described: dict[str, str]) -> MappingProxyType[str, str]:
    """A read-only name → description mapping (iterating it gives the names in order)."""
    return MappingProxyType(described)


PENALTIES: Final = _choices(
    {
        "none": "no penalty",
        "l1": "lasso, l1·Σ|w|: exact zeros",
        "l2": "ridge, l2·Σw²: proportional shrinkage",
        "elasticnet": "l1 and l2 mixed by l1_ratio",
        "group": "group lasso: whole units or inputs to zero",
        "sparse_group": "sparse-group lasso: whole groups and single weights to zero",
    }
)
"""The ``penalty=`` names of the estimators, the CLI and ``compare``."""

LINEAR_PENALTIES: Final = ("none", "l1", "l2", "elasticnet")
"""The penalties a linear model (``hidden=()``) solves exactly by coordinate descent."""

GROUP_KINDS: Final = _choices(
    {
        "units": "one group per output neuron or filter (dim 0), with its bias",
        "inputs": "one group per input feature or channel (dim 1)",
    }
)

WEIGHTINGS: Final = _choices(
    {"sqrt": "group weight √|g| (Yuan & Lin)", "none": "group weight 1 (Distiller)"}
)

MODES: Final = _choices(
    {
        "auto": "prox for non-smooth penalties, loss for L2",
        "loss": "added to the data loss (Keras's semantics)",
        "prox": "a proximal step after each optimizer step (exact zeros)",
    }
)

STEP_RULES: Final = _choices(
    {
        "auto": "the optimizer's own effective step per coordinate",
        "lr": "the learning rate (for L2: decoupled weight decay)",
    }
)

RULES: Final = _choices(
    {
        "1se": "the largest α within one standard error of the best (glmnet's)",
        "min": "the α with the lowest cross-validated error",
    }
)
"""How a cross-validated path picks ``alpha_``."""

CV_BACKENDS: Final = _choices(
    {
        "auto": "serial for one job, processes for more",
        "serial": "one fold after another in this process",
        "process": "folds in worker processes",
        "ray": "folds as Ray tasks (local or a cluster address)",
    }
)
"""Where cross-validation folds run (``auto`` resolves to one of the others)."""

SEARCH_BACKENDS: Final = _choices(
    {"optuna": "Optuna, in this process", "ray": "Ray Tune, local or on a cluster"}
)

OPTIMIZERS: Final = _choices(
    {
        "adam": "Adam, the prox in Adam's metric",
        "adamw": "AdamW with the prox inside its update (ProxAdamW)",
        "sgd": "SGD, the prox with the learning rate",
    }
)

ACTIVATIONS: Final = ("relu", "tanh", "gelu", "sigmoid", "identity")

CORRECTIONS: Final = (None, "zou-hastie")
"""``correction=``: None, or Zou and Hastie's (1 + λ₂) rescaling of the naive Elastic Net."""

BUDGETS: Final = _choices(
    {
        "quick": "small networks, few alphas: minutes on a laptop",
        "full": "wider networks, more alphas and epochs",
    }
)
"""The names of ``compare``'s training budgets (their settings live in ``netreg.compare``)."""

TASKS: Final = ("auto", "regression", "classification")

IMPUTE: Final = ("mean", "median")


def names(choice: object) -> tuple[str, ...]:
    """The valid names of one registry entry, in order (for ``check_choice`` and help texts)."""
    return tuple(choice)  # type: ignore[call-overload]
