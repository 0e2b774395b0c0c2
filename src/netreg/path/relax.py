"""The relaxed fit of a path point: refit without the penalty on the selected inputs only.

A lasso-type penalty does two things at once: it chooses the inputs and it shrinks the
weights of the inputs it keeps. The shrinkage is the price of the choice, not part of
it, and costs accuracy at every support size. The relaxed lasso (Meinshausen, 2007;
glmnet's ``relax=True``) and LassoNet's downstream-learner protocol keep the choice and
drop the price: the support of a path point is frozen and the model is refitted on it
without the penalty.

:func:`relax` does this for a network path: it starts from the path point's weights,
holds the input-layer columns of the dropped inputs at exactly zero (their gradient is
masked, and they are zeroed again after the fit), and trains every other parameter
without any penalty, early-stopped on the validation DATA loss (the penalty is gone)
with the best epoch's weights restored (and, like every fit of the path, redone at half
the learning rate when it ends above its starting training loss). Pass the path's own
``X``, ``y``, ``config``, ``val_fraction`` and ``seed`` (or ``X_val``/``y_val``) and the
refit stops on the same validation rows that chose the path point.

How much of the shrinkage to remove is itself a choice, and glmnet makes it with ``γ``:
its relaxed fit is ``γ·β_λ + (1 − γ)·β_refit``, γ = 1 the path point, γ = 0 the plain
refit. The same blend is used here on the weights, ``γ·θ_λ + (1 − γ)·θ_refit``: the refit
starts at ``θ_λ`` and stays in its basin, so the segment between the two is a path of
good models (the interpolation of a fine-tuned network with its start, as in robust
fine-tuning), and its ends are both on the support. With validation rows the γ of the
lowest validation data loss is kept from ``gamma`` (glmnet's grid 0, ¼, ½, ¾, 1 by
default). Why it matters: with few rows the unpenalized refit overfits, and which of the
two ends is better depends on the data. Measured on ``benchmarks/path.py`` (10 splits):
the refit alone lowered the test MSE of a 3-input model by 0.05 on diabetes and 0.24 on
friedman1 but raised it at 5 and 8 inputs on diabetes; γ chosen on validation kept most
of the gains and gave back most of the losses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from netreg._validation import check_fraction, check_int
from netreg.path._network_data import (
    Data,
    ModelSource,
    backtracking_fit,
    score,
    snapshot,
    split_data,
)
from netreg.path._records import input_weight
from netreg.path.network import rebuild
from netreg.path.results import PathResult
from netreg.train import FitConfig, as_config, fit

_GLMNET_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)  # glmnet's default grid for the relaxed fit


@dataclass
class RelaxedFit:
    """A path point refitted without the penalty on its selected inputs.

    ``model`` is a new module; ``selected_inputs`` the input columns it may use (all the
    others are exactly zero); ``index`` and ``lambda_`` the path point it started from;
    ``train_loss`` and ``val_loss`` its data losses (``val_loss`` is NaN without
    validation rows) next to the path point's (``path_val_loss``); ``epochs`` the epochs
    the refit ran; ``gamma`` the blend kept (``model`` holds ``γ·θ_λ + (1 − γ)·θ_refit``)
    and ``gamma_val_losses`` the validation data loss of every γ tried (empty without
    validation rows).
    """

    model: nn.Module = field(repr=False)
    selected_inputs: list[int]
    index: int
    lambda_: float
    train_loss: float
    val_loss: float
    path_val_loss: float
    epochs: int
    gamma: float = 0.0
    gamma_val_losses: dict[float, float] = field(default_factory=dict)


def relax(
    model: ModelSource,
    path_result: PathResult,
    index: int,
    X: Any,
    y: Any,
    *,
    inputs: Iterable[int] | None = None,
    config: FitConfig = FitConfig(),
    X_val: Any = None,
    y_val: Any = None,
    val_fraction: float = 0.2,
    seed: int = 0,
    gamma: float | Sequence[float] | None = None,
) -> RelaxedFit:
    """Refit the ``index``-th path point without the penalty, on its selected inputs only.

    The relaxed lasso (glmnet's ``relax=True``) for networks: the point's support is kept
    and its shrinkage removed. See the module docstring for the procedure.

    Parameters
    ----------
    model : nn.Module or zero-argument callable
        The module or factory the path was run with (its architecture); untouched.
    path_result : PathResult
        A network path (:func:`~netreg.path.regularization_path`).
    index : int
        The path point (negative indices count from the end, as in :func:`rebuild`).
    X, y : array-like or Tensor
        The path's training rows: the refit splits them exactly as the path did.
    inputs : iterable of int, optional
        The input columns the refit may use; by default the point's
        ``selected_inputs``. Columns outside it start at zero and stay there; columns in
        it that are zero at the path point are trained from zero (use this to refit a
        support chosen elsewhere, starting from, e.g., the densest point ``index=-1``).
    config : FitConfig
        How to train (``max_epochs``, ``patience``, optimizer...); pass the path's.
        ``early_stopping`` is set by the refit: on the validation data loss with
        validation rows, on the training loss without them.
    X_val, y_val, val_fraction, seed :
        The validation rows, as given to the path (the same split is drawn again).
    gamma : float in [0, 1], sequence of them, or None
        The blend ``γ·θ_λ + (1 − γ)·θ_refit`` (glmnet's relaxed ``gamma``): 0 is the plain
        refit, 1 the path point. With several values the one of the lowest validation
        data loss is kept (the largest γ on a tie: the least departure from the path);
        several values need validation rows. None: ``(0, 0.25, 0.5, 0.75, 1)`` with
        validation rows, 0 without.

    Returns
    -------
    RelaxedFit
        The refitted ``model`` with its losses and the path point it came from.

    Examples
    --------
    >>> import numpy as np, netreg as nr
    >>> from netreg.path import regularization_path, relax
    >>> from netreg.train import FitConfig, mlp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6)); y = np.tanh(X[:, 0]) + X[:, 1]
    >>> plan = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})
    >>> config = FitConfig(optimizer="adam", lr=1e-2, batch_size=None, max_epochs=60)
    >>> model = mlp(6, (16,), seed=0)
    >>> path = regularization_path(model, X, y, plan, n_lambdas=8, config=config)
    >>> i = next(i for i, s in enumerate(path.selected_inputs) if len(s) == 2)
    >>> relaxed = relax(model, path, i, X, y, config=config)
    >>> relaxed.selected_inputs, bool(relaxed.val_loss < path.val_loss[i])
    ([0, 1], True)
    >>> (relaxed.model[0].weight[:, 2:] == 0).all().item()
    True
    >>> relaxed.gamma in relaxed.gamma_val_losses
    True
    """
    config = as_config(config)
    built = rebuild(model, path_result, index)  # checks the path and the index
    n = len(path_result.selected_inputs)
    index = check_int("index", index, low=-n, high=n - 1) % n
    weight = input_weight(built)
    if weight is None or weight.dim() < 2:
        raise ValueError(
            "relax needs a model whose first Linear or Conv layer reads the inputs. "
            f"Received: model={type(built).__name__} without one"
        )
    keep = _support(path_result.selected_inputs[index] if inputs is None else inputs, weight)
    data = split_data(X, y, config, X_val=X_val, y_val=y_val, val_fraction=val_fraction, seed=seed)
    gammas = _gammas(gamma, data.has_val)
    built = built.to(config.torch_dtype)
    weight = input_weight(built)
    assert weight is not None
    shape = [1] * weight.dim()
    shape[1] = -1
    mask = torch.zeros(weight.shape[1], dtype=weight.dtype, device=weight.device)
    mask[keep] = 1
    mask = mask.reshape(shape)
    with torch.no_grad():
        weight.mul_(mask)
    start = snapshot(built)

    def fit_once(attempt: FitConfig) -> int:
        return fit(
            built,
            data.X,
            data.y,
            config=attempt.replace(early_stopping=data.has_val, verbose=False),
            X_val=data.X_val,
            y_val=data.y_val,
        ).epochs_run

    hook = weight.register_hook(lambda grad: grad * mask)
    try:
        epochs = backtracking_fit(built, data, config, fit_once)
    finally:
        hook.remove()
    with torch.no_grad():
        weight.mul_(mask)  # exact zeros whatever the optimizer did (weight decay, rounding)
    chosen, tried = _choose_gamma(built, start, snapshot(built), gammas, data, config.loss)
    train_loss, _ = score(built, data.X, data.y, config.loss)
    val_loss = math.nan
    if data.X_val is not None and data.y_val is not None:
        val_loss, _ = score(built, data.X_val, data.y_val, config.loss)
    path_val = math.nan if path_result.val_loss is None else float(path_result.val_loss[index])
    return RelaxedFit(
        model=built,
        selected_inputs=keep,
        index=index,
        lambda_=float(path_result.lambdas[index]),
        train_loss=train_loss,
        val_loss=val_loss,
        path_val_loss=path_val,
        epochs=epochs,
        gamma=chosen,
        gamma_val_losses=tried,
    )


def _gammas(gamma: float | Sequence[float] | None, has_val: bool) -> list[float]:
    """The checked γ values to try, in the order given."""
    if gamma is None:
        return list(_GLMNET_GAMMAS) if has_val else [0.0]
    values = list(gamma) if isinstance(gamma, Iterable) and not isinstance(gamma, str) else [gamma]
    checked = [check_fraction("gamma", value) for value in values]
    if not checked:
        raise ValueError(f"`gamma` must hold at least one value. Received: gamma={gamma!r}")
    if len(checked) > 1 and not has_val:
        raise ValueError(
            "Choosing among several `gamma` needs validation rows (X_val/y_val or "
            f"val_fraction > 0); pass one value instead. Received: gamma={gamma!r}"
        )
    return checked


def _choose_gamma(
    model: nn.Module,
    start: dict[str, torch.Tensor],
    refit: dict[str, torch.Tensor],
    gammas: list[float],
    data: Data,
    loss: str,
) -> tuple[float, dict[float, float]]:
    """Load ``γ·start + (1 − γ)·refit`` for the γ of the lowest validation loss into ``model``.

    Ties go to the larger γ. Integer buffers (BatchNorm's batch count) are the refit's.
    Returns the γ kept and the validation loss of each γ (empty without validation rows).
    """

    def blend(g: float) -> dict[str, torch.Tensor]:
        return {
            name: g * start[name] + (1 - g) * value if value.is_floating_point() else value
            for name, value in refit.items()
        }

    if data.X_val is None or data.y_val is None:
        model.load_state_dict(blend(gammas[0]))
        return gammas[0], {}
    tried: dict[float, float] = {}
    for g in gammas:
        model.load_state_dict(blend(g))
        tried[g] = score(model, data.X_val, data.y_val, loss)[0]
    best = min(tried.values())
    chosen = max(g for g, loss in tried.items() if loss == best)
    model.load_state_dict(blend(chosen))
    return chosen, tried


def _support(inputs: Iterable[int], weight: torch.Tensor) -> list[int]:
    """Sorted, checked input columns."""
    p = weight.shape[1]
    try:
        columns = sorted({int(j) for j in np.asarray(list(inputs)).reshape(-1)})
    except (TypeError, ValueError):
        columns = None
    if columns is None or any(j < 0 or j >= p for j in columns):
        raise ValueError(
            f"`inputs` must be input column indices in [0, {p - 1}]. Received: inputs={inputs!r}"
        )
    return columns
