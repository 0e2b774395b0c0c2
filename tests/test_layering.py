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
    "_interrupts",
    "_validation",
    "_config",
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
    "pruning",
    "advisor",
    "lab",
    "sklearn",
    "compare",
    "integrations",
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


# netreg's own top-level private modules are the library's shared internals: any layer may
# import them (and their names, which are public within netreg).
SHARED_INTERNALS = {
    "_validation",
    "_config",
    "_kernels",
    "_rows",
    "_progress",
    "_parallel",
    "_ray",
    "_interrupts",
}


def _private_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, what)`` for each private module or name ``path`` takes from another package.

    Private: a module ``netreg.<pkg>._x`` inside a subpackage, or a name ``_y`` imported from
    any netreg module, where ``<pkg>`` (the top-level package imported from) is not the
    importing file's own. netreg's shared internals (:data:`SHARED_INTERNALS`) are exempt.
    """
    own = path.relative_to(SRC).parts[0].removesuffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "netreg" and node.level == 0:
            modules = [(f"netreg.{a.name}", []) for a in node.names]  # top-level modules
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [(node.module, [a.name for a in node.names])]
        elif isinstance(node, ast.Import):
            modules = [(a.name, []) for a in node.names]
        else:
            continue
        for module, names in modules:
            parts = module.split(".")
            if parts[0] != "netreg" or len(parts) < 2:
                continue
            top = parts[1]
            if top == own or top in SHARED_INTERNALS:
                continue
            if any(part.startswith("_") for part in parts[1:]):
                found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{n}") for n in names if n.startswith("_")]
    return found


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_private_name_crosses_packages(path: Path):
    """A package's private modules (``netreg.pkg._x``) and private names (``_y``) are its own.

    Another top-level package of netreg must reach them through a public name, so that a
    package can change its insides without breaking its neighbours. netreg's top-level
    ``_validation``, ``_config``, ``_kernels``, ``_rows``, ``_progress``, ``_parallel``, ``_ray`` and
    ``_interrupts`` are the library's shared internals and may be imported from anywhere.
    """
    private = [f"line {line}: {what}" for line, what in _private_imports(path)]
    assert not private, (
        f"{path.relative_to(SRC)} imports private names of another package: {private}"
    )
