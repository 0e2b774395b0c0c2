"""The ``netreg`` command line (typer + rich), a thin layer over :mod:`netreg.compare`.

``netreg compare DATA --target y`` trains every method tuned by CV and writes a report and a
JSON file; ``netreg path``, ``fit``, ``predict`` and ``demo`` are described in docs/cli.md.
User errors end with one line on stderr and exit status 2.
"""

from netreg.cli.app import app, main

__all__ = ["app", "main"]
