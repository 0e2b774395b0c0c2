"""Lightning integration: NetRegCallback equals netreg's own loop, logs, resumes, and runs under DDP.

Must be true: a Trainer fit with the callback ends with the weights of the hand-written
netreg loop on the same batches; a fit resumed from a checkpoint equals the uninterrupted
one; 2 DDP processes end with the weights of the single-process run on the global batches
(the loss-mode penalty counted once, not twice).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pl = pytest.importorskip("lightning.pytorch")

import netreg as nr  # noqa: E402
from netreg.integrations.lightning import NetRegCallback, penalty  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "lightning_ddp.py"
_spec = importlib.util.spec_from_file_location("lightning_ddp", SCRIPT)
assert _spec is not None and _spec.loader is not None
ex = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ex)


def _loader(batch: int = ex.GLOBAL_BATCH) -> torch.utils.data.DataLoader:
    return torch.utils.data.DataLoader(ex.data(), batch_size=batch)


def _weights(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in module.named_parameters()}


def _hand_loop(plan: nr.Plan, optimizer: str = "sgd", epochs: int = 1) -> dict[str, torch.Tensor]:
    """netreg's three lines in a plain loop: the reference."""
    module = ex.Regression(optimizer=optimizer)
    reg = plan.bind(module)
    opt = module.configure_optimizers()
    reg.attach(opt)
    for _ in range(epochs):
        for x, y in _loader():
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(module(x), y) + reg.penalty()
            loss.backward()
            opt.step()
    return _weights(module)


def _fit(optimizer: str = "sgd", epochs: int = 1, **kwargs) -> tuple[ex.Regression, NetRegCallback]:
    callback = NetRegCallback(ex.plan(), **kwargs)
    module = ex.Regression(optimizer=optimizer)
    ex.trainer(callbacks=[callback], max_epochs=epochs).fit(module, _loader())
    return module, callback


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "proxadamw"])
def test_a_fit_with_the_callback_is_netregs_own_loop(optimizer):
    module, callback = _fit(optimizer)
    expected = _hand_loop(ex.plan(), optimizer)
    for name, w in _weights(module).items():
        torch.testing.assert_close(w, expected[name], rtol=0, atol=1e-12)
    assert int((module.net[0].weight == 0).sum()) > 0  # the L1 prox made exact zeros
    assert float(module.net[0].weight.detach().norm(dim=1).max()) <= 0.5 + 1e-12  # MaxNorm
    assert callback.regularizer is not None and callback.regularizer.n_steps == 10
    module.trainer.optimizers[0].step()  # detached at teardown: no prox after the fit
    assert callback.regularizer.n_steps == 10


def test_fused_requires_proxadamw_and_uses_it():
    module, _ = _fit("proxadamw", fused=True)
    assert int((module.net[0].weight == 0).sum()) > 0
    with pytest.raises(TypeError, match=r"fused=True needs .*ProxAdamW.*\['Adam'\]"):
        _fit("adam", fused=True)


def test_penalty_and_zero_shares_are_logged():
    callback = NetRegCallback(ex.plan(), log_every_n_steps=1)
    module = ex.Regression()
    fit = ex.trainer(callbacks=[callback])
    fit.fit(module, _loader())
    logged = fit.logged_metrics
    reg = callback.regularizer
    assert reg is not None
    assert float(logged["netreg/penalty"]) == pytest.approx(float(reg.value()), rel=1e-6)
    zeros = int((module.net[0].weight == 0).sum()) / module.net[0].weight.numel()
    assert float(logged["netreg/zeros/net.0.weight"]) == pytest.approx(zeros)
    assert "netreg/zeros/net.2.weight" in logged


def test_a_resumed_fit_equals_the_uninterrupted_one(tmp_path):
    uninterrupted, done = _fit("adam", epochs=2)
    first_callback = NetRegCallback(ex.plan())
    first = ex.trainer(callbacks=[first_callback], max_epochs=1)
    first.fit(ex.Regression(optimizer="adam"), _loader())
    ckpt = tmp_path / "one_epoch.ckpt"
    first.save_checkpoint(ckpt)

    callback = NetRegCallback(ex.plan())
    resumed = ex.Regression(optimizer="adam")
    ex.trainer(callbacks=[callback], max_epochs=2).fit(resumed, _loader(), ckpt_path=ckpt)
    for name, w in _weights(uninterrupted).items():
        assert torch.equal(w, _weights(resumed)[name]), name
    assert callback.regularizer is not None and done.regularizer is not None
    assert callback.regularizer.n_steps == done.regularizer.n_steps == 20

    other = NetRegCallback(nr.Plan({nr.select.name("net.0.weight"): nr.L1(0.5)}))
    with pytest.raises(ValueError, match="different plan or model"):
        ex.trainer(callbacks=[other], max_epochs=2).fit(ex.Regression(), _loader(), ckpt_path=ckpt)


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match="plan=dict"):
        NetRegCallback({})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step"):
        NetRegCallback(ex.plan(), step="adam")
    with pytest.raises(TypeError, match="fused"):
        NetRegCallback(ex.plan(), fused="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="log_every_n_steps"):
        NetRegCallback(ex.plan(), log_every_n_steps=-1)
    with pytest.raises(RuntimeError, match="exactly one NetRegCallback"):
        penalty(ex.Regression())


@pytest.mark.slow  # Lightning relaunches the script per rank: 30 s to 2 min on 2 shared cores
def test_ddp_on_two_processes_equals_the_single_process_run(tmp_path):
    out = tmp_path / "rank0.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "exact zeros in net.0.weight" in done.stdout
    got = torch.load(out, weights_only=True)
    expected = _hand_loop(ex.plan())
    for name, w in expected.items():
        torch.testing.assert_close(got[name], w, rtol=0, atol=1e-12)
    # had every rank's penalty gradient been summed, the run would be L2 doubled
    doubled = _hand_loop(ex.plan(l2=0.1))["net.2.weight"]
    assert (got["net.2.weight"] - doubled).abs().max() > 1e-4
