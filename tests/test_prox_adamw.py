"""ProxAdamW: AdamW with the elementwise and unit-group prox inside its update.

The ground truth is torch's AdamW with the regularizer's post-step hook (the loop that
every other optimizer uses), with netreg's kernels switched off so that the hook runs the
eager formulas; ProxAdamW must follow the same trajectory, keep AdamW's state layout, and
fall back to that loop wherever its kernel cannot run.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import _kernels
from netreg.optim import ProxAdamW

needs_numba = pytest.mark.skipif(not _kernels.enabled(), reason="numba (the `fast` extra) missing")

PENALTIES = {
    "L1": (nr.L1(0.05), "prox"),
    "ElasticNet": (nr.ElasticNet(0.05, 0.1), "prox"),
    "L2": (nr.L2(0.1), "prox"),
    "GroupLasso": (nr.GroupLasso(0.05), "prox"),  # unit groups: each row with its bias
}


def _model(dtype: torch.dtype = torch.float64, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1)).to(dtype)


def _data(dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(64, 6, generator=g, dtype=torch.float64).to(dtype)
    return X, X[:, :2].sum(1, keepdim=True) + 0.1 * torch.randn(64, 1, generator=g).to(dtype)


def _train(
    cls: type[torch.optim.Optimizer],
    plan: nr.Plan | None,
    *,
    steps: int = 30,
    dtype: torch.dtype = torch.float64,
    rule: str = "auto",
    scale: float = 1.0,
    groups: bool = False,
    decay_split: bool = False,
    eager: bool = False,
    **kwargs,
) -> tuple[nn.Module, torch.optim.Optimizer]:
    """``eager``: netreg's kernels off for this run (the hook's eager formulas)."""
    with pytest.MonkeyPatch.context() as patch:
        if eager:
            patch.setenv("NETREG_KERNELS", "off")
        return _train_now(cls, plan, steps, dtype, rule, scale, groups, decay_split, **kwargs)


def _train_now(cls, plan, steps, dtype, rule, scale, groups, decay_split, **kwargs):
    model = _model(dtype)
    if groups:  # each layer in its own group, with its own lr and decay
        params: object = [
            {"params": model[0].parameters(), "lr": 0.05},
            {"params": model[2].parameters(), "lr": 0.02, "weight_decay": 0.0},
        ]
    elif decay_split:  # biases in the no-decay group, apart from their weights, at their own lr
        params = nr.param_groups(model, weight_decay=0.03)
        params[1]["lr"] = 0.02
    else:
        params = model.parameters()
    opt = cls(params, **{"lr": 0.05, "weight_decay": 0.01, **kwargs})
    if plan is not None:
        reg = plan.bind(model)
        reg.scale = scale
        reg.attach(opt, step=rule)
    X, y = _data(dtype)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        opt.step()
    return model, opt


def _applied(opt: ProxAdamW, model: nn.Module) -> set[int]:
    """Ids of the parameters whose prox the optimizer's last step applied inside its update."""
    return {id(p) for p in model.parameters() if opt.applied_in_last_step(p)}


def _assert_same(a: nn.Module, b: nn.Module, atol: float = 1e-12) -> None:
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=atol, msg=f"{name} differs")
        assert torch.equal(p == 0, q == 0), f"{name}: zero patterns differ"


@needs_numba
@pytest.mark.parametrize("rule", ["auto", "lr"])
@pytest.mark.parametrize("name", list(PENALTIES))
def test_fused_prox_follows_adamw_with_the_post_step_prox(name, rule):
    plan = nr.Plan({nr.select.weights(): PENALTIES[name]})
    reference, reference_opt = _train(torch.optim.AdamW, plan, rule=rule, eager=True)
    fused, opt = _train(ProxAdamW, plan, rule=rule)
    _assert_same(reference, fused)
    for p, q in zip(reference.parameters(), fused.parameters(), strict=True):
        mine, theirs = opt.state[q], reference_opt.state[p]
        assert float(mine["step"]) == float(theirs["step"]) == 30
        for key in ("exp_avg", "exp_avg_sq"):
            torch.testing.assert_close(mine[key], theirs[key], rtol=1e-12, atol=1e-15)
    # both weights went through the kernel, and for unit groups their biases too
    assert len(_applied(opt, fused)) == (4 if name == "GroupLasso" else 2)
    if name != "L2" and rule == "auto":
        assert int((fused[0].weight == 0).sum()) > 0  # exact zeros, as with the hook


