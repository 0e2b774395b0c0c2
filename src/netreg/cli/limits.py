"""Bounds on a ``--config`` file, checked before and right after parsing, each error naming
its limit: a 15 MB file, a document nested thousands deep (a RecursionError in the parser)
or a network of 10⁹ units is refused in one line, before any memory or time is spent.

The widths and layer count of ``[model] hidden`` use the limits of
:mod:`netreg.train.models`, which saved models obey too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from netreg._validation import nesting_depth
from netreg.cli.errors import UsageError
from netreg.train.models import MAX_HIDDEN_LAYERS, MAX_WIDTH

#: Largest config file read (a real one is under 2 KB).
MAX_CONFIG_BYTES = 1024 * 1024
#: Deepest nesting of tables and lists (a real one is 2 deep: section, then a list).
MAX_CONFIG_DEPTH = 8

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "MAX_HIDDEN_LAYERS",
    "MAX_WIDTH",
    "parse_bounded",
]


def parse_bounded(file: Path, parse: Callable[[str], Any]) -> Any:
    """``parse(text)`` of ``file`` once its size is within bounds, then its depth checked.

    Raises
    ------
    UsageError
        The file is over :data:`MAX_CONFIG_BYTES`, or nested deeper than
        :data:`MAX_CONFIG_DEPTH` (also when the parser itself runs out of stack).
    """
    size = file.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise UsageError(
            f"Config file {str(file)!r} is {size} bytes, over the limit of {MAX_CONFIG_BYTES} "
            "bytes for a config file."
        )
    deep = UsageError(
        f"Config file {str(file)!r} nests tables or lists more than {MAX_CONFIG_DEPTH} levels "
        "deep, over the limit for a config file."
    )
    try:
        document = parse(file.read_text(encoding="utf-8"))
    except RecursionError:
        raise deep from None
    if nesting_depth(document, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH:
        raise deep
    return document
