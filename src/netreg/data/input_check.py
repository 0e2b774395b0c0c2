"""Compare the tables given for prediction with what the encoder saw in training, per column.

A column can be encoded without error and still mean something else than in training: a
boolean where numbers were trained is read as 0/1, numbers where text labels were trained are
compared as text and most likely match no label. Such columns are reported, one line each.
A file is predicted chunk by chunk, so the findings are gathered over every chunk and reported
once at the end, with the counts of all rows.
"""

from __future__ import annotations

import warnings

import pandas as pd

from netreg.data._columns import input_kind, preview
from netreg.data.encode import TableEncoder, as_labels

_WHAT = {"numeric": "numeric", "boolean": "boolean", "categorical": "text (categorical)"}


class InputCheck:
    """Findings about tables to be encoded by a fitted :class:`TableEncoder`.

    Call :meth:`update` with each table (or chunk) before encoding it, then :meth:`messages`
    for one line per column whose kind differs from training (when the encoder recorded the
    kinds; encoders saved before netreg recorded them skip that check) or whose categorical
    labels were never seen in training.

    Examples
    --------
    >>> import pandas as pd
    >>> enc = TableEncoder().fit(pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]}))
    >>> check = InputCheck(enc)
    >>> check.update(pd.DataFrame({"x": [True, False], "c": ["a", "b"]}))
    >>> check.messages()  # doctest: +NORMALIZE_WHITESPACE
    ["Column 'x' was numeric when the model was trained and is boolean here; it is read as 0/1."]
    """

    def __init__(self, encoder: TableEncoder) -> None:
        self._encoder = encoder
        self._rows = 0
        self._kinds: dict[str, str] = {}  # the first differing kind met, per column
        self._unseen: dict[str, int] = {}  # rows with labels not seen in training
        self._examples: dict[str, list[str]] = {}  # a few of those labels

    def update(self, X_frame: pd.DataFrame) -> None:
        """Look at the feature columns of one table or chunk (other columns are ignored)."""
        enc = self._encoder
        for name, trained in enc.kinds_.items():
            if name in X_frame.columns and name not in self._kinds:
                kind = input_kind(X_frame[name])
                if kind not in (trained, "unsupported"):  # unsupported: encoding refuses it
                    self._kinds[name] = kind
        for name in enc.categorical_:
            if name not in X_frame.columns:
                continue
            labels = as_labels(X_frame[name], name)
            unseen = ~pd.Index(labels).isin(enc.categories_[name])
            if unseen.any():
                self._unseen[name] = self._unseen.get(name, 0) + int(unseen.sum())
                examples = self._examples.setdefault(name, [])
                for label in sorted({str(v) for v in labels[unseen]}):
                    if len(examples) < 3 and label not in examples:
                        examples.append(label)
        self._rows += len(X_frame)

    def messages(self) -> list[str]:
        """One line per column to warn about, in the encoder's column order."""
        lines = []
        for name in self._encoder.columns_:
            parts = []
            if name in self._kinds:
                parts.append(self._kind_change(name))
            if name in self._unseen:
                parts.append(
                    f"{self._unseen[name]} of {self._rows} rows hold labels not seen in training "
                    f"({preview(self._examples[name], 3)}; trained: "
                    f"{preview(self._encoder.categories_[name], 5)}); they are encoded as no category."
                )
            if parts:
                text = " ".join(parts)
                lines.append(text if text.startswith("Column") else f"Column {name!r}: {text}")
        return lines

    def warn(self) -> None:
        """Issue :meth:`messages` as Python warnings (``UserWarning``), for library callers."""
        for line in self.messages():
            warnings.warn(line, UserWarning, stacklevel=3)

    def _kind_change(self, name: str) -> str:
        trained, now = self._encoder.kinds_[name], self._kinds[name]
        if trained == "numeric":
            how = "it is read as 0/1." if now == "boolean" else "its text is read as numbers."
        else:
            how = "its values are compared with the trained labels as text."
        return (
            f"Column {name!r} was {_WHAT[trained]} when the model was trained and is "
            f"{_WHAT[now]} here; {how}"
        )
