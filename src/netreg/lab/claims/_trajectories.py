"""Shared by weight-decay-sgd and weight-decay-adam: one net, several optimizers, lockstep.

Every run starts from the same weights and sees the same minibatches; the parameters are
recorded after each step so two trajectories can be compared step by step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_diabetes
from torch import nn

from netreg import select
from netreg.lab import _nets
from netreg.penalties import L2
from netreg.plan import Plan

L2_STRENGTH = 1e-2
MakeOptimizer = Callable[[nn.Module], torch.optim.Optimizer]


def diabetes() -> tuple[torch.Tensor, torch.Tensor]:
    """Diabetes, standardized features and target, float64."""
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    return _nets.as_tensors(X, y, dtype=torch.float64)


def trajectory(
    make_optimizer: MakeOptimizer, *, l2_in_loss: float, steps: int, seed: int
) -> np.ndarray:
    """All parameters after every step (steps × n_params), minibatches of 32.

    ``l2_in_loss > 0`` adds ``L2(l2_in_loss)`` on the Linear weights to the loss (biases
    excluded, as ``param_groups`` excludes them from weight decay).
    """
    X, y = diabetes()
    model = _nets.mlp([10, 32, 1], seed=seed, dtype=torch.float64)
    reg = (
        Plan({select.weights(nn.Linear): (L2(l2_in_loss), "loss")}).bind(model)
        if l2_in_loss > 0
        else None
    )
    optimizer = make_optimizer(model)
    states: list[np.ndarray] = []

    def record(step: int) -> None:
        states.append(
            torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()
        )

    epochs = -(-steps * 32 // X.shape[0])
    _nets.train(
        model, X, y, optimizer, epochs=epochs, batch_size=32, reg=reg, seed=seed, on_step=record
    )
    return np.stack(states[:steps])


def max_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max |a − b| over the parameters, per step."""
    return np.abs(a - b).max(axis=1)


def relative_gap(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / ‖a‖ at the last step."""
    return float(np.linalg.norm(a[-1] - b[-1]) / np.linalg.norm(a[-1]))
