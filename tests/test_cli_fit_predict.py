"""``netreg fit --save`` / ``netreg predict``: safetensors in, no pickle ever; plus prune,
advise and lab on the command line."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import save_file

from netreg.compare import load_model
from tests.test_cli_support import (
    assert_user_error,
    invoke,
    regression_table,
    tiny_config,
    write_csv,
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fit")
    df = regression_table(n=80, p=4, seed=3)
    df["color"] = ["red", "green", "blue", "red"] * 20
    data = write_csv(folder, df)
    model = folder / "model.safetensors"
    result = invoke(
        "fit", data, "-t", "y", "--penalty", "group", "--alpha", "0.05", "--save", model,
        "--json", folder / "fit.json", "-c", tiny_config(folder), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return folder, df, model


def test_fit_reports_and_saves(saved):
    folder, _, model = saved
    doc = json.loads((folder / "fit.json").read_text(encoding="utf-8"))
    assert doc["params"]["alpha"] == 0.05 and doc["params"]["penalty"] == "group"
    assert set(doc["selected_inputs"]) <= {"x0", "x1", "x2", "x3", "color"}
    assert model.read_bytes()[8:9] == b"{"  # a safetensors header, not a pickle or a zip


def test_predict_matches_the_trained_network(saved, tmp_path):
    folder, df, model = saved
    new = df.drop(columns="y").head(7)
    data = write_csv(tmp_path, new, "new.csv")
    out = tmp_path / "pred.csv"
    result = invoke("predict", model, data, "--out", out)
    assert result.exit_code == 0, result.stderr
    predictions = pd.read_csv(out)["prediction"].to_numpy()
    loaded = load_model(model)
    X = torch.from_numpy(loaded.encoder.transform(new))
    with torch.no_grad():
        raw = loaded.model(X).numpy().ravel()
    assert np.allclose(predictions, loaded.y_mean + loaded.y_scale * raw)
    # The target column, when present, is ignored.
    again = invoke("predict", model, folder / "data.csv")
    assert again.exit_code == 0 and again.stdout.count("\n") == len(df) + 1


def test_a_pickle_is_refused_and_never_loaded(saved, tmp_path):
    _, df, _ = saved

    class Boom:
        def __reduce__(self):
            return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))

    evil = tmp_path / "evil.safetensors"
    evil.write_bytes(pickle.dumps(Boom()))
    data = write_csv(tmp_path, df.drop(columns="y"), "new.csv")
    assert_user_error(invoke("predict", evil, data), "not a safetensors file", "never unpickled")
    assert not (tmp_path / "PWNED").exists()


def test_a_torch_save_file_is_refused(saved, tmp_path):
    _, df, _ = saved
    path = tmp_path / "torch.safetensors"
    torch.save({"0.weight": torch.zeros(2, 2)}, path)
    data = write_csv(tmp_path, df.drop(columns="y"), "new.csv")
    assert_user_error(invoke("predict", path, data), "not a safetensors file")


def test_truncated_and_foreign_files_are_refused(saved, tmp_path):
    _, df, model = saved
    data = write_csv(tmp_path, df.drop(columns="y"), "new.csv")
    truncated = tmp_path / "cut.safetensors"
    truncated.write_bytes(model.read_bytes()[:200])
    assert_user_error(invoke("predict", truncated, data), "not a safetensors file")
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(3)}, str(foreign))
    assert_user_error(invoke("predict", foreign, data), "not a netreg checkpoint")


def test_different_columns_are_named(saved, tmp_path):
    _, df, model = saved
    data = write_csv(tmp_path, df.drop(columns=["y", "x2"]), "new.csv")
    assert_user_error(invoke("predict", model, data), "missing 'x2'")


def test_missing_model_and_bad_out(saved, tmp_path):
    _, df, model = saved
    data = write_csv(tmp_path, df.drop(columns="y"), "new.csv")
    assert_user_error(invoke("predict", tmp_path / "none.safetensors", data), "No checkpoint")
    assert_user_error(invoke("predict", model, data, "--out", tmp_path / "p.txt"), ".csv")
    result = invoke("predict", model, data, "--out", tmp_path / "no" / "p.csv")
    assert_user_error(result, "does not exist")


def test_fit_refuses_to_overwrite_and_checks_the_folder_first(saved, tmp_path):
    folder, _, model = saved
    before = model.read_bytes()
    result = invoke("fit", folder / "data.csv", "-t", "y", "--save", model)
    assert_user_error(result, "already exists", "--force")
    assert model.read_bytes() == before
    result = invoke(
        "fit", folder / "data.csv", "-t", "y", "--save", tmp_path / "no" / "m.safetensors"
    )
    assert_user_error(result, "does not exist")


def test_fit_chooses_alpha_by_cv_and_classifies(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(label=np.where(X[:, 0] > 0, "yes", "no"))
    data = write_csv(tmp_path, df)
    model = tmp_path / "m.safetensors"
    result = invoke(
        "fit", data, "-t", "label", "--penalty", "l1", "--save", model,
        "-c", tiny_config(tmp_path), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "3-fold CV, 1se rule" in result.stdout
    out = invoke("predict", model, data)
    predictions = pd.read_csv(__import__("io").StringIO(out.stdout))
    assert set(predictions["prediction"]) <= {"no", "yes"}
    assert np.allclose(predictions[["proba_no", "proba_yes"]].sum(axis=1), 1.0)
    assert (predictions["prediction"] == df["label"]).mean() > 0.8


def test_prune_writes_a_smaller_model(saved, tmp_path):
    _, _, model = saved
    result = invoke("prune", model, "--out", tmp_path / "small")
    assert result.exit_code == 0, result.stderr
    assert "parameters:" in result.stdout
    assert {p.name for p in (tmp_path / "small").iterdir()} >= {"model.safetensors", "config.json"}
    assert_user_error(invoke("prune", model, "--out", tmp_path / "small"), "already exists")


def test_advise_prints_a_recommendation(tmp_path):
    data = write_csv(tmp_path, regression_table(n=80, p=4))
    result = invoke("advise", data, "-t", "y", "--json", tmp_path / "a.json")
    assert result.exit_code == 0, result.stderr
    assert "Recommendation:" in result.stdout
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert doc["recommendation"]["family"] in {"l1", "l2", "elasticnet", "group", "none"}
    assert_user_error(invoke("advise", data, "-t", "nope"), "'nope' not found")


def test_lab_lists_and_runs_a_claim(tmp_path):
    listed = invoke("lab", "--list")
    assert listed.exit_code == 0 and "l1-norm-examples" in listed.stdout
    result = invoke(
        "lab", "l1-norm-examples", "--report", tmp_path / "lab.html", "--json", tmp_path / "lab.json", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "lab.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in doc["claims"]] == ["l1-norm-examples"]
    assert "l1-norm-examples" in (tmp_path / "lab.html").read_text(encoding="utf-8")
    assert_user_error(invoke("lab", "no-such-claim"), "no-such-claim")
