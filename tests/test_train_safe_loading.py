"""RELIABILITY row 22: checkpoints are safetensors; nothing is ever unpickled."""

from __future__ import annotations

import io
import pathlib
import pickle
import re

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

import netreg.train
from netreg.train import FitConfig, fit, load_checkpoint, mlp, save_checkpoint

PWNED = {"flag": False}


def _set_flag():
    PWNED["flag"] = True
    return "pwned"


class _Exploit:
    """Unpickling this object calls _set_flag: what a hostile checkpoint would do."""

    def __reduce__(self):
        return (_set_flag, ())


@pytest.fixture(autouse=True)
def _reset_flag():
    PWNED["flag"] = False
    yield
    PWNED["flag"] = False


def _hostile_files(tmp_path: pathlib.Path) -> dict[str, pathlib.Path]:
    files = {}
    files["pickle"] = tmp_path / "pickle.safetensors"
    files["pickle"].write_bytes(pickle.dumps({"model": _Exploit()}))
    buffer = io.BytesIO()
    torch.save({"model": _Exploit()}, buffer)  # the zip format of torch.save, with a payload
    files["torch_save"] = tmp_path / "torch_save.pt"
    files["torch_save"].write_bytes(buffer.getvalue())
    files["foreign_safetensors"] = tmp_path / "foreign.safetensors"
    save_file({"0.weight": torch.zeros(2, 3)}, str(files["foreign_safetensors"]))
    files["garbage"] = tmp_path / "garbage.bin"
    files["garbage"].write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{not json")
    files["empty"] = tmp_path / "empty.safetensors"
    files["empty"].write_bytes(b"")
    return files


def test_the_exploit_really_fires_when_unpickled(tmp_path):
    """Control: the payload is live, so the refusals below mean something."""
    path = _hostile_files(tmp_path)["pickle"]
    pickle.loads(path.read_bytes())
    assert PWNED["flag"]


@pytest.mark.parametrize(
    "kind", ["pickle", "torch_save", "foreign_safetensors", "garbage", "empty"]
)
def test_hostile_or_foreign_files_are_refused_without_unpickling(tmp_path, kind):
    path = _hostile_files(tmp_path)[kind]
    model = mlp(3, hidden=(2,), seed=0)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="not a"):
        load_checkpoint(path, model)
    assert not PWNED["flag"]
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_fit_refuses_to_resume_from_a_pickle(tmp_path):
    path = _hostile_files(tmp_path)["pickle"]
    X = np.zeros((8, 3))
    with pytest.raises(ValueError, match="never unpickled"):
        fit(
            mlp(3, hidden=(), seed=0),
            X,
            X[:, 0],
            config=FitConfig(max_epochs=1),
            checkpoint=path,
            resume=True,
        )
    assert not PWNED["flag"]


def test_a_truncated_checkpoint_is_refused(tmp_path):
    path = save_checkpoint(
        tmp_path / "c.safetensors", mlp(3, hidden=(4,), seed=0), extra={"epoch": 1}
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a safetensors file"):
        load_checkpoint(path, mlp(3, hidden=(4,), seed=0))


def test_the_checkpoint_file_is_plain_safetensors_with_json_metadata(tmp_path):
    from safetensors import safe_open

    path = save_checkpoint(
        tmp_path / "c.safetensors", mlp(3, hidden=(4,), seed=0), extra={"epoch": 2}
    )
    with safe_open(str(path), framework="pt") as handle:
        assert set(handle.keys()) == {
            "model/0.weight",
            "model/0.bias",
            "model/2.weight",
            "model/2.bias",
        }
        assert '"epoch": 2' in handle.metadata()["netreg"]


def test_the_train_package_never_pickles_nor_calls_torch_load():
    """The law behind the tests above, on the source: no pickle, no bare torch.load."""
    folder = pathlib.Path(netreg.train.__file__).parent
    for source in folder.glob("*.py"):
        text = source.read_text()
        assert not re.search(
            r"^\s*(import pickle|from pickle|import dill|import cloudpickle)", text, re.M
        ), source.name
        for call in re.finditer(r"torch\.load\(([^)]*)\)", text):
            assert "weights_only=True" in call.group(1), source.name
