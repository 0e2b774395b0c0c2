"""Library edges: a model left on the meta device, zero-width layers under group penalties,
and the opt-in finiteness check of ``reg.attach``."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import execution
from netreg.execution import DiagonalStep
from netreg.train import FitConfig, fit


def test_fit_refuses_meta_device_parameters_by_name():
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    X, y = torch.randn(8, 3), torch.randn(8)
    with pytest.raises(ValueError, match=r"'0.weight'.*meta device"):
        fit(model, X, y, config=FitConfig(max_epochs=1))
    model.to_empty(device="cpu")
    for layer in (model[0], model[2]):
        layer.reset_parameters()
    assert fit(model, X, y, config=FitConfig(max_epochs=1, dtype="float32")).epochs_run == 1


# -- zero-width layers under group penalties ----------------------------------------------
GROUP_PENALTIES = [
    nr.GroupLasso(0.1),
    nr.GroupLasso(0.1, groups="inputs"),
    nr.SparseGroupLasso(0.1),
    nr.SparseGroupLasso(0.1, groups="inputs"),
]


def _zero_width_model(inputs: int, outputs: int) -> nn.Sequential:
    torch.manual_seed(0)
    with warnings.catch_warnings():  # torch: "Initializing zero-element tensors is a no-op"
        warnings.simplefilter("ignore", UserWarning)
        return nn.Sequential(
            nn.Linear(4, inputs), nn.Linear(inputs, outputs), nn.Linear(outputs, 2)
        )


@pytest.mark.parametrize("penalty", GROUP_PENALTIES, ids=repr)
@pytest.mark.parametrize("optimizer", [torch.optim.SGD, torch.optim.Adam])
@pytest.mark.parametrize("shape", [(3, 0), (0, 3)], ids=["no-outputs", "no-inputs"])
def test_group_penalties_train_a_model_with_a_zero_width_layer(penalty, optimizer, shape):
    model = _zero_width_model(*shape)
    reg = nr.Plan({nr.select.weights(nn.Linear): penalty}).bind(model)
    opt = optimizer(model.parameters(), lr=0.05)
    reg.attach(opt)
    X = torch.randn(16, 4)
    for _ in range(4):
        opt.zero_grad()
        (model(X).square().mean() + reg.penalty()).backward()
        opt.step()
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert torch.isfinite(reg.value()) and torch.isfinite(reg.penalty())
    by_name = {s.name: s for s in reg.sparsity()}
    empty = by_name["1.weight"]
    assert empty.numel == 0 and empty.zeros == 0
    inputs, outputs = shape  # the weight is (outputs, inputs)
    expected_groups = outputs if penalty.groups == "units" else inputs
    assert empty.groups == expected_groups
    text = reg.describe(file=None)
    assert "1.weight" in text and ("0×3" in text or "3×0" in text)


@pytest.mark.parametrize("penalty", GROUP_PENALTIES, ids=repr)
@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (3, 0, 2, 2), (0, 3, 2, 2)])
def test_group_penalty_math_on_zero_width_weights(penalty, shape):
    w = torch.zeros(shape)
    units = shape[0]
    expected_groups = units if penalty.groups == "units" else shape[1]
    assert penalty.value(w).item() == 0.0
    assert penalty.group_norms(w).shape == (expected_groups,)
    assert penalty.group_support(w).shape == (expected_groups,)
    assert penalty.support(w).shape == w.shape
    assert penalty.prox(w, 0.1).shape == w.shape
    assert penalty.prox(w, torch.rand(shape)).shape == w.shape
    assert penalty.alpha_max(w) == 0.0
    # with unit biases, a unit of no weights is a group of its bias alone
    bias = torch.tensor([3.0, -4.0, 0.0])[:units]
    if penalty.groups == "units" and units:
        assert penalty.value(w, bias).item() == pytest.approx(penalty.value(bias[:, None]).item())
        assert penalty.alpha_max(w, bias) > 0


@pytest.mark.parametrize("penalty", GROUP_PENALTIES, ids=repr)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_in_place_group_prox_on_zero_width_weights(penalty, dtype):
    """The kernels' path, eager fallbacks and prepared launches: no reshape errors, and a
    unit bias whose unit has no weights and no step of its own is left as is (step 0)."""
    for shape in [(3, 0), (0, 3), (3, 0, 2, 2)]:
        n = shape[0]
        steps = [
            0.1,
            torch.rand(shape, dtype=dtype),
            DiagonalStep(torch.rand(shape, dtype=dtype), 0.1, 1e-8),
        ]
        for step in steps:
            w, bias = torch.zeros(shape, dtype=dtype), torch.randn(n, dtype=dtype)
            before = bias.clone()
            execution.prox_(penalty, w, step, bias, None)
            assert torch.isfinite(bias).all()
            if isinstance(step, DiagonalStep) and penalty.groups == "units":
                assert torch.equal(bias, before)  # no weights, no bias step: the identity
            bias_step = DiagonalStep(torch.rand(n, dtype=dtype), 0.1, 1e-8)
            execution.prox_(penalty, w, step, bias, bias_step)
            assert torch.isfinite(bias).all()
        apply = execution.prepare_prox(penalty, torch.zeros(shape, dtype=dtype), None)
        if apply is not None:
            apply(0.1)


# -- meta-device parameters -------------------------------------------------------------
def test_sparsity_refuses_meta_parameters_by_name_and_the_audit_works():
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    reg = nr.Plan({nr.select.weights(nn.Linear): nr.GroupLasso(0.1)}).bind(model)
    with pytest.raises(ValueError, match=r"'0.weight' is on the meta device"):
        reg.sparsity()
    assert reg.audit()[0]["groups"] == "units (2) + 0.bias"
    assert "0.weight" in reg.describe(file=None)
    model.to_empty(device="cpu")
    for layer in (model[0], model[2]):
        layer.reset_parameters()
    reg = nr.Plan({nr.select.weights(nn.Linear): nr.GroupLasso(0.1)}).bind(model)
    assert [s.name for s in reg.sparsity()] == ["0.weight", "2.weight"]


# -- attach(check_finite=True) ------------------------------------------------------------
def _nan_gradient_step(optimizer_type, penalty, check_finite):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    reg = nr.Plan({nr.select.weights(nn.Linear): penalty}).bind(model)
    opt = optimizer_type(model.parameters(), lr=0.01)
    reg.attach(opt, check_finite=check_finite)
    X = torch.randn(8, 3)
    model(X).square().mean().backward()
    opt.step()  # a finite step passes the check
    opt.zero_grad()
    model(X).square().mean().backward()
    model[2].weight.grad[0, 1] = float("nan")  # what a user's broken loss would produce
    opt.step()
    return model


@pytest.mark.parametrize(
    "optimizer_type", [torch.optim.SGD, torch.optim.Adam, nr.optim.ProxAdamW], ids=str
)
@pytest.mark.parametrize("penalty", [nr.L1(0.01), nr.GroupLasso(0.01)], ids=repr)
def test_check_finite_names_the_parameter_a_nan_gradient_reached(optimizer_type, penalty):
    with pytest.raises(FloatingPointError, match=r"'2.weight' is not finite after optimizer"):
        _nan_gradient_step(optimizer_type, penalty, check_finite=True)


def test_without_check_finite_a_nan_gradient_passes_silently_as_in_torch():
    model = _nan_gradient_step(torch.optim.SGD, nr.L1(0.01), check_finite=False)
    assert torch.isnan(model[2].weight).any()


def test_check_finite_off_adds_no_pass(monkeypatch):
    from netreg.regularizer import audit

    calls = []
    monkeypatch.setattr(audit, "check_finite", lambda rows: calls.append(rows))
    model = nn.Linear(3, 1)
    reg = nr.Plan({nr.select.weights(nn.Linear): nr.L1(0.01)}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    handle = reg.attach(opt)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    assert calls == []
    handle.remove()
    reg.attach(opt, check_finite=True)
    opt.step()
    assert len(calls) == 1
