"""The scripts in examples/ run from a fresh interpreter and print what their docstrings say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"OMP_NUM_THREADS": "1", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_feature_selection_example_prints_a_row_per_support_size():
    out = run("select_features_path.py")
    table = out.splitlines()[2:-1]  # between the header and the closing note
    rows = [line.split() for line in table]
    sizes = [int(row[0]) for row in rows]
    assert sizes == sorted(sizes) and len(sizes) >= 3 and sizes[0] >= 1
    for row in rows:  # k, inputs, test MSE, relaxed test MSE, gamma
        assert len(row) == 5, row
        kept = [int(j) for j in row[1].split(",")]
        assert len(kept) == int(row[0])
        assert 0 < float(row[2]) < 2 and 0 < float(row[3]) < 2
        assert 0 <= float(row[4]) <= 1


@pytest.mark.slow
def test_penalties_example_runs():
    out = run("diabetes_penalties.py")
    assert "GroupLasso" in out
