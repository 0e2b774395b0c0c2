"""Tables in, checked matrices out: loading, validation, encoding and bundled data sets.

This layer uses pandas, pyarrow, numpy and scikit-learn only (no torch). Every problem with the
user's data is a :class:`DataError` with a one-line message.

>>> from netreg.data import load_dataset, prepare_table, TableEncoder
>>> prep = prepare_table(load_dataset("diabetes"), "target")
>>> X = TableEncoder(categorical=prep.categorical, impute=prep.impute).fit_transform(prep.X_frame)
>>> X.shape
(442, 10)
"""

from netreg.data.datasets import list_datasets, load_dataset, load_prostate, sparse_signal
from netreg.data.encode import TableEncoder
from netreg.data.errors import DataError
from netreg.data.input_check import InputCheck
from netreg.data.load import SUPPORTED_EXTENSIONS, read_chunks, read_columns, read_table
from netreg.data.prepare import PreparedTable, prepare_table
from netreg.data.target import MAX_AUTO_CLASSES, TargetInfo, resolve_target

__all__ = [
    "MAX_AUTO_CLASSES",
    "SUPPORTED_EXTENSIONS",
    "DataError",
    "InputCheck",
    "PreparedTable",
    "TableEncoder",
    "TargetInfo",
    "list_datasets",
    "load_dataset",
    "load_prostate",
    "prepare_table",
    "read_chunks",
    "read_columns",
    "read_table",
    "resolve_target",
    "sparse_signal",
]
