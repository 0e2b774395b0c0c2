"""The pieces a report is made of: plain, frozen records of already-formatted text.

Each block is checked and formatted when it is added (so a mistake is reported where it is
made, not at render time) and holds only strings, so the template has nothing left to decide
except layout. All text is escaped by the template; nothing here is trusted as HTML.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from matplotlib.figure import Figure

from netreg.report.encode import DATA_URI_PREFIX, PNG_SIGNATURE, figure_to_data_uri
from netreg.report.format import MISSING, Cell, format_cell

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


def row_cells(i: int, row: Sequence[Any] | Mapping[str, Any], names: tuple[str, ...]) -> tuple:
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


def numeric_columns(cells: tuple[tuple[Cell, ...], ...], n_columns: int) -> tuple[bool, ...]:
    """A column is numeric (right-aligned) when it has a number and nothing but numbers or
    missing cells."""
    return tuple(
        any(row[j].numeric for row in cells)
        and all(row[j].numeric or row[j].text == MISSING for row in cells)
        for j in range(n_columns)
    )


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


Block = Table | Image | Text | Verdict


@dataclass
class Section:
    """A titled group of blocks; the report's first section may be untitled (``title=None``)."""

    title: str | None
    intro: str = ""
    blocks: list[Block] = field(default_factory=list)
