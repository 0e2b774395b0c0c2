"""predict() and evaluate(): forward passes in eval mode, no graph, numpy or floats out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from netreg._validation import check_choice, check_int
from netreg.train._data import align_target, as_features, as_target, as_weights, model_device_dtype
from netreg.train.losses import LOSSES, data_loss

TASKS = ("regression", "binary", "multiclass")


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """``model.eval()`` and ``torch.no_grad()`` for the block; the previous mode comes back."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def forward(model: nn.Module, X: Tensor, batch_size: int | None) -> Tensor:
    """``model(X)`` in chunks of ``batch_size`` rows (all at once when None)."""
    if batch_size is None or batch_size >= X.shape[0]:
        return model(X)
    return torch.cat([model(chunk) for chunk in X.split(batch_size)])


def predict(model: nn.Module, X: Any, *, task: str, batch_size: int | None = None) -> np.ndarray:
    """Predictions of ``model`` for ``X`` as a numpy array, in eval mode without a graph.

    Parameters
    ----------
    model : nn.Module
    X : array-like or Tensor, shape (n, ...)
    task : {"regression", "binary", "multiclass"}
        ``regression``: the outputs, ``(n,)`` for one output, ``(n, k)`` for k.
        ``binary``: ``P(y = 1) = sigmoid(logit)``, shape ``(n,)``.
        ``multiclass``: ``softmax(logits)``, shape ``(n, C)``. Labels are the
        caller's business (``argmax``, thresholds).
    batch_size : int, optional
        Rows per forward pass; None sends everything at once.

    Examples
    --------
    >>> import numpy as np
    >>> from netreg.train import mlp, predict
    >>> predict(mlp(3, hidden=(), seed=0), np.zeros((2, 3)), task="regression").shape
    (2,)
    """
    check_choice("task", task, TASKS)
    if batch_size is not None:
        check_int("batch_size", batch_size, low=1)
    device, dtype = model_device_dtype(model)
    features = as_features("X", X, dtype, device)
    with eval_mode(model):
        out = forward(model, features, batch_size)
    if task == "regression":
        if out.dim() == 2 and out.shape[1] == 1:
            out = out[:, 0]
    elif task == "binary":
        if out.numel() != out.shape[0]:
            raise ValueError(
                f"task='binary' needs one logit per row; the model gives {tuple(out.shape[1:])}. Received: task='binary'"
            )
        out = torch.sigmoid(out.reshape(-1))
    else:
        if out.dim() != 2:
            raise ValueError(
                f"task='multiclass' needs logits of shape (n, C). Received: output.shape={tuple(out.shape)}"
            )
        out = torch.softmax(out, dim=1)
    return out.detach().cpu().numpy()


def evaluate(
    model: nn.Module,
    X: Any,
    y: Any,
    loss: str,
    *,
    sample_weight: Any = None,
    batch_size: int | None = None,
) -> float:
    """The mean data loss ``loss`` of ``model`` on ``(X, y)``, in eval mode (no penalty).

    ``sample_weight`` gives the weighted mean ``Σwᵢℓᵢ / Σwᵢ``. See
    :mod:`netreg.train.losses` for the loss definitions.

    Examples
    --------
    >>> import numpy as np
    >>> from netreg.train import evaluate, mlp
    >>> model = mlp(2, hidden=(), seed=0)
    >>> evaluate(model, np.zeros((4, 2)), np.zeros(4), "half_mse") >= 0
    True
    """
    check_choice("loss", loss, LOSSES)
    if batch_size is not None:
        check_int("batch_size", batch_size, low=1)
    device, dtype = model_device_dtype(model)
    features = as_features("X", X, dtype, device)
    target = as_target("y", y, loss, features.shape[0], dtype, device)
    weight = as_weights(sample_weight, features.shape[0], dtype, device)
    with eval_mode(model):
        out = forward(model, features, batch_size)
        target = align_target("y", target, out, loss)
        return float(data_loss(loss, out, target, weight))
