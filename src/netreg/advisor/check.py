"""Method testing: a quick cross-validated comparison of the candidate families on the same folds.

Regression uses netreg's coordinate-descent paths (:func:`netreg.path.cross_validate_linear`)
for L1, L2 and Elastic Net (l1_ratio 0.5), least squares for ``none`` (when every training fold
has more rows than features), and FISTA for group lasso (when feature blocks are known).
Classification fits scikit-learn's ``LogisticRegression`` along a C grid (saga for L1 and
Elastic Net, lbfgs for L2 and none) and scores mean log-loss; group lasso is not checked there.

The verdict follows the one-standard-error rule across families: the recommendation *agrees*
when its best CV error is at most the winner's best error plus the winner's standard error.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from netreg._validation import check_int
from netreg.advisor.advice import Advice, CheckResult, FamilyScore
from netreg.advisor.group_path import group_ids, group_lambda_max, group_lasso_path
from netreg.advisor.sampling import Sample, sample_rows
from netreg.advisor.signal import ridge_grid
from netreg.data.errors import DataError
from netreg.path import cross_validate_linear, cv_summary, lambda_grid, make_folds

N_LAMBDAS = 30
N_LAMBDAS_LOGISTIC = 8
#: Logistic fits are far slower than coordinate descent: the check uses at most this many rows.
MAX_ROWS_LOGISTIC = 1000
RULE = (
    "one-SE rule across families: agrees when the recommended family's best CV error is at most "
    "the best family's error plus its standard error"
)


def check_recommendation(
    sample: Sample,
    advice: Advice,
    *,
    folds: int = 5,
    seed: int = 0,
    blocks: list[list[int]] | None = None,
) -> CheckResult:
    """Cross-validate L1, L2, Elastic Net (and none, group when they apply) on ``sample``.

    Parameters
    ----------
    sample : Sample
        The standardized rows and features the diagnostics used.
    advice : Advice
        Its recommendation is the family under test.
    folds : int, default 5
        K of K-fold CV (stratified for classification when every class has K rows).
    seed : int, default 0
        Seed of the fold split.
    blocks : list of list of int, optional
        Feature blocks (columns of ``sample.Xs``) for the group lasso candidate.

    Returns
    -------
    CheckResult
    """
    folds = check_int("folds", folds, low=2)
    start = time.perf_counter()
    Xs, y = sample.Xs, sample.y
    classification = advice.diagnostics.task == "classification"
    notes: list[str] = []
    if classification and np.bincount(y)[np.bincount(y) > 0].min() < 2:
        raise DataError(
            "The check cannot cross-validate a class with a single row: remove it or merge it "
            "with another class. Received: a class with 1 row"
        )
    if classification and len(y) > MAX_ROWS_LOGISTIC:
        rows = sample_rows(len(y), MAX_ROWS_LOGISTIC, seed, y)
        notes.append(
            f"Logistic fits are slow: the check used a stratified sample of {len(rows)} of "
            f"{len(y)} rows."
        )
        Xs, y = Xs[rows], y[rows]
    stratified = classification and int(np.bincount(y)[np.bincount(y) > 0].min()) >= folds
    splits = make_folds(
        len(y), folds, y=y if stratified else None, stratified=stratified, seed=seed
    )
    # A quick comparison: loose convergence moves errors far less than their standard errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if classification:
            scores = _logistic_scores(Xs, y, splits, advice, notes)
        else:
            scores = _linear_scores(Xs, y, splits, blocks or [], notes)
    best = min(scores, key=lambda s: s.best_error)
    recommended = advice.recommendation.family
    mine = next((s for s in scores if s.family == recommended), None)
    bound = best.best_error + best.se
    agrees = None if mine is None else bool(mine.best_error <= bound)
    if mine is None:
        notes.append(f"The recommended family {recommended!r} was not among the checked ones.")
    return CheckResult(
        metric="log_loss" if classification else "mse",
        folds=len(splits),
        rows_used=len(y),
        scores=scores,
        winner=best.family,
        recommended=recommended,
        agrees=agrees,
        within_one_se=[s.family for s in scores if s.best_error <= bound],
        rule=RULE,
        notes=notes,
        seconds=time.perf_counter() - start,
    )


def _score(
    family: str, lambdas: np.ndarray | None, fold_errors: np.ndarray, note: str = ""
) -> FamilyScore:
    mean, se = cv_summary(fold_errors)
    i = int(np.nanargmin(mean))
    return FamilyScore(
        family=family,
        best_error=float(mean[i]),
        se=float(se[i]),
        best_lambda=float(lambdas[i]) if lambdas is not None else None,
        note=note,
    )


def _linear_scores(
    Xs: np.ndarray, y: np.ndarray, splits: list[Any], blocks: list[list[int]], notes: list[str]
) -> list[FamilyScore]:
    n, p = Xs.shape
    scores = []
    for family, ratio in (("l1", 1.0), ("elasticnet", 0.5)):
        cv = cross_validate_linear(
            Xs, y, l1_ratio=ratio, n_lambdas=N_LAMBDAS, folds=splits, refit=False
        )
        note = "l1_ratio 0.5" if family == "elasticnet" else ""
        scores.append(_score(family, cv.lambdas, cv.fold_errors, note))
    grid = ridge_grid(p, n)
    cv = cross_validate_linear(Xs, y, l1_ratio=0.0, lambdas=grid, folds=splits, refit=False)
    scores.append(_score("l2", cv.lambdas, cv.fold_errors))
    if min(len(train) for train, _ in splits) > p + 1:
        errors = []
        for train, test in splits:
            Xt = np.column_stack([np.ones(len(train)), Xs[train]])
            coef = np.linalg.lstsq(Xt, y[train], rcond=None)[0]
            errors.append(np.mean((y[test] - coef[0] - Xs[test] @ coef[1:]) ** 2))
        scores.append(_score("none", None, np.array(errors)[:, None], "least squares"))
    else:
        notes.append(
            "'none' (least squares) was not run: a training fold has no more rows than features."
        )
    if blocks:
        ids = group_ids(p, blocks)
        lambdas = lambda_grid(group_lambda_max(Xs, y, ids), N_LAMBDAS, 1e-3)
        errors = []
        for train, test in splits:
            coefs, intercepts = group_lasso_path(Xs[train], y[train], ids, lambdas)
            pred = Xs[test] @ coefs.T + intercepts[None, :]
            errors.append(((y[test][:, None] - pred) ** 2).mean(axis=0))
        scores.append(_score("group", lambdas, np.vstack(errors), "FISTA, group weights √|g|"))
    return scores


def _logistic_scores(
    Xs: np.ndarray, y: np.ndarray, splits: list[Any], advice: Advice, notes: list[str]
) -> list[FamilyScore]:
    labels = np.unique(y)
    lambda_max = advice.diagnostics.signal.lambda_max_l1
    sparse_grid = lambda_grid(lambda_max, N_LAMBDAS_LOGISTIC, 1e-3)
    ridge = np.geomspace(1e2, 1e-3, N_LAMBDAS_LOGISTIC)
    plans: list[tuple[str, float, np.ndarray | None, str]] = [
        ("l1", 1.0, sparse_grid, "saga"),
        ("elasticnet", 0.5, sparse_grid / 0.5, "saga"),
        ("l2", 0.0, ridge, "lbfgs"),
    ]
    d = advice.diagnostics
    smallest = min(c for c in d.class_balance.counts if c > 0) if d.class_balance else 0
    if advice.recommendation.family == "none" or smallest / d.p >= 20:
        plans.append(("none", 0.0, None, "lbfgs"))
    else:
        notes.append(
            "'none' (unpenalized logistic regression) was not run: under 20 rows of the smallest "
            "class per feature, where it overfits or diverges."
        )
    scores = []
    for family, ratio, lambdas, solver in plans:
        errors = np.empty((len(splits), 1 if lambdas is None else len(lambdas)))
        for f, (train, test) in enumerate(splits):
            # Warm starts along C keep saga quick; a looser tol than 1e-3 biases the
            # log-loss of L1 and Elastic Net upwards (measured on digits), so not looser.
            model = LogisticRegression(
                solver=solver, l1_ratio=ratio, warm_start=True, tol=1e-3, max_iter=300
            )
            for i, lam in enumerate([None] if lambdas is None else lambdas):
                model.set_params(C=np.inf if lam is None else 1.0 / (len(train) * lam))
                model.fit(Xs[train], y[train])
                proba = np.zeros((len(test), len(labels)))  # a class absent from training
                proba[:, np.searchsorted(labels, model.classes_)] = model.predict_proba(Xs[test])
                errors[f, i] = log_loss(y[test], np.clip(proba, 1e-15, 1.0), labels=labels)
        note = "l1_ratio 0.5" if family == "elasticnet" else ""
        scores.append(_score(family, lambdas, errors, note))
    if advice.recommendation.family == "group":
        notes.append(
            "Group lasso is not checked for classification; the other families are compared."
        )
    return scores
