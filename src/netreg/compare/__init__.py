"""Compare regularizers on one table: every method tuned by CV, scored on held-out rows.

The logic under ``netreg compare`` and ``netreg demo``: split the rows once, encode with
training statistics, choose each method's strength by K-fold CV (α along a λ path, or the
dropout rate from a grid, by the min or 1-SE rule), keep the final network (an α-method's is
its all-rows path point at the chosen α), score it on the test rows, and report.

>>> from netreg.compare import compare_methods, build_report
>>> from netreg.data import load_dataset
>>> df = load_dataset("diabetes")
>>> result = compare_methods(df.drop(columns="target"), df["target"], task="regression",
...                          methods=["none", "l1"], folds=3)  # doctest: +SKIP
>>> html = build_report(result).render()  # doctest: +SKIP
"""

from netreg.compare.grid_cv import cross_validate_grid
from netreg.compare.methods import (
    BUDGETS,
    DEFAULT_METHODS,
    METHODS,
    Budget,
    Method,
    resolve_budget,
    resolve_methods,
)
from netreg.compare.metrics import PRIMARY, SECONDARY
from netreg.compare.report import SECTIONS, build_report
from netreg.compare.result import (
    SCHEMA,
    SCHEMA_VERSION,
    CompareResult,
    LayerSparsity,
    MethodResult,
)
from netreg.compare.run import compare_methods
from netreg.compare.saved import SavedModel, load_model, save_model
from netreg.compare.single import FittedTable, fit_table
from netreg.compare.table_model import TableModel

__all__ = [
    "BUDGETS",
    "DEFAULT_METHODS",
    "METHODS",
    "PRIMARY",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SECONDARY",
    "SECTIONS",
    "Budget",
    "CompareResult",
    "FittedTable",
    "LayerSparsity",
    "Method",
    "MethodResult",
    "SavedModel",
    "TableModel",
    "build_report",
    "compare_methods",
    "cross_validate_grid",
    "fit_table",
    "load_model",
    "resolve_budget",
    "resolve_methods",
    "save_model",
]
