"""Pruning a small CNN on scikit-learn's digits (8×8 images): filters, batch norms, Flatten.

A dead filter followed by batch norm holds a nonzero constant; the next convolution can
absorb it only where it does not pad with zeros, so the layout of these models matters.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import netreg as nr
import netreg.pruning as P
from netreg import select

F64 = torch.float64


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models run faster on one thread, and far faster when other processes share the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return torch.tensor(X / 16.0, dtype=F64).reshape(-1, 1, 8, 8), torch.tensor(y)


def cnn(seed: int = 0, *, bn2: bool = True, pad2: int = 0) -> nn.Sequential:
    """Conv(pad 1)→BN→ReLU→Conv(pad ``pad2``)→[BN]→ReLU→MaxPool→Flatten→Linear."""
    torch.manual_seed(seed)
    side = 8 if pad2 else 6
    layers: list[nn.Module] = [
        nn.Conv2d(1, 12, 3, padding=1),
        nn.BatchNorm2d(12),
        nn.ReLU(),
        nn.Conv2d(12, 16, 3, padding=pad2),
    ]
    layers += [nn.BatchNorm2d(16)] if bn2 else []
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * (side // 2) ** 2, 10)]
    model = nn.Sequential(*layers).to(F64)
    with torch.no_grad():  # batch norms as after training: nontrivial statistics and affine
        for bn in model:
            if isinstance(bn, nn.BatchNorm2d):
                bn.running_mean.normal_()
                bn.running_var.uniform_(0.5, 2.0)
                bn.weight.normal_()
                bn.bias.normal_()
    return model.eval()


def diff(a: nn.Module, b: nn.Module, x: torch.Tensor) -> float:
    with torch.no_grad():
        return float((a(x) - b(x)).abs().max())


def test_dead_filters_fold_through_batch_norm_and_flatten(digits):
    X, _ = digits
    model = cnn()
    with torch.no_grad():
        model[0].weight[[1, 4, 7]] = 0.0  # BN turns their bias into a nonzero constant
        model[3].weight[[2, 5, 6, 11]] = 0.0  # read by the Linear through Flatten blocks
        model[8].weight[:, 9 * 13 : 9 * 14] = 0.0  # channel 13 never read by the Linear
    small, result = P.prune(model, X[:16])
    assert (small[0].out_channels, small[1].num_features, small[3].in_channels) == (9, 9, 9)
    assert (small[3].out_channels, small[4].num_features) == (11, 11)
    assert small[8].in_features == 11 * 9
    assert result.folded == {"3": 3, "8": 4}
    assert result.inputs_kept == [0] and result.input_axis == 1
    assert diff(model, small, X) <= 1e-9


def test_no_zero_filters_means_an_equal_model(digits):
    X, _ = digits
    model = cnn()
    small, result = P.prune(model, X[:8])
    assert result.ratio == 1.0
    assert all(
        torch.equal(a, b)
        for a, b in zip(model.state_dict().values(), small.state_dict().values(), strict=True)
    )
    assert diff(model, small, X[:64]) == 0.0


def test_a_zero_padded_consumer_keeps_a_nonzero_constant_channel(digits):
    """With padding, border outputs would see 0 instead of the constant: refuse and say so."""
    X, _ = digits
    model = cnn(pad2=1)
    with torch.no_grad():
        model[0].weight[[1, 4]] = 0.0
        model[1].weight[[1, 4]] = 0.1
        model[1].bias[[1, 4]] = torch.tensor([2.0, -5.0], dtype=F64)  # ReLU: 1 stays > 0, 4 is 0
    small, result = P.prune(model, X[:16])
    assert small[0].out_channels == 11 and result.units_removed["0"] == 1
    assert torch.equal(small[0].weight, model[0].weight[[0, 1, 2, 3, *range(5, 12)]])
    assert any("pads with zeros" in note for note in result.notes)
    assert diff(model, small, X[:64]) <= 1e-9


def test_a_zero_padded_consumer_accepts_a_zero_constant(digits):
    """Without batch norm, a dead filter with zero bias is 0 after ReLU, padding or not."""
    X, _ = digits
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 4, 3, padding=1),
        nn.Flatten(),
        nn.Linear(4 * 64, 10),
    ).to(F64)
    with torch.no_grad():
        model[0].weight[[0, 5]] = 0.0
        model[0].bias[[0, 5]] = torch.tensor([0.0, -0.5], dtype=F64)  # ReLU(-0.5) = 0 too
    small, result = P.prune(model, X[:16])
    assert small[0].out_channels == 6 and not result.notes
    assert diff(model, small, X[:64]) <= 1e-9


def test_conv1d_chain_with_average_pooling():
    torch.manual_seed(4)
    model = nn.Sequential(
        nn.Conv1d(3, 8, 5),
        nn.Softplus(),
        nn.AvgPool1d(2),
        nn.Conv1d(8, 6, 3),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(6, 2),
    ).to(F64)
    with torch.no_grad():
        model[0].weight[[1, 2]] = 0.0  # Softplus(b) ≠ 0: folded into the second conv
        model[3].weight[4] = 0.0
        model[0].weight[:, 1] = 0.0  # input channel 1 unused
    x = torch.randn(5, 3, 20, dtype=F64)
    small, result = P.prune(model, x)
    assert (small[0].out_channels, small[3].out_channels, small[7].in_features) == (6, 5, 5)
    assert result.inputs_kept == [0, 2]
    with torch.no_grad():
        assert float((model(x) - small(result.select_inputs(x))).abs().max()) <= 1e-9


def test_graph_and_walk_agree_on_the_cnn(digits):
    X, _ = digits
    model = cnn()
    with torch.no_grad():
        model[0].weight[[0, 3]] = 0.0
        model[3].weight[[1, 9]] = 0.0
    walked, r1 = P.prune(model, X[:16], method="sequential")
    traced, r2 = P.prune(model, X[:16], method="graph")
    assert r1.units_removed == r2.units_removed and r1.folded == r2.folded
    for a, b in zip(walked.state_dict().values(), traced.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_group_lasso_trained_cnn_prunes_to_the_same_function(digits):
    """Unit group lasso on the second convolution (no batch norm after it: a batch norm
    would make the loss blind to the filters' scale) kills filters during training."""
    X, y = digits
    model = cnn(bn2=False).train()
    reg = nr.Plan({select.name("3.weight"): nr.GroupLasso(0.1, groups="units")}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    reg.attach(opt)
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        order = torch.randperm(1024, generator=gen)
        for i in range(0, 1024, 64):
            batch = order[i : i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(X[batch]), y[batch]).backward()
            opt.step()
    model.eval()
    dead = reg.sparsity()[0].zero_groups
    assert dead and dead < 16
    small, result = P.prune(model, X[:32])
    assert result.units_removed["3"] == dead
    assert result.params_after < result.params_before
    assert diff(model, small, X[1024:]) <= 1e-9
    with torch.no_grad():
        assert torch.equal(model(X[1024:]).argmax(1), small(X[1024:]).argmax(1))
