"""Pruning through residual sums and concatenations (torch-pruning's dependency graph).

What torch-pruning does, checked here: a residual stream couples every layer that writes
it (the input projection and each block's last layer) with every layer that reads it, so
a stream channel can go only when it is dead in all writers or unread by all readers; a
concatenation maps each part to its slice of the reader. netreg adds the rules that keep
the function: anything that reaches the output, mixes features (LayerNorm) or brings in
data from outside a layer (a raw-input skip) keeps its channels.
"""

from __future__ import annotations

import copy
import sys

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


class ResidualMLP(nn.Module):
    """``h = inp(x); h = h + block(h)`` twice; ``head(tanh(norm(h)))``."""

    def __init__(self, d_in: int = 6, width: int = 8, hidden: int = 5, d_out: int = 2, norm=None):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Linear(width, hidden), nn.Sigmoid(), nn.Linear(hidden, width))
            for _ in range(2)
        )
        self.norm = norm if norm is not None else nn.BatchNorm1d(width)
        self.head = nn.Linear(width, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.head(torch.tanh(self.norm(h)))


def residual(seed: int = 0, **kwargs) -> ResidualMLP:
    torch.manual_seed(seed)
    model = ResidualMLP(**kwargs).to(F64)
    if isinstance(model.norm, nn.BatchNorm1d):
        with torch.no_grad():
            model.norm.running_mean.normal_()
            model.norm.running_var.uniform_(0.5, 2.0)
    return model.eval()


def x_of(n: int = 16, d: int = 6, seed: int = 5) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=F64)


def agree(a: nn.Module, b: nn.Module, x: torch.Tensor, result: P.PruneResult) -> float:
    with torch.no_grad():
        return float((a(x) - b(result.select_inputs(x))).abs().max())


def writers(model: ResidualMLP) -> list[nn.Linear]:
    return [model.inp, model.blocks[0][2], model.blocks[1][2]]


def test_residual_stream_channel_dead_in_every_writer_is_removed():
    model = residual()
    with torch.no_grad():
        for layer in writers(model):
            layer.weight[2] = 0.0  # channel 2 of the stream: a constant sum of three biases
    small, result = P.prune(model, x_of())
    assert result.method == "graph"
    assert all(layer.out_features == 7 for layer in writers(small))
    assert small.norm.num_features == 7 and small.head.in_features == 7
    assert small.blocks[0][0].in_features == 7 and small.blocks[1][0].in_features == 7
    assert agree(model, small, x_of(64, seed=11), result) <= 1e-9


def test_residual_stream_channel_dead_in_one_writer_only_is_kept():
    model = residual()
    with torch.no_grad():
        model.inp.weight[5] = 0.0  # the blocks still write channel 5
    small, result = P.prune(model, x_of())
    assert small.inp.out_features == 8 and result.params_after == result.params_before


def test_units_inside_blocks_inputs_and_names():
    model = residual()
    with torch.no_grad():
        model.blocks[0][0].weight[[0, 3]] = 0.0  # dead hidden units: sigmoid(b) folded
        model.blocks[1][2].weight[:, 1] = 0.0  # hidden unit 1 of block 1 never read
        model.inp.weight[:, 4] = 0.0  # input feature 4 unused
    small, result = P.prune(model, x_of(), input_names=list("abcdef"))
    assert small.blocks[0][0].out_features == 3 and small.blocks[1][0].out_features == 4
    assert result.selected_inputs == ["a", "b", "c", "d", "f"] and small.inp.in_features == 5
    assert result.folded["blocks.0.2"] == 2
    assert agree(model, small, x_of(64, seed=11), result) <= 1e-9


def test_channels_reaching_the_output_are_kept():
    class StreamOut(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 4)

        def forward(self, x):
            h = self.a(x)
            return h + self.b(h)

    model = StreamOut().to(F64)
    with torch.no_grad():
        model.a.weight[0] = 0.0
        model.b.weight[0] = 0.0
    small, result = P.prune(model, x_of(8, 4))
    assert result.params_after == result.params_before
    assert agree(model, small, x_of(8, 4), result) == 0.0


def test_a_layer_norm_on_the_stream_keeps_its_channels():
    model = residual(norm=nn.LayerNorm(8))
    with torch.no_grad():
        for layer in writers(model):
            layer.weight[2] = 0.0
        model.blocks[0][0].weight[1] = 0.0  # inside a block: still removable
    small, result = P.prune(model, x_of())
    assert small.inp.out_features == 8 and small.blocks[0][0].out_features == 4
    assert agree(model, small, x_of(64, seed=11), result) <= 1e-9


