"""Bad inputs to the advisor fail early with a message that names the problem and the value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netreg.advisor import MIN_ROWS, advise
from netreg.data import DataError


def data(n: int = 40, p: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, X[:, 0] + 0.5 * rng.standard_normal(n)


def test_nan_and_inf_are_refused_naming_columns_and_counts() -> None:
    X, y = data()
    X[[1, 5], 2] = np.nan
    X[3, 0] = np.inf
    with pytest.raises(
        DataError, match=r"3 NaN or infinite value\(s\) \(2 NaN\) in 2 column"
    ) as err:
        advise(X, y, feature_names=["a", "b", "c", "d"])
    assert "'a' (1)" in str(err.value) and "'c' (2)" in str(err.value)
    assert "impute" in str(err.value) and "Received:" in str(err.value)


def test_nan_in_the_target_is_refused() -> None:
    X, y = data()
    y[4] = np.nan
    with pytest.raises(DataError, match="missing value"):
        advise(X, y)


def test_one_row_and_too_few_rows() -> None:
    X, y = data()
    with pytest.raises(DataError, match=r"at least 10 rows.*Received: n_rows=1"):
        advise(X[:1], y[:1])
    with pytest.raises(DataError, match=f"Received: n_rows={MIN_ROWS - 1}"):
        advise(X[: MIN_ROWS - 1], y[: MIN_ROWS - 1])


def test_constant_target_and_single_class() -> None:
    X, _ = data()
    with pytest.raises(DataError, match="target is constant"):
        advise(X, np.full(40, 2.5))
    with pytest.raises(DataError, match="single class"):
        advise(X, np.array(["yes"] * 40), task="classification")


def test_all_constant_features() -> None:
    _, y = data()
    with pytest.raises(DataError, match="Every feature of X is constant"):
        advise(np.ones((40, 3)), y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feature_names": ["a", "b"]}, r"len\(feature_names\)=2"),
        ({"feature_names": ["a", "a", "b", "c"]}, "must be unique"),
        ({"groups": [0, 0, 1]}, r"len\(groups\)=3"),
        ({"task": "ranking"}, "Received: task='ranking'"),
        ({"budget_seconds": 0}, "Received: budget_seconds=0"),
        ({"budget_seconds": float("nan")}, "budget_seconds=nan"),
        ({"seed": -1}, "Received: seed=-1"),
    ],
)
def test_bad_arguments_name_the_parameter_and_value(kwargs, message) -> None:
    X, y = data()
    with pytest.raises(ValueError, match=message):
        advise(X, y, **kwargs)


def test_shapes_and_types() -> None:
    X, y = data()
    with pytest.raises(DataError, match=r"two-dimensional.*X.shape=\(40,\)"):
        advise(X[:, 0], y)
    with pytest.raises(DataError, match=r"y.shape=\(39,\)"):
        advise(X, y[:-1])
    with pytest.raises(DataError, match="numbers only"):
        advise(np.array([["a", "b"]] * 20), np.arange(20.0))
    with pytest.raises(DataError, match="advise_frame"):
        advise(pd.DataFrame(X), y)
    with pytest.raises(TypeError, match="Received: check='yes'"):
        advise(X, y, check="yes")


def test_a_column_vector_target_is_accepted() -> None:
    X, y = data()
    assert advise(X, y[:, None]).diagnostics.n == 40


def test_check_refuses_a_class_with_a_single_row() -> None:
    X, _ = data()
    y = np.r_[np.zeros(20), np.ones(19), 2].astype(int)
    assert advise(X, y).diagnostics.class_balance.counts == [20, 19, 1]
    with pytest.raises(DataError, match="a class with a single row"):
        advise(X, y, check=True)
