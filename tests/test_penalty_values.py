"""RELIABILITY rows 8 and 24: penalty values equal their formulas (SEMANTICS.md), λ = 0 is a
no-op, every Elastic Net constructor gives its library's objective, and the value follows
the parameter's dtype and device."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import execution

DTYPES = [torch.float32, torch.float64]
SHAPES = [(7,), (5, 4), (4, 3, 2, 2)]


def _w(shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype)


def _close(got: torch.Tensor, expected: float, dtype: torch.dtype) -> None:
    rtol = 1e-6 if dtype == torch.float32 else 1e-13
    got = got.detach() if isinstance(got, torch.Tensor) else got
    assert math.isclose(float(got), float(expected), rel_tol=rtol, abs_tol=rtol), (
        float(got),
        expected,
    )


def l1_norm(w):
    return sum(abs(x) for x in w.detach().double().flatten().tolist())


def sq_norm(w):
    return sum(x * x for x in w.detach().double().flatten().tolist())


def group_rows(w, groups, bias=None):
    rows = (
        w.reshape(w.shape[0], -1)
        if groups == "units"
        else w.transpose(0, 1).reshape(w.shape[1], -1)
    )
    if bias is not None and groups == "units":
        rows = torch.cat([rows, bias[:, None]], 1)
    return rows.double()


# -- Keras formulas ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_l1_l2_elastic_net_are_the_keras_formulas(dtype, shape):
    w = _w(shape, dtype)
    _close(nr.L1(0.3).value(w), 0.3 * l1_norm(w), dtype)
    _close(nr.L2(0.3).value(w), 0.3 * sq_norm(w), dtype)  # no ½
    _close(nr.ElasticNet(0.3, 0.2).value(w), 0.3 * l1_norm(w) + 0.2 * sq_norm(w), dtype)


def test_claim_l1_norm_examples():
    """CLAIMS l1-norm-examples: ‖[2, 4]‖₁ = 6 and negatives count by absolute value."""
    assert float(nr.L1(1.0).value(torch.tensor([2.0, 4.0]))) == 6.0
    assert float(nr.L1(1.0).value(torch.tensor([-1.0, -2.5]))) == 3.5
    assert float(nr.L1(1.0)(torch.tensor([-1.0, -2.5]))) == 3.5  # Keras-style call


@pytest.mark.parametrize(
    "penalty",
    [
        nr.L1(0.3),
        nr.L2(0.3),
        nr.ElasticNet(0.3, 0.2),
        nr.GroupLasso(0.3),
        nr.SparseGroupLasso(0.3, 0.4),
    ],
    ids=repr,
)
def test_value_scales_with_strength_and_matches_loss_terms(penalty):
    """``scaled(c).value = c·value``; the fused ``loss_terms`` add up to ``value``."""
    w, b = _w((5, 4)), _w((5,), seed=1)
    base = float(penalty.value(w))
    assert math.isclose(float(penalty.scaled(2.5).value(w)), 2.5 * base, rel_tol=1e-13)
    assert float(penalty.scaled(0.0).value(w)) == 0.0
    for bias in (None, b):
        total = sum(float(term) * coef for term, coef in execution.loss_terms(penalty, w, bias))
        assert math.isclose(total, float(penalty.value(w, bias)), rel_tol=1e-13)


@pytest.mark.parametrize(
    "penalty", [nr.L1(0.3), nr.GroupLasso(0.3, "inputs"), nr.SparseGroupLasso(0.3)], ids=repr
)
def test_norm_penalties_are_absolutely_homogeneous(penalty):
    w = _w((5, 4))
    assert math.isclose(
        float(penalty.value(-3.0 * w)), 3.0 * float(penalty.value(w)), rel_tol=1e-13
    )


# -- λ = 0 ------------------------------------------------------------------------------
ZERO = [
    nr.L1(0.0),
    nr.L2(0.0),
    nr.ElasticNet(0.0, 0.0),
    nr.GroupLasso(0.0, "units"),
    nr.GroupLasso(0.0, "inputs"),
    nr.SparseGroupLasso(0.0, 0.5),
    nr.SparseGroupLasso(0.0, 0.5, "inputs"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("penalty", ZERO, ids=repr)
def test_zero_strength_is_a_no_op(penalty, dtype):
    w, b = _w((5, 4), dtype), _w((5,), dtype, seed=1)
    w[1, 2] = 0.0
    assert float(penalty.value(w)) == 0.0
    assert float(penalty.value(w, b)) == 0.0
    assert penalty.is_zero
    assert torch.equal(penalty.prox(w, 0.7), w)
    assert torch.equal(penalty.prox(w, torch.full_like(w, 0.7)), w)
    w2, b2 = w.clone(), b.clone()
    execution.prox_(penalty, w2, 0.7, b2, 0.7)
    assert torch.equal(w2, w) and torch.equal(b2, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_strength_group_prox_is_the_identity_even_for_tiny_weights(dtype):
    tiny = 1e-30 if dtype == torch.float32 else 1e-170
    w = torch.full((2, 3), tiny, dtype=dtype)
    assert torch.equal(nr.GroupLasso(0.0).prox(w, 1.0), w)


# -- Elastic Net parametrizations ---------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha, ratio", [(0.1, 0.5), (2.0, 0.0), (0.3, 1.0), (0.7, 0.25)])
def test_elastic_net_constructors_give_their_libraries_objectives(dtype, alpha, ratio):
    w = _w((6, 5), dtype)
    a, b = l1_norm(w), sq_norm(w)
    sk = nr.ElasticNet.from_sklearn(alpha, ratio)
    _close(sk.value(w), alpha * ratio * a + 0.5 * alpha * (1 - ratio) * b, dtype)
    gl = nr.ElasticNet.from_glmnet(alpha, ratio)
    _close(gl.value(w), alpha * (ratio * a + (1 - ratio) / 2 * b), dtype)
    nv = nr.ElasticNet.naive(alpha, ratio)
    _close(nv.value(w), alpha * ((1 - ratio) * a + ratio * b), dtype)


def test_sklearn_and_glmnet_parametrizations_agree():
    """glmnet's (λ, α) and scikit-learn's (alpha, l1_ratio) are the same objective."""
    assert nr.ElasticNet.from_sklearn(0.4, 0.3) == nr.ElasticNet.from_glmnet(0.4, 0.3)
    assert nr.ElasticNet.from_sklearn(0.4, 1.0) == nr.ElasticNet(0.4, 0.0)


# -- group penalties ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("groups", ["units", "inputs"])
@pytest.mark.parametrize("with_bias", [False, True])
def test_group_lasso_value_is_the_formula(dtype, shape, groups, with_bias):
    w = _w(shape, dtype)
    bias = _w((shape[0],), dtype, seed=1) if with_bias else None
    rows = group_rows(w, groups, bias)  # a bias joins only unit groups
    expected = 0.3 * math.sqrt(rows.shape[1]) * float(rows.norm(dim=1).sum())
    _close(nr.GroupLasso(0.3, groups).value(w, bias), expected, dtype)
    unweighted = 0.3 * float(rows.norm(dim=1).sum())
    _close(nr.GroupLasso(0.3, groups, "none").value(w, bias), unweighted, dtype)
    torch.testing.assert_close(
        nr.GroupLasso(0.3, groups).group_norms(w, bias).double(), rows.norm(dim=1)
    )


def test_group_lasso_counts_the_bias_in_the_group_size():
    w = torch.tensor([[3.0, 4.0]], dtype=torch.float64)
    b = torch.tensor([12.0], dtype=torch.float64)
    # ‖(3, 4, 12)‖ = 13, |g| = 3
    assert math.isclose(float(nr.GroupLasso(1.0).value(w, b)), math.sqrt(3) * 13, rel_tol=1e-15)
    assert math.isclose(float(nr.GroupLasso(1.0).value(w)), math.sqrt(2) * 5, rel_tol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("groups", ["units", "inputs"])
@pytest.mark.parametrize("with_bias", [False, True])
def test_sparse_group_lasso_value_is_the_formula(dtype, groups, with_bias):
    w = _w((5, 4), dtype)
    bias = _w((5,), dtype, seed=1) if with_bias else None
    rows = group_rows(w, groups, bias)
    lam, r = 0.6, 0.3
    expected = r * lam * float(rows.abs().sum()) + (1 - r) * lam * math.sqrt(rows.shape[1]) * float(
        rows.norm(dim=1).sum()
    )
    _close(nr.SparseGroupLasso(lam, r, groups).value(w, bias), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_groups_of_size_one_are_the_lasso(dtype):
    """A (n, 1) weight with unit groups: √1 = 1, so group lasso is L1, value and prox."""
    w = _w((9, 1), dtype)
    group, lasso = nr.GroupLasso(0.4, "units"), nr.L1(0.4)
    _close(group.value(w), float(lasso.value(w)), dtype)
    for step in (0.1, 1.0, 3.0):
        torch.testing.assert_close(group.prox(w, step), lasso.prox(w, step))
    assert (group.prox(w, 3.0) == 0).any()


# -- dtype and device ---------------------------------------------------------------------
ALL = [
    nr.L1(0.3),
    nr.L2(0.3),
    nr.ElasticNet(0.3, 0.2),
    nr.GroupLasso(0.3, "units"),
    nr.GroupLasso(0.3, "inputs"),
    nr.SparseGroupLasso(0.3, 0.4),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("penalty", ALL, ids=repr)
def test_value_and_prox_follow_the_parameter_dtype(penalty, dtype):
    w = _w((5, 4), dtype)
    assert penalty.value(w).dtype == dtype
    assert penalty.value(w).dim() == 0
    assert penalty.prox(w, 0.5).dtype == dtype
    assert penalty.prox(w, torch.full_like(w, 0.5)).dtype == dtype


@pytest.mark.parametrize("penalty", ALL, ids=repr)
def test_value_and_prox_follow_the_parameter_device(penalty):
    """The meta device stands in for an accelerator: nothing is moved to the CPU."""
    w = torch.empty((5, 4), device="meta")
    assert penalty.value(w).device.type == "meta"
    assert penalty.prox(w, 0.5).device.type == "meta"


@pytest.mark.parametrize("dtype", DTYPES)
def test_regularizer_penalty_follows_the_model_dtype(dtype):
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1)).to(dtype)
    reg = nr.Plan({nr.select.weights(nn.Linear): nr.L2(0.1)}).bind(model)
    total = reg.penalty()
    assert total.dtype == dtype
    expected = sum(0.1 * sq_norm(m.weight) for m in (model[0], model[2]))
    _close(total, expected, dtype)
    # with no loss-mode penalty the zero it returns has the model's dtype too
    prox_only = nr.Plan({nr.select.weights(nn.Linear): nr.L1(0.1)}).bind(model)
    assert prox_only.penalty().dtype == dtype and float(prox_only.penalty()) == 0.0
