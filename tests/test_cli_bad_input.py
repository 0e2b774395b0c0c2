"""Every bad input of the issue ends with exit status 2 and one clear line on stderr.

None of these cases trains anything: the checks run before the first fit, so the file is
fast. Each test also checks that no output file was left behind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_cli_support import (
    assert_user_error,
    invoke,
    regression_table,
    tiny_config,
    write_csv,
)


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_missing_file(tmp_path):
    result = invoke("compare", tmp_path / "nope.csv", "--target", "y")
    assert_user_error(result, "File not found", "nope.csv")


def test_unknown_format(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    assert_user_error(invoke("compare", path, "--target", "y"), "unknown file extension", ".xlsx")


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "data.parquet"
    path.write_bytes(b"this is not parquet at all")
    assert_user_error(invoke("compare", path, "--target", "y"), "Could not read", "Parquet")


def test_missing_target_lists_the_columns(tmp_path):
    data = write_csv(tmp_path, regression_table())
    line = assert_user_error(invoke("compare", data, "--target", "price"), "'price' not found")
    for column in ("x0", "x1", "x2", "x3", "y"):
        assert repr(column) in line


def test_no_target_given(tmp_path):
    data = write_csv(tmp_path, regression_table())
    assert_user_error(invoke("compare", data), "--target")


def test_empty_table(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("x0,x1,y\n", encoding="utf-8")
    assert_user_error(invoke("compare", path, "--target", "y"), "empty")


def test_fewer_rows_than_folds(tmp_path):
    data = write_csv(tmp_path, regression_table(n=4))
    line = assert_user_error(invoke("compare", data, "--target", "y", "--folds", "5"), "fewer")
    assert "5" in line and "folds" in line


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        (np.nan, ("Missing values", "'x1' (2)", "--impute")),
        (np.inf, ("Infinite values", "'x1' (2)")),
    ],
)
def test_nan_or_inf_in_features_named_with_counts(tmp_path, value, fragments):
    df = regression_table()
    df.loc[[3, 7], "x1"] = value
    data = write_csv(tmp_path, df)
    assert_user_error(invoke("compare", data, "--target", "y"), *fragments)


def test_nan_in_target_named(tmp_path):
    df = regression_table()
    df.loc[[2, 5, 9], "y"] = np.nan
    assert_user_error(
        invoke("compare", write_csv(tmp_path, df), "--target", "y"), "'y'", "3 missing"
    )


def test_text_target_for_regression(tmp_path):
    df = regression_table()
    df["y"] = np.where(df["y"] > 0, "high", "low")
    result = invoke("compare", write_csv(tmp_path, df), "--target", "y", "--task", "regression")
    assert_user_error(result, "'y'", "text", "regression")


def test_single_class(tmp_path):
    df = regression_table()
    df["y"] = "yes"
    assert_user_error(invoke("compare", write_csv(tmp_path, df), "--target", "y"), "single class")


@pytest.mark.parametrize("option", ["--report", "--json"])
def test_output_in_missing_folder(tmp_path, option):
    data = write_csv(tmp_path, regression_table())
    result = invoke("compare", data, "--target", "y", option, tmp_path / "no" / "out.file")
    assert_user_error(result, "does not exist", str(tmp_path / "no"))
    assert _files(tmp_path) == ["data.csv"]


def test_existing_output_needs_force(tmp_path):
    data = write_csv(tmp_path, regression_table())
    (tmp_path / "out.json").write_text("{}", encoding="utf-8")
    result = invoke("compare", data, "--target", "y", "--json", tmp_path / "out.json")
    assert_user_error(result, "already exists", "--force")
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "{}"


def test_same_file_for_report_and_json(tmp_path):
    data = write_csv(tmp_path, regression_table())
    out = tmp_path / "out.txt"
    result = invoke("compare", data, "-t", "y", "--report", out, "--json", out)
    assert_user_error(result, "same file")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--rule", "median"], "`rule` must be one of"),
        (["--task", "clustering"], "`task` must be one of"),
        (["--budget", "huge"], "`budget` must be one of"),
        (["--methods", "l1,lasso"], "`methods` must be one of"),
        (["--methods", "l1,l1"], "twice"),
        (["--folds", "1"], "--folds must be at least 2"),
        (["--test-size", "1.5"], "--test-size"),
        (["--impute", "zero"], "`impute` must be one of"),
        (["--address", "10.0.0.1:6379"], "--backend ray"),
    ],
)
def test_bad_option_values(tmp_path, args, fragment):
    data = write_csv(tmp_path, regression_table())
    assert_user_error(invoke("compare", data, "--target", "y", *args), fragment)


def test_constant_column_is_dropped_with_a_warning(tmp_path):
    """Not an error: the warning names the column, then the run goes on (here: it stops at
    the split, asked for more folds than rows, so nothing trains)."""
    df = regression_table()
    df["k"] = 7.0
    result = invoke("compare", write_csv(tmp_path, df), "-t", "y", "--folds", "100")
    assert_user_error(result, "fewer than the 100")
    assert "warning: Dropped column 'k'" in result.stderr


def test_unknown_config_key_is_named(tmp_path):
    data = write_csv(tmp_path, regression_table())
    config = tiny_config(tmp_path, "\n[compare]\nbudjet = 'quick'\n")
    assert_user_error(
        invoke("compare", data, "-t", "y", "--config", config), "unknown key 'compare.budjet'"
    )


def test_yaml_config_unknown_nested_key(tmp_path):
    data = write_csv(tmp_path, regression_table())
    config = tmp_path / "c.yaml"
    config.write_text("cv:\n  folds: 3\nmodel:\n  hiden: [8]\n", encoding="utf-8")
    assert_user_error(invoke("compare", data, "-t", "y", "-c", config), "'model.hiden'")


def test_yaml_config_is_read_with_safe_load(tmp_path):
    """A python/object tag would run code with yaml.load; safe_load refuses it."""
    data = write_csv(tmp_path, regression_table())
    config = tmp_path / "evil.yml"
    config.write_text("cv: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    result = invoke("compare", data, "-t", "y", "-c", config)
    assert_user_error(result, "not valid YAML")
    assert "hacked" not in result.stdout


def test_config_value_out_of_range(tmp_path):
    data = write_csv(tmp_path, regression_table())
    config = tiny_config(tmp_path).with_name("bad.toml")
    config.write_text("[cv]\nfolds = 1\n", encoding="utf-8")
    assert_user_error(invoke("compare", data, "-t", "y", "-c", config), "cv.folds")


def test_config_not_toml(tmp_path):
    data = write_csv(tmp_path, regression_table())
    config = tmp_path / "c.toml"
    config.write_text("[cv\nfolds = 3\n", encoding="utf-8")
    assert_user_error(invoke("compare", data, "-t", "y", "-c", config), "not valid TOML")


def test_config_missing(tmp_path):
    data = write_csv(tmp_path, regression_table())
    assert_user_error(invoke("compare", data, "-t", "y", "-c", tmp_path / "x.toml"), "not found")


def test_path_refuses_a_method_without_strength(tmp_path):
    data = write_csv(tmp_path, regression_table())
    assert_user_error(invoke("path", data, "-t", "y", "--penalty", "none"), "strength to choose")


def test_bad_categorical_target_for_classification_is_fine_but_mixed_numbers_fail(tmp_path):
    df = regression_table()
    df["x2"] = df["x2"].astype(object)
    df.loc[4, "x2"] = "oops"
    result = invoke("compare", write_csv(tmp_path, df), "--target", "y")
    assert_user_error(result, "'x2'", "oops")


def test_parquet_is_read(tmp_path):
    """A valid Parquet file passes the reader: the run stops at the deliberately missing target."""
    df = regression_table()
    path = tmp_path / "d.parquet"
    df.to_parquet(path)
    assert_user_error(invoke("compare", path, "--target", "zzz"), "'zzz' not found", "'x0'")


def test_text_columns_survive_to_the_encoder(tmp_path):
    df = pd.DataFrame({"color": ["red", "blue"] * 10, "y": np.arange(20.0)})
    result = invoke("compare", write_csv(tmp_path, df), "--target", "y", "--folds", "30")
    assert_user_error(result, "fewer than the 30")
