"""Small, deterministic torch helpers for the lab's network experiments.

The lab measures what penalties and optimizers do, so its loops are plain and short:
build an MLP from a seed, train full-batch or in minibatches drawn from a seeded
``torch.Generator``, optionally with a :class:`~netreg.Regularizer` (its loss-mode
penalties added to the mean data loss, its prox steps and constraints attached to the
optimizer), and keep the best validation state when early stopping.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import Tensor, nn

from netreg.data import sparse_signal
from netreg.regularizer import Regularizer


@contextlib.contextmanager
def threads(n: int = 1) -> Iterator[None]:
    """Run torch with ``n`` intra-op threads, restoring the previous count afterwards.

    The lab's nets are tiny: one thread is faster than two for them and makes every
    number independent of the machine's core count.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def mlp(
    sizes: list[int],
    *,
    dropout: float = 0.0,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
) -> nn.Sequential:
    """``Linear → ReLU (→ Dropout)`` for every hidden layer, then a final ``Linear``.

    ``sizes = [inputs, hidden…, outputs]``; the weights come from ``torch.manual_seed(seed)``.
    """
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers).to(dtype)


def as_tensors(
    X: np.ndarray,
    y: np.ndarray,
    *,
    classification: bool = False,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    """Features as ``dtype``; targets as int64 class labels or a ``dtype`` column."""
    features = torch.tensor(np.asarray(X), dtype=dtype)
    if classification:
        return features, torch.tensor(np.asarray(y), dtype=torch.int64)
    return features, torch.tensor(np.asarray(y), dtype=dtype).reshape(-1, 1)


def split_tensors(
    X: np.ndarray,
    y: np.ndarray,
    ends: tuple[int, ...],
    *,
    classification: bool = False,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, ...]:
    """The rows cut at ``ends`` (``(100, 250)``: three parts), each part as ``as_tensors``.

    Flat, in order: ``(X_0, y_0, X_1, y_1, ...)``, so a train/validation/test split unpacks
    into six names.
    """
    bounds = (0, *ends, len(y))
    return tuple(
        tensor
        for start, stop in itertools.pairwise(bounds)
        for tensor in as_tensors(
            X[start:stop], y[start:stop], classification=classification, dtype=dtype
        )
    )


def shuffled_digits(seed: int, ends: tuple[int, ...]) -> tuple[Tensor, ...]:
    """scikit-learn's digits (pixels scaled to [0, 1]) in a seeded order, cut at ``ends``."""
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    return split_tensors(X[order] / 16.0, y[order], ends, classification=True)


def sparse_regression(
    seed: int,
    *,
    n: int,
    p: int,
    k: int,
    noise: float,
    ends: tuple[int, ...],
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, ...]:
    """``n`` rows of :func:`netreg.data.sparse_signal` (``k`` of ``p`` inputs matter), cut at
    ``ends``; the target is standardized with the first part's mean and deviation only, so
    no statistic leaks from the held-out parts."""
    df = sparse_signal(n=n, p=p, k=k, noise=noise, seed=seed)
    X = df.drop(columns="y").to_numpy()
    y = df["y"].to_numpy()
    y = (y - y[: ends[0]].mean()) / y[: ends[0]].std()
    return split_tensors(X, y, ends, dtype=dtype)


def data_loss(output: Tensor, target: Tensor) -> Tensor:
    """Cross-entropy for integer targets, mean squared error otherwise (both batch means)."""
    if target.dtype == torch.int64:
        return nn.functional.cross_entropy(output, target)
    return nn.functional.mse_loss(output, target)


@torch.no_grad()
def evaluate(model: nn.Module, X: Tensor, y: Tensor) -> tuple[float, float]:
    """(mean data loss, accuracy for classification or MSE for regression) in eval mode."""
    was_training = model.training
    model.eval()
    output = model(X)
    loss = float(data_loss(output, y))
    metric = float((output.argmax(1) == y).double().mean()) if y.dtype == torch.int64 else loss
    model.train(was_training)
    return loss, metric


@dataclass
class History:
    """What a training run recorded."""

    train_loss: list[float] = field(default_factory=list)  # objective per epoch (data + penalty)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1
    epochs_run: int = 0
    stopped_early: bool = False


def train(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int,
    batch_size: int | None = None,
    reg: Regularizer | None = None,
    seed: int = 0,
    X_val: Tensor | None = None,
    y_val: Tensor | None = None,
    patience: int | None = None,
    on_step: Callable[[int], None] | None = None,
) -> History:
    """Train ``model`` in place; return its :class:`History`.

    ``reg``'s loss-mode penalties join the mean data loss and its prox steps and
    constraints run after every ``optimizer.step()`` (attached for this call only).
    With ``X_val`` and ``patience`` the run stops after ``patience`` epochs without a
    better validation loss and the model is left at its best epoch.
    """
    generator = torch.Generator().manual_seed(seed)
    handle = reg.attach(optimizer) if reg is not None else None
    history = History()
    best_loss, best_state, waited, step = float("inf"), None, 0, 0
    n = X.shape[0]
    try:
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(n, generator=generator) if batch_size else None
            batches = (
                [order[i : i + batch_size] for i in range(0, n, batch_size)]
                if order is not None and batch_size is not None
                else [None]
            )
            total = 0.0
            for index in batches:
                xb, yb = (X, y) if index is None else (X[index], y[index])
                optimizer.zero_grad(set_to_none=True)
                loss = data_loss(model(xb), yb)
                if reg is not None:
                    loss = loss + reg.penalty()
                loss.backward()
                optimizer.step()
                step += 1
                if on_step is not None:
                    on_step(step)
                total += float(loss.detach()) * (1 if index is None else len(index))
            history.train_loss.append(total / (1 if batches[0] is None else n))
            history.epochs_run = epoch + 1
            if X_val is None or y_val is None:
                continue
            val_loss, _ = evaluate(model, X_val, y_val)
            history.val_loss.append(val_loss)
            if val_loss < best_loss:
                best_loss, waited, history.best_epoch = val_loss, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    finally:
        if handle is not None:
            handle.remove()
    if best_state is not None and patience is not None:
        model.load_state_dict(best_state)
    return history


def weight_norm(model: nn.Module) -> float:
    """‖W‖₂ over every Linear weight (biases left out)."""
    squares = [
        float((m.weight.detach() ** 2).sum()) for m in model.modules() if isinstance(m, nn.Linear)
    ]
    return float(np.sqrt(sum(squares)))


def linear_weights(model: nn.Module) -> list[Tensor]:
    """The weights of every Linear layer, in order."""
    return [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
