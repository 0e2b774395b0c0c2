"""Merge the command line, the config file and the defaults into checked settings."""

from __future__ import annotations

import dataclasses
from typing import Any

from netreg._validation import check_choice
from netreg.cli.config import ConfigFile, pick
from netreg.cli.errors import UsageError
from netreg.compare import BUDGETS, Budget, resolve_budget

TASKS = ("auto", "regression", "classification")
IMPUTE = (None, "mean", "median")
RULES = ("1se", "min")
BACKENDS = ("auto", "serial", "process", "ray")


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """Everything a training command needs besides the data and the outputs."""

    target: str | None
    task: str
    impute: str | None
    folds: int
    rule: str
    test_size: float
    seed: int
    jobs: int
    backend: str
    address: str | None
    budget: Budget


def run_settings(
    config: ConfigFile,
    *,
    target: str | None = None,
    task: str | None = None,
    impute: str | None = None,
    folds: int | None = None,
    rule: str | None = None,
    test_size: float | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    backend: str | None = None,
    address: str | None = None,
    budget: str | None = None,
    default_test_size: float = 0.2,
) -> RunSettings:
    """Command line first, then the config file, then the defaults; every value checked."""
    task = check_choice("task", pick(task, config.data.task, default="auto"), TASKS)
    impute = check_choice("impute", pick(impute, config.data.impute), IMPUTE)
    rule = check_choice("rule", pick(rule, config.cv.rule, default="1se"), RULES)
    backend = check_choice("backend", pick(backend, config.cv.backend, default="auto"), BACKENDS)
    address = pick(address, config.cv.address)
    if address is not None and backend != "ray":
        raise UsageError(
            f"--address is the address of a Ray cluster; it needs --backend ray. "
            f"Received: backend={backend!r}, address={address!r}"
        )
    folds = int(pick(folds, config.cv.folds, default=5))
    if folds < 2:
        raise UsageError(f"--folds must be at least 2. Received: folds={folds}")
    test_size = float(pick(test_size, config.cv.test_size, default=default_test_size))
    if not 0.0 < test_size < 1.0 and not (default_test_size == 0.0 and test_size == 0.0):
        raise UsageError(
            f"--test-size must lie strictly between 0 and 1. Received: test_size={test_size}"
        )
    seed = int(pick(seed, config.cv.seed, default=0))
    if seed < 0:
        raise UsageError(f"--seed must be >= 0. Received: seed={seed}")
    jobs = int(pick(jobs, config.cv.jobs, default=1))
    if jobs < 1:
        raise UsageError(f"--jobs must be >= 1. Received: jobs={jobs}")
    name = check_choice(
        "budget", pick(budget, config.compare.budget, default="quick"), list(BUDGETS)
    )
    return RunSettings(
        target=pick(target, config.data.target),
        task=task,
        impute=impute,
        folds=folds,
        rule=rule,
        test_size=test_size,
        seed=seed,
        jobs=jobs,
        backend=backend,
        address=address,
        budget=resolve_budget(name, config.model.overrides()),
    )


def data_facts(source: str, prepared: Any) -> dict[str, Any]:
    """What the JSON and the report say about the data."""
    return {
        "source": source,
        "target": prepared.target,
        "n_rows": len(prepared.y),
        "task_reason": prepared.task_reason,
        "dropped_constant": list(prepared.dropped_constant),
        "categorical": list(prepared.categorical),
        "impute": prepared.impute,
        "warnings": list(prepared.warnings),
    }
