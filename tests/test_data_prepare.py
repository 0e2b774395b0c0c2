"""prepare_table: each bad input is refused with one line naming the column, count or value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netreg.data import MAX_AUTO_CLASSES, DataError, prepare_table, read_table


def _table(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "color": ["red", "blue"] * (n // 2),
            "flag": [True, False] * (n // 2),
            "y": rng.normal(size=n),
        }
    )


def _message(exc: pytest.ExceptionInfo[DataError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_clean_table_splits_features_and_target() -> None:
    prep = prepare_table(_table(), "y")
    assert prep.task == "regression"
    assert prep.feature_names == ["x", "color", "flag"]
    assert prep.numeric == ["x"]
    assert prep.categorical == ["color", "flag"]
    assert prep.y.dtype == np.float64 and prep.y.shape == (8,)
    assert prep.classes is None and prep.dropped_constant == [] and prep.warnings == []
    assert "regression" in prep.task_reason


def test_missing_target_column_lists_available() -> None:
    with pytest.raises(DataError, match="'price' not found") as exc:
        prepare_table(_table(), "price")
    assert "'x', 'color', 'flag', 'y'" in _message(exc)


def test_missing_target_column_list_is_truncated_for_wide_tables() -> None:
    wide = pd.DataFrame(np.zeros((2, 500)), columns=[f"c{j}" for j in range(500)])
    with pytest.raises(DataError, match="Available columns \\(500\\)") as exc:
        prepare_table(wide, "y")
    message = _message(exc)
    assert "and 480 more" in message and len(message) < 400


def test_target_entirely_missing() -> None:
    with pytest.raises(DataError, match="'y' is entirely missing: all 8"):
        prepare_table(_table().assign(y=np.nan), "y")


def test_nan_in_target_names_the_row_count() -> None:
    df = _table()
    df.loc[[2, 5], "y"] = np.nan
    with pytest.raises(DataError, match="'y' has 2 missing value") as exc:
        prepare_table(df, "y", impute="mean")
    assert "never fills the target" in _message(exc)


def test_inf_in_target() -> None:
    df = _table()
    df.loc[0, "y"] = np.inf
    with pytest.raises(DataError, match="'y' has 1 infinite"):
        prepare_table(df, "y")


def test_nan_in_features_names_columns_and_counts_and_suggests_impute() -> None:
    df = _table().assign(z=np.arange(8.0))
    df.loc[[0, 1, 2], "x"] = np.nan
    df.loc[4, "z"] = np.nan
    with pytest.raises(DataError, match=r"'x' \(3\), 'z' \(1\)") as exc:
        prepare_table(df, "y")
    assert "--impute mean|median" in _message(exc)


def test_impute_allows_nan_in_numeric_features_with_a_warning() -> None:
    df = _table()
    df.loc[[0, 1], "x"] = np.nan
    prep = prepare_table(df, "y", impute="median")
    assert prep.impute == "median"
    assert any("'x' (2)" in w and "median" in w for w in prep.warnings)


def test_nan_in_categorical_feature_is_refused_even_with_impute() -> None:
    df = _table()
    df["color"] = df["color"].astype(object)
    df.loc[3, "color"] = None
    with pytest.raises(DataError, match=r"categorical column\(s\) 'color' \(1\)"):
        prepare_table(df, "y", impute="mean")


def test_inf_in_features_names_the_column() -> None:
    df = _table()
    df.loc[[1, 2], "x"] = [np.inf, -np.inf]
    with pytest.raises(DataError, match=r"Infinite values in feature column\(s\) 'x' \(2\)"):
        prepare_table(df, "y", impute="mean")


def test_na_strings_in_a_csv_are_reported_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,5,1.5\nNA,6,2.5\nNULL,7,3.5\n4,null,4.5\n5,8,5.5\n")
    with pytest.raises(DataError, match=r"'a' \(2\), 'b' \(1\)") as exc:
        prepare_table(read_table(path), "y")
    assert "NA/NULL" in _message(exc)


def test_mixed_type_numeric_column_names_column_and_values(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n12,1,1.0\nabc,2,2.0\n7,3,3.0\n?,4,4.0\n9,5,5.0\n")
    with pytest.raises(DataError, match="not numbers") as exc:
        prepare_table(read_table(path), "y")
    message = _message(exc)
    assert "'a'" in message and "'abc'" in message and "'?'" in message and "2 row(s)" in message


def test_mixed_type_column_shows_at_most_three_values() -> None:
    df = pd.DataFrame({"a": ["1", "2", "3", "4", "5", "p", "q", "r", "s"], "y": np.arange(9.0)})
    with pytest.raises(DataError, match=r"'p', 'q', 'r', … \(and 1 more\)") as exc:
        prepare_table(df, "y")
    assert "'s'" not in _message(exc)


def test_numbers_stored_as_text_are_read_as_numbers() -> None:
    df = pd.DataFrame({"a": ["1.5", "2", "3e1"], "c": ["u", "v", "u"], "y": [1.0, 2.0, 3.5]})
    prep = prepare_table(df, "y")
    assert prep.numeric == ["a"] and prep.categorical == ["c"]
    np.testing.assert_allclose(prep.X_frame["a"].to_numpy(), [1.5, 2.0, 30.0])
    assert any("stored as text" in w for w in prep.warnings)


def test_text_target_for_regression_shows_values() -> None:
    df = _table().assign(y=["cat", "dog"] * 4)
    with pytest.raises(DataError, match=r"holds text \(e.g. 'cat', 'dog'\)") as exc:
        prepare_table(df, "y", task="regression")
    assert "task='classification'" in _message(exc)


def test_mixed_target_names_values() -> None:
    df = _table().assign(y=["1.5", "2.5", "oops", "4", "5", "6", "7", "8.5"])
    with pytest.raises(
        DataError, match="target column holds values that are not numbers: 'y'"
    ) as exc:
        prepare_table(df, "y")
    assert "'oops'" in _message(exc)


def test_single_class_is_refused() -> None:
    with pytest.raises(DataError, match="single class \\('spam'\\)"):
        prepare_table(_table().assign(y="spam"), "y", task="classification")


def test_continuous_target_for_explicit_classification_is_explained() -> None:
    with pytest.raises(DataError, match="continuous values") as exc:
        prepare_table(_table(), "y", task="classification")
    assert "task='regression'" in _message(exc)


def test_too_few_rows() -> None:
    with pytest.raises(DataError, match="1 row\\(s\\), fewer than the 2 needed"):
        prepare_table(_table().head(1), "y")
    with pytest.raises(DataError, match="min_rows=10"):
        prepare_table(_table(), "y", min_rows=10)


def test_empty_tables() -> None:
    with pytest.raises(DataError, match="no rows"):
        prepare_table(_table().head(0), "y")
    with pytest.raises(DataError, match="no columns"):
        prepare_table(pd.DataFrame(), "y")


def test_only_the_target_column() -> None:
    with pytest.raises(DataError, match="only the target column 'y'"):
        prepare_table(_table()[["y"]], "y")


def test_constant_and_all_missing_columns_are_dropped_with_warnings() -> None:
    df = _table().assign(k=3.0, empty=np.nan, label="same")
    prep = prepare_table(df, "y")
    assert prep.dropped_constant == ["k", "empty", "label"]
    assert "k" not in prep.X_frame.columns and "empty" not in prep.X_frame.columns
    joined = " ".join(prep.warnings)
    assert "'k'" in joined and "'empty'" in joined and "all 8 values are missing" in joined


def test_no_usable_features() -> None:
    df = pd.DataFrame({"k": [1, 1, 1], "e": [np.nan] * 3, "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="No usable feature columns") as exc:
        prepare_table(df, "y")
    assert "'k', 'e'" in _message(exc)


def test_unsupported_dtype_is_named() -> None:
    df = _table().assign(when=pd.Timestamp("2024-01-01"))
    with pytest.raises(DataError, match="unsupported type: 'when' \\(datetime64"):
        prepare_table(df, "y")


def test_duplicated_column_names() -> None:
    df = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=["a", "a", "y"])
    with pytest.raises(DataError, match="duplicated column names 'a'"):
        prepare_table(df, "y")


@pytest.mark.parametrize(
    ("y", "task"),
    [
        (["a", "b"] * 4, "classification"),
        ([True, False] * 4, "classification"),
        ([0, 1, 2, 3] * 2, "classification"),
        (np.arange(8.0) * 0.5, "regression"),
        (np.arange(8) * 10, "classification"),
    ],
)
def test_auto_task_rule(y: object, task: str) -> None:
    assert prepare_table(_table().assign(y=y), "y").task == task


def test_auto_rule_integer_target_with_many_values_is_regression() -> None:
    n = 2 * (MAX_AUTO_CLASSES + 1)
    df = pd.DataFrame({"x": np.arange(n, dtype=float), "y": np.arange(n) % (MAX_AUTO_CLASSES + 1)})
    assert prepare_table(df, "y").task == "regression"
    df["y"] = np.arange(n) % MAX_AUTO_CLASSES
    assert prepare_table(df, "y").task == "classification"
    assert prepare_table(df, "y", task="regression").task == "regression"


def test_classification_codes_and_classes() -> None:
    prep = prepare_table(_table().assign(y=["b", "a", "c", "a", "b", "c", "a", "b"]), "y")
    assert prep.classes == ["a", "b", "c"]
    assert prep.y.dtype == np.int64
    assert [prep.classes[i] for i in prep.y] == ["b", "a", "c", "a", "b", "c", "a", "b"]


def test_single_row_class_warns() -> None:
    prep = prepare_table(_table().assign(y=[0, 0, 0, 0, 1, 1, 1, 2]), "y")
    assert any("class(es) 2" in w for w in prep.warnings)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="Received: task='regresion'"):
        prepare_table(_table(), "y", task="regresion")
    with pytest.raises(ValueError, match="Received: impute='zero'"):
        prepare_table(_table(), "y", impute="zero")
    with pytest.raises(TypeError, match="DataFrame"):
        prepare_table(_table().to_numpy(), "y")  # type: ignore[arg-type]
