"""map_tasks: serial, process and Ray backends return the same results in task order."""

from __future__ import annotations

import os
import time

import pytest
import torch
from torch import nn

import netreg as nr
from netreg import select
from netreg._parallel import map_items as map_tasks
from netreg._ray import ray_session


def fit_task(task):
    """A deterministic fold-like task: train a small regularized MLP from a seed, return weights.

    Early tasks sleep longer, so they finish last: results must come back in task order anyway.
    """
    seed, l1 = task
    time.sleep(0.1 * (2 - seed))
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(48, 5, generator=g, dtype=torch.float64)
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * torch.randn(48, generator=g, dtype=torch.float64)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    reg = nr.Plan({select.weights(nn.Linear): nr.L1(l1)}).bind(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    reg.attach(opt)
    for _ in range(40):
        opt.zero_grad()
        ((model(X).squeeze(-1) - y) ** 2).mean().backward()
        opt.step()
    return {
        "task": task,
        "weights": [p.detach().clone() for p in model.parameters()],
        "pid": os.getpid(),
    }


def square(i):
    return i * i


def fail_on_three(i):
    if i == 3:
        raise ValueError(f"task {i} failed")
    return i


TASKS = [(seed, l1) for seed in range(3) for l1 in (1e-3, 1e-2)]


def _same(a, b):
    assert [r["task"] for r in a] == [r["task"] for r in b] == TASKS
    for ra, rb in zip(a, b, strict=True):
        for wa, wb in zip(ra["weights"], rb["weights"], strict=True):
            assert torch.equal(wa, wb)


@pytest.fixture(scope="module")
def serial_results():
    return map_tasks(fit_task, TASKS)


def test_process_equals_serial(serial_results):
    in_processes = map_tasks(fit_task, TASKS, backend="process", n_jobs=2)
    _same(serial_results, in_processes)
    assert {r["pid"] for r in in_processes}.isdisjoint({os.getpid()})  # really ran elsewhere


def test_ray_equals_serial(serial_results):
    pytest.importorskip("ray")
    with ray_session(None, num_cpus=2):  # one local Ray for both calls
        on_ray = map_tasks(fit_task, TASKS, backend="ray", n_jobs=2)
        with pytest.raises(ValueError, match="task 3 failed"):
            map_tasks(fail_on_three, range(6), backend="ray", n_jobs=2)
    _same(serial_results, on_ray)
    assert {r["pid"] for r in on_ray}.isdisjoint({os.getpid()})


def test_errors_propagate_and_arguments_are_checked():
    with pytest.raises(ValueError, match="task 3 failed"):
        map_tasks(fail_on_three, range(6))
    with pytest.raises(ValueError, match="task 3 failed"):
        map_tasks(fail_on_three, range(6), backend="process", n_jobs=1)
    with pytest.raises(TypeError, match="module-level function"):
        map_tasks(lambda x: x, [1], backend="process")
    with pytest.raises(ValueError, match=r"Received: backend='threads'"):
        map_tasks(square, [1], backend="threads")
    with pytest.raises(ValueError, match=r"Received: n_jobs=0"):
        map_tasks(square, [1], n_jobs=0)
    with pytest.raises(ValueError, match=r"backend='ray'.*Received: backend='process'"):
        map_tasks(square, [1], backend="process", address="10.0.0.1:6379")
    assert map_tasks(square, [], backend="process") == []


def test_progress_bar_names_the_tasks(capsys):
    assert map_tasks(square, range(3)) == [0, 1, 4]
    assert capsys.readouterr().err == ""  # silent by default
    map_tasks(square, range(3), progress=True, description="folds")
    err = capsys.readouterr().err
    assert "folds" in err and "3/3" in err
