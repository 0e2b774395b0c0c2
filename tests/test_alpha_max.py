"""RELIABILITY row 13 and the Core issue's item 2: ``alpha_max`` is the smallest multiplier
at which zero is optimal, and group lasso keeps exactly the groups its KKT conditions keep.

With the loss ``½‖w − a‖²`` the gradient at zero is ``−a`` and one proximal gradient step
from zero with step 1 is ``prox_{s·f}(a)``: zero is optimal exactly when that is all zeros.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import execution, select

DTYPES = [torch.float32, torch.float64]


def _graded(shape, dtype, seed=0):
    """Random data whose slices along dims 0 and 1 differ in size by up to 100×."""
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(shape, generator=g, dtype=torch.float64)
    for dim in range(min(2, len(shape))):
        view = [1] * len(shape)
        view[dim] = shape[dim]
        v = v * torch.logspace(-1, 1, shape[dim], dtype=torch.float64).view(view)
    return v.to(dtype)


CASES = [
    (nr.L1(0.3), (6, 5), False),
    (nr.L1(0.3), (4, 3, 2, 2), False),
    (nr.ElasticNet(0.3, 0.5), (6, 5), False),
    (nr.ElasticNet.from_sklearn(0.2, 0.1), (4, 3, 2, 2), False),
    (nr.GroupLasso(0.3, "units"), (6, 5), False),
    (nr.GroupLasso(0.3, "units"), (6, 5), True),
    (nr.GroupLasso(0.3, "units"), (4, 3, 2, 2), True),
    (nr.GroupLasso(0.3, "inputs"), (6, 5), False),
    (nr.GroupLasso(0.3, "inputs"), (4, 3, 2, 2), True),  # the bias is not in input groups
    (nr.GroupLasso(0.3, "units", "none"), (6, 5), True),
    (nr.SparseGroupLasso(0.3, 0.5, "units"), (6, 5), False),
    (nr.SparseGroupLasso(0.3, 0.5, "units"), (6, 5), True),
    (nr.SparseGroupLasso(0.3, 0.2, "inputs"), (4, 3, 2, 2), False),
    (nr.SparseGroupLasso(0.3, 0.9, "units"), (4, 3, 2, 2), True),
    (nr.SparseGroupLasso(0.3, 1.0, "units"), (6, 5), True),
    (nr.SparseGroupLasso(0.3, 0.0, "inputs"), (6, 5), False),
]


def _one_step_from_zero(penalty, a, ab, s):
    """``prox_{s·f}`` of the gradient step from zero: (w, b) after one step with lr 1."""
    w, b = a.clone(), None if ab is None else ab.clone()
    execution.prox_(penalty, w, s, b, None if b is None else s)
    return w, b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "penalty, shape, with_bias",
    CASES,
    ids=lambda x: repr(x) if isinstance(x, nr.Penalty) else str(x),
)
def test_zero_is_optimal_exactly_from_alpha_max(penalty, shape, with_bias, dtype):
    a = _graded(shape, dtype)
    ab = _graded((shape[0],), dtype, seed=1) if with_bias else None
    grad, bias_grad = -a, None if ab is None else -ab
    s_max = penalty.alpha_max(grad, bias_grad)
    assert 0 < s_max < math.inf
    # Sparse-group lasso's group sees soft(a, s·l1): in float32 that subtraction cancels, and
    # the group norm it yields is only good to ~eps·‖a_g‖/(s·b): a relative margin of ~1e-6
    # at the boundary. Everywhere else the prox repeats alpha_max's own arithmetic.
    sparse32 = isinstance(penalty, nr.SparseGroupLasso) and dtype == torch.float32
    margin = 1e-5 if sparse32 else 1e-9
    w, b = _one_step_from_zero(penalty, a, ab, s_max * (1 + margin))
    assert bool((w == 0).all()), "at alpha_max every weight is exactly zero"
    if b is not None and getattr(penalty, "groups", None) == "units":
        assert bool((b == 0).all()), "and so is every bias that shares the unit groups"
    w, b = _one_step_from_zero(penalty, a, ab, 0.99 * s_max)
    assert bool((w != 0).any()), "just below alpha_max something survives"
    # the same through the scaled penalty, which is how paths sweep the strength
    joins_bias = with_bias and getattr(penalty, "groups", None) == "units"
    v = (
        torch.cat([a.flatten(1), ab[:, None]], 1) if joins_bias else a
    )  # a unit's bias is one more coordinate
    assert bool((penalty.scaled(s_max * (1 + margin)).prox(v, 1.0) == 0).all())


@pytest.mark.parametrize(
    "penalty, shape, with_bias",
    CASES[:6],
    ids=lambda x: repr(x) if isinstance(x, nr.Penalty) else str(x),
)
def test_alpha_max_is_positively_homogeneous(penalty, shape, with_bias):
    """``alpha_max(c·g) = c·alpha_max(g)`` and ``scaled(c).alpha_max(g) = alpha_max(g)/c``."""
    g = _graded(shape, torch.float64)
    gb = _graded((shape[0],), torch.float64, seed=1) if with_bias else None
    base = penalty.alpha_max(g, gb)
    assert math.isclose(
        penalty.alpha_max(3 * g, None if gb is None else 3 * gb), 3 * base, rel_tol=1e-12
    )
    assert math.isclose(penalty.scaled(4.0).alpha_max(g, gb), base / 4, rel_tol=1e-12)
    assert (
        penalty.alpha_max(torch.zeros_like(g), None if gb is None else torch.zeros_like(gb)) == 0.0
    )


def test_group_alpha_max_is_the_largest_scaled_group_norm():
    g = torch.tensor([[3.0, 4.0], [0.0, 1.0]], dtype=torch.float64)
    b = torch.tensor([12.0, 0.0], dtype=torch.float64)
    assert math.isclose(nr.GroupLasso(1.0).alpha_max(g), 5 / math.sqrt(2), rel_tol=1e-15)
    assert math.isclose(nr.GroupLasso(1.0).alpha_max(g, b), 13 / math.sqrt(3), rel_tol=1e-15)
    # input groups are the columns, (3, 0) and (4, 1); the bias is not in them
    assert math.isclose(
        nr.GroupLasso(0.5, "inputs").alpha_max(g, b),
        math.sqrt(17) / (0.5 * math.sqrt(2)),
        rel_tol=1e-15,
    )
    assert math.isclose(nr.L1(0.5).alpha_max(g), 8.0, rel_tol=1e-15)


def test_l2_alpha_max():
    """L2's gradient vanishes at zero: only a zero loss gradient makes zero optimal."""
    assert nr.L2(0.3).alpha_max(torch.tensor([[0.0, 1e-8]])) == math.inf
    assert nr.L2(0.3).alpha_max(torch.zeros(3, 2)) == 0.0
    # so does any penalty whose non-smooth part has zero strength
    g = torch.ones(3, 2)
    for penalty in (
        nr.ElasticNet(0.0, 0.3),
        nr.GroupLasso(0.0),
        nr.SparseGroupLasso(0.0),
        nr.L1(0.0),
    ):
        assert penalty.alpha_max(g) == math.inf
        assert penalty.alpha_max(torch.zeros(3, 2)) == 0.0


