"""RELIABILITY row 5: every proximal operator equals its closed form in SEMANTICS.md.

The formulas are written out here independently of ``netreg``: the soft threshold
``sign(v)·max(|v| − τ, 0)`` and the block soft threshold ``v_g·max(0, 1 − τ_g/‖v_g‖)``.
"""

from __future__ import annotations

import math

import pytest
import torch

import netreg as nr
from netreg import execution
from netreg.penalties import soft_threshold

DTYPES = [torch.float32, torch.float64]


def _tol(dtype: torch.dtype) -> dict[str, float]:
    return (
        {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-13, "atol": 1e-13}
    )


def soft(v: torch.Tensor, tau) -> torch.Tensor:
    """``sign(v)·max(|v| − τ, 0)``, written out."""
    return torch.sign(v) * torch.clamp(v.abs() - tau, min=0.0)


def block_soft_rows(rows: torch.Tensor, tau) -> torch.Tensor:
    """Block soft threshold of each row of a 2-d matrix: ``r·max(0, 1 − τ/‖r‖)``."""
    norms = rows.norm(dim=1, keepdim=True)
    tau = torch.as_tensor(tau, dtype=rows.dtype).reshape(-1, 1)
    scale = torch.where(norms > 0, torch.clamp(1 - tau / norms.clamp_min(1e-300), min=0.0), 0.0)
    return rows * scale


def as_rows(w: torch.Tensor, groups: str) -> torch.Tensor:
    """Each group as one row: units are slices along dim 0, inputs along dim 1."""
    if groups == "units":
        return w.reshape(w.shape[0], -1)
    return w.transpose(0, 1).reshape(w.shape[1], -1)


def from_rows(rows: torch.Tensor, like: torch.Tensor, groups: str) -> torch.Tensor:
    if groups == "units":
        return rows.reshape(like.shape)
    shape = (like.shape[1], like.shape[0], *like.shape[2:])
    return rows.reshape(shape).transpose(0, 1)


def between_middle(norms: torch.Tensor) -> float:
    """A threshold halfway between the two middle group norms: some groups fall below it,
    some above, and none sits on the boundary where rounding could decide."""
    ordered = norms.sort().values
    k = (len(ordered) - 1) // 2
    return float(ordered[k] + ordered[k + 1]) / 2


def block_soft(w: torch.Tensor, groups: str, tau) -> torch.Tensor:
    return from_rows(block_soft_rows(as_rows(w, groups), tau), w, groups)


def _data(shape, dtype, seed=0, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(shape, generator=g, dtype=torch.float64)).to(dtype)


def _graded(shape, dtype, seed=0):
    """Random data whose slices along dims 0 and 1 range from tiny to large, so that every
    group prox below meets both groups it zeroes and groups it keeps."""
    v = _data(shape, torch.float64, seed)
    for dim in (0, 1):
        view = [1] * len(shape)
        view[dim] = shape[dim]
        v = v * torch.logspace(-1.5, 0.5, shape[dim], dtype=torch.float64).view(view)
    return (4 * v).to(dtype)


# -- soft threshold ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_threshold_is_the_formula(dtype):
    v = _data((50,), dtype)
    for tau in (0.0, 0.3, 1.0, 5.0):
        torch.testing.assert_close(soft_threshold(v, tau), soft(v, tau), **_tol(dtype))
    tau_t = _data((50,), dtype, seed=1).abs()
    torch.testing.assert_close(soft_threshold(v, tau_t), soft(v, tau_t), **_tol(dtype))


def test_soft_threshold_small_examples_by_hand():
    v = torch.tensor([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0], dtype=torch.float64)
    assert soft_threshold(v, 1.0).tolist() == [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]
    assert soft_threshold(v, 0.0).tolist() == v.tolist()


