"""The pieces a report is made of: plain, frozen records of already-formatted text.

Each block is checked and formatted when it is added (so a mistake is reported where it is
made, not at render time) and holds only strings, so the template has nothing left to decide
except layout. All text is escaped by the template; nothing here is trusted as HTML.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from matplotlib.figure import Figure

from netreg.report.encode import DATA_URI_PREFIX, PNG_SIGNATURE, figure_to_data_uri
from netreg.report.format import MISSING, Cell, format_cell, format_value, is_number

#: What ``add_figure`` and ``add_verdict`` accept as an image.
FigureLike = Figure | str | bytes

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_VERDICT_KINDS = {"holds": "holds", "does not hold": "fails", "inconclusive": "inconclusive"}
_PARTIAL_PREFIX = "holds only when"


def check_text(name: str, value: Any, *, required: bool = False) -> str:
    """``value`` must be a string (non-blank when ``required``); returns it unchanged."""
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string. Received: {name}={value!r}")
    if required and not value.strip():
        raise ValueError(f"`{name}` must not be empty. Received: {name}={value!r}")
    return value


def image_data_uri(name: str, image: FigureLike) -> str:
    """A PNG ``data:`` URI from a Figure (rendered, then closed), PNG bytes, or a data URI.

    Anything that would make the page fetch something (an ``http(s)://`` or file address, an
    SVG that may carry scripts) is refused: a report is one self-contained file.
    """
    if isinstance(image, Figure):
        return figure_to_data_uri(image)
    if isinstance(image, (bytes, bytearray)):
        if not bytes(image).startswith(PNG_SIGNATURE):
            raise ValueError(
                f"`{name}` bytes must be a PNG file. Received: {name}={bytes(image[:8])!r}…"
            )
        return DATA_URI_PREFIX + base64.b64encode(bytes(image)).decode("ascii")
    if isinstance(image, str):
        payload = image[len(DATA_URI_PREFIX) :]
        if not image.startswith(DATA_URI_PREFIX) or not _BASE64.fullmatch(payload):
            raise ValueError(
                f"`{name}` must be a Figure, PNG bytes, or a string starting with "
                f"{DATA_URI_PREFIX!r} followed by base64. Received: {name}={image[:60]!r}"
            )
        try:
            head = base64.b64decode(payload[:16] + "=" * (-len(payload[:16]) % 4))
        except binascii.Error:
            head = b""
        if not head.startswith(PNG_SIGNATURE):
            raise ValueError(
                f"`{name}` data URI does not hold a PNG image. Received: {name}={image[:60]!r}"
            )
        return image
    raise TypeError(
        f"`{name}` must be a matplotlib Figure, PNG bytes or a PNG data URI. "
        f"Received: {name}={type(image).__name__}"
    )


def verdict_kind(verdict: str) -> str:
    """The badge class of a verdict: ``holds``, ``fails``, ``partial`` or ``inconclusive``.

    Valid verdicts are ``"holds"``, ``"does not hold"``, ``"holds only when <condition>"``
    and ``"inconclusive"`` (case and spacing are ignored).
    """
    check_text("verdict", verdict, required=True)
    normalized = " ".join(verdict.lower().split())
    if normalized in _VERDICT_KINDS:
        return _VERDICT_KINDS[normalized]
    condition = normalized[len(_PARTIAL_PREFIX) :].strip(" .…")
    if normalized.startswith(_PARTIAL_PREFIX + " ") and condition:
        return "partial"
    raise ValueError(
        "`verdict` must be 'holds', 'does not hold', 'holds only when <condition>' "
        f"or 'inconclusive'. Received: verdict={verdict!r}"
    )


@dataclass(frozen=True)
class Table:
    """A titled table; ``numeric_columns[j]`` is True when column ``j`` holds only numbers."""

    kind: ClassVar[str] = "table"
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric_columns: tuple[bool, ...]
    highlight_rows: frozenset[int]
    note: str = ""

    @classmethod
    def build(
        cls,
        title: str,
        columns: Sequence[Any],
        rows: Iterable[Sequence[Any] | Mapping[str, Any]],
        *,
        note: str = "",
        highlight_rows: Iterable[int] = (),
    ) -> Table:
        """Check and format a table; a row is a sequence of cells or a mapping column → cell."""
        check_text("title", title)
        check_text("note", note)
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
            raise TypeError(f"`columns` must be a list of names. Received: columns={columns!r}")
        names = tuple(str(c) for c in columns)
        cells = tuple(_row_cells(i, row, names) for i, row in enumerate(rows))
        numeric = tuple(
            any(row[j].numeric for row in cells)
            and all(row[j].numeric or row[j].text == MISSING for row in cells)
            for j in range(len(names))
        )
        highlight = frozenset(highlight_rows)
        bad = sorted(i for i in highlight if not isinstance(i, int) or not 0 <= i < len(cells))
        if bad:
            raise ValueError(
                f"`highlight_rows` must be row indices in [0, {len(cells)}). "
                f"Received: highlight_rows={sorted(highlight, key=repr)!r}"
            )
        return cls(title, names, cells, numeric, highlight, note)


def _row_cells(i: int, row: Sequence[Any] | Mapping[str, Any], names: tuple[str, ...]) -> tuple:
    if isinstance(row, Mapping):
        by_name = {str(k): v for k, v in row.items()}
        if set(by_name) != set(names):
            missing = [n for n in names if n not in by_name]
            unknown = sorted(set(by_name) - set(names))
            raise ValueError(
                f"Row {i} must have exactly the table's columns; missing {missing}, "
                f"unknown {unknown}. Received: rows[{i}]={dict(row)!r}"
            )
        values = [by_name[n] for n in names]
    elif isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
        raise TypeError(
            f"Row {i} must be a list of cells or a mapping. Received: rows[{i}]={row!r}"
        )
    else:
        values = list(row)
    if len(values) != len(names):
        raise ValueError(
            f"Row {i} has {len(values)} cells but the table has {len(names)} columns. "
            f"Received: rows[{i}]={row!r}"
        )
    return tuple(format_cell(v) for v in values)


@dataclass(frozen=True)
class Image:
    """A titled figure, stored as a PNG data URI, with an optional caption."""

    kind: ClassVar[str] = "figure"
    title: str
    data_uri: str
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """Titled prose: paragraphs are separated by blank lines; single newlines are kept."""

    kind: ClassVar[str] = "text"
    title: str
    paragraphs: tuple[str, ...]

    @classmethod
    def build(cls, title: str, text: str) -> Text:
        check_text("title", title)
        check_text("text", text)
        paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
        return cls(title, paragraphs)


@dataclass(frozen=True)
class Verdict:
    """A claim tested by the lab: its verdict badge, the reasoning, numbers and a figure."""

    kind: ClassVar[str] = "verdict"
    claim_id: str
    title: str
    verdict: str
    verdict_kind: str
    explanation: str
    numbers: tuple[tuple[str, str, bool], ...]
    data_uri: str | None = None

    @classmethod
    def build(
        cls,
        claim_id: str,
        title: str,
        verdict: str,
        explanation: str,
        figure: FigureLike | None = None,
        numbers: Mapping[str, Any] | None = None,
    ) -> Verdict:
        check_text("claim_id", claim_id, required=True)
        check_text("title", title, required=True)
        check_text("explanation", explanation)
        kind = verdict_kind(verdict)
        numbers = {} if numbers is None else numbers
        if not isinstance(numbers, Mapping):
            raise TypeError(
                f"`numbers` must be a mapping of name to value. Received: numbers={numbers!r}"
            )
        rows = tuple((str(k), format_value(v), is_number(v)) for k, v in numbers.items())
        uri = None if figure is None else image_data_uri("figure", figure)
        return cls(claim_id, title, verdict.strip(), kind, explanation, rows, uri)


Block = Table | Image | Text | Verdict


@dataclass
class Section:
    """A titled group of blocks; the report's first section may be untitled (``title=None``)."""

    title: str | None
    intro: str = ""
    blocks: list[Block] = field(default_factory=list)
