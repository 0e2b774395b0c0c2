"""How the regularizer behaves inside real optimizer loops (issue 'Core', items 5, 7, 8)."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg.optim.steps import effective_step
from tests.conftest import small_mlp


def _run(model, optimizer, reg, X, y, steps, *, penalty=True):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(X).squeeze(-1) - y) ** 2).mean()
        if penalty and reg is not None:
            loss = loss + reg.penalty()
        loss.backward()
        optimizer.step()


def _data(seed=1, n=64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 6, generator=g, dtype=torch.float64), torch.randn(
        n, generator=g, dtype=torch.float64
    )


def test_l2_in_the_loss_is_weight_decay_under_sgd():
    """Seed 003: L2(l2) added to the loss equals SGD's weight_decay = 2·l2, step by step."""
    X, y = _data()
    l2 = 0.05
    a, b = small_mlp(), small_mlp()
    reg = nr.Plan({select.weights(nn.Linear): nr.L2(l2)}).bind(a)
    opt_a = torch.optim.SGD(a.parameters(), lr=0.05, momentum=0.9)
    opt_b = torch.optim.SGD(nr.param_groups(b, weight_decay=2 * l2), lr=0.05, momentum=0.9)
    for _ in range(30):
        _run(a, opt_a, reg, X, y, 1)
        _run(b, opt_b, None, X, y, 1)
        for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
            torch.testing.assert_close(pa, pb, rtol=0, atol=1e-12)


def test_l2_in_the_loss_is_not_weight_decay_under_adam():
    """...and under Adam the two differ: the reason AdamW exists."""
    X, y = _data()
    l2 = 0.05
    a, b, c = small_mlp(), small_mlp(), small_mlp()
    reg = nr.Plan({select.weights(nn.Linear): nr.L2(l2)}).bind(a)
    opt_a = torch.optim.Adam(a.parameters(), lr=0.01)
    opt_b = torch.optim.Adam(nr.param_groups(b, weight_decay=2 * l2), lr=0.01)
    opt_c = torch.optim.AdamW(nr.param_groups(c, weight_decay=2 * l2), lr=0.01)
    _run(a, opt_a, reg, X, y, 30)
    _run(b, opt_b, None, X, y, 30)
    _run(c, opt_c, None, X, y, 30)
    # Adam's coupled weight_decay is the loss term (wd/2)·‖θ‖²: same as L2(l2) in the loss.
    torch.testing.assert_close(a[0].weight, b[0].weight, rtol=0, atol=1e-10)
    # Decoupled decay (AdamW) follows a different trajectory.
    assert (a[0].weight - c[0].weight).abs().max() > 1e-4


def _grad_stream(model, steps, seed=3):
    g = torch.Generator().manual_seed(seed)
    return [
        [torch.randn(p.shape, generator=g, dtype=p.dtype) for p in model.parameters()]
        for _ in range(steps)
    ]


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "adamw"])
def test_parameters_left_out_get_exactly_the_unregularized_updates(opt_name):
    """Item 7: with the same gradients, excluded parameters move bit-for-bit as without netreg."""
    model = nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 1)).double()
    plain = copy.deepcopy(model)
    reg = nr.Plan({select.weights(nn.Linear): [nr.ElasticNet(0.1, 0.01), nr.MaxNorm(0.5)]}).bind(
        model
    )
    make = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.01),
    }[opt_name]
    opt, opt_plain = make(model.parameters()), make(plain.parameters())
    reg.attach(opt)
    for grads in _grad_stream(model, 25):
        for o, m in ((opt, model), (opt_plain, plain)):
            for p, g in zip(m.parameters(), grads, strict=True):
                p.grad = g.clone()
            o.step()
    left_out = [r.name for r in reg.rows if not r.is_regularized]
    assert left_out == ["0.bias", "1.weight", "1.bias", "3.bias"]
    named_plain = dict(plain.named_parameters())
    for name, p in model.named_parameters():
        if name in left_out:
            assert torch.equal(p, named_plain[name]), name
        else:
            assert not torch.equal(p, named_plain[name]), name