@needs_numba
@pytest.mark.parametrize(
    "options",
    [
        {"groups": True},
        {"decay_split": True},
        {"maximize": True},
        {"scale": 2.5},
        {"betas": (0.8, 0.99), "eps": 1e-6},
    ],
    ids=["param-groups", "bias-apart", "maximize", "path-scale", "betas-eps"],
)
@pytest.mark.parametrize("rule", ["auto", "lr"])
@pytest.mark.parametrize("name", ["L1", "GroupLasso"])
def test_fused_prox_reads_every_adamw_option(options, rule, name):
    plan = nr.Plan({nr.select.weights(): PENALTIES[name]})
    reference = _train(torch.optim.AdamW, plan, rule=rule, eager=True, **options)[0]
    _assert_same(reference, _train(ProxAdamW, plan, rule=rule, **options)[0])


@needs_numba
@pytest.mark.parametrize("name", ["L1", "GroupLasso"])
def test_float32_stays_within_rounding_of_the_loop(name):
    plan = nr.Plan({nr.select.weights(): PENALTIES[name]})
    reference, _ = _train(torch.optim.AdamW, plan, dtype=torch.float32, steps=10)
    fused, _ = _train(ProxAdamW, plan, dtype=torch.float32, steps=10)
    for p, q in zip(reference.parameters(), fused.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_without_a_regularizer_it_is_adamw_bit_for_bit():
    reference, _ = _train(torch.optim.AdamW, None)
    plain, opt = _train(ProxAdamW, None)
    for p, q in zip(reference.parameters(), plain.parameters(), strict=True):
        assert torch.equal(p, q)
    assert _applied(opt, plain) == set()


@needs_numba
def test_constraints_run_after_the_fused_update_and_other_groups_stay_in_the_hook():
    plan = nr.Plan(
        [
            (nr.select.weights() & nr.select.name("0.*"), [nr.GroupLasso(0.05), nr.MaxNorm(0.5)]),
            (nr.select.weights() & nr.select.name("2.*"), [nr.SparseGroupLasso(0.05)]),
        ]
    )
    reference, _ = _train(torch.optim.AdamW, plan, eager=True)
    fused, opt = _train(ProxAdamW, plan)
    _assert_same(reference, fused)
    assert int((fused[0].weight.detach().norm(dim=1) == 0).sum()) > 0  # whole units removed
    assert float(fused[0].weight.detach().norm(dim=1).max()) <= 0.5 + 1e-12  # MaxNorm still applied
    # the unit groups of layer 0 (weight and bias) are inside the update; the
    # sparse-group lasso of layer 2 is not
    assert _applied(opt, fused) == {id(fused[0].weight), id(fused[0].bias)}


@needs_numba
def test_a_unit_whose_bias_the_optimizer_does_not_hold_stays_in_the_hook():
    plan = nr.Plan({nr.select.weights(): nr.GroupLasso(0.05)})
    X, y = _data()
    runs = []
    for cls in (torch.optim.AdamW, ProxAdamW):
        model = _model()
        opt = cls([model[0].weight, model[2].weight, model[2].bias], lr=0.05)
        plan.bind(model).attach(opt)
        for _ in range(10):
            opt.zero_grad()
            nn.functional.mse_loss(model(X), y).backward()
            opt.step()
        runs.append((model, opt))
    _assert_same(runs[0][0], runs[1][0])
    model, opt = runs[1]
    assert _applied(opt, model) == {id(model[2].weight), id(model[2].bias)}


@pytest.mark.parametrize("case", ["kernels-off", "amsgrad"])
def test_where_the_kernel_cannot_run_the_hook_does_the_prox(case, monkeypatch):
    plan = nr.Plan({nr.select.weights(): nr.L1(0.05)})
    options = {"amsgrad": True} if case == "amsgrad" else {}
    if case == "kernels-off":
        monkeypatch.setenv("NETREG_KERNELS", "off")
    reference, _ = _train(torch.optim.AdamW, plan, **options)
    fused, opt = _train(ProxAdamW, plan, **options)
    _assert_same(reference, fused)
    assert _applied(opt, fused) == set()


@needs_numba
def test_detaching_stops_the_fused_prox():
    model = _model()
    opt = ProxAdamW(model.parameters(), lr=0.05)
    reg = nr.Plan({nr.select.weights(): nr.L1(0.05)}).bind(model)
    handle = reg.attach(opt)
    handle.remove()
    twin = _model()
    twin_opt = torch.optim.AdamW(twin.parameters(), lr=0.05)
    X, y = _data()
    for m, o in ((model, opt), (twin, twin_opt)):
        for _ in range(5):
            o.zero_grad()
            nn.functional.mse_loss(m(X), y).backward()
            o.step()
    _assert_same(twin, model, atol=0)
    assert _applied(opt, model) == set()


@needs_numba
def test_step_hooks_run_once_per_step_even_after_adamw_was_wrapped():
    torch.optim.AdamW(_model().parameters())  # wraps AdamW.step with the hook runner
    model = _model()
    opt = ProxAdamW(model.parameters(), lr=0.05)
    nr.Plan({nr.select.weights(): nr.L1(0.05)}).bind(model).attach(opt)
    calls = []
    opt.register_step_post_hook(lambda *_: calls.append(1))
    opt.register_step_pre_hook(lambda *_: calls.append(0))
    X, y = _data()
    for _ in range(3):
        opt.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        opt.step()
    assert calls == [0, 1] * 3


@needs_numba
@pytest.mark.parametrize("name", ["L1", "GroupLasso"])
def test_state_is_adamw_state_and_a_resumed_run_is_bit_identical(name):
    plan = nr.Plan({nr.select.weights(): PENALTIES[name]})
    X, y = _data()

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.mse_loss(model(X), y).backward()
            opt.step()

    model = _model()
    opt = ProxAdamW(model.parameters(), lr=0.05)
    plan.bind(model).attach(opt)
    run(model, opt, 10)
    # state_dict() hands out the live tensors: copy them, as saving to disk would
    checkpoint = copy.deepcopy({"model": model.state_dict(), "opt": opt.state_dict()})
    # the same layout as torch's own AdamW state: it loads into one
    plain = torch.optim.AdamW(_model().parameters(), lr=0.05)
    plain.load_state_dict(copy.deepcopy(checkpoint["opt"]))
    assert set(plain.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    run(model, opt, 10)

    resumed = _model(seed=5)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = ProxAdamW(resumed.parameters(), lr=0.05)
    resumed_opt.load_state_dict(checkpoint["opt"])
    plan.bind(resumed).attach(resumed_opt)
    run(resumed, resumed_opt, 10)
    _assert_same(model, resumed, atol=0)


# -- the unit kernel runs every layer in one launch; each layer still falls back on its own --
def _deep_model(dtype: torch.dtype = torch.float64) -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 9, bias=False), nn.ReLU(), nn.Linear(9, 1)
    ).to(dtype)


