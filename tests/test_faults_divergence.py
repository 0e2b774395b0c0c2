"""Divergence: fit() stops when the loss explodes or turns NaN, says so, and the CLI never
publishes a blown-up model silently."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from netreg.train import DIVERGENCE_FACTOR, DivergenceWarning, FitConfig, fit, mlp
from tests.test_cli_support import invoke, regression_table, write_csv


def _data(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 4, generator=g, dtype=torch.float64)
    return X, X[:, 0] - X[:, 1]


def test_an_exploding_loss_stops_fit_with_stop_reason_diverged():
    X, y = _data()
    config = FitConfig(optimizer="sgd", lr=5.0, batch_size=None, max_epochs=200)
    with pytest.warns(DivergenceWarning, match="diverged"):
        result = fit(mlp(4, hidden=(), seed=0), X, y, config=config)
    assert result.stop_reason in ("diverged", "non_finite_loss") and result.diverged
    assert result.epochs_run < 200
    finite = [v for v in result.train_losses if np.isfinite(v)]
    assert max(finite) > DIVERGENCE_FACTOR * 1e-3 or len(finite) < len(result.train_losses)


def test_a_learning_run_is_not_called_diverged():
    X, y = _data()
    config = FitConfig(optimizer="sgd", lr=0.1, batch_size=None, max_epochs=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        result = fit(mlp(4, hidden=(), seed=0), X, y, config=config)
    assert result.stop_reason in ("max_epochs", "patience") and not result.diverged


def _huge_lr(folder):
    path = folder / "lr.toml"
    path.write_text("[model]\nlr = 1000000.0\nmax_epochs = 30\nhidden = [8]\n", encoding="utf-8")
    return path


def test_cli_fit_refuses_to_save_a_diverged_model(tmp_path):
    data = write_csv(tmp_path, regression_table(n=60, p=3, seed=1))
    model, report = tmp_path / "m.safetensors", tmp_path / "fit.json"
    result = invoke(
        "fit", data, "-t", "y", "--alpha", "0", "-c", _huge_lr(tmp_path), "-q",
        "--save", model, "--json", report,
    )  # fmt: skip
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "diverged" in result.stderr
    assert not model.exists() and not report.exists()


def test_cli_compare_says_when_fits_diverged(tmp_path):
    data = write_csv(tmp_path, regression_table(n=60, p=3, seed=1))
    out = tmp_path / "c.json"
    result = invoke(
        "compare", data, "-t", "y", "--methods", "none", "--folds", "2", "-c",
        _huge_lr(tmp_path), "-q", "--json", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert any(
        line.startswith("warning: ") and "diverged" in line for line in result.stderr.splitlines()
    )
    assert json.loads(out.read_text(encoding="utf-8"))["methods"]
