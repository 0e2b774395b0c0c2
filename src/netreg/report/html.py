"""A report as one self-contained HTML file: build it block by block, render, write.

The page has inline CSS, images as PNG ``data:`` URIs, and no script, font or link to
anything outside the file, so it opens offline and can be mailed or archived as is. Every
string given to a :class:`Report` is text, never markup: the jinja2 environment escapes
everything (``autoescape=True``), so a column named ``<script>`` shows as those characters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from netreg.report.anchors import AnchorSet
from netreg.report.atomic import atomic_write_text, resolve_target
from netreg.report.blocks import (
    Block,
    FigureLike,
    Image,
    Section,
    Table,
    Text,
    Verdict,
    check_text,
    image_data_uri,
    numeric_columns,
    row_cells,
    verdict_kind,
)
from netreg.report.format import format_value, is_number

TEMPLATE = "report.html.j2"
#: Ids the page itself uses; headings never take them.
RESERVED_IDS = ("top", "contents", "verdicts")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment: package templates, autoescape on, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("netreg.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Placed:
    """A block or section with the anchor id and heading level it is rendered with."""

    item: Any
    anchor: str | None
    level: int


@dataclass
class Report:
    """A report built block by block and rendered to one self-contained HTML page.

    Blocks added before the first :meth:`add_section` go at the top of the page; after it,
    into that section, until the next one. Every ``add_*`` method returns the report, so
    calls chain. Titles feed a table of contents; verdicts also get a summary at the top.

    Parameters
    ----------
    title : str
        The page title (the ``<title>`` and the main heading).
    subtitle : str, default ""
        A line under the title: the data set, the date, the command that made the report.

    Examples
    --------
    >>> from netreg.report import Report, bar_comparison
    >>> report = Report("netreg compare: diabetes", subtitle="5-fold CV")
    >>> _ = report.add_table("Test error", ["method", "MSE"], [["L1", 0.52], ["L2", 0.49]])
    >>> _ = report.add_figure("Test error", bar_comparison(["L1", "L2"], [0.52, 0.49]))
    >>> html = report.render()
    >>> html.startswith("<!DOCTYPE html>") and "&lt;" not in report.title
    True
    """

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        check_text("title", self.title, required=True)
        check_text("subtitle", self.subtitle)

    def _add(self, block: Block) -> Report:
        if not self.sections:
            self.sections.append(Section(title=None))
        self.sections[-1].blocks.append(block)
        return self

    def add_section(self, title: str, *, intro: str = "") -> Report:
        """Start a section: a second-level heading that groups the blocks added after it."""
        check_text("title", title, required=True)
        check_text("intro", intro)
        self.sections.append(Section(title=title, intro=intro))
        return self

    def add_table(
        self,
        title: str,
        columns: Sequence[Any],
        rows: Iterable[Sequence[Any] | Mapping[str, Any]],
        *,
        note: str = "",
        highlight_rows: Iterable[int] = (),
    ) -> Report:
        """Add a table.

        Parameters
        ----------
        title : str
            The table's heading ("" for none).
        columns : sequence
            Column names (shown as text).
        rows : iterable of sequences or mappings
            Each row is a list of cells in column order, or a mapping column name → cell.
            Cells may be strings, numbers (formatted by :func:`netreg.report.format_value`:
            4 significant digits, NaN and ∞ spelled out) or None (a dash). A column of numbers
            is right-aligned.
        note : str, default ""
            A remark under the table (what the ± means, which row is the choice).
        highlight_rows : iterable of int, default ()
            Row indices to emphasize (the chosen method).
        """
        check_text("title", title)
        check_text("note", note)
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
            raise TypeError(f"`columns` must be a list of names. Received: columns={columns!r}")
        names = tuple(str(c) for c in columns)
        cells = tuple(row_cells(i, row, names) for i, row in enumerate(rows))
        highlight = frozenset(highlight_rows)
        bad = sorted(i for i in highlight if not isinstance(i, int) or not 0 <= i < len(cells))
        if bad:
            raise ValueError(
                f"`highlight_rows` must be row indices in [0, {len(cells)}). "
                f"Received: highlight_rows={sorted(highlight, key=repr)!r}"
            )
        numeric = numeric_columns(cells, len(names))
        return self._add(Table(title, names, cells, numeric, highlight, note))

    def add_figure(self, title: str, figure: FigureLike, *, caption: str = "") -> Report:
        """Add a figure: a matplotlib Figure (rendered to PNG, then closed), PNG bytes, or a
        ``data:image/png;base64,…`` URI. Anything pointing outside the file is refused."""
        check_text("title", title)
        check_text("caption", caption)
        return self._add(Image(title, image_data_uri("figure", figure), caption))

    def add_text(self, title: str, text: str) -> Report:
        """Add prose. Blank lines separate paragraphs; the text is shown as typed (escaped)."""
        check_text("title", title)
        check_text("text", text)
        paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
        return self._add(Text(title, paragraphs))

    def add_verdict(
        self,
        claim_id: str,
        title: str,
        verdict: str,
        explanation: str,
        figure: FigureLike | None = None,
        numbers: Mapping[str, Any] | None = None,
    ) -> Report:
        """Add the outcome of testing one claim, shown as a card with a coloured badge.

        Parameters
        ----------
        claim_id : str
            A stable id (``"l1-sparsity"``); the card's anchor is ``#claim-<slug of id>``.
        title : str
            The claim, in words.
        verdict : str
            ``"holds"`` (green), ``"does not hold"`` (red), ``"holds only when <condition>"``
            (amber) or ``"inconclusive"`` (grey).
        explanation : str
            Why, in terms of the numbers.
        figure : Figure, bytes or str, optional
            As in :meth:`add_figure`.
        numbers : mapping of str to value, optional
            The measurements behind the verdict, shown as a small table in insertion order.
        """
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
        return self._add(Verdict(claim_id, title, verdict.strip(), kind, explanation, rows, uri))

    def verdicts(self) -> list[Verdict]:
        """All verdict blocks, in page order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Verdict)]

    def render(self) -> str:
        """The complete HTML page as a string (the same report always renders the same)."""
        anchors = AnchorSet(RESERVED_IDS)
        sections: list[tuple[Placed, list[Placed]]] = []
        for section in self.sections:
            anchor = None if section.title is None else anchors.new(section.title)
            level = 2 if section.title is None else 3
            blocks = [Placed(b, _block_anchor(b, anchors), level) for b in section.blocks]
            sections.append((Placed(section, anchor, 2), blocks))
        verdicts = [p for _, blocks in sections for p in blocks if isinstance(p.item, Verdict)]
        toc = _contents(sections)
        template = environment().get_template(TEMPLATE)
        return template.render(
            title=self.title,
            subtitle=self.subtitle,
            sections=sections,
            verdicts=verdicts,
            toc=toc if len(toc) + sum(len(children) for _, _, children in toc) >= 2 else [],
        )