def _run_units(cls, *, eager=False, swap_at=None, bend_grad_of=None, steps=12):
    """A three-layer GroupLasso run; ``swap_at``: give layer 0 new storage at that step;
    ``bend_grad_of``: the layer whose weight gradient is made non-contiguous every step."""
    with pytest.MonkeyPatch.context() as patch:
        if eager:
            patch.setenv("NETREG_KERNELS", "off")
        model = _deep_model()
        opt = cls(model.parameters(), lr=0.05, weight_decay=0.01)
        nr.Plan({nr.select.weights(): nr.GroupLasso(0.03)}).bind(model).attach(opt)
        X, y = _data()
        for step in range(steps):
            if step == swap_at:
                model[0].weight.data = model[0].weight.data.clone()
            opt.zero_grad()
            nn.functional.mse_loss(model(X), y).backward()
            if bend_grad_of is not None:
                grad = model[bend_grad_of].weight.grad
                model[bend_grad_of].weight.grad = grad.t().contiguous().t()  # same values
                assert not model[bend_grad_of].weight.grad.is_contiguous()
            opt.step()
        return model, opt


@needs_numba
def test_every_unit_layer_goes_in_one_launch_and_follows_the_loop():
    reference, _ = _run_units(torch.optim.AdamW, eager=True)
    fused, opt = _run_units(ProxAdamW)
    _assert_same(reference, fused)
    assert _applied(opt, fused) == {id(p) for p in fused.parameters()}  # a bias-free layer too
    assert len(opt._unit_batches) == 1


@needs_numba
def test_a_layer_given_new_storage_mid_run_is_rebuilt_into_the_launch():
    reference, _ = _run_units(torch.optim.AdamW, eager=True, swap_at=5)
    fused, opt = _run_units(ProxAdamW, swap_at=5)
    _assert_same(reference, fused)
    batch = opt._unit_batches[torch.float64]
    assert batch.layers[0].rows.ctypes.data == fused[0].weight.data_ptr()


@needs_numba
def test_a_layer_whose_gradient_cannot_go_through_alone_falls_back_to_the_hook():
    reference, _ = _run_units(torch.optim.AdamW, eager=True, bend_grad_of=2)
    fused, opt = _run_units(ProxAdamW, bend_grad_of=2)
    _assert_same(reference, fused)
    applied = _applied(opt, fused)
    assert id(fused[2].weight) not in applied
    assert id(fused[0].weight) in applied and id(fused[4].weight) in applied
