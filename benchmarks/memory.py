"""Peak memory of ``netreg fit`` and ``netreg predict`` against the size of a numeric CSV.

Issue 19's target: peak memory at most 3× the file size for numeric tables, and ``predict``
streaming a large file in chunks (its peak must not grow with the file). For each size a
CSV of 16 standard-normal columns and a target is generated, ``netreg fit`` (one network,
fixed alpha, a few epochs) and ``netreg predict`` run in fresh processes, and the peak
resident set size of each (``ru_maxrss`` of the child) is printed with two ratios to the
file size: the whole peak, and the peak above the same command on a 100-row file (the
interpreter, torch and netreg's own imports, about 0.3–0.5 GB, which no table size changes).

    python benchmarks/memory.py                 # 10, 40 and 120 MB
    python benchmarks/memory.py --mb 5 20       # chosen sizes
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CONFIG = "[model]\nhidden = [16]\nmax_epochs = 3\npatience = 2\n"
BYTES_PER_ROW = 16 * 20  # about 20 characters per value as pandas writes them
_WRAPPER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, code)"
)


def write_table(path: Path, n_rows: int, seed: int = 0) -> int:
    """A CSV of ``n_rows`` rows (x0…x15, y), written in blocks; its size in bytes."""
    rng = np.random.default_rng(seed)
    beta = rng.normal(size=16)
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, n_rows, 100_000):
            X = rng.normal(size=(min(100_000, n_rows - start), 16))
            frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(16)])
            frame["y"] = X @ beta + 0.5 * rng.normal(size=len(X))
            frame.to_csv(handle, index=False, header=start == 0)
    return path.stat().st_size


def peak_rss(*args: str | Path) -> int:
    """Peak resident bytes of ``netreg ARGS`` run in a fresh process (it must succeed)."""
    command = [sys.executable, "-c", "from netreg.cli import main; main()", *map(str, args)]
    text = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    if text[1] != "0":
        raise RuntimeError(f"{' '.join(map(str, args))} failed with status {text[1]}")
    return int(text[0])


def measure(folder: Path, name: str, n_rows: int) -> tuple[int, int, int]:
    """File size, peak of fit, peak of predict for a table of ``n_rows`` rows."""
    data = folder / f"{name}.csv"
    size = write_table(data, n_rows)
    model = folder / f"{name}.safetensors"
    config = folder / "config.toml"
    fit = peak_rss("fit", data, "-t", "y", "--alpha", "0.01", "-c", config, "-q",
                   "--save", model, "--force")  # fmt: skip
    predict = peak_rss("predict", model, data, "--out", folder / f"{name}.out.csv", "--force")
    data.unlink()
    return size, fit, predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[10, 40, 120])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
        _, fit0, predict0 = measure(folder, "base", 100)
        mib = 2**20
        print(f"baseline (100 rows): fit {fit0 / mib:.0f} MiB, predict {predict0 / mib:.0f} MiB")
        print(f"{'file MiB':>9} {'rows':>9} | {'fit MiB':>8} {'×file':>6} {'above base ×file':>17}"
              f" | {'predict MiB':>11} {'×file':>6} {'above base ×file':>17}")  # fmt: skip
        for mb in args.mb:
            n_rows = max(100, int(mb * 1e6 / BYTES_PER_ROW))
            size, fit, predict = measure(folder, f"t{n_rows}", n_rows)
            print(
                f"{size / mib:9.1f} {n_rows:9d} | {fit / mib:8.0f} {fit / size:6.2f} "
                f"{(fit - fit0) / size:17.2f} | {predict / mib:11.0f} {predict / size:6.2f} "
                f"{(predict - predict0) / size:17.2f}",
                flush=True,
            )


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    main()
