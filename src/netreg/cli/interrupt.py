"""Run the ``netreg`` app so that Ctrl-C, at any moment, ends it with one line and exit 130.

The handler goes in before the commands (and torch, pandas) are imported, so this module
imports nothing heavy; see :mod:`netreg._interrupts` for the mechanism and docs/faults.md for
what is promised.
"""

from __future__ import annotations

import sys

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
            app()
        except SystemExit as done:
            if done.code == EXIT_INTERRUPTED and not _reported:  # typer's bare exit 130
                report_interrupt()
            raise
        except BaseException:
            if not interrupt_requested():
                raise
            # Ctrl-C outside a command's own handling, or an error it caused (a library
            # turning the KeyboardInterrupt into its own exception).
            if not _reported:
                report_interrupt()
            sys.exit(EXIT_INTERRUPTED)
