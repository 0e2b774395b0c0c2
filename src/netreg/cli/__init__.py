"""The ``netreg`` command line (typer + rich), a thin layer over :mod:`netreg.compare`.

``netreg compare DATA --target y`` trains every method tuned by CV and writes a report and a
JSON file; ``netreg path``, ``fit``, ``predict`` and ``demo`` are described in docs/cli.md.
User errors end with one line on stderr and exit status 2; Ctrl-C with one line and 130.

This module stays light: :func:`main` installs the Ctrl-C handler before the commands (and
torch) are imported, so an interrupted start-up ends like any other interruption.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    """Entry point of the ``netreg`` console script."""
    from netreg.cli.interrupt import run_command

    _keep_mmap_threshold()
    run_command()


def _keep_mmap_threshold() -> None:
    """Pin glibc's mmap threshold at its 128 KiB default (Linux only).

    glibc raises the threshold (up to 32 MiB) whenever a large block is freed; blocks of
    that size then come from the heap, which keeps their memory after they are freed. A
    command that makes and drops several data-sized arrays (the encoded table, the
    training split, the forward passes over all rows) then holds them all at its peak.
    Pinned, each is returned to the system when freed (benchmarks/memory.py).
    """
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
        if mallopt is not None:
            mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD; setting it stops the raising


def __getattr__(name: str) -> Any:
    if name == "app":
        from netreg.cli.app import app as typer_app

        # Importing the submodule bound ``netreg.cli.app`` to it: bind the Typer app instead,
        # as the eager ``from netreg.cli.app import app`` used to.
        globals()["app"] = typer_app
        return typer_app
    raise AttributeError(f"module 'netreg.cli' has no attribute {name!r}")


__all__ = ["app", "main"]
