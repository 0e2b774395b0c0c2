"""The fused CPU kernels against the eager formulas they replace (the ground truth).

Every test runs the same operation twice, once with the kernels and once with
``NETREG_KERNELS=off``, and compares. Without numba the kernel half is skipped.
"""

from __future__ import annotations

import math

import pytest
import torch

import netreg as nr
from netreg import _kernels, execution
from netreg.execution import DiagonalStep
from netreg.optim.steps import effective_step, step_for

needs_numba = pytest.mark.skipif(not _kernels.enabled(), reason="numba (the `fast` extra) missing")

DTYPES = [torch.float32, torch.float64]
SHAPES = [(7,), (16, 9), (6, 3, 2, 2), (0, 4)]


def _tol(dtype: torch.dtype) -> dict[str, float]:
    return (
        {"rtol": 2e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-14}
    )


def _pair(fn, *tensors, monkeypatch):
    """``fn`` applied to copies of ``tensors`` with kernels on, then off."""
    fused = [t.clone() for t in tensors]
    fn(*fused)
    monkeypatch.setenv("NETREG_KERNELS", "off")
    eager = [t.clone() for t in tensors]
    fn(*eager)
    monkeypatch.delenv("NETREG_KERNELS")
    return fused, eager


def _weights(shape, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(shape, generator=g, dtype=torch.float64).to(dtype)
    sq = torch.rand(shape, generator=g, dtype=torch.float64).to(dtype) ** 4 * 1e-2
    return w, sq


def _assert_same(fused, eager, dtype):
    for a, b in zip(fused, eager, strict=True):
        torch.testing.assert_close(a, b, **_tol(dtype))


@needs_numba
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "penalty",
    [nr.L1(0.3), nr.ElasticNet(0.3, 0.2), nr.ElasticNet(0.3, 0.0), nr.L2(0.4)],
    ids=repr,
)
def test_separable_prox_with_a_scalar_step(penalty, shape, dtype, monkeypatch):
    w, _ = _weights(shape, dtype)
    fused, eager = _pair(lambda x: execution.prox_(penalty, x, 0.5), w, monkeypatch=monkeypatch)
    _assert_same(fused, eager, dtype)
    assert torch.equal(fused[0] == 0, eager[0] == 0)  # same exact zeros


@needs_numba
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "penalty",
    [nr.L1(0.3), nr.ElasticNet(0.3, 0.2), nr.L2(0.4)],
    ids=repr,
)
def test_separable_prox_with_a_diagonal_step_equals_the_materialized_step(
    penalty, shape, dtype, monkeypatch
):
    w, sq = _weights(shape, dtype)
    step = DiagonalStep(sq, scale=0.01, shift=1e-3)
    fused, eager = _pair(lambda x: execution.prox_(penalty, x, step), w, monkeypatch=monkeypatch)
    _assert_same(fused, eager, dtype)
    # and both equal the pure prox with the step as a tensor, computed in float64
    truth = penalty.prox(w.double(), _steps64(step))
    torch.testing.assert_close(fused[0].double(), truth, **_tol(dtype))


def _steps64(step: DiagonalStep) -> torch.Tensor:
    return step.scale / (step.sq.double().sqrt() + step.shift)


@needs_numba
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("groups", ["units", "inputs"])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("diagonal", [False, True])
@pytest.mark.parametrize("penalty_cls", [nr.GroupLasso, nr.SparseGroupLasso])
def test_group_prox_fused_equals_eager(
    penalty_cls, diagonal, with_bias, groups, dtype, monkeypatch
):
    w, sq = _weights((12, 5, 3), dtype, seed=1)
    w[3] *= 1e-3  # a few groups small enough to be zeroed
    w[:, 2] *= 1e-3
    bias, bias_sq = _weights((12,), dtype, seed=2)
    bias[3] *= 1e-3
    lam = 0.05 if penalty_cls is nr.GroupLasso else 0.1
    penalty = penalty_cls(lam, groups=groups)
    step = DiagonalStep(sq, 0.05, 1e-2) if diagonal else 0.05
    bias_step = DiagonalStep(bias_sq, 0.05, 1e-2) if diagonal else 0.05

    def run(x, b):
        execution.prox_(
            penalty, x, step, b if with_bias else None, bias_step if with_bias else None
        )

    fused, eager = _pair(run, w, bias, monkeypatch=monkeypatch)
    _assert_same(fused, eager, dtype)
    zero_groups = (fused[0].reshape(12, -1) == 0).all(1) if groups == "units" else None
    if zero_groups is not None:
        assert zero_groups.any() and not zero_groups.all()


