"""The in-process backend: the trials run here, one after another, in an Optuna study."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from netreg._progress import ProgressBar
from netreg.search._study import StudySettings, quiet_optuna, storage_url
from netreg.search.result import SearchResult, result_from_study
from netreg.search.space import SearchSpace, sample

Report = Callable[[int, float], bool]
"""``report(step, value) -> stop``: record an intermediate value; True means "stop now, pruned"."""

Objective = Callable[[dict[str, Any], Report], float]
"""``objective(params, report) -> value``: train with ``params`` and return the value to optimize."""


def run_search(objective: Objective, dims: SearchSpace, settings: StudySettings) -> SearchResult:
    """Run the trials of ``settings`` in this process, as :func:`netreg.search.search` describes.

    A KeyboardInterrupt ends the search with ``interrupted=True``: Optuna has recorded the
    trial it hit FAIL, and every finished trial is kept (in the storage too).
    """
    url = storage_url(settings.storage)
    interrupted = False
    with quiet_optuna(settings.progress):
        study, finished = settings.open(url)
        remaining = settings.n_trials - finished
        if remaining > 0:
            with ProgressBar(
                settings.n_trials,
                f"trials ({settings.study_name})",
                enabled=settings.progress,
                completed=finished,
            ) as bar:
                try:
                    study.optimize(
                        _trial_function(objective, dims),
                        n_trials=remaining,
                        timeout=settings.timeout,
                        callbacks=[_advance(bar, settings.direction)],
                        gc_after_trial=False,
                    )
                except KeyboardInterrupt:
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