def _block_anchor(block: Block, anchors: AnchorSet) -> str | None:
    if isinstance(block, Verdict):
        return anchors.new(f"claim {block.claim_id}", fallback="claim")
    return anchors.new(block.title) if block.title.strip() else None


def _contents(sections: list[tuple[Placed, list[Placed]]]) -> list[tuple[str, str, list]]:
    """Table-of-contents entries ``(anchor, title, children)``: sections with their titled
    blocks, and the titled blocks of the untitled leading part as top-level entries."""
    entries: list[tuple[str, str, list]] = []
    for head, blocks in sections:
        titled: list[tuple[str, str, list]] = [
            (p.anchor, p.item.title, []) for p in blocks if p.anchor is not None
        ]
        if head.anchor is None:
            entries.extend(titled)
        else:
            entries.append((head.anchor, head.item.title, titled))
    return entries


def write_report(
    report: Report | str, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Render (if needed) and write a report atomically; returns the resolved path.

    The path is checked before rendering, so a refused path costs nothing, and the page is
    complete before the file is touched. See :func:`netreg.report.atomic_write_text` for the
    rules (folder must exist, ``force`` to overwrite, no partial file ever).
    """
    if not isinstance(report, (Report, str)):
        raise TypeError(
            f"`report` must be a Report or an HTML string. Received: {type(report).__name__}"
        )
    resolve_target(path, force=force)
    html = report.render() if isinstance(report, Report) else report
    return atomic_write_text(path, html, force=force)