@needs_numba
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES[:3])
@pytest.mark.parametrize(
    "constraint",
    [
        nr.MaxNorm(1.5),
        nr.UnitNorm(),
        nr.MinMaxNorm(0.5, 1.2, rate=0.7),
        nr.MaxNorm(1.5, axis="inputs"),
    ],
    ids=repr,
)
def test_norm_constraints_fused_equal_eager_and_keras(constraint, shape, dtype, monkeypatch):
    w, _ = _weights(shape, dtype)
    w = w * 2
    fused, eager = _pair(constraint.project_, w, monkeypatch=monkeypatch)
    _assert_same(fused, eager, dtype)
    torch.testing.assert_close(fused[0], constraint.project(w), **_tol(dtype))


@needs_numba
def test_a_threshold_at_the_norm_itself_gives_an_exact_zero_in_float32():
    # ‖(0.3, 0.4)‖ is 0.5 in float32 arithmetic: the fused sum must agree to the bit.
    w = torch.tensor([[0.3, 0.4], [0.6, 0.8]])
    execution.prox_(nr.GroupLasso(0.5 / math.sqrt(2)), w, 1.0)
    assert w[0].eq(0).all() and w[1].ne(0).all()


@needs_numba
@pytest.mark.parametrize("penalty", [nr.L1(0.1), nr.ElasticNet(0.1, 0.1)], ids=repr)
def test_nan_weights_stay_nan(penalty):
    w = torch.tensor([float("nan"), 1.0, -0.01, float("inf")])
    execution.prox_(penalty, w, 1.0)
    assert math.isnan(w[0]) and w[2] == 0 and w[1] > 0
    w = torch.tensor([float("nan"), 1.0, -0.01])
    execution.prox_(penalty, w, DiagonalStep(torch.ones(3), 0.1, 0.0))
    assert math.isnan(w[0]) and w[2] == 0


@needs_numba
def test_large_tensors_split_across_threads_give_the_same_result(monkeypatch):
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        w, sq = _weights((2048, 1100), torch.float32)  # above the 2M-element split
        step = DiagonalStep(sq, 0.01, 1e-3)
        fused, eager = _pair(
            lambda x: execution.prox_(nr.L1(0.5), x, step), w, monkeypatch=monkeypatch
        )
        _assert_same(fused, eager, torch.float32)
        fused, eager = _pair(nr.MaxNorm(3.0).project_, w, monkeypatch=monkeypatch)
        _assert_same(fused, eager, torch.float32)
    finally:
        torch.set_num_threads(threads)


def test_tensors_the_kernels_cannot_take_go_through_the_eager_path():
    w = torch.randn(6, 4).t()  # not contiguous
    assert not _kernels.usable(w)
    assert not _kernels.usable(torch.randn(3, dtype=torch.float16))
    assert not _kernels.usable(torch.randn(3), torch.randn(3, dtype=torch.float64))

    class Shard(torch.Tensor):  # a tensor subclass (FSDP's DTensor is one) has no numpy view
        pass

    assert not _kernels.usable(torch.randn(3).as_subclass(Shard))
    assert _kernels.usable(torch.nn.Parameter(torch.randn(3))) == _kernels.enabled()
    expected = nr.L1(0.5).prox(w, 1.0)
    execution.prox_(nr.L1(0.5), w, 1.0)
    assert torch.equal(w, expected)


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("NETREG_KERNELS", "off")
    assert not _kernels.enabled() and not _kernels.usable(torch.randn(3))


