"""fit(): the training loop every upper layer (paths, CV, estimators, lab, CLI) runs.

One epoch is one pass over the rows in a fresh random order (minibatches), or a
single gradient step on all rows (``batch_size=None``: no shuffling, no copies).
Each step minimizes

    data_loss(batch) + regularizer.penalty()

(the loss-mode penalties), then ``optimizer.step()``, after which the attached
regularizer applies the prox-mode penalties and the constraints. With a linear
model, ``loss="half_mse"``, full batches, SGD at ``lr = 1/L`` and
``Plan({select.weights(): ElasticNet.from_sklearn(alpha, l1_ratio)})`` this is the
proximal gradient method (ISTA) on scikit-learn's ElasticNet objective, and it
reaches scikit-learn's coefficients.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from netreg.plan import Plan
from netreg.regularizer import Regularizer
from netreg.train import _rng
from netreg.train._data import Batchable, align_target, as_features, as_target, as_weights
from netreg.train._run import _Run
from netreg.train.config import FitConfig
from netreg.train.predict import eval_mode, evaluate, predict
from netreg.train.result import Callback, FitResult

__all__ = ["Callback", "FitResult", "evaluate", "fit", "predict"]


def fit(
    model: nn.Module,
    X: Any,
    y: Any,
    *,
    regularizer: Regularizer | Plan | None = None,
    config: FitConfig = FitConfig(),
    X_val: Any = None,
    y_val: Any = None,
    sample_weight: Any = None,
    callbacks: Sequence[Callback] = (),
    checkpoint: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> FitResult:
    """Train ``model`` in place on ``(X, y)``; see :class:`FitConfig` for the knobs.

    Parameters
    ----------
    model : nn.Module
        Trained in place; cast to ``config.dtype`` first.
    X, y : array-like or Tensor
        Rows on dim 0. ``y``: floats for regression, integer labels for
        ``cross_entropy``, 0/1 for ``bce``. ``(n,)`` targets match ``(n, 1)`` outputs.
    regularizer : Regularizer or Plan, optional
        A plan is bound to ``model``. A regularizer must be bound to ``model``. It is
        attached to the optimizer for the duration of the call (prox steps with
        ``config.prox_step``) and detached afterwards, even on error.
    config : FitConfig
    X_val, y_val : array-like or Tensor, optional
        Validation rows: their data loss is recorded every epoch and, with
        ``config.early_stopping``, monitored.
    sample_weight : array-like of shape (n,), optional
        Non-negative row weights; the data loss becomes ``Σwᵢℓᵢ / Σwᵢ`` (see
        :mod:`netreg.train.losses` for minibatches).
    callbacks : sequence of callables
        ``callback(epoch, logs)`` after each epoch; a True return stops training.
    checkpoint : path-like, optional
        Save a checkpoint (:func:`save_checkpoint`) at the end of every epoch.
    resume : bool
        Continue from ``checkpoint`` when the file exists (fresh start otherwise):
        model, optimizer, regularizer, random streams, histories and patience are
        restored, so ``k`` epochs + resume to ``max_epochs = N`` equals ``N`` epochs
        straight, bit for bit on CPU. ``max_epochs`` counts all epochs.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import numpy as np, netreg as nr
    >>> from netreg.train import FitConfig, fit, mlp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 5)); y = X[:, 0] - 2 * X[:, 1]
    >>> model = mlp(5, hidden=(), seed=0)
    >>> plan = nr.Plan({nr.select.weights(): nr.L1(0.01)})
    >>> result = fit(model, X, y, regularizer=plan, config=FitConfig(optimizer="sgd", lr=0.1, batch_size=None, max_epochs=300))
    >>> result.final_train_loss < 0.01
    True
    """
    started = time.perf_counter()
    config = _as_config(config)
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit() trains a torch.nn.Module. Received: model={type(model).__name__}")
    if resume and checkpoint is None:
        raise ValueError(
            "resume=True needs the checkpoint path to resume from. Received: checkpoint=None"
        )
    for i, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                f"Each callback must be callable(epoch, logs). Received: callbacks[{i}]={callback!r}"
            )

    meta = [name for name, p in model.named_parameters() if p.is_meta]
    if meta:
        raise ValueError(
            f"fit() needs parameters that hold data, but {meta[:5]} are on the meta device "
            "(a model built under torch.device('meta') or with skip_init). Materialize them "
            f"first, e.g. model.to_empty(device='cpu') and an initialization. Received: model="
            f"{type(model).__name__} with {len(meta)} meta parameter(s)"
        )
    dtype = config.torch_dtype
    if any(
        t.is_floating_point() and t.dtype != dtype for t in (*model.parameters(), *model.buffers())
    ):
        model.to(dtype)  # in place: the Parameter objects (and a bound regularizer's rows) stay
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    train = _prepare(model, X, y, sample_weight, config, device, "X", "y")
    val = None
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise ValueError("Pass both X_val and y_val, or neither. Received: one of them is None")
        val = _prepare(model, X_val, y_val, None, config, device, "X_val", "y_val")
    if config.early_stopping and val is None:
        raise ValueError(
            "early_stopping=True monitors the validation loss: pass X_val and y_val, or use "
            "early_stopping=False to stop on the training objective. Received: X_val=None"
        )
    reg = _bind(regularizer, model)

    path = None if checkpoint is None else Path(checkpoint)
    if path is not None and not path.parent.is_dir():
        raise ValueError(
            f"The checkpoint's folder does not exist; create it first. Received: checkpoint={str(path)!r}"
        )
    optimizer = _make_optimizer(model, config)
    run = _Run(model, optimizer, train, val, reg, config, callbacks, path, device)
    was_training = model.training
    try:
        with _rng.forked_global_rng(device, run.global_seed):
            if resume and path is not None and path.is_file():
                run.load(path)
            handle = reg.attach(optimizer, step=config.prox_step) if reg is not None else None
            try:
                run.loop()
            finally:
                if handle is not None:
                    handle.remove()
                run.progress.close()
        result = run.finish()
    finally:
        model.train(was_training)
    result.fit_seconds = time.perf_counter() - started
    return result


# -- setup helpers -----------------------------------------------------------------------
def _as_config(config: Any) -> FitConfig:
    if isinstance(config, FitConfig):
        return config
    if isinstance(config, dict):
        return FitConfig.from_dict(config)
    raise TypeError(
        f"config must be a FitConfig or a dict of its fields. Received: config={type(config).__name__}"
    )


def _prepare(
    model: nn.Module,
    X: Any,
    y: Any,
    sample_weight: Any,
    config: FitConfig,
    device: torch.device,
    x_name: str,
    y_name: str,
) -> Batchable:
    dtype = config.torch_dtype
    features = as_features(x_name, X, dtype, device)
    target = as_target(y_name, y, config.loss, features.shape[0], dtype, device)
    weight = as_weights(sample_weight, features.shape[0], dtype, device)
    with eval_mode(model):  # a probe forward pass: shapes are checked before training
        probe = model(features[:2])
    return Batchable(
        features, align_target(y_name, target, _repeat_probe(probe, target), config.loss), weight
    )


def _repeat_probe(probe: Tensor, target: Tensor) -> Tensor:
    """The probe output shaped for all n rows (only its trailing shape matters)."""
    return probe[:1].expand(target.shape[0], *probe.shape[1:])


def _bind(regularizer: Regularizer | Plan | None, model: nn.Module) -> Regularizer | None:
    if regularizer is None:
        return None
    if isinstance(regularizer, Plan):
        return regularizer.bind(model)
    if not isinstance(regularizer, Regularizer):
        raise TypeError(
            f"regularizer must be a netreg Plan or Regularizer. Received: regularizer={type(regularizer).__name__}"
        )
    ids = {id(p) for p in model.parameters()}
    foreign = [
        row.name for row in regularizer.rows if row.is_regularized and id(row.param) not in ids
    ]
    if foreign:
        raise ValueError(
            f"This regularizer was bound to a different model: {foreign[:5]} are not parameters of "
            f"the model being trained. Bind the plan to this model. Received: regularizer={regularizer!r}"
        )
    return regularizer


def _make_optimizer(model: nn.Module, config: FitConfig) -> torch.optim.Optimizer:
    from netreg.optim import ProxAdamW, param_groups

    if config.weight_decay > 0:
        groups = [g for g in param_groups(model, config.weight_decay) if g["params"]]
    else:
        groups = [
            {"params": [p for p in model.parameters() if p.requires_grad], "weight_decay": 0.0}
        ]
    if not any(g["params"] for g in groups):
        raise ValueError(
            "The model has no trainable parameters. Received: model with requires_grad=False everywhere"
        )
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum)
    if config.optimizer == "adam":
        return torch.optim.Adam(groups, lr=config.lr)
    # AdamW itself, with the elementwise and unit-group prox run inside its update
    return ProxAdamW(groups, lr=config.lr, weight_decay=config.weight_decay)