def test_alpha_max_is_scikit_learns_for_a_linear_model(diabetes64):
    """SEMANTICS: alpha_max = max_j |X_jᵀ(y − ȳ)| / (n·l1_ratio) for the ½·MSE loss."""
    from sklearn.linear_model import ElasticNet as SkElasticNet

    X, y = diabetes64
    n = X.shape[0]
    model = nn.Linear(X.shape[1], 1, bias=False).double()
    nn.init.zeros_(model.weight)
    loss = 0.5 * ((model(X).squeeze(-1) - y) ** 2).mean()
    loss.backward()
    for ratio in (1.0, 0.5):
        alpha = nr.ElasticNet.from_sklearn(1.0, ratio).alpha_max(model.weight.grad)
        expected = float((X.T @ (y - y.mean())).abs().max()) / (n * ratio)
        assert math.isclose(alpha, expected, rel_tol=1e-12)
        at = SkElasticNet(alpha=alpha * (1 + 1e-9), l1_ratio=ratio, tol=1e-10).fit(
            X.numpy(), y.numpy()
        )
        below = SkElasticNet(alpha=0.99 * alpha, l1_ratio=ratio, tol=1e-10).fit(
            X.numpy(), y.numpy()
        )
        assert (at.coef_ == 0).all() and (below.coef_ != 0).any()