def test_without_numba_everything_runs_eagerly(monkeypatch):
    monkeypatch.setitem(_kernels.runtime.state, "tried", True)
    monkeypatch.setitem(_kernels.runtime.state, "kernels", None)
    assert not _kernels.enabled()
    w, sq = _weights((8, 5), torch.float32)
    expected = nr.L1(0.2).prox(w, _steps64(DiagonalStep(sq, 0.1, 1e-3)).float())
    execution.prox_(nr.L1(0.2), w, DiagonalStep(sq, 0.1, 1e-3))
    torch.testing.assert_close(w, expected)


# -- through the optimizer ----------------------------------------------------------------
def _train(opt_name: str, plan: nr.Plan, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = (
        torch.optim.Adam(model.parameters(), lr=1e-2)
        if opt_name == "adam"
        else torch.optim.RMSprop(model.parameters(), lr=1e-2, centered=True)
    )
    reg = plan.bind(model)
    reg.attach(opt)
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(64, 10, generator=g), torch.randn(64, 1, generator=g)
    for _ in range(40):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    return model


@pytest.mark.parametrize("opt_name", ["adam", "rmsprop"])
@pytest.mark.parametrize(
    "penalty", [nr.L1(0.05), nr.ElasticNet(0.05, 0.05), nr.GroupLasso(0.05)], ids=repr
)
def test_training_with_and_without_kernels_agrees(penalty, opt_name, monkeypatch):
    plan = nr.Plan({nr.select.weights(torch.nn.Linear): [penalty, nr.MaxNorm(2.0)]})
    fused = _train(opt_name, plan)
    monkeypatch.setenv("NETREG_KERNELS", "off")
    eager = _train(opt_name, plan)
    for a, b in zip(fused.parameters(), eager.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    assert sum(int((p == 0).sum()) for p in fused.parameters()) > 0


def test_step_for_describes_adams_step_without_materializing_it():
    p = torch.nn.Parameter(torch.randn(5))
    opt = torch.optim.Adam([p], lr=0.1, eps=1e-3)
    p.grad = torch.randn(5)
    opt.step()
    step = step_for(opt, opt.param_groups[0], p)
    assert isinstance(step, DiagonalStep) and step.sq is opt.state[p]["exp_avg_sq"]
    v_hat = opt.state[p]["exp_avg_sq"] / (1 - 0.999)
    torch.testing.assert_close(
        effective_step(opt, opt.param_groups[0], p), 0.1 / (v_hat.sqrt() + 1e-3)
    )


# -- loss-mode reductions -----------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 2, 2)])
def test_loss_terms_have_the_gradients_of_abs_and_square(shape):
    from netreg.execution.terms import abs_sum, square_sum

    w = torch.randn(shape, dtype=torch.float64)
    w.view(-1)[0] = 0.0  # the gradient of |w| at 0 is 0, as for abs()
    for fn, ref in ((abs_sum, lambda x: x.abs().sum()), (square_sum, lambda x: (x * x).sum())):
        a, b = w.clone().requires_grad_(), w.clone().requires_grad_()
        (3.0 * fn(a)).backward()
        (3.0 * ref(b)).backward()
        assert torch.equal(fn(w), ref(w)) or torch.allclose(fn(w), ref(w), rtol=1e-15)
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-15, atol=0)
        assert torch.autograd.gradcheck(fn, (w.clone().add_(0.1).requires_grad_(),))
        # a second derivative (create_graph) works: the Hessian-vector product of Σw² is 2v
        x = w.clone().requires_grad_()
        (g,) = torch.autograd.grad(fn(x), x, create_graph=True)
        (hv,) = torch.autograd.grad((g * torch.ones_like(x)).sum(), x, allow_unused=True)
        expected = torch.zeros_like(x) if fn is abs_sum else 2 * torch.ones_like(x)
        torch.testing.assert_close(hv if hv is not None else torch.zeros_like(x), expected)
