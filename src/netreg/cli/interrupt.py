"""Run the ``netreg`` app so that Ctrl-C, at any moment, ends it with one line and exit 130.

The handler goes in before the commands (and torch, pandas) are imported, so this module
imports nothing heavy; see :mod:`netreg._interrupts` for the mechanism and docs/faults.md for
what is promised.
"""

from __future__ import annotations

import sys
from typing import Any

from netreg._interrupts import (
    ending_the_job,
    interrupt_requested,
    started,
    written_before_interrupt,
)

EXIT_INTERRUPTED = 130

_reported: list[str] = []


def interrupt_line() -> str:
    """The line printed on Ctrl-C: nothing was written, or the files already complete."""
    written = written_before_interrupt()
    if not written:
        return "error: interrupted; nothing was written.\n"
    return f"error: interrupted after these files were complete: {', '.join(written)}.\n"


def report_interrupt() -> None:
    """Print :func:`interrupt_line` on stderr."""
    _reported.append(interrupt_line())
    sys.stderr.write(_reported[-1])
    sys.stderr.flush()


def run_command() -> None:
    """Run the typer app under :func:`netreg._interrupts.ending_the_job`."""
    with ending_the_job(interrupt_line, starting=True):
        from netreg.cli.app import app

        started()
        try:
            code = app(standalone_mode=False)
        except BaseException as error:
            if interrupt_requested():
                # Ctrl-C outside a command's own handling, or an error it caused (a library
                # turning the KeyboardInterrupt into its own exception).
                if not _reported:
                    report_interrupt()
                sys.exit(EXIT_INTERRUPTED)
            if not _is_usage_error(error):
                raise
            if type(error).__name__ == "NoArgsIsHelpError":  # bare `netreg`: the help
                error.show()  # type: ignore[attr-defined]
            else:  # one line, not click's usage block
                sys.stderr.write(f"error: {usage_line(error)}\n")
            sys.exit(error.exit_code)  # type: ignore[attr-defined]
        if code == EXIT_INTERRUPTED and not _reported:  # typer's bare exit 130
            report_interrupt()
        sys.exit(code if isinstance(code, int) else 0)


def _is_usage_error(error: BaseException) -> bool:
    """A click ``ClickException`` (typer may vendor click, so by its interface)."""
    return callable(getattr(error, "format_message", None)) and isinstance(
        getattr(error, "exit_code", None), int
    )


def usage_line(error: Any) -> str:
    """Click's message for a bad command line on one line, with the ``--`` hint for a file
    name that starts with ``-`` (read as an unknown option)."""
    message = " ".join(error.format_message().split())
    context = getattr(error, "ctx", None)
    if context is not None:
        message += f" (see `{context.command_path} --help`)"
    name = getattr(error, "option_name", "") or ""
    if type(error).__name__ == "NoSuchOption" and not name.startswith("--"):
        message += f"; a file named {name!r}… goes after `--`, as in `netreg fit -- -file.csv`"
    return message
