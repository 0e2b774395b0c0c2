"""Tampered model files are refused with one ValueError, before anything is allocated:
metadata is checked against a schema and against the tensors' shapes and dtypes."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from netreg.compare import fit_table, load_model, save_model
from netreg.train import mlp, read_checkpoint
from netreg.train.models import mlp_state_shapes
from tests.test_cli_support import invoke, write_csv


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    fitted = fit_table(
        X, 2 * X["a"], task="regression", target="y", penalty="l1", alpha=0.01, budget="quick"
    )
    path = save_model(folder / "good.safetensors", fitted)
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    return folder, path, json.loads(metadata["netreg"]), tensors, X


def _tampered(saved, name, config=None, tensors=None, metadata=None):
    folder, _, document, original, _ = saved
    document = json.loads(json.dumps(document))
    if config is not None:
        config(document["extra"]["netreg_model"])
    weights = dict(original)
    if tensors is not None:
        tensors(weights)
    path = folder / f"{name}.safetensors"
    save_file(weights, str(path), metadata=metadata or {"netreg": json.dumps(document)})
    return path


def _set(key, value, where=None):
    def change(config):
        (config if where is None else config[where])[key] = value

    return change


def _weight(key, change):
    return lambda tensors: tensors.__setitem__(key, change(tensors[key]))


CASES = {
    "huge_width": (_set("hidden", [10**9], "architecture"), None, "does not match its weights"),
    "many_layers": (_set("hidden", [4] * 100_000, "architecture"), None, "at most 64"),
    "width_as_text": (_set("hidden", ["16"], "architecture"), None, "must be an integer"),
    "list_scale": (_set("y_scale", [1.0]), None, "y_scale"),
    "dict_mean": (_set("y_mean", {"a": 1}), None, "y_mean"),
    "nan_scale": (_set("y_scale", float("nan")), None, "y_scale"),
    "zero_scale": (_set("y_scale", 0.0), None, "y_scale"),
    "bad_task": (_set("task", "ranking"), None, "task"),
    "bad_activation": (_set("activation", "os.system", "architecture"), None, "activation"),
    "nan_weight": (None, _weight("model/0.weight", lambda t: t * float("nan")), "NaN"),
    "int_weights": (None, lambda ts: ts.update({k: v.long() for k, v in ts.items()}), "int64"),
    "one_half": (None, _weight("model/0.bias", lambda t: t.half()), "float16"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_tampered_model_is_refused_quickly_by_name(saved, case):
    config, tensors, words = CASES[case]
    path = _tampered(saved, case, config, tensors)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words):
        load_model(path)
    assert time.perf_counter() - start < 2.0  # refused before any network is built


@pytest.mark.parametrize("depth", [100, 50_000])
def test_deeply_nested_metadata_is_refused(saved, depth):
    folder, _, document, tensors, _ = saved
    document = {**document, "extra": {**document["extra"], "junk": "X"}}
    text = json.dumps(document).replace('"X"', "[" * depth + "]" * depth)
    path = folder / f"deep{depth}.safetensors"
    save_file(dict(tensors), str(path), metadata={"netreg": text})
    with pytest.raises(ValueError, match=r"nested|not a netreg checkpoint"):
        read_checkpoint(path)
    with pytest.raises(ValueError):
        load_model(path)


def test_the_untampered_model_loads_and_predicts(saved):
    _, path, _, _, X = saved
    predictions = load_model(path).predict_frame(X)["prediction"].to_numpy()
    assert np.isfinite(predictions).all() and len(predictions) == len(X)


def test_predict_with_a_tampered_model_exits_2_with_one_line(saved, tmp_path):
    path = _tampered(saved, "cli_huge", _set("hidden", [5 * 10**7], "architecture"))
    data = write_csv(tmp_path, saved[4])
    result = invoke("predict", path, data)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("hidden", "activation", "dropout"),
    [((), "relu", 0.0), ((5, 3), "identity", 0.2), ((4,), "tanh", 0.1)],
)
def test_mlp_state_shapes_names_what_mlp_builds(hidden, activation, dropout):
    model = mlp(6, hidden=hidden, n_outputs=2, activation=activation, dropout=dropout, seed=0)
    built = {key: tuple(t.shape) for key, t in model.state_dict().items()}
    architecture = {"n_inputs": 6, "hidden": hidden, "n_outputs": 2}
    assert built == mlp_state_shapes({**architecture, "activation": activation, "dropout": dropout})
    assert torch.is_tensor(next(iter(model.state_dict().values())))