def test_concatenation_maps_each_part_to_its_slice():
    class Concat(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.head = nn.Linear(5, 3), nn.Linear(5, 4), nn.Linear(7, 1)

        def forward(self, x):
            return self.head(torch.cat([torch.relu(self.a(x)), torch.sigmoid(self.b(x))], 1))

    torch.manual_seed(0)
    model = Concat().to(F64)
    with torch.no_grad():
        model.a.weight[1] = 0.0
        model.b.weight[[0, 3]] = 0.0  # sigmoid(b) ≠ 0: folded into head's bias
        model.head.weight[:, 4] = 0.0  # b's unit 1 is never read
    small, result = P.prune(model, x_of(8, 5))
    assert (small.a.out_features, small.b.out_features, small.head.in_features) == (2, 1, 3)
    assert agree(model, small, x_of(32, 5, seed=3), result) <= 1e-9


def test_a_raw_input_skip_keeps_the_input_and_the_stream():
    """``head(x + g(f(x)))``: x enters the sum outside any layer, so the channel g writes
    is not constant and the input features stay, even where f ignores them."""

    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.f, self.g, self.head = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 1)

        def forward(self, x):
            return self.head(x + self.g(torch.relu(self.f(x))))

    torch.manual_seed(0)
    model = Skip().to(F64)
    with torch.no_grad():
        model.g.weight[1] = 0.0
        model.f.weight[:, 3] = 0.0
        model.f.weight[2] = 0.0  # dead hidden unit: removable
    small, result = P.prune(model, x_of(8, 4))
    assert small.f.in_features == 4 and small.g.out_features == 4 and small.f.out_features == 3
    assert result.inputs_kept is None  # the input is used outside its first layers
    assert any("not provably constant" in n for n in result.notes)
    assert agree(model, small, x_of(32, 4), result) <= 1e-9


def test_shared_weights_are_left_alone():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp, self.mid, self.head = nn.Linear(3, 4), nn.Linear(4, 4), nn.Linear(4, 1)

        def forward(self, x):
            return self.head(self.mid(torch.tanh(self.mid(self.inp(x)))))

    torch.manual_seed(0)
    model = Twice().to(F64)
    with torch.no_grad():
        model.mid.weight[0] = 0.0
    small, result = P.prune(model, x_of(8, 3))
    assert small.mid.weight.shape == (4, 4)
    assert agree(model, small, x_of(8, 3), result) <= 1e-9


def test_what_the_graph_cannot_see_is_caught_and_the_original_kept():
    """A sum over features is invisible to the graph; the output check refuses the result."""

    class SumGate(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.head = nn.Linear(4, 6), nn.Linear(6, 1)

        def forward(self, x):
            h = torch.sigmoid(self.a(x))
            return self.head(h.sum(1, keepdim=True) * h)

    torch.manual_seed(0)
    model = SumGate().to(F64)
    with torch.no_grad():
        model.head.weight[:, 2] = 0.0
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(RuntimeError, match=r"changed its outputs.*original model is unchanged"):
        P.prune(model, x_of(8, 4))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_without_torch_pruning_sequentials_still_prune(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch_pruning", None)  # makes the import fail
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1)).to(F64)
    with torch.no_grad():
        seq[0].weight[1] = 0.0
    small, _ = P.prune(seq)
    assert small[0].out_features == 4
    with pytest.raises(ImportError, match=r"pip install netreg\[prune\]"):
        P.prune(residual(), x_of())


def test_group_lasso_trained_residual_mlp_prunes_to_the_same_function():
    X = x_of(256, 6, seed=1)
    y = X[:, :2].sum(1, keepdim=True).repeat(1, 2)
    model = residual().train()
    hidden = select.name("blocks.*.0.weight")
    reg = nr.Plan({hidden: nr.GroupLasso(0.03, groups="units")}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    reg.attach(opt)
    for _ in range(150):
        opt.zero_grad()
        ((model(X) - y) ** 2).mean().backward()
        opt.step()
    model.eval()
    dead = sum(s.zero_groups or 0 for s in reg.sparsity())
    assert 0 < dead < 10
    small, result = P.prune(model, X[:16])
    assert result.units_removed["blocks.0.0"] + result.units_removed["blocks.1.0"] == dead
    assert agree(model, small, x_of(128, seed=7), result) <= 1e-9


def test_a_forward_that_hard_codes_a_size_is_reported():
    class Fixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.head = nn.Linear(4, 8), nn.Linear(8, 1)

        def forward(self, x):
            return self.head(torch.relu(self.a(x)).reshape(len(x), 8))

    torch.manual_seed(0)
    model = Fixed().to(F64)
    with torch.no_grad():
        model.a.weight[3] = 0.0
    with pytest.raises(RuntimeError, match=r"hard-codes a layer size.*original model is unchanged"):
        P.prune(model, x_of(8, 4))
    assert model.a.out_features == 8
