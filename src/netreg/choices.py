"""The one registry of valid choices: every layer that takes a named option reads it here.

The estimators, the CLI's options, the config schema, ``compare`` and the docs all check
against these tuples, so a new penalty or rule is added in one place and appears
everywhere (``tests/test_choices.py`` checks that every place that validates a choice
accepts exactly these names). Each tuple's docstring says what every name means.

This module sits at the bottom of the layers (it imports nothing of netreg), so any
layer may read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, TypeVar

_Name = TypeVar("_Name", str, str | None)

PENALTIES: Final = ("none", "l1", "l2", "elasticnet", "group", "sparse_group")
"""``penalty=`` of the estimators, the CLI and ``compare``: ``none``; ``l1``, the lasso
l1·Σ|w| (exact zeros); ``l2``, ridge l2·Σw² (proportional shrinkage); ``elasticnet``, l1 and
l2 mixed by ``l1_ratio``; ``group``, the group lasso (whole units or inputs to zero);
``sparse_group``, the sparse-group lasso (whole groups and single weights to zero)."""

LINEAR_PENALTIES: Final = ("none", "l1", "l2", "elasticnet")
"""The penalties a linear model (``hidden=()``) solves exactly by coordinate descent."""

GROUP_KINDS: Final = ("units", "inputs")
"""``groups=`` of the group penalties: ``units``, one group per output neuron or filter
(dim 0) with its bias; ``inputs``, one group per input feature or channel (dim 1)."""

WEIGHTINGS: Final = ("sqrt", "none")
"""``weighting=`` of the group penalties: group weight √|g| (Yuan & Lin) or 1 (Distiller)."""

MODES: Final = ("auto", "loss", "prox")
"""``mode=`` of a penalty: ``loss`` adds it to the data loss (Keras's semantics); ``prox``
takes a proximal step after each optimizer step (exact zeros); ``auto`` is prox for the
non-smooth penalties and loss for L2."""

STEP_RULES: Final = ("auto", "lr")
"""``step=``: what a proximal step scales the penalty by: ``auto``, the optimizer's own
effective step per coordinate; ``lr``, the learning rate (for L2: decoupled weight decay)."""

RULES: Final = ("1se", "min")
"""``rule=``: how a cross-validated path picks ``alpha_``: ``1se``, the largest α within
one standard error of the best (glmnet's); ``min``, the α of lowest cross-validated error."""

PARALLEL_BACKENDS: Final = ("serial", "process", "ray")
"""Where a batch of tasks (folds, path points) runs: one after another in this process,
in worker processes, or as Ray tasks (local, or on a cluster given by its address)."""

CV_BACKENDS: Final = ("auto", *PARALLEL_BACKENDS)
"""``backend=`` of the CV estimators, ``compare`` and the CLI: a parallel backend, or
``auto``: serial for one job, processes for more."""

SEARCH_BACKENDS: Final = ("optuna", "ray")
"""``backend=`` of :func:`netreg.search.search`: Optuna in this process, or Ray Tune."""

OPTIMIZERS: Final = ("adam", "adamw", "sgd")
"""``optimizer=`` of training: Adam (the prox in Adam's metric), AdamW (the prox inside
its update: ProxAdamW) or SGD (the prox with the learning rate)."""

ACTIVATIONS: Final = ("relu", "tanh", "gelu", "sigmoid", "identity")
"""``activation=`` of the hidden layers (``identity``: none)."""

CORRECTIONS: Final = (None, "zou-hastie")
"""``correction=``: None, or Zou and Hastie's (1 + λ₂) rescaling of the naive Elastic Net."""

BUDGETS: Final = ("quick", "full")
"""The training budgets of ``compare``: ``quick``, small networks and few alphas (minutes
on a laptop); ``full``, wider networks, more alphas and epochs. Their settings live in
``netreg.compare``."""

COMPARE_METHODS: Final = ("none", "l1", "l2", "elasticnet", "group", "dropout", "maxnorm")
"""``compare``'s methods (``--methods``): no penalty, L1, L2, Elastic Net, the group lasso on
the inputs, dropout, and max-norm with dropout; their settings live in ``netreg.compare``."""

TASKS: Final = ("auto", "regression", "classification")
"""``task=`` of a table: ``auto`` decides from the target column."""

IMPUTE: Final = ("mean", "median")
"""``impute=``: what fills a missing numeric value (None: a missing value is an error)."""


def names(choice: Iterable[_Name]) -> tuple[_Name, ...]:
    """The valid names of one registry entry, in order, as a tuple (for error messages,
    help texts and ``Literal`` checks)."""
    return tuple(choice)
