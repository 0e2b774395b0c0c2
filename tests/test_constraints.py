"""RELIABILITY row 16 and the Core issue's item 6: constraints are Keras's formulas in
torch's layout, and MaxNorm holds after every optimizer step."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select

EPS = 1e-7  # Keras's backend.epsilon()
DTYPES = [torch.float32, torch.float64]

# torch layouts: Linear.weight is (out, in), Conv2d.weight is (out, in, kh, kw).
# "units" reduces over everything but dim 0, "inputs" over everything but dim 1.
CASES = [
    ((6, 5), "units", (1,)),
    ((6, 5), "inputs", (0,)),
    ((6, 5), (1,), (1,)),
    ((6, 5), (0,), (0,)),
    ((4, 3, 3, 3), "units", (1, 2, 3)),
    ((4, 3, 3, 3), "inputs", (0, 2, 3)),
    ((4, 3, 3, 3), (2, 3), (2, 3)),
    ((7,), "units", (0,)),
]


def _w(shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    # rows of very different sizes, so some norms are below the bounds and some above
    w = torch.randn(shape, generator=g, dtype=torch.float64)
    scale = torch.logspace(-1, 1, shape[0], dtype=torch.float64).view(-1, *[1] * (len(shape) - 1))
    return (w * scale).to(dtype)


def _norms(w, dims):
    return w.square().sum(dim=dims, keepdim=True).sqrt()


def _ulps(dtype, n=4):
    """1 + a few units of rounding: the bound holds up to the dtype's last bits."""
    return 1 + n * torch.finfo(dtype).eps


def _tol(dtype):
    return (
        {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-12}
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis, dims", CASES, ids=str)
def test_max_norm_is_the_keras_formula(shape, axis, dims, dtype):
    w, c = _w(shape, dtype), 2.0
    n = _norms(w, dims)
    expected = w * torch.clamp(n, 0, c) / (EPS + n)
    got = nr.MaxNorm(c, axis).project(w)
    torch.testing.assert_close(got, expected, **_tol(dtype))
    assert bool((_norms(got, dims) <= c * _ulps(dtype)).all())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis, dims", CASES, ids=str)
def test_unit_norm_is_the_keras_formula(shape, axis, dims, dtype):
    w = _w(shape, dtype)
    got = nr.UnitNorm(axis).project(w)
    torch.testing.assert_close(got, w / (EPS + _norms(w, dims)), **_tol(dtype))
    torch.testing.assert_close(
        _norms(got, dims), torch.ones_like(_norms(got, dims)), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis, dims", CASES, ids=str)
@pytest.mark.parametrize("rate", [1.0, 0.5, 0.0])
def test_min_max_norm_is_the_keras_formula(shape, axis, dims, dtype, rate):
    w, lo, hi = _w(shape, dtype), 0.8, 2.0
    n = _norms(w, dims)
    desired = rate * torch.clamp(n, lo, hi) + (1 - rate) * n
    got = nr.MinMaxNorm(lo, hi, rate, axis).project(w)
    torch.testing.assert_close(got, w * desired / (EPS + n), **_tol(dtype))
    if rate == 1.0:
        after = _norms(got, dims)
        assert bool((after <= hi * _ulps(dtype)).all() and (after >= lo * (1 - 1e-5)).all())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 3, 3)])
def test_non_neg_clips_negatives_to_zero(shape, dtype):
    w = _w(shape, dtype)
    got = nr.NonNeg().project(w)
    assert torch.equal(got, torch.where(w >= 0, w, torch.zeros_like(w)))
    assert bool((got >= 0).all())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 3, 3)])
