"""The report layer stays thin: it imports no torch, no pyplot and no other netreg layer."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import netreg.report

REPORT = Path(netreg.report.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "matplotlib", "jinja2"}
ALLOWED_NETREG = ("netreg._validation", "netreg.report")
FORBIDDEN = ("matplotlib.pyplot", "pylab", "matplotlib.pylab")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_report_imports_point_down_only() -> None:
    sources = sorted(REPORT.glob("*.py"))
    assert len(sources) >= 8
    for path in sources:
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top == "netreg":
                assert name.startswith(ALLOWED_NETREG), f"{path.name} imports {name}"
            else:
                allowed = top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY
                assert allowed, f"{path.name} imports {name}"
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_template_ships_with_the_package_and_references_nothing_outside() -> None:
    template = (REPORT / "templates" / "report.html.j2").read_text(encoding="utf-8").lower()
    for needle in ("http:", "https:", "<script", "<link", "url(", "@import"):
        assert needle not in template, needle
