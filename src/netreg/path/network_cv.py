"""K-fold cross-validation of a network's λ path, with the min and 1-SE choices.

Every fold fits the same λ grid, the grid of a path on all rows (which is also the
refit), so fold errors line up λ by λ as in glmnet. A fold's own early stopping uses a
validation split of ITS training rows; the held-out fold is only scored. Folds run in
parallel processes with ``n_jobs > 1``; each fold runs single-threaded wherever it runs,
so parallel and serial folds give bit-identical errors.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor

from netreg._validation import check_choice
from netreg.path._network_data import (
    ModelSource,
    instantiate,
    is_classification,
    metric_value,
    outputs,
    tensors,
)
from netreg.path.cv import run_folds, summarize
from netreg.path.folds import make_folds
from netreg.path.network import regularization_path
from netreg.path.results import CVResult
from netreg.plan import Plan
from netreg.train import FitConfig, align_target, as_config
from netreg.train.losses import data_loss

METRICS = ("loss", "mse", "error")


def cross_validate(
    model: ModelSource,
    X: Any,
    y: Any,
    plan: Plan,
    *,
    lambdas: Any = None,
    n_lambdas: int = 20,
    eps: float = 1e-2,
    folds: Any = 5,
    stratified: bool | None = None,
    seed: int = 0,
    config: FitConfig = FitConfig(),
    metric: str = "loss",
    n_jobs: int = 1,
    backend: str = "auto",
    address: str | None = None,
    progress: bool = False,
    refit: bool = True,
    val_fraction: float = 0.2,
) -> CVResult:
    """Cross-validated network path: errors per fold and λ, the min and 1-SE choices.

    Parameters
    ----------
    model, X, y, plan, n_lambdas, eps, config, val_fraction :
        As in :func:`~netreg.path.regularization_path`.
    lambdas : array-like, optional
        The grid. By default the grid of a path on all rows (λ_max by KKT at the dense
        fit, continued until every group is zero); that path is the refit.
    folds : int, splitter or (train, test) pairs
        See :func:`~netreg.path.make_folds`.
    stratified : bool, optional
        Stratify the folds by class; None: yes for ``loss="cross_entropy"`` or ``"bce"``.
    seed : int
        Shuffles the folds and seeds each fold's validation split.
    metric : {"loss", "mse", "error"}
        The held-out error: the data loss of ``config.loss``, the mean squared error, or
        the misclassification rate.
    n_jobs, backend, address :
        Folds run with :func:`~netreg.path.run_folds`: ``backend="auto"`` is processes
        when ``n_jobs > 1``; ``"ray"`` with ``address`` runs them on a cluster.
    progress : bool
        Rich progress bars for the refit path and the folds.
    refit : bool
        Keep the all-rows path in ``CVResult.path`` (rebuild a model with
        :func:`~netreg.path.rebuild`).

    Returns
    -------
    CVResult

    Examples
    --------
    >>> import numpy as np, netreg as nr
    >>> from netreg.path import cross_validate
    >>> from netreg.train import FitConfig, mlp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 4)); y = X[:, 0] + 0.1 * rng.normal(size=120)
    >>> plan = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})
    >>> config = FitConfig(optimizer="sgd", lr=0.1, batch_size=None, max_epochs=30)
    >>> cv = cross_validate(mlp(4, (8,), seed=0), X, y, plan, n_lambdas=5, folds=3, config=config)
    >>> cv.fold_errors.shape[0], cv.lambda_1se >= cv.lambda_min
    (3, True)
    """
    started = time.perf_counter()
    config = as_config(config)
    check_choice("metric", metric, METRICS)
    if metric == "error" and not is_classification(config.loss):
        raise ValueError(
            "metric='error' (misclassification) needs a classification loss ('cross_entropy' "
            f"or 'bce'). Received: metric='error' with loss={config.loss!r}"
        )
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a netreg Plan. Received: plan={type(plan).__name__}")
    features, target = tensors(X, y, config.loss, config.torch_dtype)
    if stratified is None:
        stratified = is_classification(config.loss)
    splits = make_folds(
        features.shape[0],
        folds,
        y=target.numpy() if stratified else None,
        stratified=bool(stratified),
        shuffle=isinstance(folds, int),
        seed=seed,
    )
    full_path = None
    if lambdas is None or refit:
        full_path = regularization_path(
            model,
            features,
            target,
            plan,
            lambdas=lambdas,
            n_lambdas=n_lambdas,
            eps=eps,
            config=config,
            val_fraction=val_fraction,
            seed=seed,
            progress=progress,
        )
        grid = full_path.lambdas
    else:
        grid = np.sort(np.asarray(lambdas, dtype=float).reshape(-1))[::-1]
    tasks = [
        dict(
            model=model,
            X=features,
            y=target,
            plan=plan,
            train=train,
            test=test,
            lambdas=grid,
            config=config,
            val_fraction=val_fraction,
            seed=seed,
            metric=metric,
        )
        for train, test in splits
    ]
    errors = run_folds(
        network_fold_errors,
        tasks,
        n_jobs=n_jobs,
        backend=backend,
        address=address,
        progress=progress,
    )
    name = config.loss if metric == "loss" else metric
    result = summarize(grid, errors, metric=name, seconds=time.perf_counter() - started)
    result.path = full_path if refit else None
    return result


def network_fold_errors(
    model: ModelSource,
    X: Tensor,
    y: Tensor,
    plan: Plan,
    train: np.ndarray,
    test: np.ndarray,
    lambdas: np.ndarray,
    config: FitConfig,
    val_fraction: float,
    seed: int,
    metric: str,
) -> np.ndarray:
    """Held-out error at every λ of a path fitted on the fold's training rows (one CV task)."""
    train_rows, test_rows = torch.as_tensor(train), torch.as_tensor(test)
    with _one_thread():
        path = regularization_path(
            model,
            X[train_rows],
            y[train_rows],
            plan,
            lambdas=lambdas,
            config=config,
            val_fraction=val_fraction,
            seed=seed,
        )
        assert path.states is not None
        scorer = instantiate(model, config.torch_dtype)
        X_test, y_test = X[test_rows], y[test_rows]
        errors = np.empty(len(path.lambdas))
        for i, state in enumerate(path.states):
            scorer.load_state_dict(state)
            errors[i] = _error(scorer, X_test, y_test, config.loss, metric)
    return errors


def _error(model: torch.nn.Module, X: Tensor, y: Tensor, loss: str, metric: str) -> float:
    out = outputs(model, X)
    target = align_target("y", y, out, loss)
    if metric == "loss":
        return float(data_loss(loss, out, target))
    return metric_value(out, target, metric)


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """One intra-op thread for the block: the same arithmetic in a worker and in-process."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
