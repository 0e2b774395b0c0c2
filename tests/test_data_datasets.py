"""Bundled data sets load offline with the documented shapes; sparse_signal is reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from netreg.data import list_datasets, load_dataset, prepare_table, sparse_signal


@pytest.mark.parametrize(
    ("name", "shape", "target", "task"),
    [
        ("diabetes", (442, 11), "target", "regression"),
        ("breast_cancer", (569, 31), "target", "classification"),
        ("digits", (1797, 65), "target", "classification"),
        ("prostate", (97, 10), "lpsa", "regression"),
        ("sparse_signal", (300, 51), "y", "regression"),
    ],
)
def test_datasets_load_and_prepare(
    name: str, shape: tuple[int, int], target: str, task: str
) -> None:
    df = load_dataset(name)
    assert df.shape == shape
    assert df.attrs["target"] == target and df.attrs["task"] == task
    features = df.drop(columns=[df.attrs["split"]]) if "split" in df.attrs else df
    assert prepare_table(features, target).task == task


def test_list_datasets() -> None:
    assert list_datasets() == ["breast_cancer", "diabetes", "digits", "prostate", "sparse_signal"]


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="Received: name='iris'") as exc:
        load_dataset("iris")
    for name in list_datasets():
        assert repr(name) in str(exc.value)


def test_prostate_split_is_67_30() -> None:
    df = load_dataset("prostate")
    assert df["train"].dtype == bool
    assert int(df["train"].sum()) == 67 and int((~df["train"]).sum()) == 30
    assert list(df.columns[:8]) == [
        "lcavol",
        "lweight",
        "age",
        "lbph",
        "svi",
        "lcp",
        "gleason",
        "pgg45",
    ]
    assert df.isna().sum().sum() == 0


def test_loads_are_fresh_copies() -> None:
    first = load_dataset("prostate")
    first.loc[:, "lpsa"] = 0.0
    assert load_dataset("prostate")["lpsa"].abs().sum() > 0


def test_sparse_signal_records_its_support() -> None:
    df = sparse_signal(n=400, p=20, k=3, noise=0.0, seed=3)
    assert list(df.columns) == [f"x{j}" for j in range(20)] + ["y"]
    informative = df.attrs["informative"]
    coef = np.asarray(df.attrs["coef"])
    assert len(informative) == 3 and informative == sorted(informative, key=lambda c: int(c[1:]))
    assert [f"x{j}" for j in np.flatnonzero(coef)] == informative
    assert np.all(np.abs(coef[coef != 0]) >= 1.0)
    X = df.drop(columns="y").to_numpy()
    np.testing.assert_allclose(X @ coef, df["y"].to_numpy())
    fitted, *_ = np.linalg.lstsq(X, df["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(fitted, coef, atol=1e-10)


def test_sparse_signal_is_reproducible_and_seeded() -> None:
    a, b, c = sparse_signal(seed=1), sparse_signal(seed=1), sparse_signal(seed=2)
    assert a.equals(b) and a.attrs == b.attrs
    assert not a.equals(c)


def test_sparse_signal_validates_arguments() -> None:
    with pytest.raises(ValueError, match="Received: k=6"):
        sparse_signal(p=5, k=6)
    with pytest.raises(ValueError, match="Received: noise=-1"):
        sparse_signal(noise=-1)
