"""Ray Tune pieces for the Ray backend (this module imports Ray: import it lazily).

Pruning on Ray uses the very pruner of the in-process backend: the searcher records each
intermediate value into the trial's Optuna record, asks the study's pruner, and the
scheduler stops the Tune trial when it says so. Tune's own MedianStoppingRule is not
used: it compares running means rather than values at a step, and when it lacks samples
it pauses trials, which restarts a function trainable from its first step.
"""

from __future__ import annotations

import math
from typing import Any

import optuna
from ray.tune import Callback
from ray.tune.schedulers import FIFOScheduler, TrialScheduler
from ray.tune.search.optuna import OptunaSearch

from netreg._progress import ProgressBar

METRIC = "value"
"""The key every report carries; ``final`` tells the objective's return value apart."""

_State = optuna.trial.TrialState


class NetregOptunaSearch(OptunaSearch):  # type: ignore[misc]
    """OptunaSearch that records intermediate values at the objective's own steps, prunes with
    the study's pruner, and tells COMPLETE, PRUNED and FAIL apart.

    Tune's own OptunaSearch reports every result (the final one too) at Tune's iteration
    count, never prunes, and tells a trial COMPLETE whenever its last result has the
    metric, even when the trial errored or was stopped early.
    """

    def __init__(self, *args: Any, pruner: optuna.pruners.BasePruner, **kwargs: Any):
        self._pruner = pruner
        self._reported: set[tuple[str, int]] = set()
        super().__init__(*args, **kwargs)

    def _setup_study(self, mode: str | list[str]) -> None:
        super()._setup_study(mode)
        assert self._ot_study is not None
        self._ot_study.pruner = self._pruner

    def record(self, trial_id: str, result: dict[str, Any]) -> optuna.Trial | None:
        """Record an intermediate result once; return its Optuna trial (None for a final one)."""
        if (
            result.get("final", True)
            or trial_id in self._completed_trials
            or trial_id not in self._ot_trials
        ):
            return None
        ot_trial = self._ot_trials[trial_id]
        step, value = int(result["step"]), result.get(METRIC)
        if (trial_id, step) not in self._reported and value is not None and math.isfinite(value):
            self._reported.add((trial_id, step))
            ot_trial.report(float(value), step)
        return ot_trial

    def should_prune(self, trial_id: str, result: dict[str, Any]) -> bool:
        """Record ``result`` and ask the study's pruner about the trial."""
        ot_trial = self.record(trial_id, result)
        if ot_trial is None:
            return False
        value = result.get(METRIC)
        return value is not None and (not math.isfinite(value) or ot_trial.should_prune())

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        self.record(trial_id, result)

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        if trial_id in self._completed_trials or trial_id not in self._ot_trials:
            return
        result = result or {}
        value = result.get(METRIC)
        if error or value is None or not math.isfinite(value):
            state, value = _State.FAIL, None  # an error, or a diverged run (non-finite value)
        elif result.get("final"):
            state = _State.COMPLETE
        else:
            state, value = _State.PRUNED, None  # stopped by the pruner (or the time budget)
        assert self._ot_study is not None
        self._ot_study.tell(self._ot_trials[trial_id], value, state=state)
        self._completed_trials.add(trial_id)


class PrunerScheduler(FIFOScheduler):  # type: ignore[misc]
    """First in, first out; stops a trial when the searcher's Optuna pruner says so."""

    def __init__(self, searcher: NetregOptunaSearch):
        super().__init__()
        self.searcher = searcher

    def on_trial_result(self, tune_controller: Any, trial: Any, result: dict[str, Any]) -> str:
        if self.searcher.should_prune(trial.trial_id, result):
            return TrialScheduler.STOP
        return TrialScheduler.CONTINUE


class ProgressCallback(Callback):  # type: ignore[misc]
    """Moves a progress bar as trials end (completed, stopped or failed)."""

    def __init__(self, bar: ProgressBar | None):
        self.bar = bar

    def __getstate__(self) -> dict[str, Any]:
        # Tune pickles its run config to disk; a live progress bar (locks, a terminal) stays behind.
        return {"bar": None}

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        if self.bar is not None:
            self.bar.advance()

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        if self.bar is not None:
            self.bar.advance()