def test_max_norm_units_is_torch_renorm(shape, dtype):
    """SEMANTICS: Keras axis=0 on a Dense kernel is ``torch.renorm(w, 2, 0, c)`` (up to ε)."""
    w, c = _w(shape, dtype), 1.5
    got = nr.MaxNorm(c, "units").project(w)
    # both scale a unit by c/(‖w‖ + 1e-7) when it is too long; Keras also scales the short
    # ones by ‖w‖/(‖w‖ + 1e-7), a relative change below 1e-7/‖w‖
    rel = 1e-7 / float(_norms(w, tuple(range(1, w.dim()))).min()) + (
        1e-6 if dtype == torch.float32 else 1e-12
    )
    torch.testing.assert_close(got, torch.renorm(w, 2, 0, c), rtol=2 * rel, atol=0)


def test_max_norm_docstring_numbers():
    w = nr.MaxNorm(1.0).project(torch.tensor([[3.0, 4.0], [0.3, 0.4]]))
    torch.testing.assert_close(w.norm(dim=1), torch.tensor([1.0, 0.5]), rtol=1e-6, atol=1e-6)


CONSTRAINTS = [
    nr.MaxNorm(1.5),
    nr.MaxNorm(1.5, "inputs"),
    nr.MaxNorm(1.5, (2, 3)),
    nr.UnitNorm(),
    nr.UnitNorm("inputs"),
    nr.MinMaxNorm(0.5, 1.5, 0.7),
    nr.MinMaxNorm(0.5, 1.5, 1.0, "inputs"),
    nr.NonNeg(),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=repr)
def test_in_place_projection_equals_pure_projection(constraint, dtype):
    w = _w((4, 3, 3, 3), dtype)
    expected = constraint.project(w)
    inplace = w.clone()
    constraint.project_(inplace)
    torch.testing.assert_close(inplace, expected, **_tol(dtype))
    assert torch.equal(w, _w((4, 3, 3, 3), dtype)), "project must not modify its input"
    assert constraint(w).shape == w.shape
    if getattr(constraint, "rate", 1.0) == 1.0:  # a full projection lands on the set
        assert constraint.satisfied(expected, atol=1e-5)


@pytest.mark.parametrize(
    "constraint", [nr.MaxNorm(1.5), nr.NonNeg(), nr.MinMaxNorm(0.5, 1.5)], ids=repr
)
def test_projections_are_idempotent(constraint):
    w = _w((6, 5))
    once = constraint.project(w)
    torch.testing.assert_close(constraint.project(once), once, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_max_norm_holds_after_every_step_of_training(optimizer):
    """Item 6: with a large learning rate the unconstrained norms would blow far past c."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4), nn.ReLU(), nn.Linear(4, 1))
    c = 0.5
    reg = nr.Plan({select.weights(nn.Linear): nr.MaxNorm(c)}).bind(model)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.5)
    reg.attach(opt)
    g = torch.Generator().manual_seed(1)
    X = torch.randn(64, 8, generator=g)
    y = 10 * X[:, :1] ** 2 + 5
    grew = False
    for _ in range(40):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        before = [m.weight.detach().norm(dim=1).max() for m in model if isinstance(m, nn.Linear)]
        opt.step()
        for layer in (m for m in model if isinstance(m, nn.Linear)):
            assert float(layer.weight.detach().norm(dim=1).max()) <= c * _ulps(torch.float32)
        grew = grew or max(float(n) for n in before) > 0.99 * c
    assert grew, "the bound must be active during training, or the test proves nothing"
    assert reg.n_steps == 40
    # the step would have broken the bound: the same step without the hook does
    reg.detach()
    opt.zero_grad()
    ((model(X) - y) ** 2).mean().backward()
    opt.step()
    assert (
        max(float(m.weight.detach().norm(dim=1).max()) for m in model if isinstance(m, nn.Linear))
        > c
    )


def test_constraint_only_touches_selected_parameters():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(100)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    reg = nr.Plan({select.name("0.weight"): nr.MaxNorm(1.0)}).bind(model)
    reg.project_()
    after = dict(model.named_parameters())
    assert float(after["0.weight"].detach().norm(dim=1).max()) <= 1.0
    for name in ("0.bias", "1.weight", "1.bias"):
        assert torch.equal(after[name], before[name])
