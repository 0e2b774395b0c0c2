"""The Ray Tune backend: the same search, its trials run as Ray tasks (a local Ray or a cluster).

Ray Tune runs the trials; Tune's ``OptunaSearch`` proposes them from an Optuna study
kept in the driver, so the search space, the TPE seed, the storage and the resume rules
are those of the Optuna backend (:mod:`netreg.search._study`). With the same seed, the
first trials (Optuna's random startup phase, 10 trials) draw the same hyperparameters as
the in-process backend; later ones depend on which trials have finished when the next is
proposed, which under concurrency depends on timing (``max_concurrent_trials=1`` makes
the whole search sequential and reproducible).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netreg._progress import ProgressBar
from netreg._ray import LOCAL_CPUS, import_ray, ray_session
from netreg._validation import check_int
from netreg.search._study import (
    StudySettings,
    fail_running,
    make_pruner,
    quiet_optuna,
    storage_url,
)
from netreg.search.optuna_backend import Objective
from netreg.search.result import SearchResult, result_from_study
from netreg.search.space import SearchSpace, to_optuna


def run_search(
    objective: Objective,
    dims: SearchSpace,
    settings: StudySettings,
    *,
    address: str | None = None,
    max_concurrent_trials: int | None = None,
) -> SearchResult:
    """Run the trials of ``settings`` on Ray Tune, as :func:`netreg.search.search` describes.

    ``address`` names a Ray cluster (``"HOST:PORT"``, ``"auto"``, ``"ray://HOST:10001"``);
    None starts a local Ray with 2 CPUs (no dashboard) and shuts it down afterwards, and an
    already initialized Ray session is used as it is. ``max_concurrent_trials`` caps the
    trials at once (default: one per CPU of the cluster).

    Notes
    -----
    - Pruning: the same Optuna pruner as in-process decides, in the driver, as each
      intermediate value arrives; Tune then stops the trial from the outside. ``report``
      therefore always returns False here, and a pruned trial simply ends (recorded
      PRUNED with the values it reported).
    - The objective and its module are pickled to the workers: define it at module
      level in an importable module.
    - Storage and resume are those of the Optuna backend: the study lives in the
      driver's storage (a temporary SQLite file when ``storage`` is None).
    """
    if max_concurrent_trials is not None:
        check_int("max_concurrent_trials", max_concurrent_trials, low=1)
    import_ray()
    with (
        tempfile.TemporaryDirectory(prefix="netreg-ray-") as scratch,
        quiet_optuna(settings.progress),
    ):
        # Tune may copy its searcher, so the study must live in a database, not in memory.
        storage = storage_url(settings.storage)
        url = storage or f"sqlite:///{Path(scratch) / 'study.db'}"
        study, finished = settings.open(url)
        interrupted = False
        error: BaseException | None = None
        if settings.n_trials > finished:
            with (
                ray_session(address, num_cpus=LOCAL_CPUS, quiet=not settings.progress),
                ProgressBar(
                    settings.n_trials,
                    f"trials ({settings.study_name}, ray)",
                    enabled=settings.progress,
                    completed=finished,
                ) as bar,
            ):
                try:
                    error, interrupted = _fit(
                        objective,
                        dims,
                        study,
                        url,
                        pruner=settings.pruner,
                        n_samples=settings.n_trials - finished,
                        timeout=settings.timeout,
                        max_concurrent_trials=max_concurrent_trials,
                        scratch=Path(scratch),
                        bar=bar,
                    )
                except KeyboardInterrupt:
                    interrupted = True
                finally:
                    fail_running(study)  # trials Tune never reported back
        result = result_from_study(study, interrupted=interrupted, backend="ray", storage=storage)
    if error is not None:
        raise error
    return result


def _fit(
    objective: Objective,
    dims: SearchSpace,
    study: Any,
    url: str,
    *,
    pruner: str,
    n_samples: int,
    timeout: float | None,
    max_concurrent_trials: int | None,
    scratch: Path,
    bar: ProgressBar,
) -> tuple[BaseException | None, bool]:
    """Run ``n_samples`` Tune trials; return the first trial error (raised after recording) and
    whether the run was interrupted.

    Tune catches Ctrl+C itself: it stops the experiment and returns normally. A run
    that ends with fewer trials than asked, before its time budget and without an
    error, was therefore interrupted.
    """
    import optuna
    from ray import tune

    from netreg.search._ray_tune import (
        METRIC,
        NetregOptunaSearch,
        ProgressCallback,
        PrunerScheduler,
    )

    mode = "min" if study.direction.name == "MINIMIZE" else "max"
    searcher = NetregOptunaSearch(
        space=to_optuna(dims),
        metric=METRIC,
        mode=mode,
        sampler=study.sampler,
        study_name=study.study_name,
        storage=optuna.storages.RDBStorage(url),
        pruner=make_pruner(pruner),
    )
    tuner = tune.Tuner(
        _trainable(objective),
        tune_config=tune.TuneConfig(
            metric=METRIC,
            mode=mode,
            search_alg=searcher,
            scheduler=PrunerScheduler(searcher),
            num_samples=n_samples,
            max_concurrent_trials=max_concurrent_trials,
            time_budget_s=timeout,
            reuse_actors=True,  # one worker process per CPU, not one per trial
        ),
        run_config=tune.RunConfig(
            name="netreg-search",
            storage_path=str(scratch / "tune"),
            verbose=0,
            callbacks=[ProgressCallback(bar)] if bar.enabled else None,
            failure_config=tune.FailureConfig(fail_fast=True),
        ),
    )
    # Ray's console reporter prints its banner whatever the verbosity; the driver runs
    # no user code during fit (objectives run in Ray workers), so only Tune is muted.
    # Its log points at Tuner.restore and a scratch folder: netreg resumes from `storage` instead.
    start = time.monotonic()
    with (
        contextlib.redirect_stdout(io.StringIO()),
        _logger_level("ray.tune", logging.ERROR),
        _signal_handlers_kept(),
    ):
        grid = tuner.fit()
    elapsed = time.monotonic() - start
    errors = [grid[i].error for i in range(len(grid)) if grid[i].error is not None]
    ended = grid.num_terminated + grid.num_errors
    timed_out = timeout is not None and elapsed >= timeout
    interrupted = ended < n_samples and not timed_out and not errors
    return (errors[0] if errors else None), interrupted


@contextlib.contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """Tune replaces the SIGINT (and SIGUSR1) handlers to stop gracefully and never puts them
    back, so the caller's next Ctrl+C would be swallowed: restore them after the fit."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Tune installs no handler off the main thread
        return
    names = [n for n in ("SIGINT", "SIGUSR1") if hasattr(signal, n)]
    before = {n: signal.getsignal(getattr(signal, n)) for n in names}
    try:
        yield
    finally:
        for name, handler in before.items():
            if handler is not None:
                signal.signal(getattr(signal, name), handler)


@contextlib.contextmanager
def _logger_level(name: str, level: int) -> Iterator[None]:
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(max(level, before))
    try:
        yield
    finally:
        logger.setLevel(before)


def _trainable(objective: Objective) -> Any:
    """The Tune function trainable: intermediate reports, then one final report."""
    from netreg.search._ray_tune import METRIC

    def trainable(config: dict[str, Any]) -> None:
        from ray import tune

        def report(step: int, value: float) -> bool:
            tune.report({METRIC: float(value), "step": int(step), "final": False})
            return False  # Tune's scheduler stops a pruned trial itself

        value = float(objective(dict(config), report))
        tune.report({METRIC: value if math.isfinite(value) else math.nan, "final": True})

    return trainable
