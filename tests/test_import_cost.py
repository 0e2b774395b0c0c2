"""``import netreg`` loads only what the three-line loop needs; the rest loads on first use.

The loop is ``Plan({...}).bind(model).attach(optimizer)``: penalties, constraints, selectors,
the plan, the regularizer and the optimizers. The advisor, pruning, paths, search, the
training loop and everything above them (data, report, lab, compare, sklearn, cli) must not
be imported by ``import netreg`` — they pull in pandas, scikit-learn and Optuna — yet their
top-level names (``netreg.prune``, ``netreg.advise``, ``netreg.path`` …) must still work.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import netreg

# Top-level modules and packages of netreg that `import netreg` may load.
LOOP = {
    "constraints", "optim", "penalties", "plan", "regularizer", "select",
    "choices", "_kernels", "_rows", "_validation",
}  # fmt: skip
HEAVY = ("pandas", "sklearn", "scipy", "optuna", "ray", "matplotlib", "typer", "rich")


def _loaded_by_import() -> tuple[set[str], list[str]]:
    """Top-level netreg names and heavy libraries in sys.modules after a fresh ``import netreg``."""
    code = (
        "import json, sys, netreg; "
        "print(json.dumps([sorted({m.split('.')[1] for m in sys.modules "
        "if m.startswith('netreg.')}), "
        f"[h for h in {HEAVY!r} if h in sys.modules]]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    top, heavy = json.loads(out.stdout)
    return set(top), heavy


def test_import_netreg_loads_only_the_loop():
    top, heavy = _loaded_by_import()
    assert top <= LOOP, f"import netreg also loads {sorted(top - LOOP)}"
    assert {"penalties", "plan", "regularizer"} <= top
    assert heavy == [], f"import netreg loads {heavy}"


def test_the_names_loaded_on_first_use_work():
    import netreg.advisor
    import netreg.pruning

    assert netreg.prune is netreg.pruning.prune
    assert netreg.advise is netreg.advisor.advise
    assert netreg.PruneResult is netreg.pruning.PruneResult
    assert netreg.path.__name__ == "netreg.path"
    assert set(netreg.__all__) <= set(dir(netreg))
    for name in netreg.__all__:
        assert getattr(netreg, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        netreg.no_such_name  # noqa: B018
