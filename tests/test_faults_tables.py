"""Tables and outputs: huge values are named, output folders are checked before the work,
a bad command line is one line, predict checks the header first and says when categorical
labels were never seen in training."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netreg.data import DataError, prepare_table, read_columns
from tests.test_cli_support import (
    assert_user_error,
    invoke,
    regression_table,
    tiny_config,
    write_csv,
)

SRC = Path(__file__).resolve().parents[1] / "src"


def test_values_too_large_to_standardize_are_named_by_column():
    df = pd.DataFrame(
        {"a": [1e308, 1.5e308, 2.0, 3.0], "b": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]}
    )
    with pytest.raises(DataError, match=r"too large in column\(s\) 'a'"):
        prepare_table(df, "y")
    with pytest.raises(DataError, match=r"Target: Values too large.*'y'"):
        prepare_table(df.assign(a=[1.0, 2.0, 3.0, 4.0], y=[1e300, 1.0, 2.0, 3.0]), "y")


def test_large_but_safe_values_still_pass():
    df = pd.DataFrame({"a": [1e100, -1e100, 2.0, 3.0], "y": [1.0, 2.0, 3.0, 4.0]})
    assert prepare_table(df, "y").X_frame.shape == (4, 1)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_output_folder_is_refused_before_training(tmp_path):
    data = write_csv(tmp_path, regression_table(n=30, p=2))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = invoke("fit", data, "-t", "y", "--alpha", "0", "--save", locked / "m.safetensors")
    finally:
        locked.chmod(0o755)
    assert_user_error(result, "not writable", "--save")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, unwritable even by root")
def test_an_unwritable_output_folder_is_refused_before_reading_the_data(tmp_path, monkeypatch):
    import netreg.cli.fit_cmd as fit_cmd

    monkeypatch.setattr(fit_cmd, "load_table", lambda *a, **k: pytest.fail("work before checks"))
    result = invoke("fit", tmp_path / "data.csv", "-t", "y", "--json", "/proc/netreg-fit.json")
    assert_user_error(result, "not writable", "--json")


def _real_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-c", "from netreg.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_a_file_name_starting_with_a_dash_gets_one_line_with_the_hint(tmp_path):
    result = _real_cli("fit", "-data.csv", "-t", "y", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "--" in result.stderr and "Usage" not in result.stderr
    missing = _real_cli("fit", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.startswith("error: Missing argument")
    assert len(missing.stderr.splitlines()) == 1


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    df = regression_table(n=60, p=2, seed=2)
    df["color"] = ["red", "green", "blue"] * 20
    path = folder / "m.safetensors"
    result = invoke(
        "fit", write_csv(folder, df), "-t", "y", "--alpha", "0.01", "--save", path,
        "-c", tiny_config(folder), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return path, df


def test_predict_refuses_wrong_columns_from_the_header_alone(model, tmp_path, monkeypatch):
    path, df = model
    data = write_csv(tmp_path, df.rename(columns={"x0": "z0"}), "new.csv")
    assert "z0" in read_columns(data)
    import netreg.data

    def never(*args, **kwargs):  # the data itself must not be read
        raise AssertionError("read_table called before the columns were checked")

    monkeypatch.setattr(netreg.data, "read_table", never)  # predict imports it when it runs
    assert_user_error(invoke("predict", path, data), "missing", "'x0'", "unexpected", "'z0'")


def test_predict_warns_per_column_about_labels_never_seen(model, tmp_path):
    path, df = model
    new = df.drop(columns="y").head(6).assign(color=[1, 2, 3, 1, 2, "red"])
    data = write_csv(tmp_path, new, "new.csv")
    result = invoke("predict", path, data)
    assert result.exit_code == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert "'color'" in line and "5 of 6 rows" in line
    assert np.isfinite(pd.read_csv(pd.io.common.StringIO(result.stdout))["prediction"]).all()


def test_a_text_column_with_thousands_of_labels_is_capped_before_encoding():
    n = 20_000
    df = pd.DataFrame(
        {
            "id": [f"u{i % 10_000}" for i in range(n)],
            "x": np.arange(n) % 7,
            "y": np.arange(n) % 5 * 1.0,
        }
    )
    prepared = prepare_table(df, "y", task="regression")
    from netreg.data import TableEncoder

    with pytest.raises(DataError, match=r"limit of 1 GiB.*'id' \(10000 labels\)"):
        TableEncoder().fit(prepared.X_frame)


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]


def test_predict_warns_when_a_boolean_column_stands_where_numbers_were_trained(model, tmp_path):
    path, df = model
    new = df.head(6).assign(x0=[True, False, True, True, False, False])
    result = invoke("predict", path, write_csv(tmp_path, new, "new.csv"))
    assert result.exit_code == 0, result.stderr
    (line,) = _warnings(result)
    assert "'x0' was numeric when the model was trained and is boolean here" in line
    assert "read as 0/1" in line


def test_predict_warns_once_when_numbers_stand_where_text_was_trained(model, tmp_path):
    path, df = model
    new = df.head(6).assign(color=[1, 2, 3, 1, 2, 3])
    result = invoke("predict", path, write_csv(tmp_path, new, "new.csv"))
    assert result.exit_code == 0, result.stderr
    (line,) = _warnings(result)  # the kind and the unseen labels: one line for the column
    assert "'color' was text (categorical) when the model was trained and is numeric here" in line
    assert "6 of 6 rows hold labels not seen" in line


def test_predict_refuses_text_that_cannot_be_read_where_numbers_were_trained(model, tmp_path):
    path, df = model
    new = df.head(6).assign(x1=["a", "b", "c", "a", "b", "c"])
    assert_user_error(invoke("predict", path, write_csv(tmp_path, new, "new.csv")), "'x1'")


def test_models_saved_without_column_kinds_still_predict_without_the_check(model, tmp_path):
    from safetensors import safe_open
    from safetensors.torch import save_file

    path, df = model
    with safe_open(str(path), framework="pt") as handle:
        document = json.loads(handle.metadata()["netreg"])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    encoder = document["extra"]["netreg_model"]["encoder"]
    assert encoder.pop("kinds") == {"x0": "numeric", "x1": "numeric", "color": "categorical"}
    old = tmp_path / "old.safetensors"
    save_file(tensors, str(old), metadata={"netreg": json.dumps(document)})
    new = df.head(6).assign(x0=[True, False, True, True, False, False])
    result = invoke("predict", old, write_csv(tmp_path, new, "new.csv"))
    assert result.exit_code == 0, result.stderr
    assert _warnings(result) == []  # the kinds are unknown: nothing to compare
    assert result.stdout == invoke("predict", path, tmp_path / "new.csv").stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_predict_streams_in_chunks_with_the_same_predictions(model, tmp_path, monkeypatch, suffix):
    import netreg.compare.saved
    import netreg.data.load
    from netreg.compare import load_model
    from netreg.data import read_table

    # Forward passes of 7 rows, chunks of 14 rows (2 batches of 7 in 45 cells over 3 columns).
    monkeypatch.setattr(netreg.compare.saved, "PREDICT_BATCH", 7)
    monkeypatch.setattr(netreg.data.load, "CHUNK_CELLS", 45)

    path, df = model
    data = tmp_path / f"new{suffix}"
    new = df.drop(columns="y").assign(color=["red", "green", "blue", "gray"] * 15)
    new.to_csv(data, index=False) if suffix == ".csv" else new.to_parquet(data, index=False)
    with pytest.warns(UserWarning, match=r"'color': 15 of 60 rows .*'gray'"):  # the library says it
        whole = load_model(path).predict_frame(read_table(data)).to_csv(index=False)
    calls = []
    chunks = netreg.data.load.read_chunks

    def small_chunks(*args, **kwargs):
        for chunk in chunks(*args, **kwargs):
            calls.append(len(chunk))
            yield chunk

    monkeypatch.setattr(netreg.data, "read_chunks", small_chunks)
    streamed = invoke("predict", path, data)
    assert streamed.exit_code == 0, streamed.stderr
    assert calls == [14] * 4 + [4]
    # The same rows in the same forward batches; the last digit may still differ where BLAS
    # picks another kernel for another memory layout of the same numbers.
    assert streamed.stdout.splitlines()[0] == whole.splitlines()[0]
    np.testing.assert_allclose(_numbers(streamed.stdout), _numbers(whole), rtol=1e-12, atol=1e-14)
    (line,) = _warnings(streamed)  # one line for the whole file, counts over every chunk
    assert "15 of 60 rows hold labels not seen" in line and "'gray'" in line
    out = tmp_path / "p.csv"
    written = invoke("predict", path, data, "--out", out)
    assert written.exit_code == 0, written.stderr
    assert "Wrote 60 predictions" in written.stdout
    np.testing.assert_allclose(_numbers(out.read_text()), _numbers(whole), rtol=1e-12, atol=1e-14)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([data.name, "p.csv"])


def test_a_bad_chunk_leaves_no_output_file(model, tmp_path, monkeypatch):
    import netreg.data.load

    path, df = model
    new = pd.concat([df.drop(columns="y")] * 40, ignore_index=True)  # 2400 rows
    new["x1"] = new["x1"].astype(object)
    new.loc[2300, "x1"] = "oops"  # in the last chunk, after others were written
    data = write_csv(tmp_path, new, "new.csv")
    monkeypatch.setattr(netreg.data.load, "CHUNK_CELLS", 3 * 2048)  # 2 chunks of 1024 rows
    out = tmp_path / "p.csv"
    assert_user_error(invoke("predict", path, data, "--out", out), "'x1'", "oops")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]


def _numbers(csv_text: str) -> np.ndarray:
    return pd.read_csv(io.StringIO(csv_text)).to_numpy(dtype=float)
