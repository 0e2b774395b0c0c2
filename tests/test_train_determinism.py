"""RELIABILITY row 4: same data and seed give bit-identical weights on CPU, without
reading or leaving a trace in the global random state."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg.train import FitConfig, fit, mlp


def _data(n=96, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, X[:, 0] - 0.5 * X[:, 1] + 0.1 * rng.normal(size=n)


def _train(seed: int, optimizer: str = "adam", scramble_global: int | None = None):
    X, y = _data()
    model = mlp(6, hidden=(16, 8), dropout=0.2, seed=0)
    plan = nr.Plan({select.weights(nn.Linear): [nr.L1(1e-3), nr.MaxNorm(2.0)]})
    if scramble_global is not None:
        torch.manual_seed(scramble_global)  # the caller's global state must not matter
    config = FitConfig(optimizer=optimizer, lr=1e-2, batch_size=16, max_epochs=8, seed=seed)
    result = fit(model, X, y, regularizer=plan, config=config)
    return model, result


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_same_data_and_seed_give_bit_identical_weights(optimizer):
    a, ra = _train(seed=3, optimizer=optimizer, scramble_global=1)
    b, rb = _train(seed=3, optimizer=optimizer, scramble_global=2)
    for (name, pa), pb in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb), name
    assert ra.train_losses == rb.train_losses


def test_a_different_seed_gives_different_weights():
    """The seed reaches shuffling and dropout: otherwise the test above could not fail."""
    a, _ = _train(seed=3)
    b, _ = _train(seed=4)
    assert not torch.equal(a[0].weight, b[0].weight)


def test_fit_leaves_the_global_random_state_as_it_found_it():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    _train(seed=0)  # dropout draws from the (forked) global generator
    assert torch.equal(torch.get_rng_state(), before)


def test_mlp_with_a_seed_never_touches_the_global_generator():
    torch.manual_seed(7)
    before = torch.get_rng_state()
    a = mlp(5, hidden=(4, 3), seed=11)
    b = mlp(5, hidden=(4, 3), seed=11, dtype=torch.float64)
    assert torch.equal(torch.get_rng_state(), before)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb.float())  # drawn in float64 once, then cast
    c = mlp(5, hidden=(4, 3), seed=12)
    assert not torch.equal(a[0].weight, c[0].weight)


def test_mlp_seeded_init_follows_pytorch_default_bounds():
    """U(−1/√fan_in, 1/√fan_in) for weights and biases, as nn.Linear's reset_parameters."""
    model = mlp(400, hidden=(50,), seed=0)
    for layer in (model[0], model[2]):
        bound = 1 / layer.in_features**0.5
        for t in (layer.weight, layer.bias):
            assert float(t.detach().abs().max()) <= bound
    w, bound = model[0].weight.detach(), 1 / 400**0.5  # 20,000 draws: the moments are sharp
    assert float(w.abs().max()) > 0.99 * bound
    assert abs(float(w.std()) - bound / 3**0.5) < 0.02 * bound
    assert abs(float(w.mean())) < 0.02 * bound
