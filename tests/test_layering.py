"""Imports point down the layer list only (DESIGN.md "Layers"), checked on the source text.

netreg's order differs from DESIGN.md's sketch in one way: ``data`` and ``report`` are leaf
utilities (they import nothing of netreg but ``_validation``), so they sit low and every
layer that reads tables or draws figures may use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAYERS = [
    "_validation",
    "choices",
    "_kernels",
    "penalties",
    "constraints",
    "select",
    "execution",
    "optim",
    "_rows",
    "regularizer",
    "plan",
    "data",
    "report",
    "_progress",
    "_ray",
    "_parallel",
    "train",
    "path",
    "search",
    "distributed",
    "prune",
    "advise",
    "lab",
    "sklearn",
    "compare",
    "cli",
]
# Every module is its own layer: the regularizer sits below the plan that binds it, and
# execution (how a prox runs) below optim (ProxAdamW), which sits below the regularizer.
SAME_LAYER: dict[str, str] = {}

SRC = Path(__file__).resolve().parents[1] / "src" / "netreg"


def _layer(module: str) -> str:
    name = module.split(".")[1] if module.startswith("netreg.") else module
    return SAME_LAYER.get(name, name)


def _rank(layer: str) -> int:
    return LAYERS.index(layer)


def _netreg_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("netreg.")
            and node.level == 0
        ):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("netreg.")]
    return found


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] != "__init__.py")


def test_every_top_level_module_has_a_layer():
    names = {p.stem if p.parent == SRC else p.relative_to(SRC).parts[0] for p in _source_files()}
    names.discard("__init__")
    names.discard("__main__")
    unknown = sorted(n for n in names if _layer(n) not in LAYERS)
    assert not unknown, f"add these to LAYERS in tests/test_layering.py: {unknown}"


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path):
    rel = path.relative_to(SRC)
    own = _layer(rel.parts[0].removesuffix(".py"))
    if own == "__init__" or own == "__main__":
        return
    upward = [
        f"line {line}: {module}"
        for line, module in _netreg_imports(path)
        if _layer(module) in LAYERS and _rank(_layer(module)) > _rank(own)
    ]
    assert not upward, f"{rel} ({own}) reaches up: {upward}"