def test_fused_penalty_equals_the_per_parameter_loop_in_float64():
    """Item 8: fused value and gradient equal the plain loop, with a 0-size parameter present."""
    torch.manual_seed(0)
    model = nn.ModuleDict(
        {
            "a": nn.Linear(5, 7),
            "b": nn.Linear(7, 3),
            "empty": nn.Linear(0, 4),
            "c": nn.Conv2d(2, 4, 3),
        }
    ).double()
    plan = nr.Plan(
        {
            select.name("a.weight"): nr.L1(0.3),
            select.name("b.weight"): nr.ElasticNet(0.2, 0.4),
            select.name("empty.weight"): nr.L2(0.5),
            select.name("c.weight"): nr.GroupLasso(0.7, groups="inputs"),
        },
        mode="loss",
    )
    reg = plan.bind(model)
    reg.scale = 1.7
    fused, loop = reg.penalty(), reg.penalty_loop()
    torch.testing.assert_close(fused, loop, rtol=1e-14, atol=0)
    g_fused = torch.autograd.grad(fused, list(model.parameters()), allow_unused=True)
    g_loop = torch.autograd.grad(loop, list(model.parameters()), allow_unused=True)
    for a, b in zip(g_fused, g_loop, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            torch.testing.assert_close(a, b, rtol=1e-14, atol=1e-15)


def test_fused_prox_equals_the_pure_prox_loop_and_skips_params_without_grads():
    """In-place prox after a step equals the pure prox per parameter; no grad means no step."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3), nn.Linear(3, 2)).double()
    penalties = {
        "0.weight": nr.L1(0.3),
        "2.weight": nr.SparseGroupLasso(0.5, 0.3),
        "3.weight": nr.GroupLasso(2.0),
    }
    reg = nr.Plan({select.name(k): v for k, v in penalties.items()}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    reg.attach(opt)
    grads = _grad_stream(model, 1)[0]
    for p, g in zip(model.parameters(), grads, strict=True):
        p.grad = g.clone()
    model[3].weight.grad = None  # this one is not stepped by SGD, so it gets no prox either
    model[3].bias.grad = None
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    expected = {}
    for name, penalty in penalties.items():
        if name == "3.weight":
            expected[name] = before[name]
            continue
        grad = dict(zip([n for n, _ in model.named_parameters()], grads, strict=True))[name]
        v = before[name] - 0.1 * grad
        if isinstance(penalty, nr.SparseGroupLasso):
            bias_name = name.replace("weight", "bias")
            vb = (
                before[bias_name]
                - 0.1
                * dict(zip([n for n, _ in model.named_parameters()], grads, strict=True))[bias_name]
            )
            stacked = penalty.prox(torch.cat([v, vb[:, None]], 1), 0.1)
            expected[name], expected[bias_name] = stacked[:, :-1], stacked[:, -1]
        else:
            expected[name] = penalty.prox(v, 0.1)
    opt.step()
    named = dict(model.named_parameters())
    for name, value in expected.items():
        torch.testing.assert_close(named[name], value, rtol=1e-14, atol=1e-15)


def test_adam_effective_step_is_the_step_adam_took():
    """The per-coordinate step handed to the prox is exactly Adam's preconditioned step."""
    torch.manual_seed(0)
    p = nn.Parameter(torch.randn(20, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.05, betas=(0.8, 0.95))
    for i in range(4):
        p.grad = torch.randn(20, dtype=torch.float64) * (i + 1)
        before = p.detach().clone()
        opt.step()
        state = opt.state[p]
        m_hat = state["exp_avg"] / (1 - 0.8 ** float(state["step"]))
        step = effective_step(opt, opt.param_groups[0], p)
        torch.testing.assert_close(before - p.detach(), step * m_hat, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_prox_mode_makes_exact_zeros_and_loss_mode_does_not(opt_name):
    """Seeds 000–002 claim exact zeros from L1: true with a prox step, false in the loss."""
    X, y = _data(n=128)
    make = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.005),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.05),
    }[opt_name]
    zeros = {}
    for mode in ("prox", "loss"):
        model = small_mlp()
        reg = nr.Plan({select.weights(nn.Linear): (nr.L1(0.03), mode)}).bind(model)
        opt = make(model.parameters())
        reg.attach(opt)
        _run(model, opt, reg, X, y, 150)
        zeros[mode] = sum(s.zeros for s in reg.sparsity())
    assert zeros["prox"] > 20
    assert zeros["loss"] == 0


