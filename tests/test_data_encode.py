"""TableEncoder: training statistics only, one-hot with unknowns ignored, JSON round-trip."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netreg.data import DataError, TableEncoder, prepare_table


def _train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "color": ["red", "blue", "red", "green"],
            "flag": [True, False, True, True],
            "n": [10, 20, 30, 50],
        }
    )


def test_output_names_and_source_columns() -> None:
    enc = TableEncoder().fit(_train())
    assert enc.output_names == [
        "x",
        "color=blue",
        "color=green",
        "color=red",
        "flag=False",
        "flag=True",
        "n",
    ]
    assert enc.input_of_output == ["x", "color", "color", "color", "flag", "flag", "n"]
    assert enc.n_outputs == 7 and enc.feature_names == ["x", "color", "flag", "n"]


def test_transform_is_float64_with_one_hot_and_standardized_columns() -> None:
    X = TableEncoder().fit_transform(_train())
    assert X.dtype == np.float64 and X.shape == (4, 7)
    np.testing.assert_allclose(X[:, [0, 6]].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X[:, [0, 6]].std(axis=0), 1.0)
    np.testing.assert_array_equal(X[:, 1:4].sum(axis=1), 1.0)
    np.testing.assert_array_equal(X[:, 3], [1.0, 0.0, 1.0, 0.0])


def test_standardization_uses_training_statistics_only() -> None:
    train, test = _train(), _train().assign(x=[100.0, 200.0, 300.0, 400.0])
    enc = TableEncoder().fit(train)
    out = enc.transform(test)
    mean, std = train["x"].mean(), train["x"].std(ddof=0)
    np.testing.assert_allclose(out[:, 0], (test["x"] - mean) / std)
    assert enc.means_["x"] == pytest.approx(2.5)


def test_imputation_uses_training_statistics() -> None:
    train = _train().assign(x=[1.0, np.nan, 3.0, 8.0])
    test = _train().assign(x=[np.nan, np.nan, 0.0, 0.0])
    for impute, fill in (("mean", 4.0), ("median", 3.0)):
        enc = TableEncoder(impute=impute, standardize=False).fit(train)
        assert enc.fill_["x"] == pytest.approx(fill)
        np.testing.assert_allclose(enc.transform(test)[:, 0], [fill, fill, 0.0, 0.0])


def test_unknown_category_at_transform_is_ignored() -> None:
    enc = TableEncoder().fit(_train())
    row = _train().head(1).assign(color="purple")
    out = enc.transform(row)
    np.testing.assert_array_equal(out[0, 1:4], [0.0, 0.0, 0.0])


def test_constant_numeric_column_gets_unit_scale() -> None:
    enc = TableEncoder().fit(_train().assign(x=5.0))
    assert enc.scales_["x"] == 1.0
    np.testing.assert_array_equal(enc.transform(_train().assign(x=5.0))[:, 0], 0.0)


def test_config_round_trips_through_json() -> None:
    train = _train().assign(x=[1.0, np.nan, 3.0, 8.0])
    enc = TableEncoder(categorical=["color", "flag", "n"], impute="median").fit(train)
    text = json.dumps(enc.get_config())
    again = TableEncoder.from_config(json.loads(text))
    test = _train().assign(color=["blue", "pink", "green", "red"], x=[np.nan, 2, 3, 4])
    np.testing.assert_array_equal(again.transform(test), enc.transform(test))
    assert again.output_names == enc.output_names
    assert again.input_of_output == enc.input_of_output
    assert again.get_config() == enc.get_config()


def test_from_config_refuses_unknown_and_missing_keys() -> None:
    config = TableEncoder().fit(_train()).get_config()
    with pytest.raises(DataError, match="unknown 'mean'; missing 'means'"):
        TableEncoder.from_config({**{k: v for k, v in config.items() if k != "means"}, "mean": {}})
    with pytest.raises(DataError, match="'scales'"):
        TableEncoder.from_config({**config, "scales": {"x": 0.0, "n": 1.0}})


def test_different_columns_at_transform_name_expected_and_received() -> None:
    enc = TableEncoder().fit(_train())
    other = _train().drop(columns=["n"]).assign(extra=1.0)
    with pytest.raises(DataError, match="missing 'n'; unexpected 'extra'") as exc:
        enc.transform(other)
    message = str(exc.value)
    assert "Expected (4): 'x', 'color', 'flag', 'n'" in message
    assert "received (4): 'x', 'color', 'flag', 'extra'" in message


def test_reordered_columns_are_accepted() -> None:
    enc = TableEncoder().fit(_train())
    shuffled = _train()[["n", "flag", "x", "color"]]
    np.testing.assert_array_equal(enc.transform(shuffled), enc.transform(_train()))


def test_nan_at_transform_without_imputation_names_columns() -> None:
    enc = TableEncoder().fit(_train())
    with pytest.raises(DataError, match=r"'x' \(2\), 'n' \(1\) of the rows to transform"):
        enc.transform(_train().assign(x=[np.nan, np.nan, 1.0, 1.0], n=[1.0, np.nan, 2.0, 3.0]))


def test_nan_in_categorical_at_transform_is_refused() -> None:
    enc = TableEncoder().fit(_train())
    with pytest.raises(DataError, match="categorical column 'color'"):
        enc.transform(_train().assign(color=["red", None, "red", "blue"]))


def test_text_in_numeric_column_at_transform_names_values() -> None:
    enc = TableEncoder().fit(_train())
    with pytest.raises(DataError, match=r"'x' \(1 row\(s\), e.g. 'oops'\)"):
        enc.transform(_train().assign(x=["1", "oops", "2", "3"]))


def test_inf_at_fit_is_refused() -> None:
    with pytest.raises(DataError, match=r"'x' \(1\) of the training rows"):
        TableEncoder().fit(_train().assign(x=[1.0, np.inf, 2.0, 3.0]))


def test_unfitted_encoder_says_so() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        TableEncoder().transform(_train())


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="Received: impute='mode'"):
        TableEncoder(impute="mode")
    with pytest.raises(TypeError, match="categorical"):
        TableEncoder(categorical="color")
    with pytest.raises(DataError, match="'nope' are not in the table"):
        TableEncoder(categorical=["nope"]).fit(_train())


def test_follows_prepared_table() -> None:
    df = _train().assign(y=[0.5, 1.5, 2.5, 3.0], k=1)
    prep = prepare_table(df, "y")
    enc = TableEncoder(categorical=prep.categorical, impute=prep.impute).fit(prep.X_frame)
    assert enc.feature_names == ["x", "color", "flag", "n"]
    assert enc.transform(df.drop(columns=["y", "k"])).shape == (4, 7)


def test_data_layer_imports_no_torch_and_no_upper_layer() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "netreg" / "data"
    allowed_netreg = ("netreg.data", "netreg._validation")
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("torch"), f"{path.name} imports {name}"
                if name.startswith("netreg"):
                    assert name.startswith(allowed_netreg), f"{path.name} imports {name}"
