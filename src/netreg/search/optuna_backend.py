"""The in-process backend: an Optuna study, TPE sampling, median pruning, SQLite resume."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from netreg._progress import ProgressBar
from netreg.search._study import check_common, open_study, quiet_optuna, storage_url
from netreg.search.result import SearchResult, result_from_study
from netreg.search.space import SearchSpace, sample, validate_space

Report = Callable[[int, float], bool]
"""``report(step, value) -> stop``: record an intermediate value; True means "stop now, pruned"."""

Objective = Callable[[dict[str, Any], Report], float]
"""``objective(params, report) -> value``: train with ``params`` and return the value to optimize."""


def run_search(
    objective: Objective,
    space: Mapping[str, Any],
    *,
    n_trials: int,
    storage: str | Path | None = None,
    study_name: str = "netreg",
    direction: str = "minimize",
    seed: int = 0,
    pruner: str = "median",
    timeout: float | None = None,
    progress: bool = False,
) -> SearchResult:
    """Search ``space`` with an in-process Optuna study (TPE sampler, optional median pruning).

    Parameters
    ----------
    objective : callable
        ``objective(params, report) -> float``. ``params`` holds one value per dimension
        of ``space``. Call ``report(step, value)`` with intermediate values (e.g. the
        validation loss after each epoch); when it returns True the trial is pruned:
        return at once (the value returned is ignored, the trial is recorded PRUNED
        with its last reported value). A non-finite value, reported or returned (a
        diverged run), records the trial FAIL and the search goes on. Objectives never
        import Optuna.
    space : dict
        ``{name: Float | Int | Choice}`` (or their dict configs), see
        :mod:`netreg.search.space`.
    n_trials : int
        How many finished (COMPLETE or PRUNED) trials the study should hold. A resumed
        study runs only ``n_trials - finished``.
    storage : path or URL, optional
        A ``.db`` path (becomes ``sqlite:///<path>``) or a database URL. With a storage,
        every finished trial is saved as it ends and a later call with the same
        ``storage`` and ``study_name`` resumes: finished trials are kept and never
        rerun; trials left RUNNING by a crash are marked FAIL and replaced by fresh ones.
        None keeps the study in memory.
    study_name : str, default "netreg"
    direction : {"minimize", "maximize"}, default "minimize"
    seed : int, default 0
        Seed of the TPE sampler: the same seed gives the same trials. A resumed study
        reseeds from ``(seed, trials so far)`` so that it never replays earlier draws.
    pruner : {"median", "none"}, default "median"
        ``median`` stops a trial whose intermediate value is worse than the median of
        earlier trials at the same step (after 5 startup trials).
    timeout : float, optional
        Seconds after which no new trial starts.
    progress : bool, default False
        A rich progress bar on stderr (the CLI turns it on; library calls stay silent).

    Returns
    -------
    SearchResult
        ``interrupted=True`` when a KeyboardInterrupt stopped the search: the trial it
        hit is recorded FAIL, every finished trial is kept (in the storage too).

    Examples
    --------
    >>> from netreg.search import Float
    >>> def objective(params, report):
    ...     return (params["x"] - 2.0) ** 2
    >>> result = run_search(objective, {"x": Float(-5.0, 5.0)}, n_trials=30, seed=0)
    >>> abs(result.best_params["x"] - 2.0) < 0.5
    True
    """
    check_common(n_trials, direction, seed, pruner, timeout)
    dims = validate_space(space)
    if not callable(objective):
        raise TypeError(
            f"`objective` must be callable as objective(params, report). Received: objective={objective!r}"
        )
    url = storage_url(storage)
    interrupted = False
    with quiet_optuna(progress):
        study, finished = open_study(url, study_name, direction, seed, pruner)
        remaining = n_trials - finished
        if remaining > 0:
            with ProgressBar(
                n_trials, f"trials ({study_name})", enabled=progress, completed=finished
            ) as bar:
                try:
                    study.optimize(
                        _trial_function(objective, dims),
                        n_trials=remaining,
                        timeout=timeout,
                        callbacks=[_advance(bar, direction)],
                        gc_after_trial=False,
                    )
                except KeyboardInterrupt:
                    # Optuna has already recorded the interrupted trial as FAIL.
                    interrupted = True
    return result_from_study(study, interrupted=interrupted, backend="optuna", storage=url)


def _trial_function(objective: Objective, space: SearchSpace) -> Callable[[Any], float]:
    import optuna

    def run(trial: optuna.Trial) -> float:
        params = sample(space, trial)
        stop_step: list[int] = []
        diverged: list[float] = []

        def report(step: int, value: float) -> bool:
            x = _real("value", value)
            if not math.isfinite(x):
                diverged.append(x)  # a diverged run: stop it and record the trial FAIL
                return True
            trial.report(x, _step(step))
            if trial.should_prune():
                stop_step.append(step)
                return True
            return False

        value = objective(dict(params), report)
        if diverged:
            return float("nan")
        if stop_step:
            raise optuna.TrialPruned(f"pruned at step {stop_step[0]}")
        if isinstance(value, bool) or (
            not isinstance(value, (int, float)) and not hasattr(value, "__float__")
        ):
            raise TypeError(f"The objective must return a real number. Received: value={value!r}")
        return float(value)  # NaN is recorded by Optuna as a FAIL trial, with a warning

    return run


def _step(step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(
            f"`step` passed to report() must be an integer >= 0. Received: step={step!r}"
        )
    return step


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(
            f"`{name}` passed to report() must be a real number. Received: {name}={value!r}"
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` passed to report() must be a real number. Received: {name}={value!r}"
        ) from None


def _advance(bar: ProgressBar, direction: str) -> Callable[[Any, Any], None]:
    def callback(study: Any, trial: Any) -> None:
        if not bar.enabled:
            return
        complete = [t.value for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
        best = (min if direction == "minimize" else max)(complete) if complete else None
        bar.advance(description=f"trials (best {best:.4g})" if best is not None else None)

    return callback
