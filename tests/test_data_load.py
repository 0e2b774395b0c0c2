"""read_table: CSV and Parquet load; every bad file gives a one-line DataError naming the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netreg.data import DataError, read_table
from netreg.data import load as load_module


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.5, 2.5, 3.5], "color": ["red", "blue", "red"], "y": [1, 0, 1]})


def _one_line(exc: pytest.ExceptionInfo[DataError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_csv_and_parquet_load_the_same_table(tmp_path: Path) -> None:
    df = _frame()
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    df.to_parquet(tmp_path / "t.pq", index=False)
    for name in ("t.csv", "t.tsv", "t.parquet", "t.pq"):
        got = read_table(tmp_path / name)
        assert list(got.columns) == ["x", "color", "y"], name
        np.testing.assert_allclose(got["x"].to_numpy(), df["x"].to_numpy())
        assert got["color"].tolist() == ["red", "blue", "red"]


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_txt_delimiter_is_sniffed(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "t.txt"
    _frame().to_csv(path, sep=sep, index=False)
    assert list(read_table(path).columns) == ["x", "color", "y"]


def test_na_strings_become_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,NA\n2,NULL\n3,null\n4,NaN\n5,\n6,7\n")
    df = read_table(path)
    assert int(df["b"].isna().sum()) == 5


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found") as exc:
        read_table(tmp_path / "nope.csv")
    assert "nope.csv" in _one_line(exc)


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(DataError, match="is a directory") as exc:
        read_table(tmp_path / "d.csv")
    assert "d.csv" in _one_line(exc)


def test_unknown_extension_lists_supported(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"'\.xlsx'") as exc:
        read_table(path)
    message = _one_line(exc)
    for ext in (".csv", ".tsv", ".txt", ".parquet", ".pq"):
        assert ext in message


def test_pickle_is_not_a_supported_format(tmp_path: Path) -> None:
    path = tmp_path / "t.pkl"
    _frame().to_pickle(path)
    with pytest.raises(DataError, match="unknown file extension"):
        read_table(path)


def test_corrupt_parquet_names_the_format(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"this is not parquet at all" * 10)
    with pytest.raises(DataError, match="as Parquet") as exc:
        read_table(path)
    assert "bad.parquet" in _one_line(exc)


def test_truncated_parquet(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    _frame().to_parquet(good)
    path = tmp_path / "cut.parquet"
    path.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(DataError, match="as Parquet"):
        read_table(path)


def test_ragged_csv_names_the_format(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(DataError, match="as CSV") as exc:
        read_table(path)
    _one_line(exc)


def test_rows_wider_than_header_are_not_turned_into_an_index(tmp_path: Path) -> None:
    path = tmp_path / "wide_rows.csv"
    path.write_text("a,b\n1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match="more fields than the 2 names in the header"):
        read_table(path)


def test_binary_csv_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x82\x83,\x90\n\x91,\x92\n")
    with pytest.raises(DataError, match="as CSV"):
        read_table(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [("", "no header"), ("a,b,c\n", "no rows"), ("\n\n\n", "no header")],
)
def test_empty_csv(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(DataError, match="empty") as exc:
        read_table(path)
    assert expected in _one_line(exc)


def test_empty_parquet(tmp_path: Path) -> None:
    no_rows = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.float64())}), no_rows)
    with pytest.raises(DataError, match="no rows"):
        read_table(no_rows)
    no_columns = tmp_path / "cols.parquet"
    pq.write_table(pa.table({}), no_columns)
    with pytest.raises(DataError, match="empty"):
        read_table(no_columns)


def test_duplicated_column_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(DataError, match="duplicated column names 'a'"):
        read_table(path)


def test_nested_parquet_columns_refused(tmp_path: Path) -> None:
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"a": [1, 2], "lists": [[1, 2], [3]]}), path)
    with pytest.raises(DataError, match=r"nested .*'lists'"):
        read_table(path)


def test_too_many_bytes_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(DataError, match="max_bytes=10") as exc:
        read_table(path, max_bytes=10)
    assert "larger max_bytes" in _one_line(exc)


def test_parquet_uncompressed_size_counts_against_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "zeros.parquet"
    pq.write_table(pa.table({"z": np.zeros(200_000)}), path, compression="zstd")
    size = path.stat().st_size
    with pytest.raises(DataError, match="uncompressed"):
        read_table(path, max_bytes=size + 1)


def _fail_if_data_is_read(*args: object, **kwargs: object) -> None:
    raise AssertionError("the data was read before the column limit was checked")


def test_wide_csv_refused_from_the_header_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wide.csv"
    n_columns = 2_000
    header = ",".join(f"c{j}" for j in range(n_columns))
    path.write_text(header + "\n" + ",".join("1" for _ in range(n_columns)) + "\n")
    monkeypatch.setattr(load_module.pd, "read_csv", _fail_if_data_is_read)
    with pytest.raises(DataError, match="max_columns=100") as exc:
        read_table(path, max_columns=100)
    assert "2000 columns" in _one_line(exc)


def test_wide_parquet_refused_from_the_schema_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{j}": [1.0, 2.0] for j in range(300)}), path)
    monkeypatch.setattr(load_module.pq, "read_table", _fail_if_data_is_read)
    with pytest.raises(DataError, match="max_columns=50") as exc:
        read_table(path, max_columns=50)
    assert "300 columns" in _one_line(exc)


def test_limits_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ValueError, match="Received: max_columns=0"):
        read_table(path, max_columns=0)
    with pytest.raises(TypeError, match="max_bytes"):
        read_table(path, max_bytes=1.5)  # type: ignore[arg-type]


def test_chunked_reading_gives_the_types_of_a_whole_file_read(tmp_path, monkeypatch):
    n = 100
    df = pd.DataFrame(
        {
            "ints": list(range(n)),
            "late_text": [str(i) for i in range(n - 1)] + ["abc"],  # numbers, then text
            "late_gap": [float(i) for i in range(n - 1)] + [None],  # integers, then empty
            "flags": [True, False] * (n // 2 - 2) + [True, None, False, True],
            "x": np.linspace(-1, 1, n),
        }
    )
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    whole = pd.read_csv(path, index_col=False, low_memory=False)
    monkeypatch.setattr(load_module, "CHUNK_CELLS", 5 * 7)  # chunks of 7 rows
    pd.testing.assert_frame_equal(read_table(path), whole)
    chunks = list(load_module.read_chunks(path, rows=30))
    assert [len(c) for c in chunks] == [30, 30, 30, 10]
    pd.testing.assert_frame_equal(chunks[1][["ints", "x"]], whole.iloc[30:60][["ints", "x"]])
    # a chunk's types are its own rows': numbers here, as the labels "30"… encode the same
    assert chunks[1]["late_text"].tolist() == list(range(30, 60))
