"""Turn a feature table into a float64 matrix with statistics learned from training rows only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netreg._validation import check_choice
from netreg.data._columns import (
    check_onehot_size,
    column_kind,
    counts,
    input_kind,
    junk_message,
    junk_of,
    preview,
)
from netreg.data._encoder_config import float_map, kinds_map, str_list
from netreg.data.errors import DataError

CONFIG_FORMAT = "netreg.TableEncoder"
CONFIG_VERSION = 1
_CONFIG_KEYS = {
    "format",
    "version",
    "columns",
    "numeric",
    "categorical",
    "impute",
    "standardize",
    "means",
    "scales",
    "fill",
    "categories",
}
#: Keys a config may lack: models saved before netreg recorded the input kinds.
_OPTIONAL_KEYS = {"kinds"}


class TableEncoder:
    """One-hot categorical columns, impute and standardize numeric ones, with training statistics.

    For a numeric column ``x`` the output is ``(x̃ − mean) / scale``, where ``x̃`` is ``x`` with
    missing values replaced by the training mean or median (when ``impute`` is set), ``mean`` and
    ``scale`` (population standard deviation, 1 for a constant column) are those of ``x̃`` on the
    rows given to :meth:`fit`. A categorical column with training labels ``c₁ < … < c_k`` becomes
    ``k`` 0/1 columns named ``"column=c_j"``; a label not seen in training gives all zeros.
    Labels are compared as text (``True`` → ``"True"``, integral numbers without ``.0``).

    Parameters
    ----------
    categorical : sequence of str, optional
        Columns to one-hot encode; by default the text, boolean and categorical columns.
        Pass :attr:`PreparedTable.categorical` to follow :func:`prepare_table`.
    impute : {None, "mean", "median"}, default None
        Fill missing numeric values with this training statistic; without it a missing
        value is an error.
    standardize : bool, default True
        Centre and scale numeric columns; one-hot columns are never scaled.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "color": ["red", "blue", "red"]})
    >>> enc = TableEncoder().fit(train)
    >>> enc.output_names, enc.input_of_output
    (['x', 'color=blue', 'color=red'], ['x', 'color', 'color'])
    >>> enc.transform(pd.DataFrame({"x": [2.0], "color": ["green"]})).tolist()
    [[0.0, 0.0, 0.0]]
    """

    def __init__(
        self,
        *,
        categorical: Sequence[str] | None = None,
        impute: str | None = None,
        standardize: bool = True,
    ) -> None:
        check_choice("impute", impute, (None, "mean", "median"))
        if not isinstance(standardize, bool):
            raise TypeError(
                f"`standardize` must be True or False. Received: standardize={standardize!r}"
            )
        if isinstance(categorical, str):
            raise TypeError(
                f"`categorical` must be a sequence of column names, not one string. "
                f"Received: categorical={categorical!r}"
            )
        self.categorical = None if categorical is None else [str(c) for c in categorical]
        self.impute = impute
        self.standardize = standardize
        self._fitted = False
        self.columns_: list[str] = []
        self.numeric_: list[str] = []
        self.categorical_: list[str] = []
        self.means_: dict[str, float] = {}
        self.scales_: dict[str, float] = {}
        self.fill_: dict[str, float] = {}
        self.categories_: dict[str, list[str]] = {}
        # numeric / boolean / categorical per input column at fit; empty for encoders
        # rebuilt from configs saved before it was recorded (nothing to compare then).
        self.kinds_: dict[str, str] = {}

    # ------------------------------------------------------------------ fitting
    def fit(self, X_frame: pd.DataFrame) -> TableEncoder:
        """Learn column order, categories, fill values, means and scales from training rows."""
        X = _as_frame(X_frame)
        if len(X) == 0:
            raise DataError("Cannot fit the encoder on a table with no rows.")
        columns = list(X.columns)
        chosen = self.categorical
        if chosen is None:
            chosen = [c for c in columns if _kind(X[c], c) == "categorical"]
        unknown = [c for c in chosen if c not in columns]
        if unknown:
            raise DataError(
                f"Categorical column(s) {preview(unknown, 10)} are not in the table; "
                f"its columns are {preview(columns, 20)}."
            )
        numeric = [c for c in columns if c not in chosen]
        values = self._numeric_columns(X, numeric, fitting=True)
        means, scales, fill = {}, {}, {}
        for name, x in values.items():
            if self.impute is not None:
                observed = x[~np.isnan(x)]
                if observed.size == 0:
                    raise DataError(
                        f"Column {name!r} has no observed values in the training rows, so it "
                        f"cannot be imputed; drop it."
                    )
                fill[name] = float(
                    np.mean(observed) if self.impute == "mean" else np.median(observed)
                )
                x = np.where(np.isnan(x), fill[name], x)
            mean, scale = (float(x.mean()), float(x.std())) if self.standardize else (0.0, 1.0)
            means[name] = mean
            scales[name] = scale if np.isfinite(scale) and scale > 0 else 1.0
        categories = {}
        for name in [c for c in columns if c in chosen]:
            labels = as_labels(X[name], name)
            categories[name] = sorted(pd.unique(labels).tolist())
        check_onehot_size(len(X), len(numeric), categories)
        self.kinds_ = {c: str(input_kind(X[c])) for c in columns}
        self.columns_ = columns
        self.numeric_ = numeric
        self.categorical_ = [c for c in columns if c in chosen]
        self.means_, self.scales_, self.fill_, self.categories_ = means, scales, fill, categories
        self._fitted = True
        return self

    def transform(self, X_frame: pd.DataFrame) -> np.ndarray:
        """Encode rows with the fitted statistics; a float64 array of shape ``(n, n_outputs)``.

        Raises
        ------
        DataError
            The columns differ from those seen by :meth:`fit` (missing and unexpected ones are
            named), a numeric column holds text or infinite values, or a value is missing where
            nothing imputes it.
        """
        self._check_fitted()
        X = _as_frame(X_frame)
        self.check_columns(list(X.columns))
        values = self._numeric_columns(X, self.numeric_, fitting=False)
        # One output array filled column by column: no per-column blocks to stack (the
        # memory of a large table is the table and this array, nothing more).
        out = np.zeros((len(X), self.n_outputs), dtype=np.float64)
        k = 0
        for name in self.columns_:
            if name in values:
                x = values.pop(name)
                if name in self.fill_:
                    x = np.where(np.isnan(x), self.fill_[name], x)
                np.subtract(x, self.means_[name], out=out[:, k])
                out[:, k] /= self.scales_[name]
                k += 1
                continue
            labels = self.categories_[name]
            codes = pd.Index(labels, dtype=object).get_indexer(as_labels(X[name], name))
            known = np.flatnonzero(codes >= 0)
            out[known, k + codes[known]] = 1.0
            k += len(labels)
        return out

    def fit_transform(self, X_frame: pd.DataFrame) -> np.ndarray:
        """:meth:`fit` then :meth:`transform` on the same rows."""
        return self.fit(X_frame).transform(X_frame)

    # ------------------------------------------------------------------ names
    @property
    def feature_names(self) -> list[str]:
        """The input columns, in the order they were seen by :meth:`fit`."""
        self._check_fitted()
        return list(self.columns_)

    @property
    def output_names(self) -> list[str]:
        """One name per output column: the column itself, or ``"column=label"`` for one-hot."""
        return [out for out, _ in self._outputs()]

    @property
    def input_of_output(self) -> list[str]:
        """The source column of each output column, e.g. to report groups selected by group lasso."""
        return [src for _, src in self._outputs()]

    @property
    def n_outputs(self) -> int:
        """Number of encoded columns."""
        return len(self._outputs())

    def _outputs(self) -> list[tuple[str, str]]:
        self._check_fitted()
        pairs: list[tuple[str, str]] = []
        for name in self.columns_:
            if name in self.categories_:
                pairs.extend((f"{name}={label}", name) for label in self.categories_[name])
            else:
                pairs.append((name, name))
        return pairs

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """The fitted encoder as plain JSON-able data; :meth:`from_config` rebuilds it exactly."""
        self._check_fitted()
        return {
            "format": CONFIG_FORMAT,
            "version": CONFIG_VERSION,
            "columns": list(self.columns_),
            "numeric": list(self.numeric_),
            "categorical": list(self.categorical_),
            "impute": self.impute,
            "standardize": self.standardize,
            "means": dict(self.means_),
            "scales": dict(self.scales_),
            "fill": dict(self.fill_),
            "categories": {k: list(v) for k, v in self.categories_.items()},
            "kinds": dict(self.kinds_),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TableEncoder:
        """Rebuild a fitted encoder from :meth:`get_config` output, checking it thoroughly.

        Raises
        ------
        DataError
            A key is unknown or missing, or the entries contradict each other.
        """
        if not isinstance(config, dict):
            raise DataError(f"Encoder config must be a mapping, not {type(config).__name__}.")
        unknown = sorted(set(config) - _CONFIG_KEYS - _OPTIONAL_KEYS)
        missing = sorted(_CONFIG_KEYS - set(config))
        if unknown or missing:
            raise DataError(
                f"Encoder config keys do not match: unknown {preview(unknown) or 'none'}; "
                f"missing {preview(missing) or 'none'}."
            )
        if config["format"] != CONFIG_FORMAT or config["version"] != CONFIG_VERSION:
            raise DataError(
                f"Encoder config has format {config['format']!r} version {config['version']!r}; "
                f"expected {CONFIG_FORMAT!r} version {CONFIG_VERSION}."
            )
        columns = str_list(config["columns"], "columns")
        numeric = str_list(config["numeric"], "numeric")
        categorical = str_list(config["categorical"], "categorical")
        if sorted(numeric + categorical) != sorted(columns) or len(set(columns)) != len(columns):
            raise DataError(
                "Encoder config is inconsistent: 'numeric' and 'categorical' must split 'columns'."
            )
        enc = cls(
            categorical=categorical, impute=config["impute"], standardize=config["standardize"]
        )
        enc.means_ = float_map(config["means"], numeric, "means")
        enc.scales_ = float_map(config["scales"], numeric, "scales")
        if any(v <= 0 for v in enc.scales_.values()):
            raise DataError("Encoder config is inconsistent: every entry of 'scales' must be > 0.")
        enc.fill_ = float_map(config["fill"], numeric if enc.impute else [], "fill")
        cats = config["categories"]
        if not isinstance(cats, dict) or sorted(cats) != sorted(categorical):
            raise DataError(
                "Encoder config is inconsistent: 'categories' must have one list per categorical column."
            )
        enc.categories_ = {c: str_list(cats[c], f"categories[{c!r}]") for c in categorical}
        enc.kinds_ = kinds_map(config.get("kinds", {}), columns)
        enc.columns_, enc.numeric_, enc.categorical_ = columns, numeric, categorical
        enc._fitted = True
        return enc

    # ------------------------------------------------------------------ checks
    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError("This TableEncoder is not fitted yet; call fit() first.")

    def check_columns(self, received: list[str]) -> None:
        """Refuse column names other than the fitted ones (in any order), naming the odd ones."""
        if received == self.columns_:
            return
        missing = [c for c in self.columns_ if c not in received]
        extra = [c for c in received if c not in self.columns_]
        if missing or extra:
            raise DataError(
                f"Columns differ from those the encoder was fitted on: missing {preview(missing, 10) or 'none'}; "
                f"unexpected {preview(extra, 10) or 'none'}. Expected ({len(self.columns_)}): "
                f"{preview(self.columns_, 20)}; received ({len(received)}): {preview(received, 20)}."
            )

    def _numeric_columns(
        self, X: pd.DataFrame, numeric: list[str], *, fitting: bool
    ) -> dict[str, np.ndarray]:
        """The numeric columns as float64 arrays (float64 columns are not copied); refuse
        text, infinities, and NaN nobody imputes."""
        values, junk = {}, []
        for name in numeric:
            _kind(X[name], name)
            values[name], problem = junk_of(name, X[name])
            if problem is not None:
                junk.append(problem)
        if junk:
            raise DataError(junk_message(junk))
        stage = "training rows" if fitting else "rows to transform"
        infinite = [(c, k) for c, x in values.items() if (k := int(np.isinf(x).sum()))]
        if infinite:
            raise DataError(
                f"Infinite values in column(s) {counts(infinite)} of the {stage}; replace them."
            )
        if self.impute is None:
            missing = [(c, k) for c, x in values.items() if (k := int(np.isnan(x).sum()))]
            if missing:
                raise DataError(
                    f"Missing values (NaN) in column(s) {counts(missing)} of the {stage}, and the "
                    f"encoder has no imputation; use impute='mean' or 'median' or remove those rows."
                )
        return values


def _as_frame(X_frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(X_frame, pd.DataFrame):
        raise TypeError(
            f"Expected a pandas DataFrame. Received: X_frame of type {type(X_frame).__name__}"
        )
    X = X_frame.set_axis([str(c) for c in X_frame.columns], axis=1)
    names = pd.Index(X.columns)
    if names.has_duplicates:
        dupes = list(dict.fromkeys(names[names.duplicated()]))
        raise DataError(f"The table has duplicated column names {preview(dupes, 5)}; rename them.")
    return X


def _kind(s: pd.Series, name: str) -> str:
    kind = column_kind(s)
    if kind == "unsupported":
        raise DataError(
            f"Column {name!r} has unsupported type {s.dtype}; convert it to numbers, text or booleans."
        )
    return kind


def as_labels(s: pd.Series, name: str) -> np.ndarray:
    """Categorical values as text; integral numbers print without ``.0``; missing is an error."""
    _kind(s, name)
    n_missing = int(s.isna().sum())
    if n_missing:
        raise DataError(
            f"Missing values in categorical column {name!r} ({n_missing}); imputation fills numeric "
            f"columns only, so fill these cells with a label or remove those rows."
        )
    if column_kind(s) == "numeric":
        x = s.to_numpy(dtype=np.float64)
        if np.all(np.isfinite(x)) and np.all(x == np.round(x)):
            return x.astype(np.int64).astype(str).astype(object)
    return np.array([str(v) for v in s.astype(object)], dtype=object)
