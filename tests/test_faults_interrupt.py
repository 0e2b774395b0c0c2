"""Ctrl-C: the real ``netreg`` command in a subprocess, interrupted during its imports, its
CSV read and its training, ends with exit 130, one line on stderr and no file written; and
the library pieces behind it (fit lets a job-ending Ctrl-C through, publishing refuses)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from netreg._interrupts import JobInterrupted, ending_the_job, interrupt_requested, publishing
from netreg.data import read_table
from netreg.train import FitConfig, fit, mlp

SRC = Path(__file__).resolve().parents[1] / "src"
# Exit must follow the signal "within a second or two"; the bound is loose because the test
# machines run several suites on two cores.
EXIT_WITHIN_S = 15.0

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir() or os.name != "posix", reason="watches /proc/PID/fd"
)


def _table(folder: Path, rows: int) -> Path:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(rows, 6)), columns=[f"x{i}" for i in range(6)])
    df["y"] = df["x0"] - 2 * df["x1"] + rng.normal(size=rows)
    path = folder / "data.csv"
    df.to_csv(path, index=False)
    return path


def _csv_open(pid: int) -> bool:
    try:
        names = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:  # the process ended, or an fd closed while listing
        return False
    return any(name.endswith("data.csv") for name in names)


def _interrupt(folder: Path, data: Path, when: str) -> tuple[int, str, float]:
    """Run ``netreg fit`` and send SIGINT at ``when``: ``import`` (1 s after start, before the
    CSV is opened), ``read`` (while the CSV is open) or ``train`` (1.5 s after it closed)."""
    config = folder / "long.toml"
    config.write_text(
        "[model]\nmax_epochs = 100000\npatience = 100000\nhidden = [32]\n", encoding="utf-8"
    )
    command = [sys.executable, "-c", "from netreg.cli import main; main()", "fit", str(data)]
    command += ["-t", "y", "--penalty", "l1", "--alpha", "0.01", "-c", str(config), "-q"]
    command += ["--save", str(folder / "model.safetensors"), "--json", str(folder / "fit.json")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        seen_open = closed_at = None
        while process.poll() is None and time.monotonic() - start < 240:
            is_open = _csv_open(process.pid)
            now = time.monotonic() - start
            if is_open and seen_open is None:
                seen_open = now
            if seen_open is not None and not is_open and closed_at is None:
                closed_at = now
            if (
                (when == "import" and now > 1.0 and seen_open is None)
                or (when == "read" and is_open)
                or (when == "train" and closed_at is not None and now > closed_at + 1.5)
            ):
                break
            time.sleep(0.005)
        assert process.poll() is None, f"netreg ended before the {when} phase was reached"
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = process.communicate(timeout=120)
        return process.returncode, err.decode(), time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@needs_proc
@pytest.mark.parametrize(("when", "rows"), [("import", 50), ("read", 400_000), ("train", 20_000)])
def test_ctrl_c_ends_the_command_with_130_one_line_and_no_file(tmp_path, when, rows):
    data = _table(tmp_path, rows)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, err, seconds = _interrupt(tmp_path, data, when)
    assert code == 130, err
    assert err.splitlines() == ["error: interrupted; nothing was written."], err
    assert seconds < EXIT_WITHIN_S
    after = sorted(p.name for p in tmp_path.iterdir())
    assert after == sorted([*before, "long.toml"])  # no model, no JSON, no temporary file


def _regression(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 4, generator=g, dtype=torch.float64)
    return X, X[:, 0] - X[:, 1]


def test_fit_lets_a_job_ending_interrupt_through_and_reports_a_plain_one():
    X, y = _regression()
    config = FitConfig(optimizer="sgd", lr=0.01, batch_size=None, max_epochs=20)

    def stop(exc: type[KeyboardInterrupt]):
        def callback(epoch, logs):
            if epoch == 3:
                raise exc

        return callback

    result = fit(
        mlp(4, hidden=(), seed=0), X, y, config=config, callbacks=[stop(KeyboardInterrupt)]
    )
    assert result.stop_reason == "interrupted" and result.interrupted and result.epochs_run == 4
    with pytest.raises(JobInterrupted):
        fit(mlp(4, hidden=(), seed=0), X, y, config=config, callbacks=[stop(JobInterrupted)])


def test_a_ctrl_c_under_ending_the_job_raises_and_then_refuses_publishing(tmp_path):
    with ending_the_job():
        with pytest.raises(JobInterrupted):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler raises at the next bytecode
        assert interrupt_requested()
        with pytest.raises(JobInterrupted), publishing():
            (tmp_path / "never.txt").write_text("x")
    assert not (tmp_path / "never.txt").exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not interrupt_requested()  # the next job starts clean


def test_a_ctrl_c_while_publishing_waits_for_the_last_file(tmp_path):
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    with ending_the_job(), pytest.raises(JobInterrupted), publishing() as written:
        files[0].write_text("a")
        os.kill(os.getpid(), signal.SIGINT)  # recorded, not raised
        time.sleep(0.05)
        files[1].write_text("b")
        written += [str(f) for f in files]
    assert all(f.read_text() for f in files)


def test_pandas_reporting_a_ctrl_c_as_a_parse_error_is_still_an_interrupt(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")

    def parser_error(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise pd.errors.ParserError("Error tokenizing data. C error: read failed") from exc

    monkeypatch.setattr(pd, "read_csv", parser_error)
    with pytest.raises(KeyboardInterrupt):
        read_table(path)


def test_prune_writes_nothing_after_a_ctrl_c(tmp_path, monkeypatch):
    """`netreg prune` publishes its folder like the other commands: after a Ctrl-C, nothing."""
    import types

    import click
    import typer

    import netreg.compare
    import netreg.pruning
    from netreg.cli.more_cmd import prune as prune_command

    loaded = types.SimpleNamespace(model=mlp(3, hidden=(4,), seed=0), encoder=None)
    loaded.encoder = types.SimpleNamespace(output_names=["a", "b", "c"])
    monkeypatch.setattr(netreg.compare, "load_model", lambda path: loaded)
    real_prune = netreg.pruning.prune

    def prune_then_ctrl_c(*args, **kwargs):
        out = real_prune(*args, **kwargs)
        try:  # the user presses Ctrl-C as pruning ends, and some library swallows it
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            pass
        return out

    monkeypatch.setattr(netreg.pruning, "prune", prune_then_ctrl_c)
    target = tmp_path / "pruned"
    with ending_the_job(), pytest.raises((JobInterrupted, typer.Exit, click.exceptions.Exit)):
        prune_command(tmp_path / "m.safetensors", target)
    assert not target.exists()
