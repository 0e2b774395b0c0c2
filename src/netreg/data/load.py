"""Read a CSV or Parquet table safely: limits are checked before any data is read."""

from __future__ import annotations

import contextlib
import csv
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from netreg._validation import check_int
from netreg.data._columns import preview
from netreg.data.errors import DataError

#: File extensions read_table understands, and the format each one means.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_MAX_COLUMNS = 100_000

#: Cells per chunk when :func:`read_chunks` is not told the rows: 2¹⁹ float64 cells are 4 MiB.
CHUNK_CELLS = 2**19

_SNIFF_BYTES = 64 * 1024
_SNIFF_DELIMITERS = ",\t;| "


def read_table(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> pd.DataFrame:
    """Read a CSV/TSV/TXT or Parquet file into a DataFrame, refusing what cannot be used.

    The size of the file and its number of columns are checked first, from the file system and
    from the CSV header or the Parquet footer, so that a huge file or one with 10⁶ columns is
    refused before its data is read. Pickle-based readers are never used.

    Parameters
    ----------
    path : str or path-like
        The file. ``.csv`` is comma-separated, ``.tsv`` tab-separated; for ``.txt`` the delimiter
        (comma, tab, semicolon, pipe or space) is sniffed from the start of the file.
        ``.parquet`` and ``.pq`` are Parquet.
    max_bytes : int, default 2 GiB
        Largest file accepted. For Parquet the decoded size estimated from the footer (rows ×
        columns × 8 bytes, or the uncompressed size it records if larger) must also fit, so a
        small, highly compressed file cannot expand without bound.
    max_columns : int, default 100_000
        Most columns accepted.

    Returns
    -------
    pandas.DataFrame
        At least one row and one column. Empty cells and the strings ``NA``, ``NULL``, ``null``,
        ``NaN`` (pandas' defaults) are read as missing values; :func:`prepare_table` then names
        every column that holds them.

    Raises
    ------
    DataError
        Missing file, a directory, an unknown extension, a file over a limit, a file that is not
        valid CSV/Parquet, duplicated or nested columns, or a table without rows or columns.

    Examples
    --------
    >>> df = read_table("data.csv")  # doctest: +SKIP
    >>> df = read_table("wide.parquet", max_columns=1_000_000)  # doctest: +SKIP
    """
    max_columns = check_int("max_columns", max_columns, low=1)
    file, fmt = _checked_file(path, max_bytes)
    df = (
        _read_parquet(file, max_bytes, max_columns)
        if fmt == "parquet"
        else _read_csv(file, max_columns)
    )
    _check_shape(df, file)
    return df


def read_chunks(
    path: str | os.PathLike[str],
    *,
    rows: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> Iterator[pd.DataFrame]:
    """The table :func:`read_table` reads, as consecutive DataFrames of at most ``rows`` rows,
    so that the memory of a caller that handles one at a time does not grow with the file.

    The file's limits are checked when the first chunk is asked for, as by :func:`read_table`;
    a parsing error further down the file is raised when its chunk is reached. Each chunk's
    column types are inferred from its own rows (a column of integers with one empty cell is
    float in that chunk only).

    Parameters
    ----------
    rows : int, optional
        Rows per chunk; by default about :data:`CHUNK_CELLS` cells per chunk.

    Raises
    ------
    DataError
        As :func:`read_table`; a table with a header but no rows once every chunk is read.
    """
    max_columns = check_int("max_columns", max_columns, low=1)
    if rows is not None:
        rows = check_int("rows", rows, low=1)
    file, fmt = _checked_file(path, max_bytes)
    chunks = (
        _parquet_chunks(file, max_bytes, max_columns, rows)
        if fmt == "parquet"
        else _csv_chunks(file, max_columns, rows)
    )
    n_rows = 0
    for chunk in chunks:
        n_rows += len(chunk)
        if len(chunk):
            yield chunk
    if n_rows == 0:
        raise DataError(f"Table {str(file)!r} is empty: it has columns but no rows.")


def read_columns(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> list[str]:
    """The column names of a table :func:`read_table` would read, from the CSV header or the
    Parquet footer alone: a caller checks them before reading the data.

    Raises
    ------
    DataError
        As :func:`read_table`, for what can be seen without the data.
    """
    max_columns = check_int("max_columns", max_columns, low=1)
    file, fmt = _checked_file(path, max_bytes)
    if fmt == "parquet":
        with _parquet_errors(file):
            names = list(pq.read_schema(file).names)
    else:
        names = _csv_header(file)[1]
    _check_width(len(names), max_columns, file)
    _check_unique(names, file)
    return names


def _checked_file(path: str | os.PathLike[str], max_bytes: int) -> tuple[Path, str]:
    """The file and its format, once it exists, is known by extension and within size."""
    max_bytes = check_int("max_bytes", max_bytes, low=1)
    file = Path(path)
    if not file.exists():
        raise DataError(f"File not found: {str(file)!r}.")
    if file.is_dir():
        raise DataError(f"{str(file)!r} is a directory; give the path of a CSV or Parquet file.")
    fmt = SUPPORTED_EXTENSIONS.get(file.suffix.lower())
    if fmt is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise DataError(
            f"Cannot read {str(file)!r}: unknown file extension {file.suffix!r}. "
            f"Supported extensions: {supported}."
        )
    size = file.stat().st_size
    if size > max_bytes:
        raise DataError(
            f"File {str(file)!r} is {_human(size)} ({size} bytes), over the limit "
            f"max_bytes={max_bytes} ({_human(max_bytes)}); pass a larger max_bytes to read it."
        )
    return file, fmt


def _csv_header(file: Path) -> tuple[str, list[str]]:
    """The delimiter and the parsed header line of a CSV file."""
    try:
        sep = _delimiter(file)
        with file.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle, delimiter=sep), None)
    except OSError as exc:
        raise DataError(f"Could not open {str(file)!r}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"Could not read {str(file)!r} as CSV: it is not UTF-8 text ({exc.reason})."
        ) from None
    except csv.Error as exc:
        raise DataError(f"Could not read {str(file)!r} as CSV: {exc}.") from None
    if not header or all(not field.strip() for field in header):
        raise DataError(f"Table {str(file)!r} is empty: it has no header and no columns.")
    return sep, header


def _read_csv(file: Path, max_columns: int) -> pd.DataFrame:
    """Read the table in chunks and join them: parsing a whole file at once, pandas holds
    about twice the file's size on top of the table; by chunks, one chunk's worth.

    A column whose type differs between chunks (integers in one, text further down) is read
    again on its own, whole, so every column's type is the one inferred from all its rows.
    """
    chunks = list(_csv_chunks(file, max_columns, None))
    if len(chunks) <= 1:
        return chunks[0] if chunks else pd.DataFrame(columns=_csv_header(file)[1])
    mixed = [j for j in range(chunks[0].shape[1]) if len({c.dtypes.iloc[j] for c in chunks}) > 1]
    table = pd.concat(chunks, ignore_index=True)
    del chunks
    if mixed:
        with _csv_errors(file, table.shape[1]):
            whole = pd.read_csv(
                file, sep=_delimiter(file), encoding="utf-8-sig", index_col=False,
                low_memory=False, usecols=mixed,
            )  # fmt: skip
        for j in mixed:
            table[table.columns[j]] = whole[whole.columns[mixed.index(j)]].to_numpy()
    return table


def _csv_chunks(file: Path, max_columns: int, rows: int | None) -> Iterator[pd.DataFrame]:
    """:func:`_read_csv` in pieces of ``rows`` rows (by default :data:`CHUNK_CELLS` cells)."""
    sep, header = _csv_header(file)
    _check_width(len(header), max_columns, file)
    _check_unique(header, file)
    size = rows or max(1, CHUNK_CELLS // len(header))
    with _csv_errors(file, len(header)):
        reader = pd.read_csv(
            file, sep=sep, encoding="utf-8-sig", index_col=False, low_memory=False, chunksize=size
        )
    with reader:
        while True:
            with _csv_errors(file, len(header)):
                chunk = next(reader, None)
            if chunk is None:
                return
            yield chunk


@contextlib.contextmanager
def _csv_errors(file: Path, n_names: int) -> Iterator[None]:
    """Turn what pandas raises while parsing ``file`` into one-line :class:`DataError`."""
    try:
        with warnings.catch_warnings():
            # index_col=False: rows wider than the header must not silently become an index.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            yield
    except pd.errors.ParserWarning:
        raise DataError(
            f"Could not read {str(file)!r} as CSV: some rows have more fields than the "
            f"{n_names} names in the header; give every column a name."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"Table {str(file)!r} is empty: it has no columns.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        if _interrupted(exc):  # pandas' C parser reports a Ctrl-C as a failed read
            raise KeyboardInterrupt from exc
        raise DataError(f"Could not read {str(file)!r} as CSV: {_first_line(exc)}.") from None


def _delimiter(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return ","
    if suffix == ".tsv":
        return "\t"
    with file.open("rb") as handle:
        sample = handle.read(_SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_parquet(file: Path, max_bytes: int, max_columns: int) -> pd.DataFrame:
    """Check the footer (schema, uncompressed size, nested types), then read the data."""
    _check_parquet(file, max_bytes, max_columns)
    with _parquet_errors(file):
        return pq.read_table(file).to_pandas()


def _parquet_chunks(
    file: Path, max_bytes: int, max_columns: int, rows: int | None
) -> Iterator[pd.DataFrame]:
    """:func:`_read_parquet` in record batches of ``rows`` rows."""
    n_columns = _check_parquet(file, max_bytes, max_columns)
    size = rows or max(1, CHUNK_CELLS // n_columns)
    with _parquet_errors(file):
        batches = pq.ParquetFile(file).iter_batches(batch_size=size)
    while True:
        with _parquet_errors(file):
            batch = next(batches, None)
            chunk = None if batch is None else pa.Table.from_batches([batch]).to_pandas()
        if chunk is None:
            return
        yield chunk


def _check_parquet(file: Path, max_bytes: int, max_columns: int) -> int:
    """Check the footer of a Parquet file before its data is read; its number of columns."""
    with _parquet_errors(file):
        meta = pq.read_metadata(file)
        schema = meta.schema.to_arrow_schema()
    _check_width(len(schema.names), max_columns, file)
    _check_unique(schema.names, file)
    if meta.num_rows == 0:
        raise DataError(f"Table {str(file)!r} is empty: it has columns but no rows.")
    recorded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    decoded = max(recorded, meta.num_rows * len(schema.names) * 8)
    if decoded > max_bytes:
        raise DataError(
            f"Parquet file {str(file)!r} holds {meta.num_rows} rows × {len(schema.names)} columns, "
            f"about {_human(decoded)} ({decoded} bytes) once uncompressed, over the limit "
            f"max_bytes={max_bytes} ({_human(max_bytes)}); pass a larger max_bytes to read it."
        )
    nested = [field.name for field in schema if pa.types.is_nested(field.type)]
    if nested:
        raise DataError(
            f"Parquet file {str(file)!r} has nested (list/struct/map) columns {preview(nested, 5)}; "
            f"only flat columns of numbers, text, booleans or categories can be used."
        )
    return len(schema.names)


@contextlib.contextmanager
def _parquet_errors(file: Path) -> Iterator[None]:
    try:
        yield
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"Could not read {str(file)!r} as Parquet: {_first_line(exc)}.") from None


def _check_width(n_columns: int, max_columns: int, file: Path) -> None:
    if n_columns > max_columns:
        raise DataError(
            f"Table {str(file)!r} has {n_columns} columns, over the limit max_columns={max_columns}; "
            f"pass a larger max_columns to read it."
        )


def _check_shape(df: pd.DataFrame, file: Path) -> None:
    if df.shape[1] == 0:
        raise DataError(f"Table {str(file)!r} is empty: it has no columns.")
    if df.shape[0] == 0:
        raise DataError(f"Table {str(file)!r} is empty: it has columns but no rows.")
    _check_unique([str(name) for name in df.columns], file)


def _check_unique(names: list[str], file: Path) -> None:
    dupes = [name for name, count in Counter(names).items() if count > 1]
    if dupes:
        raise DataError(
            f"Table {str(file)!r} has duplicated column names {preview(dupes, 5)}; "
            f"every column needs its own name."
        )


def _human(n_bytes: int) -> str:
    """``512 bytes``, ``3.0 KiB``, ``2.0 GiB``: a size a person reads at a glance."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    size = float(n_bytes)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size /= 1024
        if size < 1024 or unit == "TiB":
            break
    return f"{size:.1f} {unit}"


def _interrupted(exc: BaseException) -> bool:
    """A KeyboardInterrupt somewhere in the chain of exceptions behind ``exc``."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
