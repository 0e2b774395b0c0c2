"""RELIABILITY rows 6 and 7: the laws every proximal operator obeys, checked by hypothesis.

For ``z = prox_{t·f}(v)``:

(a) optimality: ``(v − z)/t ∈ ∂f(z)``, and ``½‖z − v‖² + t·f(z)`` is no larger at ``z``
    than at any other point (checked at random perturbations of ``z``);
(b) Moreau: ``v = prox_{t·f}(v) + t·prox_{f*/t}(v/t)``, where ``f*`` is the indicator of
    the dual-norm ball, so ``prox_{f*/t}`` is the projection onto it;
(c) firm non-expansiveness: ``‖p(x) − p(y)‖² ≤ ⟨p(x) − p(y), x − y⟩``;
(d) exact zeros exactly where ``|v| ≤ t·λ`` (L1, Elastic Net) or ``‖v_g‖ ≤ t·λ·√|g|``.

Every check runs in float32 and float64 with a tolerance scaled to the dtype.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import netreg as nr

FAST = settings(max_examples=60, deadline=None)


# -- the penalties under test -----------------------------------------------------------
def _make(kind: str, strength: float, ratio: float) -> nr.Penalty:
    return {
        "l1": lambda: nr.L1(strength),
        "l2": lambda: nr.L2(strength),
        "elastic_net": lambda: nr.ElasticNet(strength * ratio, strength * (1 - ratio)),
        "group_units": lambda: nr.GroupLasso(strength, "units"),
        "group_inputs": lambda: nr.GroupLasso(strength, "inputs"),
        "group_units_unweighted": lambda: nr.GroupLasso(strength, "units", "none"),
        "sparse_group_units": lambda: nr.SparseGroupLasso(strength, ratio, "units"),
        "sparse_group_inputs": lambda: nr.SparseGroupLasso(strength, ratio, "inputs"),
    }[kind]()


KINDS = [
    "l1",
    "l2",
    "elastic_net",
    "group_units",
    "group_inputs",
    "group_units_unweighted",
    "sparse_group_units",
    "sparse_group_inputs",
]
GROUP_KINDS = [k for k in KINDS if "group" in k]


def rows_of(x: torch.Tensor, groups: str) -> torch.Tensor:
    """One row per group: units are slices along dim 0, inputs along dim 1."""
    if groups == "units":
        return x.reshape(x.shape[0], -1)
    return x.transpose(0, 1).reshape(x.shape[1], -1)


def group_weight(penalty: nr.Penalty, v: torch.Tensor) -> float:
    size = rows_of(v, penalty.groups).shape[1]
    return math.sqrt(size) if penalty.weighting == "sqrt" else 1.0


# -- strategies -------------------------------------------------------------------------
# Magnitudes between 2⁻¹³ and 10, or exact zeros: squares of these stay far from underflow.
_magnitudes = st.one_of(st.just(0.0), st.floats(0.0001220703125, 10.0, width=32))
_elements = st.builds(lambda m, s: m * s, _magnitudes, st.sampled_from([-1.0, 1.0]))
_shapes = st.one_of(
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(1, 2)),
)


@st.composite
def cases(draw, kind: str):
    """(penalty, v, step) for one kind of penalty, in float32 or float64, scalar steps."""
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    shape = draw(_shapes)
    array = draw(hnp.arrays(np.float64, shape, elements=_elements))
    strength = draw(st.one_of(st.just(0.0), st.floats(1e-3, 5.0)))
    ratio = draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
    step = draw(st.floats(1e-2, 10.0))
    return _make(kind, strength, ratio), torch.from_numpy(array).to(dtype), step


def eps(dtype: torch.dtype) -> float:
    return torch.finfo(dtype).eps


# -- (a) optimality ---------------------------------------------------------------------
def _l1_violation(u: torch.Tensor, z: torch.Tensor, l1: float) -> torch.Tensor:
    """Distance of ``u`` from ``l1·∂‖·‖₁(z)``, per coordinate."""
    on = (u - l1 * torch.sign(z)).abs()
    off = torch.clamp(u.abs() - l1, min=0.0)
    return torch.where(z != 0, on, off)


def subgradient_violation(
    penalty: nr.Penalty, v: torch.Tensor, z: torch.Tensor, step: float
) -> float:
    """How far ``(v − z)/t`` is from ``∂penalty(z)`` (0 when the prox is optimal)."""
    v, z = v.double(), z.double()
    u = (v - z) / step
    if isinstance(penalty, nr.L1):
        return float(_l1_violation(u, z, penalty.l1).max())
    if isinstance(penalty, nr.L2):
        return float((u - 2 * penalty.l2 * z).abs().max())
    if isinstance(penalty, nr.ElasticNet):
        return float(_l1_violation(u - 2 * penalty.l2 * z, z, penalty.l1).max())
    weight = group_weight(penalty, v)
    u_rows, z_rows = rows_of(u, penalty.groups), rows_of(z, penalty.groups)
    norms = z_rows.norm(dim=1, keepdim=True)
    if isinstance(penalty, nr.GroupLasso):
        radius = penalty.lam * weight
        on = (u_rows - radius * z_rows / norms.clamp_min(1e-300)).norm(dim=1)
        off = torch.clamp(u_rows.norm(dim=1) - radius, min=0.0)
        return float(torch.where(norms[:, 0] > 0, on, off).max())
    a = penalty.l1_ratio * penalty.lam
    b = (1 - penalty.l1_ratio) * penalty.lam * weight
    # a living group: each coordinate's L1 subgradient plus the group's b·z_g/‖z_g‖
    on = _l1_violation(u_rows - b * z_rows / norms.clamp_min(1e-300), z_rows, a).max(dim=1).values
    # a zero group: some s ∈ a·[−1, 1]^g with ‖u_g − s‖ ≤ b, i.e. ‖soft(u_g, a)‖ ≤ b
    off = torch.clamp(torch.clamp(u_rows.abs() - a, min=0.0).norm(dim=1) - b, min=0.0)
    return float(torch.where(norms[:, 0] > 0, on, off).max())


def _strength_scale(penalty: nr.Penalty, v: torch.Tensor) -> float:
    """The size of a subgradient of this penalty (for tolerances)."""
    total = sum(getattr(penalty, f) for f in penalty.strength_fields)
    weight = group_weight(penalty, v) if hasattr(penalty, "groups") else 1.0
    return total * weight * (1 + 2 * float(v.abs().max()))


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_prox_satisfies_the_subgradient_optimality_condition(kind, data):
    penalty, v, step = data.draw(cases(kind))
    z = penalty.prox(v, step)
    assert z.dtype == v.dtype and z.shape == v.shape
    tol = 64 * eps(v.dtype) * (float(v.abs().max()) / step + _strength_scale(penalty, v) + 1)
    assert subgradient_violation(penalty, v, z, step) <= tol


def _objective(penalty: nr.Penalty, x: torch.Tensor, v: torch.Tensor, step: float) -> float:
    return float(0.5 * (x - v).square().sum() + step * penalty.value(x))


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_prox_minimizes_the_prox_objective(kind, data, seed):
    """``½‖z − v‖² + t·f(z)`` at the prox is ≤ its value at perturbed points, at 0 and at v."""
    penalty, v, step = data.draw(cases(kind))
    z = penalty.prox(v, step).double()
    v64 = v.double()
    at_z = _objective(penalty, z, v64, step)
    scale = (float(v64.norm()) + 1) * (
        float(v64.norm()) + step * _strength_scale(penalty, v) * v.numel() + 1
    )
    tol = 256 * eps(v.dtype) * scale
    g = torch.Generator().manual_seed(seed)
    candidates = [torch.zeros_like(z), v64]
    for size in (1e-3, 1e-2, 1e-1, 1.0):
        for _ in range(4):
            candidates.append(z + size * torch.randn(z.shape, generator=g, dtype=torch.float64))
    for x in candidates:
        assert at_z <= _objective(penalty, x, v64, step) + tol


# -- (b) Moreau identity ----------------------------------------------------------------
def dual_ball_projection(penalty: nr.Penalty, u: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Projection onto the ball of the dual norm: L∞ radius λ for L1, per-group L2 radius λ·w."""
    if isinstance(penalty, nr.L1):
        return torch.clamp(u, -penalty.l1, penalty.l1)
    radius = penalty.lam * group_weight(penalty, like)
    rows = rows_of(u, penalty.groups)
    norms = rows.norm(dim=1, keepdim=True)
    projected = rows * torch.clamp(radius / norms.clamp_min(1e-300), max=1.0)
    if penalty.groups == "units":
        return projected.reshape(u.shape)
    shape = (u.shape[1], u.shape[0], *u.shape[2:])
    return projected.reshape(shape).transpose(0, 1)


