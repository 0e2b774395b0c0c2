"""The public contract between the regularizer and an optimizer that fuses proxes.

``reg.fused_rows()`` publishes which prox rows an optimizer may apply inside its update;
:class:`~netreg.optim.ProxAdamW` takes exactly those (where its kernel can run) and
reports them with ``applied_in_last_step``; the post-step hook runs every other prox row.
The checks: what is fused is what was published, every prox row is applied exactly once
per step under ProxAdamW, torch's AdamW and SGD, and a row without a gradient is skipped.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import _kernels, execution
from netreg.execution import Executor, ShrinkRow, UnitGroupRow, separable
from netreg.optim import ProxAdamW

needs_numba = pytest.mark.skipif(not _kernels.enabled(), reason="numba (the `fast` extra) missing")


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 1)
    ).double()


def _plan() -> nr.Plan:
    return nr.Plan(
        [
            (nr.select.name("0.weight"), nr.L1(0.02)),
            (nr.select.name("2.weight"), nr.GroupLasso(0.02)),  # units: with 2.bias
            (nr.select.name("4.weight"), nr.SparseGroupLasso(0.02)),  # not fusable
        ]
    )


def _steps(model: nn.Module, opt: torch.optim.Optimizer, n: int = 4) -> None:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(32, 5, generator=g, dtype=torch.float64)
    y = torch.randn(32, 1, generator=g, dtype=torch.float64)
    for _ in range(n):
        opt.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        opt.step()


def test_published_rows_name_each_fusable_penalty_with_its_coefficients():
    model = _model()
    reg = _plan().bind(model)
    reg.scale = 2.0
    rows = reg.fused_rows()
    assert rows == [
        ShrinkRow(model[0].weight, 0.04, 0.0, True),
        UnitGroupRow(
            model[2].weight,
            model[2].bias,
            2.0 * nr.GroupLasso(0.02).group_strength(model[2].weight, model[2].bias),
            True,
        ),
    ]
    assert all(not r.per_coordinate for r in reg.fused_rows("lr"))
    elastic = nr.Plan({nr.select.weights(): nr.ElasticNet(0.1, 0.3)}).bind(nn.Linear(3, 2))
    (row,) = elastic.fused_rows()
    assert (row.a, row.b) == (0.1, 0.6)  # soft(w, s·l1)/(1 + s·2·l2)
    inputs = nr.Plan({nr.select.weights(): nr.GroupLasso(0.1, groups="inputs")})
    assert inputs.bind(nn.Linear(3, 2)).fused_rows() == []


@needs_numba
def test_proxadamw_applies_exactly_the_published_rows():
    model = _model()
    reg = _plan().bind(model)
    opt = ProxAdamW(model.parameters(), lr=0.05)
    reg.attach(opt)
    _steps(model, opt)
    published = set()
    for row in reg.fused_rows():
        if isinstance(row, ShrinkRow):
            published.add(id(row.param))
        else:
            published |= {id(row.weight), id(row.bias)}
    applied = {id(p) for p in model.parameters() if opt.applied_in_last_step(p, reg)}
    assert applied == published
    other = object()  # it answers for the owner that handed the rows over
    assert not any(opt.applied_in_last_step(p, other) for p in model.parameters())


def _counting(monkeypatch) -> list[int]:
    """Count the hook's in-place proxes of L1 rows (the fused path stays as it is)."""
    calls: list[int] = []

    def prox_(penalty, w, step, bias, bias_step):
        calls.append(id(w))
        separable.prox_(penalty, w, step, bias, bias_step)

    counting = Executor(prox_, None, separable.fused, separable.loss_terms)
    monkeypatch.setitem(execution.EXECUTORS, nr.L1, counting)
    return calls


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: ProxAdamW(ps, lr=0.05),
        lambda ps: torch.optim.AdamW(ps, lr=0.05),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    ],
    ids=["ProxAdamW", "AdamW", "SGD"],
)
def test_every_prox_row_is_applied_exactly_once_per_step(make, monkeypatch):
    calls = _counting(monkeypatch)
    model = _model()
    reg = nr.Plan({nr.select.weights(): nr.L1(0.02)}).bind(model)
    opt = make(model.parameters())
    reg.attach(opt)
    _steps(model, opt, n=3)
    weights = [model[i].weight for i in (0, 2, 4)]
    fused = {
        id(w) for w in weights if isinstance(opt, ProxAdamW) and opt.applied_in_last_step(w, reg)
    }
    if isinstance(opt, ProxAdamW) and _kernels.enabled():
        assert len(fused) == 3  # all inside the update, none again in the hook
    for w in weights:
        assert calls.count(id(w)) == (0 if id(w) in fused else 3)


@pytest.mark.parametrize("kind", ["ProxAdamW", "SGD"])
def test_a_row_without_a_gradient_is_skipped(kind, monkeypatch):
    calls = _counting(monkeypatch)
    torch.manual_seed(0)
    used, unused = nn.Linear(4, 3).double(), nn.Linear(4, 3).double()
    model = nn.ModuleDict({"used": used, "unused": unused})
    reg = nr.Plan({nr.select.weights(): nr.L1(0.5)}).bind(model)
    opt = (
        ProxAdamW(model.parameters(), lr=0.1)
        if kind == "ProxAdamW"
        else torch.optim.SGD(model.parameters(), lr=0.1)
    )
    reg.attach(opt)
    before = unused.weight.detach().clone()
    X = torch.randn(8, 4, dtype=torch.float64)
    opt.zero_grad()
    used(X).pow(2).mean().backward()
    opt.step()
    assert unused.weight.grad is None and torch.equal(unused.weight, before)
    assert id(unused.weight) not in calls
    if kind == "ProxAdamW":
        assert not opt.applied_in_last_step(unused.weight)
    assert int((used.weight == 0).sum()) > 0  # the used row was proxed


@needs_numba
def test_a_new_scale_reaches_the_optimizer_and_matches_the_loop():
    def run(cls, eager):
        with pytest.MonkeyPatch.context() as patch:
            if eager:
                patch.setenv("NETREG_KERNELS", "off")
            model = _model()
            reg = _plan().bind(model)
            opt = cls(model.parameters(), lr=0.05)
            reg.attach(opt)
            _steps(model, opt, n=3)
            reg.scale = 3.0  # a path moving to its next λ while attached
            _steps(model, opt, n=3)
            return model

    reference, fused = run(torch.optim.AdamW, True), run(ProxAdamW, False)
    for p, q in zip(reference.parameters(), fused.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-12)
        assert torch.equal(p == 0, q == 0)


@needs_numba
def test_removing_one_of_two_attachments_keeps_the_other_fused():
    model = _model()
    reg = nr.Plan({nr.select.weights(): nr.L1(0.02)}).bind(model)
    opt = ProxAdamW(model.parameters(), lr=0.05)
    first, _second = reg.attach(opt), reg.attach(opt)
    first.remove()
    assert reg.fused_rows()
    _steps(model, opt, n=1)
    assert opt.applied_in_last_step(model[0].weight, reg)