def test_regularizer_state_dict_round_trips_and_refuses_another_plan():
    model = small_mlp()
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(model)
    reg.scale = 0.25
    reg.step_(0.1)
    clone = nr.Plan({select.weights(): nr.L1(0.1)}).bind(small_mlp())
    clone.load_state_dict(reg.state_dict())
    assert clone.scale == 0.25 and clone.n_steps == 1
    other = nr.Plan({select.weights(): nr.L1(0.2)}).bind(small_mlp())
    with pytest.raises(ValueError, match="different plan"):
        other.load_state_dict(reg.state_dict())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_penalty_follows_the_parameters_dtype(dtype):
    model = small_mlp(dtype=dtype)
    reg = nr.Plan({select.weights(): nr.ElasticNet(0.1, 0.1)}, mode="loss").bind(model)
    assert reg.penalty().dtype == dtype
    empty = nr.Plan({select.weights(): nr.L1(0.1)}).bind(small_mlp(dtype=dtype))  # prox only
    assert empty.penalty().dtype == dtype and float(empty.penalty()) == 0.0


def test_scale_multiplies_every_strength():
    model = small_mlp()
    reg = nr.Plan({select.weights(): nr.ElasticNet(0.1, 0.2)}, mode="loss").bind(model)
    base = reg.penalty().item()
    reg.scale = 3.0
    assert reg.penalty().item() == pytest.approx(3.0 * base, rel=1e-14)
    scaled = (
        nr.Plan({select.weights(): nr.ElasticNet(0.1, 0.2)}, mode="loss").scaled(3.0).bind(model)
    )
    assert scaled.penalty().item() == pytest.approx(3.0 * base, rel=1e-14)


def test_attach_handles_forget_themselves_and_attached_always_detaches():
    model = small_mlp()
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(100):
        reg.attach(opt).remove()
    assert reg._handles == []
    with pytest.raises(RuntimeError), reg.attached(opt):
        assert len(reg._handles) == 1
        raise RuntimeError("boom")
    assert reg._handles == [] and not opt._optimizer_step_post_hooks


def test_value_is_the_whole_penalty_without_history():
    model = small_mlp()
    reg = nr.Plan({select.name("0.weight"): nr.L1(0.1), select.name("2.weight"): nr.L2(0.2)}).bind(
        model
    )
    expected = 0.1 * model[0].weight.abs().sum() + 0.2 * (model[2].weight ** 2).sum()
    reg.scale = 2.0
    assert not reg.value().requires_grad
    torch.testing.assert_close(reg.value(), 2.0 * expected.detach())
    torch.testing.assert_close(reg.prox_value(), 2.0 * 0.1 * model[0].weight.abs().sum().detach())


def test_group_lasso_in_the_loss_has_a_finite_gradient_at_a_zero_group():
    w = torch.zeros(3, 4, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    value = nr.GroupLasso(0.1).value(w, b) + nr.GroupLasso(0.1, "inputs").value(w)
    value.backward()
    assert torch.isfinite(w.grad).all() and torch.isfinite(b.grad).all()


def test_plans_and_regularizers_pickle_for_worker_processes():
    import pickle

    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 1))
    selectors = [
        select.weights(nn.Linear) & ~select.name("2.*"),
        select.name("2.weight") | select.biases(),
        select.input_layer(),
        select.type(nn.LayerNorm),
    ]
    plan = nr.Plan(
        {selectors[0]: nr.L1(0.1), selectors[1]: nr.MaxNorm(2.0), selectors[3]: nr.L2(0.1)}
    )
    clone = pickle.loads(pickle.dumps(plan))
    assert clone.bind(model).audit() == plan.bind(model).audit()
    assert pickle.loads(pickle.dumps(selectors[2])).matches(
        "0.weight", model[0].weight, model[0], _ctx()
    )


def _ctx():
    from netreg.select import Context

    return Context(input_layer="0")
