"""RELIABILITY row 23: 1,000 steps keep memory flat (logging keeps no autograd graph)."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg.train import FitConfig, fit, mlp


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: intra-op threads only add barrier waits, and under pytest-xdist on a
    loaded two-core machine they make each step 10-30x slower. Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _live_tensors() -> int:
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), torch.Tensor))


class _Census:
    """A callback that counts live Python objects and tensors at two epochs."""

    def __init__(self, early: int, late: int):
        self.early, self.late = early, late
        self.counts: dict[int, tuple[int, int]] = {}

    def __call__(self, epoch, logs):
        if epoch in (self.early, self.late):
            gc.collect()
            self.counts[epoch] = (len(gc.get_objects()), _live_tensors())


@pytest.mark.parametrize("batch_size", [None, 25])
def test_a_thousand_steps_with_a_loss_mode_penalty_keep_memory_flat(batch_size):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 8)), rng.normal(size=100)
    model = mlp(8, hidden=(16,), seed=0)
    # L1 in loss mode puts the penalty (and its graph) into every step's loss.
    plan = nr.Plan({select.weights(nn.Linear): nr.L1(1e-3)}, mode="loss")
    epochs = 1000 if batch_size is None else 250  # 1,000 optimizer steps either way
    census = _Census(early=20, late=epochs - 1)
    config = FitConfig(
        optimizer="adam", lr=1e-3, batch_size=batch_size, max_epochs=epochs, patience=None
    )
    result = fit(
        model, X, y, regularizer=plan, config=config, X_val=X[:20], y_val=y[:20], callbacks=[census]
    )

    assert result.n_steps == 1000
    objects_early, tensors_early = census.counts[census.early]
    objects_late, tensors_late = census.counts[census.late]
    # One leaked tensor (or graph node holder) per epoch would add hundreds here.
    assert tensors_late - tensors_early <= 5
    assert objects_late - objects_early <= 100
    # The histories are plain floats, never tensors holding a graph.
    assert all(type(v) is float for v in result.train_losses + result.val_losses)
    assert len(result.train_losses) == epochs