@pytest.mark.parametrize("kind", ["l1", "group_units", "group_inputs", "group_units_unweighted"])
@FAST
@given(data=st.data())
def test_moreau_decomposition(kind, data):
    penalty, v, step = data.draw(cases(kind))
    z = penalty.prox(v, step).double()
    v64 = v.double()
    dual = dual_ball_projection(penalty, v64 / step, v64)
    tol = 16 * eps(v.dtype) * (float(v64.abs().max()) + 1)
    torch.testing.assert_close(z + step * dual, v64, rtol=0, atol=tol)


# -- (c) firm non-expansiveness ---------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(
    data=st.data(), seed=st.integers(0, 2**31 - 1), spread=st.sampled_from([1e-3, 0.1, 1.0, 10.0])
)
def test_prox_is_firmly_nonexpansive(kind, data, seed, spread):
    penalty, x, step = data.draw(cases(kind))
    g = torch.Generator().manual_seed(seed)
    y = (x.double() + spread * torch.randn(x.shape, generator=g, dtype=torch.float64)).to(x.dtype)
    px, py = penalty.prox(x, step).double(), penalty.prox(y, step).double()
    diff_p, diff_in = px - py, x.double() - y.double()
    lhs = float(diff_p.square().sum())
    rhs = float((diff_p * diff_in).sum())
    size = float(x.double().norm() + y.double().norm()) + 1
    assert lhs <= rhs + 64 * eps(x.dtype) * size * size
    # and so non-expansive
    assert float(diff_p.norm()) <= float(diff_in.norm()) + 64 * eps(x.dtype) * size