# -- item 2: group KKT during training -------------------------------------------------------
def _orthonormal_design(n, d, seed):
    """Centred columns with ``XᵀX/n = I``: the loss decouples across weights and bias."""
    g = torch.Generator().manual_seed(seed)
    raw = torch.randn(n, d, generator=g, dtype=torch.float64)
    q, _ = torch.linalg.qr(raw - raw.mean(0))
    return q * math.sqrt(n)


@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_group_lasso_kkt_during_training(groups):
    """A group whose gradient at zero is below λ·√|g| stays exactly zero at every step; one
    above it leaves zero and ends at a point that satisfies the KKT conditions."""
    n, d, k = 64, 6, 5
    X = _orthonormal_design(n, d, seed=0)
    g = torch.Generator().manual_seed(1)
    strengths = torch.logspace(-1, 0.5, k if groups == "units" else d, dtype=torch.float64)
    B = torch.randn(k, d, generator=g, dtype=torch.float64)
    B = B * (strengths[:, None] if groups == "units" else strengths[None, :])
    Y = (
        X @ B.T
        + 0.5 * torch.randn(k, generator=g, dtype=torch.float64)
        + 0.05 * torch.randn(n, k, generator=g, dtype=torch.float64)
    )

    model = nn.Linear(d, k).double()
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)

    def loss_fn():
        return 0.5 * ((model(X) - Y) ** 2).sum(1).mean()

    loss_fn().backward()
    gw, gb = model.weight.grad.clone(), model.bias.grad.clone()
    if groups == "units":  # the unit's bias shares its group
        rows, size = torch.cat([gw, gb[:, None]], 1), d + 1
    else:
        rows, size = gw.T, k
    critical = rows.norm(dim=1) / math.sqrt(size)  # the λ at which each group leaves zero
    ordered = critical.sort().values
    lam = float(ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    below = critical < lam
    assert below.any() and (~below).any()
    penalty = nr.GroupLasso(lam, groups)
    assert math.isclose(penalty.alpha_max(gw, gb), float(critical.max()) / lam, rel_tol=1e-12)

    reg = nr.Plan({select.weights(): penalty}).bind(model)
    assert (reg.rows[0].bias_name == "bias") == (groups == "units")
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    reg.attach(opt)
    for _ in range(80):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        w = model.weight.detach()
        group_rows = torch.cat([w, model.bias.detach()[:, None]], 1) if groups == "units" else w.T
        assert bool((group_rows[below] == 0).all()), "a group below the threshold left zero"
    assert bool((group_rows[~below].abs().sum(1) > 0).all()), (
        "a group above the threshold stayed zero"
    )

    # KKT at the end: the gradient of each surviving group is −λ·√|g|·w_g/‖w_g‖
    opt.zero_grad()
    loss_fn().backward()
    grad_rows = (
        torch.cat([model.weight.grad, model.bias.grad[:, None]], 1)
        if groups == "units"
        else model.weight.grad.T
    )
    alive = group_rows[~below]
    residual = grad_rows[~below] + lam * math.sqrt(size) * alive / alive.norm(dim=1, keepdim=True)
    assert float(residual.abs().max()) < 1e-6
    # and each zero group satisfies ‖∇_g‖ ≤ λ·√|g|
    assert bool((grad_rows[below].norm(dim=1) <= lam * math.sqrt(size)).all())
