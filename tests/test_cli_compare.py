"""``netreg compare`` and ``netreg path`` end to end on a small table with a tiny budget."""

from __future__ import annotations

import base64
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from netreg.compare import METHODS, SECTIONS
from tests.test_cli_support import (
    assert_user_error,
    invoke,
    regression_table,
    tiny_config,
    write_csv,
)

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One comparison of all seven methods; its folder, the CLI result, JSON and HTML."""
    folder = tmp_path_factory.mktemp("compare")
    df = regression_table(n=80, p=4, seed=1)
    df[HOSTILE] = np.random.default_rng(2).normal(size=len(df))
    df["color"] = ["red", "green", "blue", "red"] * 20
    df["constant"] = 1.0
    data = write_csv(folder, df)
    result = invoke(
        "compare", data, "--target", "y", "--config", tiny_config(folder),
        "--report", folder / "report.html", "--json", folder / "results.json", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr + result.stdout
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    html = (folder / "report.html").read_text(encoding="utf-8")
    return folder, result, document, html


def test_prints_one_table_with_every_method(run):
    _, result, _, _ = run
    for method in METHODS.values():
        assert method.label in result.stdout
    for column in (
        "test MSE",
        "CV MSE ± SE",
        "nonzero weights",
        "selected inputs",
        "train–test gap",
    ):
        assert column in result.stdout


def test_json_has_the_documented_fields(run):
    _, _, doc, _ = run
    assert doc["schema"] == "netreg.compare" and doc["version"] == 1
    assert doc["task"] == "regression" and doc["primary_metric"] == "mse"
    assert [m["name"] for m in doc["methods"]] == list(METHODS)
    assert doc["best_method"] in METHODS
    inputs = doc["data"]["input_columns"]
    assert HOSTILE in inputs and "constant" not in inputs
    assert doc["data"]["dropped_constant"] == ["constant"]
    assert "color=red" in doc["data"]["encoded_columns"]
    for m in doc["methods"]:
        assert set(m["strengths"]) == {"alpha", "l1_ratio", "dropout", "max_norm"}
        assert math.isfinite(m["test_metric"]) and m["test_metric"] == m["test"]["mse"]
        assert 0 <= m["nonzero_weights"] <= m["total_weights"]
        assert set(m["selected_inputs"]) <= set(inputs)
        assert m["n_selected_inputs"] == len(m["selected_inputs"])
        assert m["nonzero_weights"] == sum(layer["nonzero"] for layer in m["layers"])
        assert m["train_test_gap"] == pytest.approx(m["test"]["mse"] - m["train"]["mse"])
        cv = m["cv"]
        assert cv["values"] == sorted(cv["values"], reverse=True)
        assert cv["error_at_choice"] == pytest.approx(cv["mean"][cv["chosen_index"]])
        assert cv["se_at_choice"] == pytest.approx(cv["se"][cv["chosen_index"]])
        # 1-SE rule: the chosen value is the LARGEST one within one SE of the minimum.
        best = int(np.argmin(cv["mean"]))
        within = [
            v
            for v, e in zip(cv["values"], cv["mean"], strict=True)
            if e <= cv["mean"][best] + cv["se"][best]
        ]
        assert cv["value_1se"] == max(within)
        assert cv["n_folds"] == 3


def test_json_strengths_match_each_method(run):
    _, _, doc, _ = run
    by_name = {m["name"]: m for m in doc["methods"]}
    for name in ("l1", "l2", "elasticnet", "group"):
        assert by_name[name]["strengths"]["alpha"] == by_name[name]["cv"]["value_1se"] > 0
    assert by_name["elasticnet"]["strengths"]["l1_ratio"] == 0.5
    for name in ("dropout", "maxnorm"):
        assert by_name[name]["strengths"]["dropout"] in (0.1, 0.3)
        assert by_name[name]["strengths"]["alpha"] is None
    assert by_name["maxnorm"]["strengths"]["max_norm"] == 3.0
    assert by_name["none"]["cv"]["parameter"] is None


def test_json_is_strict(run):
    folder, _, _, _ = run
    text = (folder / "results.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text


def test_report_has_every_section_and_decodable_images(run):
    _, _, _, html = run
    for title in SECTIONS:
        assert f">{title}</h2>" in html
    sources = [s.split('"')[0] for s in html.split('src="')[1:]]
    assert len(sources) >= 15
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()


def test_report_escapes_the_hostile_column(run):
    _, _, _, html = run
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_temporary_files_are_left(run):
    folder, _, _, _ = run
    assert sorted(p.name for p in folder.iterdir()) == [
        "data.csv", "report.html", "results.json", "tiny.toml",
    ]  # fmt: skip


def test_existing_outputs_are_replaced_only_with_force(run, tmp_path):
    folder, _, _, _ = run
    before = (folder / "results.json").read_bytes()
    again = invoke(
        "compare", folder / "data.csv", "-t", "y", "-c", folder / "tiny.toml",
        "--json", folder / "results.json", "--methods", "none", "-q",
    )  # fmt: skip
    assert_user_error(again, "already exists", "--force")
    assert (folder / "results.json").read_bytes() == before


def test_path_prints_the_whole_curve(tmp_path):
    data = write_csv(tmp_path, regression_table(n=60, p=3))
    result = invoke(
        "path", data, "-t", "y", "--penalty", "l1", "-c", tiny_config(tmp_path),
        "--json", tmp_path / "p.json", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "1se" in result.stdout and "Chosen α" in result.stdout
    doc = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in doc["methods"]] == ["l1"]
    n_rows = sum(1 for line in result.stdout.splitlines() if line.startswith("│"))
    assert n_rows == len(doc["methods"][0]["cv"]["values"])


def test_command_line_wins_over_the_config(tmp_path):
    data = write_csv(tmp_path, regression_table(n=60, p=3))
    config = tiny_config(tmp_path, "\n[compare]\nmethods = ['none', 'l1']\n")
    result = invoke(
        "compare", data, "-t", "y", "-c", config, "--folds", "2", "--methods", "none",
        "--json", tmp_path / "o.json", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in doc["methods"]] == ["none"]
    assert doc["settings"]["folds"] == 2
    assert doc["settings"]["budget"]["hidden"] == [8]  # from the config


def test_classification_with_text_labels(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    labels = np.array(["cat", "dog", "eel"])[
        np.digitize(X[:, 0] + 0.3 * rng.normal(size=90), [-0.5, 0.5])
    ]
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(animal=labels)
    result = invoke(
        "compare", write_csv(tmp_path, df), "-t", "animal", "-c", tiny_config(tmp_path),
        "--methods", "none,l1,dropout", "--json", tmp_path / "c.json", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert doc["task"] == "classification" and doc["primary_metric"] == "log_loss"
    assert doc["data"]["classes"] == ["cat", "dog", "eel"]
    for m in doc["methods"]:
        assert 0.0 <= m["test"]["accuracy"] <= 1.0 and m["test"]["log_loss"] > 0


def test_impute_is_the_way_out_of_missing_values(tmp_path):
    df = regression_table(n=60, p=3)
    df.loc[[1, 5], "x2"] = np.nan
    data = write_csv(tmp_path, df)
    config = tiny_config(tmp_path)
    assert_user_error(
        invoke("compare", data, "-t", "y", "-c", config, "--methods", "none"), "--impute"
    )
    result = invoke(
        "compare", data, "-t", "y", "-c", config, "--methods", "none", "--impute", "median", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_nothing_is_written_when_the_report_fails(tmp_path, monkeypatch):
    """The JSON is ready before the report fails, yet neither file appears."""
    import netreg.compare as compare_cmd  # the command imports the library when it runs

    def broken(*args, **kwargs):
        raise ValueError("report could not be built")

    monkeypatch.setattr(compare_cmd, "build_report", broken)
    data = write_csv(tmp_path, regression_table(n=60, p=3))
    result = invoke(
        "compare", data, "-t", "y", "-c", tiny_config(tmp_path), "--methods", "none",
        "--json", tmp_path / "o.json", "--report", tmp_path / "o.html", "-q",
    )  # fmt: skip
    assert_user_error(result, "report could not be built")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "tiny.toml"]


def test_interrupt_writes_nothing(tmp_path, monkeypatch):
    import netreg.compare as compare_cmd  # the command imports the library when it runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_cmd, "compare_methods", interrupted)
    data = write_csv(tmp_path, regression_table(n=60, p=3))
    result = invoke("compare", data, "-t", "y", "--json", tmp_path / "o.json", "-q")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o.json").exists()


@pytest.mark.slow
def test_demo_writes_its_report_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "netreg-demo.html").stat().st_size > 100_000
    doc = json.loads((tmp_path / "netreg-demo.json").read_text(encoding="utf-8"))
    assert len(doc["methods"]) == 7 and doc["data"]["target"] == "target"
    again = invoke("demo", "--quiet")  # its own outputs are replaced without --force
    assert again.exit_code == 0, again.stderr
