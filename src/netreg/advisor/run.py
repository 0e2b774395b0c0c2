"""``advise``: diagnose the data, answer the seed's three questions, recommend, optionally check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netreg._validation import check_int, check_positive
from netreg.advisor.advice import Advice
from netreg.advisor.budget import plan_validation
from netreg.advisor.check import check_recommendation
from netreg.advisor.diagnostics import blocks_in_sample, declared_blocks, diagnose
from netreg.advisor.inputs import check_inputs
from netreg.advisor.rules import recommend
from netreg.advisor.sampling import MAX_FEATURES, MAX_ROWS


def advise(
    X: Any,
    y: Any,
    *,
    feature_names: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    task: str = "auto",
    budget_seconds: float | None = None,
    check: bool = False,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
    max_features: int = MAX_FEATURES,
) -> Advice:
    """Which regularizer suits these data, where to start λ, and why.

    Measures the data (n, p, zeros, correlation and its clusters, conditioning, scales, class
    balance, and the sparsity and strength of the signal by a quick lasso/ridge screen), then
    answers the seed's three questions — prior knowledge, room for validation, compute — and
    recommends one family (``l1``, ``l2``, ``elasticnet``, ``group`` or ``none``) with a λ range
    and reasons in plain words. The rules are in :mod:`netreg.advisor.rules`.

    Parameters
    ----------
    X : array-like (n, p)
        Numeric features (encode categorical columns first, or use :func:`advise_frame`).
    y : array-like (n,)
        Target: numbers for regression, labels for classification.
    feature_names : sequence of str, optional
        Names of the columns of ``X``; ``x0, x1, …`` by default.
    groups : sequence, optional
        A group label per column (e.g. the source column of each one-hot column). Groups of two
        or more columns make group lasso a candidate.
    task : {"auto", "regression", "classification"}, default "auto"
        As :func:`netreg.data.resolve_target` decides: integer targets with at most 20
        distinct values, text and booleans are classification.
    budget_seconds : float, optional
        Time available for tuning; the validation plan (folds × λ × l1_ratios) is sized to fit.
    check : bool, default False
        Also cross-validate the candidate families on the same folds (method testing) and say
        whether the data agree with the recommendation (:attr:`Advice.check`).
    seed : int, default 0
        Seed of the row/feature samples and the folds.
    max_rows, max_features : int
        Diagnostics work on at most this many rows and features, drawn at random.

    Returns
    -------
    Advice
        ``advice.recommendation.family``, ``.reasons``, ``.lambda_range``; ``advice.to_dict()``
        for JSON and ``advice.render_text()`` for people.

    Raises
    ------
    DataError
        NaN or infinite values, fewer than 10 rows, a constant target, one class, or names and
        groups that do not match ``X``.

    Examples
    --------
    >>> from netreg.data import sparse_signal
    >>> df = sparse_signal(n=200, p=50, k=5, seed=0)
    >>> advice = advise(df.drop(columns="y").to_numpy(), df["y"].to_numpy())
    >>> advice.recommendation.family
    'l1'
    """
    if budget_seconds is not None:
        budget_seconds = check_positive("budget_seconds", budget_seconds)
    if not isinstance(check, bool):
        raise TypeError(f"`check` must be True or False. Received: check={check!r}")
    seed = check_int("seed", seed, low=0)
    max_rows = check_int("max_rows", max_rows, low=10)
    max_features = check_int("max_features", max_features, low=1)
    inputs = check_inputs(X, y, feature_names=feature_names, groups=groups, task=task)
    diagnostics, sample = diagnose(inputs, seed=seed, max_rows=max_rows, max_features=max_features)
    recommendation, alternatives, prior = recommend(diagnostics)
    plan = plan_validation(diagnostics, recommendation.family, budget_seconds)
    advice = Advice(
        diagnostics=diagnostics,
        recommendation=recommendation,
        alternatives=alternatives,
        answers={"prior_knowledge": prior, "validation": plan.reasons, "compute": plan.compute},
        validation=plan,
        notes=[inputs.task_reason] if task == "auto" else [],
    )
    if check:
        blocks = blocks_in_sample(declared_blocks(inputs.groups), sample)
        advice.check = check_recommendation(sample, advice, seed=seed, blocks=blocks)
    return advice
