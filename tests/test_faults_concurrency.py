"""Two writers, one model file: ``save_model`` publishes like the JSON and the reports, so a
file another process wrote meanwhile is never clobbered (without force), and model files get
the umask's permissions or keep an overwritten file's own."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest

import netreg.compare.saved as saved_module
from netreg.compare import fit_table, load_model, save_model
from netreg.train import mlp, save_checkpoint


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    return fit_table(X, X["a"], task="regression", target="y", alpha=0.0, budget="quick")


def test_a_file_written_by_another_process_meanwhile_is_not_clobbered(
    fitted, tmp_path, monkeypatch
):
    target = tmp_path / "model.safetensors"
    serialize = saved_module.checkpoint_bytes

    def other_process_publishes_first(*args, **kwargs):
        payload = serialize(*args, **kwargs)
        target.write_bytes(b"the other process's model")  # after our existence check
        return payload

    monkeypatch.setattr(saved_module, "checkpoint_bytes", other_process_publishes_first)
    with pytest.raises(FileExistsError, match="--force"):
        save_model(target, fitted)
    assert target.read_bytes() == b"the other process's model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]  # no temp file


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_model_file_follows_the_umask(fitted, tmp_path, umask_027):
    path = save_model(tmp_path / "model.safetensors", fitted)
    assert _mode(path) == 0o640
    assert load_model(path).task == "regression"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_force_keeps_the_mode_of_the_file_it_replaces(fitted, tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)
    save_model(path, fitted, force=True)
    assert _mode(path) == 0o644 and load_model(path).task == "regression"
    checkpoint = tmp_path / "ckpt.safetensors"
    checkpoint.write_bytes(b"old")
    os.chmod(checkpoint, 0o604)
    save_checkpoint(checkpoint, mlp(2, hidden=(), seed=0))
    assert _mode(checkpoint) == 0o604
