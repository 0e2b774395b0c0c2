"""fit(): early stopping, sample weights, interrupts, callbacks, the regularizer's lifetime."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg.regularizer import Regularizer
from netreg.train import EarlyStopping, FitConfig, evaluate, fit, mlp

SGD_FULL = FitConfig(
    optimizer="sgd", lr=0.1, batch_size=None, max_epochs=60, patience=None, dtype="float64"
)


def _regression(n=60, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, X @ np.linspace(1.0, -1.0, p) + 0.3 * rng.normal(size=n)


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


# -- early stopping ---------------------------------------------------------------------
def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    # 20 noisy rows and a wide net: the validation loss turns up, patience ends the run.
    X, y = _regression(n=20, p=6, seed=1)
    X_val, y_val = _regression(n=200, p=6, seed=2)
    snapshots = {}
    model = mlp(6, hidden=(64,), seed=0)

    def snapshot(epoch, logs):
        snapshots[epoch] = _weights(model)

    config = FitConfig(
        optimizer="adam",
        lr=1e-2,
        batch_size=None,
        max_epochs=2000,
        early_stopping=True,
        patience=10,
        tol=0.0,
    )
    result = fit(model, X, y, config=config, X_val=X_val, y_val=y_val, callbacks=[snapshot])

    assert result.stop_reason == "patience" and result.stopped_early and result.restored_best
    assert result.monitor == "val_loss"
    assert result.best_epoch == int(np.argmin(result.val_losses))
    assert result.epochs_run == result.best_epoch + 1 + config.patience
    assert all(
        torch.equal(a, b)
        for a, b in zip(_weights(model), snapshots[result.best_epoch], strict=True)
    )
    assert not all(
        torch.equal(a, b)
        for a, b in zip(_weights(model), snapshots[result.epochs_run - 1], strict=True)
    )
    # the reported final validation loss is that of the restored weights
    assert result.final_val_loss == pytest.approx(result.val_losses[result.best_epoch], rel=1e-6)
    assert result.final_val_loss == pytest.approx(
        evaluate(model, X_val, y_val, "half_mse"), rel=1e-6
    )


def test_without_validation_data_the_training_objective_decides_convergence():
    X, y = _regression()
    config = SGD_FULL.replace(max_epochs=10_000, patience=5, tol=1e-10)
    result = fit(mlp(4, hidden=(), seed=0), X, y, config=config)
    assert result.monitor == "train_loss" and result.stop_reason == "patience"
    assert result.epochs_run < 10_000 and not result.restored_best
    assert result.val_losses == [] and result.final_val_loss is None


def test_early_stopping_needs_validation_data():
    X, y = _regression()
    with pytest.raises(ValueError, match="X_val"):
        fit(mlp(4, hidden=(), seed=0), X, y, config=FitConfig(early_stopping=True))


def test_early_stopping_rule_is_improvement_beyond_tol():
    stopper = EarlyStopping(patience=2, tol=0.1)
    assert stopper.update(1.0, 0)
    assert not stopper.update(0.95, 1)  # within tol: no improvement
    assert not stopper.should_stop
    assert not stopper.update(float("nan"), 2)
    assert stopper.should_stop and stopper.best_epoch == 0


# -- sample weights -----------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [None, 16])
def test_sample_weight_of_all_twos_equals_no_weights(batch_size):
    X, y = _regression()
    config = SGD_FULL.replace(batch_size=batch_size, max_epochs=20)
    plain, weighted = mlp(4, hidden=(8,), seed=0), mlp(4, hidden=(8,), seed=0)
    r_plain = fit(plain, X, y, config=config)
    r_weighted = fit(weighted, X, y, config=config, sample_weight=np.full(len(y), 2.0))
    for a, b in zip(plain.parameters(), weighted.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-13)
    np.testing.assert_allclose(r_plain.train_losses, r_weighted.train_losses, rtol=1e-13)


def test_weight_zero_on_a_row_equals_dropping_it():
    X, y = _regression()
    keep = np.ones(len(y), dtype=bool)
    keep[[3, 17, 40]] = False
    weight = keep.astype(float)
    weight[keep] = np.linspace(0.5, 2.0, keep.sum())  # and any other weights carry over
    plan = nr.Plan({select.weights(): nr.ElasticNet(0.01, 0.01)})
    dropped, zeroed = mlp(4, hidden=(8,), seed=0), mlp(4, hidden=(8,), seed=0)
    r_dropped = fit(
        dropped, X[keep], y[keep], regularizer=plan, config=SGD_FULL, sample_weight=weight[keep]
    )
    r_zeroed = fit(zeroed, X, y, regularizer=plan, config=SGD_FULL, sample_weight=weight)
    for a, b in zip(dropped.parameters(), zeroed.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert r_zeroed.final_train_loss == pytest.approx(r_dropped.final_train_loss, rel=1e-12)


def test_the_weighted_loss_is_the_weighted_mean_of_row_losses():
    X, y = _regression()
    w = np.random.default_rng(3).uniform(0, 3, size=len(y))
    model = mlp(4, hidden=(), seed=0, dtype=torch.float64)
    residual = model(torch.from_numpy(X)).detach().numpy()[:, 0] - y
    expected = np.sum(w * 0.5 * residual**2) / np.sum(w)
    assert evaluate(model, X, y, "half_mse", sample_weight=w) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("weight", "match"),
    [
        (-np.ones(60), ">= 0"),
        (np.zeros(60), "positive sum"),
        (np.ones(59), "shape"),
        (np.full(60, np.nan), "NaN"),
    ],
)
def test_bad_sample_weights_are_refused(weight, match):
    X, y = _regression()
    with pytest.raises(ValueError, match=match):
        fit(mlp(4, hidden=(), seed=0), X, y, sample_weight=weight)


# -- interrupts, exceptions, callbacks ----------------------------------------------------------
def _track_handles(monkeypatch):
    handles = []
    original = Regularizer.attach

    def attach(self, optimizer, *, step="auto"):
        handle = original(self, optimizer, step=step)
        handles.append(handle)
        return handle

    monkeypatch.setattr(Regularizer, "attach", attach)
    return handles


def _is_attached(handle) -> bool:
    return handle.active


def test_keyboard_interrupt_stops_cleanly_restores_best_and_detaches(monkeypatch):
    handles = _track_handles(monkeypatch)
    X, y = _regression()
    model = mlp(4, hidden=(8,), seed=0)
    reg = nr.Plan({select.weights(nn.Linear): nr.L1(1e-3)}).bind(model)
    seen = {}

    def interrupt(epoch, logs):
        seen[epoch] = _weights(model)
        assert _is_attached(handles[0])  # attached while training
        if epoch == 6:
            raise KeyboardInterrupt

    config = FitConfig(
        optimizer="adam", lr=1e-2, batch_size=16, max_epochs=50, early_stopping=True, patience=None
    )
    result = fit(
        model, X, y, regularizer=reg, config=config, X_val=X, y_val=y, callbacks=[interrupt]
    )
    assert result.interrupted and result.stop_reason == "interrupted" and result.epochs_run == 7
    assert result.restored_best
    assert all(
        torch.equal(a, b) for a, b in zip(_weights(model), seen[result.best_epoch], strict=True)
    )
    assert not _is_attached(handles[0])


def test_the_regularizer_is_detached_even_when_training_fails(monkeypatch):
    handles = _track_handles(monkeypatch)
    X, y = _regression()
    model = mlp(4, hidden=(8,), seed=0)

    def boom(epoch, logs):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fit(model, X, y, regularizer=nr.Plan({select.weights(): nr.L1(1e-3)}), callbacks=[boom])
    assert len(handles) == 1 and not _is_attached(handles[0])


def test_a_callback_returning_true_stops_training_and_gets_python_floats():
    X, y = _regression()
    logs_seen = []

    def stop_at_three(epoch, logs):
        logs_seen.append(logs)
        return epoch == 2

    result = fit(
        mlp(4, hidden=(), seed=0),
        X,
        y,
        config=SGD_FULL,
        X_val=X,
        y_val=y,
        callbacks=[stop_at_three],
    )
    assert result.stop_reason == "callback" and result.epochs_run == 3
    assert all(type(v) is float for logs in logs_seen for v in logs.values())
    assert set(logs_seen[0]) == {"train_loss", "val_loss"}


def test_a_diverging_run_stops_with_a_warning():
    X, y = _regression()
    with pytest.warns(RuntimeWarning, match="training loss is"):
        result = fit(
            mlp(4, hidden=(), seed=0), X * 1e3, y, config=SGD_FULL.replace(lr=10.0, max_epochs=500)
        )
    # It explodes before it overflows: stopped as soon as the loss is 10^4 times its start.
    assert result.stop_reason in ("diverged", "non_finite_loss") and result.diverged


# -- what fit reports ---------------------------------------------------------------------------
def test_train_losses_are_the_objective_including_prox_penalties():
    """Full batch: train_losses[e] is data loss + penalty at the weights before step e."""
    X, y = _regression()
    model = mlp(4, hidden=(), seed=0, dtype=torch.float64)
    before = copy.deepcopy(model)
    plan = nr.Plan({select.weights(): nr.L1(0.05)})
    result = fit(model, X, y, regularizer=plan, config=SGD_FULL.replace(max_epochs=2))
    expected = evaluate(before, X, y, "half_mse") + 0.05 * float(
        before[0].weight.detach().abs().sum()
    )
    assert result.train_losses[0] == pytest.approx(expected, rel=1e-12)
    assert result.train_losses[1] < result.train_losses[0]
    assert result.final_objective == pytest.approx(result.final_train_loss + result.final_penalty)
    assert result.final_penalty == pytest.approx(
        0.05 * float(model[0].weight.detach().abs().sum()), rel=1e-12
    )


def test_the_regularizer_must_belong_to_the_model_and_plans_are_bound():
    X, y = _regression()
    other = mlp(4, hidden=(), seed=0)
    reg = nr.Plan({select.weights(): nr.L1(0.1)}).bind(other)
    with pytest.raises(ValueError, match="different model"):
        fit(mlp(4, hidden=(), seed=0), X, y, regularizer=reg)
    with pytest.raises(TypeError, match="Plan or Regularizer"):
        fit(mlp(4, hidden=(), seed=0), X, y, regularizer=nr.L1(0.1))


def test_prox_mode_makes_exact_zeros_and_loss_mode_does_not():
    X, y = _regression(p=8)
    y = X[:, 0]  # only the first feature matters
    config = SGD_FULL.replace(max_epochs=400)
    prox_model, loss_model = mlp(8, hidden=(), seed=0), mlp(8, hidden=(), seed=0)
    fit(prox_model, X, y, regularizer=nr.Plan({select.weights(): nr.L1(0.05)}), config=config)
    fit(
        loss_model,
        X,
        y,
        regularizer=nr.Plan({select.weights(): nr.L1(0.05)}, mode="loss"),
        config=config,
    )
    assert int((prox_model[0].weight == 0).sum()) >= 5
    assert int((loss_model[0].weight == 0).sum()) == 0


def test_the_model_is_cast_to_the_config_dtype_and_keeps_its_mode():
    X, y = _regression()
    model = mlp(4, hidden=(3,), dropout=0.1, seed=0).eval()
    fit(model, X, y, config=FitConfig(max_epochs=1, dtype="float64"))
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert not model.training
