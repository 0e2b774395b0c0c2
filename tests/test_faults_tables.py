"""Tables and outputs: huge values are named, output folders are checked before the work,
a bad command line is one line, predict checks the header first and says when categorical
labels were never seen in training."""

from __future__ import annotations

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
