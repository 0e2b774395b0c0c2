"""What the commands print: rich tables on stdout, sized to the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from netreg.compare import CompareResult


def stdout_console() -> Console:
    """A console on stdout; wide enough for the summary table when output is not a terminal."""
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(width=160, soft_wrap=False)
    return console


def cell(value: Any) -> str:
    """A table cell: 4 significant digits for numbers, a dash for missing values."""
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.4g}"
    return str(value)


def table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    highlight: int | None = None,
) -> Table:
    """A rich table; numeric columns right-aligned; row ``highlight`` in bold."""
    out = Table(title=Text(title), title_justify="left", header_style="bold")
    numeric = [
        all(isinstance(row[j], (int, float)) for row in rows) and bool(rows)
        for j in range(len(columns))
    ]
    for name, is_number in zip(columns, numeric, strict=True):
        out.add_column(Text(str(name)), justify="right" if is_number else "left")
    for i, row in enumerate(rows):
        # Text, not str: a column named "[red]x" is shown as typed, never read as rich markup.
        out.add_row(*(Text(cell(v)) for v in row), style="bold" if i == highlight else None)
    return out


def print_written(console: Console, paths: dict[str, Path | None]) -> None:
    """``Wrote the <what> to <path>`` for every output written (``paths``: what → path)."""
    for what, path in paths.items():
        if path is not None:
            console.print(f"Wrote the {what} to {path}", markup=False, highlight=False)


def print_comparison(result: CompareResult, console: Console | None = None) -> None:
    """The summary table of a comparison, the best method in bold."""
    from netreg.compare.result import metric_label

    console = console or stdout_console()
    best = result.methods.index(result.best)
    rows = result.summary_rows()
    console.print(
        table(
            f"netreg compare — {result.task}, {result.n_train} training / {result.n_test} test rows",
            result.summary_columns(),
            rows,
            highlight=best,
        ),
        markup=False,
        highlight=False,
    )
    console.print(
        f"Lowest test {metric_label(result.primary_metric)}: {result.best.label}. Strengths chosen by "
        f"{result.settings['folds']}-fold CV ({result.settings['rule']} rule) on the training rows.",
        markup=False,
        highlight=False,
    )
