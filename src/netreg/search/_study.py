"""Opening (or resuming) the Optuna study that both backends record trials into.

Resume rules, shared by the Optuna and the Ray backend:

- the same ``storage`` and ``study_name`` reopen the study; its finished trials
  (COMPLETE or PRUNED) are kept and count toward ``n_trials``;
- a trial left RUNNING by a crash or a killed process is marked FAIL: it is never run
  again under its number, a fresh trial takes its place;
- the sampler of a resumed study is seeded from ``(seed, number of trials so far)``.
  Reseeding with ``seed`` alone would replay the first draws of the random startup
  phase and so rerun hyperparameters that have already been evaluated.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import numpy as np

from netreg._validation import check_choice, check_int, check_positive

if TYPE_CHECKING:
    import optuna

DIRECTIONS = ("minimize", "maximize")
PRUNERS = ("median", "none")
FINISHED = ("COMPLETE", "PRUNED")


@dataclass(frozen=True)
class StudySettings:
    """What :func:`netreg.search.search` asks of either backend, checked once on creation.

    The fields mean what the arguments of the same names of ``search`` mean.
    """

    n_trials: int
    storage: str | Path | None
    study_name: str
    direction: str
    seed: int
    pruner: str
    timeout: float | None
    progress: bool

    def __post_init__(self) -> None:
        check_int("n_trials", self.n_trials, low=1)
        check_choice("direction", self.direction, DIRECTIONS)
        check_int("seed", self.seed, low=0)
        check_choice("pruner", self.pruner, PRUNERS)
        if self.timeout is not None:
            check_positive("timeout", self.timeout)

    def open(self, url: str | None) -> tuple[optuna.Study, int]:
        """The study at ``url`` (in memory for None) and how many of its trials are finished."""
        return open_study(url, self.study_name, self.direction, self.seed, self.pruner)


def storage_url(storage: str | Path | None) -> str | None:
    """A path to a ``.db`` file becomes ``sqlite:///<absolute path>``; URLs pass through."""
    if storage is None:
        return None
    if not isinstance(storage, (str, Path)):
        raise TypeError(
            "`storage` must be a path to a .db file or a database URL such as "
            f"'sqlite:///search.db'. Received: storage={storage!r}"
        )
    text = str(storage)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    if path.suffix != ".db":
        raise ValueError(
            "`storage` must be a path ending in .db (an SQLite file) or a database URL. "
            f"Received: storage={storage!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_pruner(pruner: str) -> optuna.pruners.BasePruner:
    """``median``: Optuna's MedianPruner (stop a trial worse than the median of earlier trials at
    the same step, after 5 startup trials); ``none``: never prune."""
    import optuna

    return optuna.pruners.MedianPruner() if pruner == "median" else optuna.pruners.NopPruner()


def resumed_seed(seed: int, n_existing: int) -> int:
    """``seed`` for a fresh study; a seed derived from ``(seed, n_existing)`` for a resumed one."""
    if n_existing == 0:
        return seed
    return int(np.random.SeedSequence([seed, n_existing]).generate_state(1)[0])


def open_study(
    url: str | None, study_name: str, direction: str, seed: int, pruner: str
) -> tuple[optuna.Study, int]:
    """Create or reopen the study; fail stale RUNNING trials; return it and its finished count."""
    import optuna

    if not isinstance(study_name, str) or not study_name:
        raise ValueError(
            f"`study_name` must be a non-empty string. Received: study_name={study_name!r}"
        )
    study = optuna.create_study(
        storage=url,
        study_name=study_name,
        direction=cast(Literal["minimize", "maximize"], direction),
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=make_pruner(pruner),
        load_if_exists=True,
    )
    stored = study.direction.name.lower()
    if stored != direction:
        raise ValueError(
            f"The study {study_name!r} in {url} was created with direction={stored!r}; a search "
            f"cannot resume it in the other direction. Use another study_name. Received: direction={direction!r}"
        )
    fail_running(study)
    trials = study.get_trials(deepcopy=False)
    if trials:
        study.sampler = optuna.samplers.TPESampler(seed=resumed_seed(seed, len(trials)))
    finished = sum(t.state.name in FINISHED for t in trials)
    return study, finished


def fail_running(study: optuna.Study) -> list[int]:
    """Mark every RUNNING trial FAIL (they were left by a crash); return their numbers.

    This assumes one search at a time per study, which is how netreg runs them: a
    second process running the same study concurrently would see its live trials
    failed.
    """
    import optuna

    numbers = [
        t.number
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    ]
    for number in numbers:
        study.tell(number, state=optuna.trial.TrialState.FAIL)
    return numbers


@contextlib.contextmanager
def quiet_optuna(progress: bool) -> Iterator[None]:
    """Optuna logs every trial at INFO and every failed one (an interrupt too) with a traceback at
    WARNING. A silent library call keeps it at ERROR for its duration, a call with progress bars
    at WARNING; failed trials are in the result either way."""
    import optuna

    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(before, logging.WARNING if progress else logging.ERROR))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)
