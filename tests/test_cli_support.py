"""Shared helpers of the CLI tests (no tests here): a runner that keeps stderr apart, tiny
budgets, tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from netreg.cli import app

#: A budget small enough for tests: 8 hidden units, short grids, few epochs.
TINY_CONFIG = """\
[cv]
folds = 3

[model]
hidden = [8]
max_epochs = 40
patience = 5
n_alphas = 4
dropout_rates = [0.1, 0.3]
"""


def invoke(*args: str | Path):
    """Run ``netreg ARGS`` in-process; click >= 8.2 always keeps ``result.stderr`` apart."""
    return CliRunner().invoke(app, [str(a) for a in args])


def error_lines(result) -> list[str]:
    """The ``error: …`` lines a command printed on stderr."""
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def assert_user_error(result, *fragments: str) -> str:
    """Exit status 2, exactly one ``error:`` line containing every fragment, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def regression_table(n: int = 60, p: int = 4, seed: int = 0) -> pd.DataFrame:
    """``x0 … x{p-1}`` and ``y = x0 − x1 + noise``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=n)
    return df


def write_csv(folder: Path, df: pd.DataFrame, name: str = "data.csv") -> Path:
    path = folder / name
    df.to_csv(path, index=False)
    return path


def tiny_config(folder: Path, extra: str = "") -> Path:
    path = folder / "tiny.toml"
    path.write_text(TINY_CONFIG + extra, encoding="utf-8")
    return path