# -- separable penalties ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", [0.0, 0.05, 1.0, 3.0])
def test_l1_prox_is_soft_threshold(dtype, step):
    v = _data((6, 5), dtype)
    torch.testing.assert_close(nr.L1(0.4).prox(v, step), soft(v, step * 0.4), **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", [0.0, 0.05, 1.0, 3.0])
def test_l2_prox_is_proportional_shrinkage(dtype, step):
    v = _data((6, 5), dtype)
    torch.testing.assert_close(nr.L2(0.7).prox(v, step), v / (1 + 2 * step * 0.7), **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", [0.0, 0.05, 1.0, 3.0])
def test_elastic_net_prox_is_soft_then_shrink(dtype, step):
    v = _data((6, 5), dtype)
    l1, l2 = 0.4, 0.7
    expected = soft(v, step * l1) / (1 + 2 * step * l2)
    torch.testing.assert_close(nr.ElasticNet(l1, l2).prox(v, step), expected, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_separable_proxes_take_per_coordinate_steps(dtype):
    v = _data((6, 5), dtype)
    steps = _data((6, 5), dtype, seed=7).abs()
    l1, l2 = 0.4, 0.7
    tol = _tol(dtype)
    torch.testing.assert_close(nr.L1(l1).prox(v, steps), soft(v, steps * l1), **tol)
    torch.testing.assert_close(nr.L2(l2).prox(v, steps), v / (1 + 2 * steps * l2), **tol)
    expected = soft(v, steps * l1) / (1 + 2 * steps * l2)
    torch.testing.assert_close(nr.ElasticNet(l1, l2).prox(v, steps), expected, **tol)


# -- group penalties --------------------------------------------------------------------
SHAPES = [(5, 4), (4, 3, 2, 2)]  # a Linear weight (out, in) and a Conv2d weight (out, in, kh, kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("groups", ["units", "inputs"])
@pytest.mark.parametrize("weighting", ["sqrt", "none"])
def test_group_lasso_prox_is_block_soft_threshold(dtype, shape, groups, weighting):
    v = _graded(shape, dtype)
    step = 0.8
    rows = as_rows(v, groups)
    weight = math.sqrt(rows.shape[1]) if weighting == "sqrt" else 1.0
    # a threshold between the smallest and the largest group norm: both kinds of groups occur
    lam = between_middle(rows.norm(dim=1)) / (step * weight)
    z = nr.GroupLasso(lam, groups, weighting).prox(v, step)
    torch.testing.assert_close(z, block_soft(v, groups, step * lam * weight), **_tol(dtype))
    alive = as_rows(z, groups).abs().sum(1) > 0
    assert alive.any() and (~alive).any()


def test_group_lasso_prox_zeroes_exactly_the_small_groups():
    v = torch.tensor([[3.0, 4.0], [0.6, 0.8], [0.0, 0.0]], dtype=torch.float64)
    # ‖v_g‖ = 5, 1, 0; threshold t·λ·√2 = √2 ≈ 1.414
    z = nr.GroupLasso(1.0, "units").prox(v, 1.0)
    expected_first = torch.tensor([3.0, 4.0], dtype=torch.float64) * (1 - math.sqrt(2) / 5)
    torch.testing.assert_close(z[0], expected_first, rtol=1e-15, atol=0)
    assert z[1:].eq(0).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_group_lasso_prox_with_per_group_steps(dtype, groups):
    """Per-coordinate steps that agree within each group give each group its own step."""
    v = _graded((5, 4), dtype)
    lam = 0.5
    n = v.shape[0] if groups == "units" else v.shape[1]
    per_group = torch.linspace(0.1, 2.0, n, dtype=dtype)
    shape = [n, 1] if groups == "units" else [1, n]
    steps = per_group.view(shape).expand_as(v).contiguous()
    size = as_rows(v, groups).shape[1]
    expected = block_soft(v, groups, per_group * lam * math.sqrt(size))
    torch.testing.assert_close(nr.GroupLasso(lam, groups).prox(v, steps), expected, **_tol(dtype))


@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_group_lasso_prox_with_varying_steps_uses_each_groups_mean_metric(groups):
    """The documented rule for Adam-style steps: each group takes the mean of its metric
    1/step, i.e. the harmonic mean of its steps."""
    v = _data((5, 4), torch.float64)
    steps = _data((5, 4), torch.float64, seed=3).abs() + 0.1
    lam = 0.5
    mean_steps = 1.0 / (1.0 / as_rows(steps, groups)).mean(1)
    size = as_rows(v, groups).shape[1]
    expected = block_soft(v, groups, mean_steps * lam * math.sqrt(size))
    torch.testing.assert_close(nr.GroupLasso(lam, groups).prox(v, steps), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_sparse_group_lasso_prox_is_group_prox_of_l1_prox(dtype, shape, groups):
    v = _graded(shape, dtype)
    lam, ratio, step = 0.6, 0.3, 0.9
    size = as_rows(v, groups).shape[1]
    inner = soft(v, step * ratio * lam)
    expected = block_soft(inner, groups, step * (1 - ratio) * lam * math.sqrt(size))
    z = nr.SparseGroupLasso(lam, ratio, groups).prox(v, step)
    torch.testing.assert_close(z, expected, **_tol(dtype))
    # and it is the composition of the library's own two proxes
    composed = nr.GroupLasso((1 - ratio) * lam, groups).prox(nr.L1(ratio * lam).prox(v, step), step)
    torch.testing.assert_close(z, composed, **_tol(dtype))


# -- in place equals pure ---------------------------------------------------------------
PENALTIES = [
    nr.L1(0.3),
    nr.L2(0.4),
    nr.ElasticNet(0.3, 0.4),
    nr.ElasticNet(0.3, 0.0),
    nr.GroupLasso(0.3, "units"),
    nr.GroupLasso(0.3, "inputs"),
    nr.GroupLasso(0.3, "units", "none"),
    nr.SparseGroupLasso(0.4, 0.5, "units"),
    nr.SparseGroupLasso(0.4, 0.5, "inputs"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("penalty", PENALTIES, ids=repr)
@pytest.mark.parametrize("per_coordinate", [False, True])
def test_in_place_prox_equals_pure_prox(dtype, shape, penalty, per_coordinate):
    v = _graded(shape, dtype)
    step = _data(shape, dtype, seed=5).abs() + 0.05 if per_coordinate else 0.7
    pure = penalty.prox(v, step)
    w = v.clone()
    execution.prox_(penalty, w, step)
    torch.testing.assert_close(w, pure, **_tol(dtype))
    assert torch.equal(w == 0, pure == 0), "in place and pure prox must zero the same entries"
    assert torch.equal(penalty.prox(v, step), pure), "prox must be deterministic"
    torch.testing.assert_close(v, _graded(shape, dtype), rtol=0, atol=0)  # pure prox left v alone


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["group", "sparse_group"])
@pytest.mark.parametrize("per_coordinate", [False, True])
def test_unit_prox_with_bias_is_prox_of_the_augmented_matrix(dtype, shape, kind, per_coordinate):
    """prox_ of (W, b) equals the pure prox of the matrix [W.flatten(1) | b]."""
    w0 = _graded(shape, dtype)
    b0 = _data((shape[0],), dtype, seed=2) * torch.logspace(-1.5, 0.5, shape[0], dtype=dtype)
    augmented = torch.cat([w0.flatten(1), b0[:, None]], 1)
    if per_coordinate:
        step = 0.6 + 0.4 * _data(shape, dtype, seed=8).abs().clamp(max=1)
        bias_step = 0.6 + 0.4 * _data((shape[0],), dtype, seed=9).abs().clamp(max=1)
        aug_step = torch.cat([step.flatten(1), bias_step[:, None]], 1)
    else:
        step = bias_step = aug_step = 0.8
    # λ from the data, so that both kinds of groups occur
    lam = between_middle(augmented.norm(dim=1)) / (0.8 * math.sqrt(augmented.shape[1]))
    penalty = nr.GroupLasso(lam, "units") if kind == "group" else nr.SparseGroupLasso(lam, 0.2)
    expected = penalty.prox(augmented, aug_step)
    w, b = w0.clone(), b0.clone()
    execution.prox_(penalty, w, step, b, bias_step)
    torch.testing.assert_close(w.flatten(1), expected[:, :-1], **_tol(dtype))
    torch.testing.assert_close(b, expected[:, -1], **_tol(dtype))
    zero_rows = expected.abs().sum(1) == 0
    assert zero_rows.any() and (~zero_rows).any(), "data must exercise both kinds of groups"
    assert torch.equal(b[zero_rows], torch.zeros_like(b[zero_rows]))


@pytest.mark.parametrize(
    "penalty", [nr.GroupLasso(0.4, "inputs"), nr.L1(0.4), nr.ElasticNet(0.2, 0.1)], ids=repr
)
def test_penalties_that_do_not_group_units_leave_the_bias_alone(penalty):
    w, b = _data((5, 4), torch.float64), _data((5,), torch.float64, seed=2)
    b_before = b.clone()
    execution.prox_(penalty, w, 0.8, b, 0.8)
    assert torch.equal(b, b_before)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "penalty",
    [
        *PENALTIES[:-2],
        nr.SparseGroupLasso(0.4, 0.5, "units"),
        nr.SparseGroupLasso(0.4, 0.5, "inputs"),
    ],
    ids=repr,
)
def test_a_constant_per_coordinate_step_is_the_scalar_step(dtype, penalty):
    """A tensor of equal steps is the scalar step, with or without a unit bias (bias_step
    omitted: the bias then follows the weight's step)."""
    v, b = _graded((5, 4), dtype), _data((5,), dtype, seed=2)
    w1, b1 = v.clone(), b.clone()
    execution.prox_(penalty, w1, 0.7, b1)
    w2, b2 = v.clone(), b.clone()
    execution.prox_(penalty, w2, torch.full_like(v, 0.7), b2)
    torch.testing.assert_close(w2, w1, **_tol(dtype))
    torch.testing.assert_close(b2, b1, **_tol(dtype))
