"""Merge the command line, the config file and the defaults into checked settings."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from netreg import choices
from netreg._validation import check_choice
from netreg.cli.config import ConfigFile, load_config, pick
from netreg.cli.errors import UsageError
from netreg.cli.options import RunOptions

if TYPE_CHECKING:
    from netreg.compare import Budget


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
    config: ConfigFile

    def training(self) -> dict[str, Any]:
        """The keywords that :func:`netreg.compare.compare_methods` and
        :func:`netreg.compare.fit_table` both take, with these settings."""
        return {
            "folds": self.folds, "rule": self.rule, "test_size": self.test_size,
            "seed": self.seed, "n_jobs": self.jobs, "backend": self.backend,
            "address": self.address, "budget": self.budget,
        }  # fmt: skip


def run_settings(
    given: RunOptions, *, test_size: float | None = None, default_test_size: float = 0.2
) -> RunSettings:
    """Command line first, then the config file (``--config``), then the defaults; every
    value checked against :mod:`netreg.choices` or its range."""
    from netreg.compare import resolve_budget

    config = load_config(given.config)
    task = check_choice("task", pick(given.task, config.data.task, default="auto"), choices.TASKS)
    impute = check_choice("impute", pick(given.impute, config.data.impute), (None, *choices.IMPUTE))
    rule = check_choice("rule", pick(given.rule, config.cv.rule, default="1se"), choices.RULES)
    backend = check_choice(
        "backend", pick(given.backend, config.cv.backend, default="auto"), choices.CV_BACKENDS
    )
    address = pick(given.address, config.cv.address)
    if address is not None and backend != "ray":
        raise UsageError(
            f"--address is the address of a Ray cluster; it needs --backend ray. "
            f"Received: backend={backend!r}, address={address!r}"
        )
    folds = int(pick(given.folds, config.cv.folds, default=5))
    if folds < 2:
        raise UsageError(f"--folds must be at least 2. Received: folds={folds}")
    test_size = float(pick(test_size, config.cv.test_size, default=default_test_size))
    if not 0.0 < test_size < 1.0 and not (default_test_size == 0.0 and test_size == 0.0):
        raise UsageError(
            f"--test-size must lie strictly between 0 and 1. Received: test_size={test_size}"
        )
    seed = int(pick(given.seed, config.cv.seed, default=0))
    if seed < 0:
        raise UsageError(f"--seed must be >= 0. Received: seed={seed}")
    jobs = int(pick(given.jobs, config.cv.jobs, default=1))
    if jobs < 1:
        raise UsageError(f"--jobs must be >= 1. Received: jobs={jobs}")
    name = check_choice(
        "budget", pick(given.budget, config.compare.budget, default="quick"), choices.BUDGETS
    )
    return RunSettings(
        target=pick(given.target, config.data.target),
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
        config=config,
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
