"""SearchResult: what a search found, as a plain dataclass that reports and the CLI only read."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
"""Trial states, named as Optuna names them (the Ray backend records into an Optuna study too)."""


@dataclass
class SearchResult:
    """The outcome of :func:`netreg.search.search`.

    Attributes
    ----------
    best_params : dict
        Hyperparameters of the best COMPLETE trial; ``{}`` when none completed.
    best_value : float or None
        Its objective value; None when no trial completed.
    trials : list of dict
        Every trial of the study (including those of earlier, resumed runs), in number
        order: ``{"number", "params", "value", "state", "intermediate"}`` where
        ``intermediate`` maps step -> reported value and ``state`` is one of
        COMPLETE, PRUNED, FAIL, RUNNING, WAITING.
    interrupted : bool
        True when a KeyboardInterrupt stopped the search early; every trial finished
        before it is in the result (and in the storage, when there is one).
    direction : {"minimize", "maximize"}
    backend : {"optuna", "ray"}
    study_name : str
    storage : str or None
        The storage URL the study lives in (None: in memory only).
    """

    best_params: dict[str, Any]
    best_value: float | None
    trials: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    direction: str = "minimize"
    backend: str = "optuna"
    study_name: str = "netreg"
    storage: str | None = None

    @property
    def n_complete(self) -> int:
        """Number of trials in state COMPLETE."""
        return sum(t["state"] == "COMPLETE" for t in self.trials)

    def states(self) -> dict[str, int]:
        """Trial counts per state, e.g. ``{"COMPLETE": 18, "PRUNED": 2}``."""
        counts: dict[str, int] = {}
        for t in self.trials:
            counts[t["state"]] = counts.get(t["state"], 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (intermediate steps become string keys in JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchResult:
        """Read back :meth:`to_dict` (also after a JSON round trip)."""
        data = dict(data)
        data["trials"] = [
            {**t, "intermediate": {int(k): float(v) for k, v in t.get("intermediate", {}).items()}}
            for t in data.get("trials", [])
        ]
        return cls(**data)


def trial_record(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """One Optuna trial as a plain dict."""
    return {
        "number": trial.number,
        "params": dict(trial.params),
        "value": None if trial.value is None else float(trial.value),
        "state": trial.state.name,
        "intermediate": {int(k): float(v) for k, v in sorted(trial.intermediate_values.items())},
    }


def result_from_study(
    study: optuna.Study, *, interrupted: bool, backend: str, storage: str | None
) -> SearchResult:
    """Summarize a study: the best COMPLETE trial and every trial's record."""
    trials = [
        trial_record(t) for t in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)
    ]
    maximize = study.direction.name == "MAXIMIZE"
    complete = [
        t
        for t in trials
        if t["state"] == "COMPLETE" and t["value"] is not None and math.isfinite(t["value"])
    ]
    best = (max if maximize else min)(complete, key=lambda t: t["value"]) if complete else None
    return SearchResult(
        best_params=dict(best["params"]) if best else {},
        best_value=best["value"] if best else None,
        trials=trials,
        interrupted=interrupted,
        direction="maximize" if maximize else "minimize",
        backend=backend,
        study_name=study.study_name,
        storage=storage,
    )