# -- (d) exact zeros --------------------------------------------------------------------
def _band(dtype: torch.dtype, *scales: float) -> float:
    """Width of the boundary band where rounding may decide (a few ulps of the operands)."""
    return 16 * eps(dtype) * (sum(abs(s) for s in scales) + 1e-30)


@pytest.mark.parametrize("kind", ["l1", "elastic_net", "l2"])
@FAST
@given(data=st.data())
def test_separable_prox_zeroes_exactly_the_small_coordinates(kind, data):
    penalty, v, step = data.draw(cases(kind))
    z = penalty.prox(v, step)
    tau = step * (penalty.l1 if not isinstance(penalty, nr.L2) else 0.0)
    size = v.double().abs()
    band = _band(v.dtype, tau) + 16 * eps(v.dtype) * size
    clearly_small = size < tau - band
    clearly_large = size > tau + band
    assert bool((z[clearly_small] == 0).all()), "coordinates with |v| < t·λ must be exactly 0"
    assert bool((z[clearly_large] != 0).all()), "coordinates with |v| > t·λ must not be 0"
    assert bool((z[v == 0] == 0).all())
    # the signs survive: the prox never flips a coordinate
    assert bool((z * v >= 0).all())


@pytest.mark.parametrize("kind", GROUP_KINDS)
@FAST
@given(data=st.data())
def test_group_prox_zeroes_exactly_the_small_groups(kind, data):
    penalty, v, step = data.draw(cases(kind))
    z = penalty.prox(v, step)
    v64 = v.double()
    weight = group_weight(penalty, v)
    if isinstance(penalty, nr.SparseGroupLasso):
        a = step * penalty.l1_ratio * penalty.lam
        tau = step * (1 - penalty.l1_ratio) * penalty.lam * weight
        inner = torch.sign(v64) * torch.clamp(v64.abs() - a, min=0.0)
        # the group sees the soft-thresholded coordinates
        norms = rows_of(inner, penalty.groups).norm(dim=1)
        band = _band(v.dtype, tau, a * weight) + 16 * eps(v.dtype) * rows_of(
            v64, penalty.groups
        ).norm(dim=1)
    else:
        tau = step * penalty.lam * weight
        norms = rows_of(v64, penalty.groups).norm(dim=1)
        band = _band(v.dtype, tau) + 16 * eps(v.dtype) * norms
    z_rows = rows_of(z, penalty.groups)
    zero = (z_rows == 0).all(dim=1)
    assert bool(zero[norms < tau - band].all()), "groups with ‖v_g‖ < t·λ·√|g| must be exactly 0"
    assert not bool(zero[norms > tau + band].any()), "groups with ‖v_g‖ > t·λ·√|g| must survive"
    if isinstance(penalty, nr.GroupLasso):
        # a surviving group keeps every coordinate of v that was nonzero (it is only scaled)
        alive = ~zero
        assert bool(((z_rows[alive] != 0) == (rows_of(v, penalty.groups)[alive] != 0)).all())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_exact_zero_at_the_threshold_itself(dtype):
    """|v| = t·λ exactly (representable numbers) gives an exact zero, as ``≤`` promises."""
    v = torch.tensor([-0.5, 0.5, 0.25, -1.0], dtype=dtype)
    z = nr.L1(0.25).prox(v, 2.0)  # t·λ = 0.5
    assert z.tolist() == [0.0, 0.0, 0.0, -0.5]
    g = torch.tensor([[0.3, 0.4], [0.6, 0.8]], dtype=dtype)  # norms 0.5 and 1
    z = nr.GroupLasso(0.5 / math.sqrt(2), "units").prox(g, 1.0)  # t·λ·√2 = 0.5
    assert z[0].eq(0).all() and z[1].ne(0).all()
