"""RELIABILITY rows 20, 21: checkpoints reload exactly, and k epochs + resume == N epochs.

Bit-identical on CPU for the model, the optimizer state, the regularizer (an L1 prox
penalty, a MaxNorm constraint, its scale and step count), the shuffling generator and
the global generator that dropout draws from.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg.train import FitConfig, fit, load_checkpoint, mlp, read_checkpoint, save_checkpoint


def _data(seed=0, n=80, p=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, np.tanh(X[:, 0]) - X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n)


def _plan():
    return nr.Plan(
        {
            select.weights(nn.Linear): [nr.L1(2e-3), nr.MaxNorm(1.5)],
            select.name("3.weight"): (nr.L2(1e-3), "loss"),
        }
    )


def _setup(model_seed=0):
    model = mlp(5, hidden=(12, 6), dropout=0.25, seed=model_seed)
    reg = _plan().bind(model)
    reg.scale = 0.5  # a non-default scale must survive the checkpoint
    return model, reg


def _optimizer_state_equal(a, b):
    sa, sb = a["state"], b["state"]
    assert sa.keys() == sb.keys()
    for key in sa:
        assert sa[key].keys() == sb[key].keys()
        for name in sa[key]:
            va, vb = sa[key][name], sb[key][name]
            assert torch.equal(va, vb) if isinstance(va, torch.Tensor) else va == vb, (key, name)
    assert a["param_groups"] == b["param_groups"]


CONFIGS = {  # name: (config, k epochs before the checkpoint)
    "sgd-momentum": (
        FitConfig(
            optimizer="sgd", lr=0.05, momentum=0.9, batch_size=16, max_epochs=9, patience=None
        ),
        4,
    ),
    "adam": (FitConfig(optimizer="adam", lr=1e-2, batch_size=16, max_epochs=9, patience=None), 4),
    # Validation loss: best at epoch 13, worse at 14, stops by patience at 16. Splitting
    # at 15 needs the patience counter and the best weights from the checkpoint.
    "adamw-early-stopping": (
        FitConfig(
            optimizer="adamw",
            lr=0.1,
            weight_decay=0.01,
            batch_size=16,
            max_epochs=20,
            early_stopping=True,
            patience=3,
            tol=0.0,
        ),
        15,
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_k_epochs_plus_resume_equals_n_straight_epochs(tmp_path, name):
    config, k = CONFIGS[name]
    X, y = _data()
    X_val, y_val = _data(seed=1, n=40)

    straight, reg_straight = _setup()
    path_straight = tmp_path / "straight.safetensors"
    r_straight = fit(
        straight,
        X,
        y,
        regularizer=reg_straight,
        config=config,
        X_val=X_val,
        y_val=y_val,
        checkpoint=path_straight,
    )

    first, reg_first = _setup()
    path = tmp_path / "split.safetensors"
    r_first = fit(
        first,
        X,
        y,
        regularizer=reg_first,
        config=config.replace(max_epochs=k),
        X_val=X_val,
        y_val=y_val,
        checkpoint=path,
    )
    assert r_first.epochs_run == k
    if config.early_stopping:
        assert r_straight.stop_reason == "patience"
        assert r_straight.best_epoch < k < r_straight.epochs_run

    # A new process would build everything afresh: a differently initialized model,
    # a new regularizer at scale 1, an untouched global generator.
    resumed, reg_resumed = _setup(model_seed=99)
    reg_resumed.scale = 1.0
    torch.manual_seed(12345)
    r_resumed = fit(
        resumed,
        X,
        y,
        regularizer=reg_resumed,
        config=config,
        X_val=X_val,
        y_val=y_val,
        checkpoint=path,
        resume=True,
    )

    assert r_resumed.start_epoch == k
    assert r_resumed.train_losses == r_straight.train_losses
    assert r_resumed.val_losses == r_straight.val_losses
    assert (r_resumed.best_epoch, r_resumed.epochs_run, r_resumed.stop_reason) == (
        r_straight.best_epoch,
        r_straight.epochs_run,
        r_straight.stop_reason,
    )
    for (pname, pa), pb in zip(straight.named_parameters(), resumed.parameters(), strict=True):
        assert torch.equal(pa, pb), pname
    assert reg_resumed.scale == 0.5
    assert reg_resumed.n_steps == reg_straight.n_steps
    # The last checkpoints are the same, tensor for tensor: model, optimizer state,
    # regularizer, best weights, shuffling and global generator states, histories.
    doc_straight, tensors_straight = read_checkpoint(path_straight)
    doc_resumed, tensors_resumed = read_checkpoint(path)
    assert doc_resumed == doc_straight
    assert tensors_resumed.keys() == tensors_straight.keys()
    assert any(key.startswith("optimizer/") for key in tensors_straight)
    for key, value in tensors_straight.items():
        assert torch.equal(value, tensors_resumed[key]), key


def test_the_optimizer_state_round_trips_exactly_and_steps_in_lockstep(tmp_path):
    """Row 20: reload into a clone, step both: equal weights and state at every step."""
    X, y = (torch.from_numpy(a) for a in _data())
    model, reg = _setup()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, amsgrad=True)
    reg.attach(opt)
    for _ in range(5):
        opt.zero_grad()
        ((model(X.float()).squeeze(1) - y.float()) ** 2).mean().backward()
        opt.step()
    path = save_checkpoint(
        tmp_path / "c.safetensors", model, opt, reg, extra={"note": ("a", 1), 3: [float("inf")]}
    )

    clone, reg_clone = _setup(model_seed=5)
    opt_clone = torch.optim.Adam(clone.parameters(), lr=1.0)
    reg_clone.attach(opt_clone)
    extra = load_checkpoint(path, clone, opt_clone, reg_clone)
    assert extra == {"note": ("a", 1), 3: [float("inf")]}  # tuples, int keys, inf survive
    _optimizer_state_equal(opt.state_dict(), opt_clone.state_dict())
    assert opt_clone.param_groups[0]["betas"] == opt.param_groups[0]["betas"]
    assert isinstance(opt_clone.param_groups[0]["betas"], tuple)
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        batch = torch.randint(0, X.shape[0], (16,), generator=g)
        for m, o in ((model, opt), (clone, opt_clone)):
            m.eval()  # no dropout: both see the same function
            o.zero_grad()
            ((m(X[batch].float()).squeeze(1) - y[batch].float()) ** 2).mean().backward()
            o.step()
        for pa, pb in zip(model.parameters(), clone.parameters(), strict=True):
            assert torch.equal(pa, pb)
    _optimizer_state_equal(opt.state_dict(), opt_clone.state_dict())


def test_a_checkpoint_for_another_architecture_is_refused_and_changes_nothing(tmp_path):
    model, _ = _setup()
    path = save_checkpoint(tmp_path / "c.safetensors", model)
    other = mlp(5, hidden=(12, 7), seed=0)
    before = [p.detach().clone() for p in other.parameters()]
    with pytest.raises(ValueError, match="different model"):
        load_checkpoint(path, other)
    assert all(torch.equal(a, b) for a, b in zip(before, other.parameters(), strict=True))


def test_resume_refuses_a_checkpoint_written_with_a_different_config(tmp_path):
    X, y = _data()
    path = tmp_path / "c.safetensors"
    config = FitConfig(optimizer="sgd", lr=0.05, batch_size=16, max_epochs=2)
    fit(mlp(5, hidden=(4,), seed=0), X, y, config=config, checkpoint=path)
    with pytest.raises(ValueError, match=r"lr: 0\.05 -> 0\.1"):
        fit(
            mlp(5, hidden=(4,), seed=0),
            X,
            y,
            config=config.replace(lr=0.1, max_epochs=4),
            checkpoint=path,
            resume=True,
        )


def test_resume_without_a_file_starts_fresh_and_a_finished_run_stays_finished(tmp_path):
    X, y = _data()
    path = tmp_path / "c.safetensors"
    config = FitConfig(optimizer="sgd", lr=0.05, batch_size=None, max_epochs=3)
    model = mlp(5, hidden=(4,), seed=0)
    first = fit(model, X, y, config=config, checkpoint=path, resume=True)
    assert (first.start_epoch, first.epochs_run) == (0, 3)
    again = fit(mlp(5, hidden=(4,), seed=1), X, y, config=config, checkpoint=path, resume=True)
    assert (again.start_epoch, again.epochs_run, again.n_steps) == (3, 3, 0)
    assert again.train_losses == first.train_losses


def test_checkpoint_writes_are_atomic(tmp_path, monkeypatch):
    """A write that fails half way leaves the previous checkpoint intact and no temp file."""
    model, _ = _setup()
    path = save_checkpoint(tmp_path / "c.safetensors", model, extra={"epoch": 1})
    import netreg.train.checkpoint as ck

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(ck.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, extra={"epoch": 2})
    monkeypatch.undo()
    assert load_checkpoint(path, model)["epoch"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.safetensors"]
