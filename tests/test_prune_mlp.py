"""Pruning MLPs (issue 'prune', must-be-true 1): same outputs, fewer parameters.

Laws: on fresh random inputs the pruned model agrees with the original to float64
rounding; a model without zero groups comes back equal; every removed unit was either
dead (zero incoming weights) or unread (zero outgoing columns).
"""

from __future__ import annotations

import copy
import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
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


def mlp(seed: int = 0, sizes=(6, 16, 8, 1), act=nn.Sigmoid) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers).to(F64)


def max_diff(a: nn.Module, b: nn.Module, x: torch.Tensor, result: P.PruneResult) -> float:
    a.eval()
    b.eval()
    with torch.no_grad():
        return float((a(x) - b(result.select_inputs(x))).abs().max())


def fresh(n: int, d: int, seed: int = 123) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_dead_units_with_nonzero_bias_are_folded_into_the_next_bias():
    """Sigmoid(b) ≠ 0: the dead units' constant reaches the next layer, which absorbs it."""
    model = mlp()
    with torch.no_grad():
        model[0].weight[[1, 4, 9]] = 0.0  # dead units, biases left nonzero
        model[2].weight[5] = 0.0
    small, result = P.prune(model)
    assert small[0].out_features == 13 and small[2].in_features == 13
    assert small[2].out_features == 7 and small[4].in_features == 7
    assert result.units_removed == {"0": 3, "2": 1, "4": 0}
    assert result.folded == {"2": 3, "4": 1}
    assert max_diff(model, small, fresh(64, 6), result) <= 1e-9
    assert result.params_after == sum(p.numel() for p in small.parameters())
    assert result.ratio == pytest.approx(result.params_before / result.params_after)


def test_unread_units_and_inputs_are_removed_and_named():
    model = mlp()
    with torch.no_grad():
        model[2].weight[:, [0, 7]] = 0.0  # hidden units 0 and 7 of layer 0 are never read
        model[0].weight[:, [2, 5]] = 0.0  # input features 2 and 5 are unused
    names = ["age", "bmi", "bp", "s1", "s2", "s3"]
    small, result = P.prune(model, input_names=names)
    assert small[0].weight.shape == (14, 4)
    assert result.inputs_kept == [0, 1, 3, 4]
    assert result.selected_inputs == ["age", "bmi", "s1", "s2"]
    assert result.n_inputs == 6 and result.input_axis == -1 and result.inputs_removed == 2
    assert max_diff(model, small, fresh(64, 6), result) <= 1e-9


def test_prune_inputs_false_keeps_the_input_signature():
    model = mlp()
    with torch.no_grad():
        model[0].weight[:, 2] = 0.0
    small, result = P.prune(model, prune_inputs=False)
    assert small[0].in_features == 6 and result.inputs_kept == list(range(6))
    x = fresh(16, 6)
    with torch.no_grad():
        assert float((model(x) - small(x)).abs().max()) <= 1e-9


def test_a_model_without_zero_groups_comes_back_equal():
    model = mlp()
    small, result = P.prune(model)
    assert small is not model
    assert result.params_before == result.params_after and result.ratio == 1.0
    assert set(result.units_removed.values()) == {0}
    a, b = model.state_dict(), small.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert str(small) == str(model)


def test_removal_cascades_over_passes():
    """Unit 3 of layer 2 reads only units that die; once they are gone it is dead too."""
    model = mlp(sizes=(4, 6, 5, 1))
    with torch.no_grad():
        model[0].weight[[0, 1]] = 0.0
        model[2].weight[3] = 0.0
        model[2].weight[3, [0, 1]] = torch.tensor([0.7, -1.1], dtype=F64)
    small, result = P.prune(model)
    assert result.units_removed["0"] == 2 and result.units_removed["2"] == 1
    assert max_diff(model, small, fresh(32, 4), result) <= 1e-9


def test_one_unit_is_kept_when_every_unit_is_dead():
    model = mlp(sizes=(4, 6, 1))
    with torch.no_grad():
        model[0].weight.zero_()
    small, result = P.prune(model)
    assert small[0].out_features == 1  # layers stay well-formed
    assert max_diff(model, small, fresh(8, 4), result) <= 1e-9


def test_batch_norm_and_dropout_in_the_chain():
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Linear(5, 10), nn.BatchNorm1d(10), nn.ELU(), nn.Dropout(0.3), nn.Linear(10, 3)
    ).to(F64)
    with torch.no_grad():
        model[1].running_mean.normal_()
        model[1].running_var.uniform_(0.5, 2.0)
        model[1].weight.normal_()
        model[1].bias.normal_()
        model[0].weight[[2, 6]] = 0.0
    model.train()  # pruning promises the inference function, whatever the mode
    small, result = P.prune(model)
    assert small.training and small[1].num_features == 8 and small[1].running_mean.shape == (8,)
    assert max_diff(model, small, fresh(32, 5), result) <= 1e-9


def test_units_feeding_a_layer_norm_are_kept_and_the_reason_is_noted():
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.ReLU(), nn.Linear(6, 1)).to(F64)
    with torch.no_grad():
        model[0].weight[1] = 0.0
    small, result = P.prune(model)
    assert small[0].out_features == 6
    assert result.units_removed["0"] == 0
    assert max_diff(model, small, fresh(8, 4), result) <= 1e-9


