"""Tables in, files out: read and check the data, check output paths first, write atomically."""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from netreg._interrupts import publishing
from netreg.cli.errors import UsageError

T = TypeVar("T")

if TYPE_CHECKING:
    from netreg.data import PreparedTable


def load_table(
    path: Path,
    target: str | None,
    *,
    task: str = "auto",
    impute: str | None = None,
    min_rows: int = 2,
    quiet: bool = False,
) -> PreparedTable:
    """Read ``path`` and check it for learning ``target``; warnings go to stderr."""
    from netreg.data import prepare_table, read_table

    if not target:
        raise UsageError("No target column: pass --target COLUMN (or set data.target in --config).")
    prepared = prepare_table(read_table(path), target, task=task, impute=impute, min_rows=min_rows)
    if not quiet:
        warn(prepared.warnings)
    return prepared


def table_arguments(prepared: PreparedTable) -> dict[str, Any]:
    """What :func:`netreg.compare.compare_methods` and :func:`netreg.compare.fit_table` read
    of a prepared table: ``X``, ``y`` and what the preparation found out about them."""
    return {
        "X": prepared.X_frame, "y": prepared.y, "task": prepared.task,
        "categorical": prepared.categorical, "impute": prepared.impute,
        "classes": prepared.classes,
    }  # fmt: skip


def warn(lines: Sequence[str]) -> None:
    """Print each line as ``warning: …`` on stderr."""
    for line in lines:
        sys.stderr.write(f"warning: {' '.join(str(line).split())}\n")
    sys.stderr.flush()


@contextmanager
def divergences() -> Iterator[list[str]]:
    """Collect the one-line messages of fits that diverged (:class:`DivergenceWarning`),
    so that the command decides: refuse to publish, or say it in a ``warning:`` line.

    Other warnings are shown as usual when the block ends.
    """
    from netreg.train import DivergenceWarning

    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DivergenceWarning)
        yield found
    for item in caught:
        if issubclass(item.category, DivergenceWarning):
            found.append(" ".join(str(item.message).split()))
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def train_on_table(
    train: Callable[..., T], prepared: PreparedTable, training: dict[str, Any], **arguments: Any
) -> tuple[T, list[str]]:
    """``train(X, y, …, **arguments, **training)`` on a prepared table (``compare_methods`` or
    ``fit_table``), and the one-line messages of the fits that diverged, for the command to
    decide what to publish."""
    with divergences() as diverged:
        result = train(**table_arguments(prepared), **arguments, **training)
    return result, diverged


def check_outputs(outputs: dict[str, Path | None], *, force: bool) -> dict[str, Path]:
    """Resolve every output path before any work: folders must exist, files need ``--force``.

    Two outputs may not be the same file. Returns the resolved paths of the outputs given.
    """
    from netreg.report.atomic import resolve_target

    resolved: dict[str, Path] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        target = resolve_target(path, force=force)
        _check_writable(option, target)
        for other, seen in resolved.items():
            if seen == target:
                raise UsageError(f"{option} and {other} name the same file {str(target)!r}.")
        resolved[option] = target
    return resolved


def _check_writable(option: str, target: Path) -> None:
    """Create and remove a file in the target's folder now, not after the training."""
    try:
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except OSError as error:
        raise PermissionError(
            f"Cannot write {option} {str(target)!r}: the folder {str(target.parent)!r} is not "
            f"writable ({error.strerror or error})."
        ) from None


def json_text(document: dict[str, Any]) -> str:
    """Strict JSON (no NaN), indented, with a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_outputs(payloads: Sequence[tuple[Path, str]], *, force: bool) -> None:
    """Write every payload atomically; call only when all of them are complete in memory.

    Refused after a Ctrl-C (even one some library swallowed); a Ctrl-C while writing waits
    until the last file is complete (:func:`netreg._interrupts.publishing`).
    """
    from netreg.report.atomic import atomic_write_text

    with publishing() as written:
        for path, text in payloads:
            written.append(str(atomic_write_text(path, text, force=force)))
