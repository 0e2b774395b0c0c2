"""The post-step hook's prepared launches: kernels whose views are made once per tensor.

Under scalar steps (SGD) the hook keeps, per parameter, a launch with the kernel's numpy
views of the parameter already made. The ground truth is the same training with the
kernels switched off (the eager formulas). A launch must follow its tensor when the
tensor is given new storage (``p.data = ...``, ``model.double()``), and switching the
kernels off between steps must take effect at the next step.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import _kernels

pytestmark = pytest.mark.skipif(not _kernels.enabled(), reason="numba (the `fast` extra) missing")

PLANS = {
    "L1+MaxNorm": lambda: nr.Plan({nr.select.weights(): [nr.L1(0.02), nr.MaxNorm(0.6)]}),
    "ElasticNet+UnitNorm": lambda: nr.Plan(
        {nr.select.weights(): [nr.ElasticNet(0.02, 0.05), nr.UnitNorm()]}
    ),
    "GroupLasso+MinMaxNorm": lambda: nr.Plan(
        {nr.select.weights(): [nr.GroupLasso(0.03), nr.MinMaxNorm(0.1, 0.8, rate=0.5)]}
    ),
}


def _run(
    plan_name: str, *, eager: bool, swap: str | None = None, steps: int = 12, scale: float = 1.0
):
    """Train with SGD; halfway through, optionally give every parameter new storage."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2)).double()
    g = torch.Generator().manual_seed(1)
    X = torch.randn(48, 6, generator=g, dtype=torch.float64)
    y = torch.randn(48, 2, generator=g, dtype=torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    reg = PLANS[plan_name]().bind(model)
    reg.scale = scale  # a path's λ multiplier
    reg.attach(opt)
    with pytest.MonkeyPatch.context() as patch:
        if eager:
            patch.setenv("NETREG_KERNELS", "off")
        for step in range(steps):
            if step == steps // 2 and swap == "data":
                with torch.no_grad():
                    for p in model.parameters():
                        p.data = p.data.clone()  # new storage, same values
            opt.zero_grad()
            nn.functional.mse_loss(model(X), y).backward()
            opt.step()
    return model, reg


def _assert_same(a: nn.Module, b: nn.Module) -> None:
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-12, msg=f"{name} differs")
        assert torch.equal(p == 0, q == 0), f"{name}: zero patterns differ"


@pytest.mark.parametrize("scale", [1.0, 2.5])
@pytest.mark.parametrize("plan_name", list(PLANS))
def test_prepared_launches_follow_the_eager_formulas(plan_name, scale):
    reference, _ = _run(plan_name, eager=True, scale=scale)
    fast, reg = _run(plan_name, eager=False, scale=scale)
    _assert_same(reference, fast)
    assert reg._launch_cache, "the hook should have prepared its launches"
    assert all(launch is not None for _, launch in reg._launch_cache.values())


@pytest.mark.parametrize("plan_name", list(PLANS))
def test_a_parameter_given_new_storage_gets_a_new_launch(plan_name):
    reference, _ = _run(plan_name, eager=True, swap="data")
    fast, _ = _run(plan_name, eager=False, swap="data")
    _assert_same(reference, fast)


def test_a_model_converted_to_another_dtype_is_still_regularized():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    nr.Plan({nr.select.weights(): nr.MaxNorm(0.3)}).bind(model).attach(opt)
    X, y = torch.randn(16, 4), torch.randn(16, 1)
    for dtype in (torch.float32, torch.float64):
        model.to(dtype)  # float64: every parameter gets new storage in place of the old
        for _ in range(3):
            opt.zero_grad()
            nn.functional.mse_loss(model(X.to(dtype)), y.to(dtype)).backward()
            opt.step()
        for layer in (model[0], model[2]):
            assert float(layer.weight.detach().norm(dim=1).max()) <= 0.3 + 1e-6


def test_switching_the_kernels_off_takes_effect_at_the_next_step(monkeypatch):
    torch.manual_seed(0)
    model = nn.Linear(5, 3).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    nr.Plan({nr.select.weights(): nr.L1(0.1)}).bind(model).attach(opt)
    calls = []
    original = _kernels.runtime.launch
    monkeypatch.setattr(_kernels.runtime, "launch", lambda *a: (calls.append(1), original(*a)))
    X, y = torch.randn(8, 5, dtype=torch.float64), torch.randn(8, 3, dtype=torch.float64)
    for kernels in ("on", "off"):
        monkeypatch.setenv("NETREG_KERNELS", kernels)
        calls.clear()
        opt.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        opt.step()
        assert (len(calls) > 0) == (kernels == "on")