def test_float32_models_agree_to_float32_rounding():
    model = mlp().float()
    with torch.no_grad():
        model[0].weight[[0, 3]] = 0.0
    small, _ = P.prune(model)
    x = fresh(64, 6).float()
    with torch.no_grad():
        ref, out = model(x), small(x)
    assert float((ref - out).abs().max()) <= 1e-5 * (1 + float(ref.abs().max()))
    assert small[0].weight.dtype == torch.float32


def test_inplace_prunes_the_same_object_and_copy_leaves_the_original():
    model = mlp()
    with torch.no_grad():
        model[0].weight[0] = 0.0
    before = copy.deepcopy(model.state_dict())
    small, _ = P.prune(model)
    assert small is not model and model[0].out_features == 16
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    same, _ = P.prune(model, inplace=True)
    assert same is model and model[0].out_features == 15


def test_sequential_walk_and_dependency_graph_agree():
    model = mlp()
    with torch.no_grad():
        model[0].weight[[2, 3]] = 0.0
        model[2].weight[:, 11] = 0.0
        model[0].weight[:, 1] = 0.0
    x = fresh(16, 6)
    walked, r1 = P.prune(model, method="sequential")
    traced, r2 = P.prune(model, x, method="graph")
    assert (r1.method, r2.method) == ("sequential", "graph")
    assert r1.units_removed == r2.units_removed and r1.inputs_kept == r2.inputs_kept
    for (k, a), (_, b) in zip(
        walked.state_dict().items(), traced.state_dict().items(), strict=True
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-15, msg=k)


def test_netreg_prune_is_the_function_and_the_result_round_trips():
    import netreg.advisor

    assert nr.prune is P.prune and nr.advise is netreg.advisor.advise
    model = mlp()
    with torch.no_grad():
        model[0].weight[0] = 0.0
    small, result = nr.prune(model)
    assert small[0].out_features == 15
    data = result.to_dict()
    assert data["ratio"] == result.ratio
    assert P.PruneResult.from_dict(data) == result
    with pytest.raises(ValueError, match=r"Unknown config key\(s\) \['colour'\] for PruneResult"):
        P.PruneResult.from_dict({**data, "colour": "red"})
    assert "parameters:" in result.summary()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "magic"}, ValueError, "Received: method='magic'"),
        ({"max_passes": 0}, ValueError, "max_passes"),
        ({"input_names": ["a", "b"]}, ValueError, "input_names` has 2 names for 6"),
        ({"method": "graph"}, ValueError, "example_input"),
    ],
)
def test_bad_arguments_are_refused_with_the_value(kwargs, error, match):
    with pytest.raises(error, match=match):
        P.prune(mlp(), **kwargs)


def test_a_non_module_is_refused():
    with pytest.raises(TypeError, match="Received: model=dict"):
        P.prune({"weight": 1})


# -- trained with netreg: real zeros ----------------------------------------------------------
def _train(model, plan, X, y, steps, lr=0.05):
    reg = plan.bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    reg.attach(opt)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
    return reg


def _regression(n=256, d=6, seed=0):
    X = fresh(n, d, seed)
    return X, (X[:, :2].sum(1, keepdim=True) + 0.3 * torch.tanh(X[:, 2:3]))


def test_group_lasso_units_trained_model_prunes_to_the_same_function():
    X, y = _regression()
    model = mlp(sizes=(6, 16, 8, 1), act=nn.Tanh)
    plan = nr.Plan({select.weights(nn.Linear) & ~select.name("4.*"): nr.GroupLasso(0.02)})
    reg = _train(model, plan, X, y, steps=200)
    zero_groups = sum(s.zero_groups or 0 for s in reg.sparsity())
    assert zero_groups > 0  # the test means something only if training made zeros
    small, result = P.prune(model)
    assert sum(result.units_removed.values()) >= zero_groups
    assert result.params_after < result.params_before
    assert max_diff(model, small, fresh(128, 6, seed=9), result) <= 1e-9


def test_group_lasso_inputs_trained_model_selects_features():
    X, y = _regression()
    model = mlp(sizes=(6, 16, 1), act=nn.ReLU)
    plan = nr.Plan({select.input_layer(): nr.GroupLasso(0.03, groups="inputs")})
    _train(model, plan, X, y, steps=200)
    small, result = P.prune(model, input_names=list("abcdef"))
    assert 0 < result.inputs_removed < 6
    assert {"a", "b"} <= set(result.selected_inputs)  # the informative features survive
    assert max_diff(model, small, fresh(128, 6, seed=9), result) <= 1e-9


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    dead=st.lists(st.integers(0, 7), max_size=8),
    unread=st.lists(st.integers(0, 7), max_size=8),
    unused=st.lists(st.integers(0, 4), max_size=5),
    act=st.sampled_from([nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU]),
)
def test_any_zero_pattern_keeps_the_function(seed, dead, unread, unused, act):
    """Law: whatever rows and columns are zero, pruning keeps the outputs."""
    model = mlp(seed, sizes=(5, 8, 8, 2), act=act)
    with torch.no_grad():
        model[0].weight[sorted(set(dead))] = 0.0
        model[2].weight[:, sorted(set(unread))] = 0.0
        model[0].weight[:, sorted(set(unused))] = 0.0
    small, result = P.prune(model)
    assert max_diff(model, small, fresh(32, 5, seed), result) <= 1e-9
    assert result.params_after <= result.params_before
