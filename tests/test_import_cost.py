"""``import netreg`` loads nothing; the three-line loop loads only what it needs.

The loop is ``Plan({...}).bind(model).attach(optimizer)``: penalties, constraints, selectors,
the plan, the regularizer, the execution layer that runs its proxes and the optimizers. The advisor, pruning, paths, search, the
training loop and everything above them (data, report, lab, compare, sklearn, cli) must not
be loaded by it — they pull in pandas, scikit-learn and Optuna — yet their top-level names
(``netreg.prune``, ``netreg.advise``, ``netreg.path`` …) must still work.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import netreg

# Top-level modules and packages of netreg that the loop may load.
LOOP = {
    "constraints", "execution", "optim", "penalties", "plan", "regularizer", "select",
    "choices", "_config", "_kernels", "_rows", "_validation",
}  # fmt: skip
HEAVY = ("torch", "pandas", "sklearn", "scipy", "optuna", "ray", "matplotlib", "typer", "rich")

LOOP_CODE = """
import torch, torch.nn as nn, netreg as nr
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
reg = nr.Plan({nr.select.weights(nn.Linear): nr.ElasticNet(l1=1e-3, l2=1e-4)}).bind(model)
reg.attach(torch.optim.Adam(model.parameters(), lr=1e-3))
"""


def _loaded_after(code: str) -> tuple[set[str], list[str]]:
    """Top-level netreg names and heavy libraries in a fresh interpreter after ``code``."""
    report = (
        "import json, sys; "
        "print(json.dumps([sorted({m.split('.')[1] for m in sys.modules "
        "if m.startswith('netreg.')}), "
        f"[h for h in {HEAVY!r} if h in sys.modules]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"], check=True, capture_output=True, text=True
    )
    top, heavy = json.loads(out.stdout.splitlines()[-1])
    return set(top), heavy


def test_import_netreg_loads_nothing_else():
    assert _loaded_after("import netreg") == (set(), [])


def test_the_loop_loads_only_its_layers():
    top, heavy = _loaded_after(LOOP_CODE)
    assert top <= LOOP, f"the loop also loads {sorted(top - LOOP)}"
    assert {"penalties", "plan", "regularizer", "select"} <= top
    assert heavy == ["torch"], f"the loop loads {heavy}"


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


def test_the_cli_loads_no_library_before_a_command_runs():
    """``netreg --help`` must be instant: the commands import torch and pandas when they run."""
    top, heavy = _loaded_after("import netreg.cli")
    assert top <= {"cli", "choices", "_validation"}, sorted(top)
    assert not {"torch", "pandas", "sklearn", "scipy", "optuna", "matplotlib"} & set(heavy)
