"""What the network path needs around ``fit``: models, tensors, a validation split, scores.

The path, its λ_max and its cross-validation all turn user input into the same things:
a private copy of the model, checked tensors in the fit's dtype, and a seeded
(stratified, for classification) validation split of the training rows.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import Tensor, nn

from netreg._validation import check_float
from netreg.train import FitConfig, align_target, as_features, as_target, as_weights
from netreg.train.losses import CLASSIFICATION_LOSSES, data_loss
from netreg.train.predict import eval_mode

ModelSource = nn.Module | Callable[[], nn.Module]


def instantiate(model: ModelSource, dtype: torch.dtype) -> nn.Module:
    """A private model: a deep copy of a module, or a fresh one from a zero-argument factory."""
    if isinstance(model, nn.Module):
        built = copy.deepcopy(model)
    elif callable(model):
        built = model()
        if not isinstance(built, nn.Module):
            raise TypeError(
                "A model factory must return a torch.nn.Module. "
                f"Received: model() -> {type(built).__name__}"
            )
    else:
        raise TypeError(
            "model must be a torch.nn.Module or a zero-argument function that builds one. "
            f"Received: model={type(model).__name__}"
        )
    return built.to(dtype)


def snapshot(model: nn.Module) -> dict[str, Tensor]:
    """A detached copy of the model's state (parameters and buffers)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def is_classification(loss: str) -> bool:
    return loss in CLASSIFICATION_LOSSES


@dataclass
class Data:
    """Training rows and (optionally) validation rows, as tensors in the fit's dtype.

    ``w``: weights of the training rows divided by their mean (None: unweighted); the
    validation rows are scored unweighted.
    """

    X: Tensor
    y: Tensor
    X_val: Tensor | None = None
    y_val: Tensor | None = None
    w: Tensor | None = None

    @property
    def has_val(self) -> bool:
        return self.X_val is not None


def tensors(
    X: Any, y: Any, loss: str, dtype: torch.dtype, names: str = "X,y"
) -> tuple[Tensor, Tensor]:
    """Checked feature and target tensors (int64 labels for ``cross_entropy``)."""
    x_name, y_name = names.split(",")
    features = as_features(x_name, X, dtype, torch.device("cpu"))
    target = as_target(y_name, y, loss, features.shape[0], dtype, torch.device("cpu"))
    return features, target


def split_data(
    X: Any,
    y: Any,
    config: FitConfig,
    *,
    X_val: Any = None,
    y_val: Any = None,
    val_fraction: float = 0.2,
    seed: int = 0,
    sample_weight: Any = None,
) -> Data:
    """Training and validation tensors: the given validation rows, or a seeded split.

    The split holds out ``val_fraction`` of the rows, stratified by class for the
    classification losses (plain when a class is too small to stratify).
    ``sample_weight`` weighs the rows of ``X`` (the held-out ones are scored unweighted).
    """
    dtype = config.torch_dtype
    features, target = tensors(X, y, config.loss, dtype)
    cpu = torch.device("cpu")
    weight = as_weights(sample_weight, features.shape[0], dtype, cpu)
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither. Received: one of them is None")
    if X_val is not None:
        Xv, yv = tensors(X_val, y_val, config.loss, dtype, names="X_val,y_val")
        return Data(features, target, Xv, yv, weight)
    val_fraction = check_float(
        "val_fraction", val_fraction, low=0.0, high=1.0, high_inclusive=False
    )
    n = features.shape[0]
    n_val = round(val_fraction * n)
    if n_val < 1 or n - n_val < 1:
        return Data(features, target, w=weight)
    rows = np.arange(n)
    stratify = target.numpy() if is_classification(config.loss) else None
    try:
        train, val = train_test_split(rows, test_size=n_val, random_state=seed, stratify=stratify)
    except ValueError:  # a class with a single row cannot be stratified
        train, val = train_test_split(rows, test_size=n_val, random_state=seed)
    train, val = torch.from_numpy(np.sort(train)), torch.from_numpy(np.sort(val))
    w = None if weight is None else as_weights(weight[train], len(train), dtype, cpu)
    return Data(features[train], target[train], features[val], target[val], w)


def metric_name(loss: str) -> str:
    """The per-λ metric recorded next to the loss: ``mse`` or ``accuracy``."""
    return "accuracy" if is_classification(loss) else "mse"


def outputs(model: nn.Module, X: Tensor) -> Tensor:
    with eval_mode(model):
        return model(X)


def score(
    model: nn.Module, X: Tensor, y: Tensor, loss: str, weight: Tensor | None = None
) -> tuple[float, float]:
    """``(data loss, metric)`` of the model on the rows (the loss weighted by ``weight``,
    normalized to mean 1): metric is the unweighted MSE or accuracy."""
    out = outputs(model, X)
    target = align_target("y", y, out, loss)
    value = float(data_loss(loss, out, target, weight))
    return value, metric_value(out, target, metric_name(loss))


def metric_value(out: Tensor, target: Tensor, metric: str) -> float:
    """``mse`` (mean over all entries), ``accuracy`` or ``error`` (1 − accuracy)."""
    if metric == "mse":
        return float(torch.mean((out - target) ** 2))
    if out.dim() == 2 and out.shape[1] > 1:
        labels = out.argmax(dim=1)
    else:
        labels = (out.reshape(-1) > 0).to(target.dtype)
    accuracy = float((labels == target.reshape(-1)).to(torch.float64).mean())
    return accuracy if metric == "accuracy" else 1.0 - accuracy


def backtracking_fit(
    model: nn.Module,
    data: Data,
    config: FitConfig,
    fit_once: Callable[[FitConfig], int],
    penalty: Callable[[], float] = lambda: 0.0,
    attempts: int = 4,
) -> int:
    """Run ``fit_once(config)``; while it ends above the starting objective, halve the lr.

    The objective is the training data loss + ``penalty()``. A (proximal) gradient step no
    longer than ``1/L`` cannot raise it, so a fit that does took steps too long for the
    curvature it met; it is redone from the starting weights at half the learning rate,
    at most ``attempts`` times (the last attempt is kept whatever it gives). Returns the
    epochs run over all attempts.
    """
    start = snapshot(model)
    before = score(model, data.X, data.y, config.loss, data.w)[0] + penalty()
    epochs = 0
    for attempt in range(attempts + 1):
        epochs += fit_once(config)
        after = score(model, data.X, data.y, config.loss, data.w)[0] + penalty()
        if attempt == attempts or after <= before:
            break
        model.load_state_dict(start)
        config = config.replace(lr=config.lr / 2)
    return epochs
