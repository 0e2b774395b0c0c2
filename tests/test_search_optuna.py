"""The in-process search: it finds minima, prunes, resumes without rerunning a trial, and its
space and result round-trip (issue "Choosing λ")."""

from __future__ import annotations

import json

import optuna
import pytest

from netreg.search import (
    Choice,
    Float,
    Int,
    SearchResult,
    from_dict,
    search,
    to_dict,
    validate_space,
)

SPACE = {
    "x": Float(-4.0, 4.0),
    "log_lr": Float(1e-4, 1.0, log=True),
    "width": Int(1, 8),
    "act": Choice(["relu", "tanh"]),
}


def quadratic(params, report):
    """Minimum 0 at x = 1.5, lr = 1e-2, width = 3, act = relu."""
    return (
        (params["x"] - 1.5) ** 2
        + (optuna_log10(params["log_lr"]) + 2.0) ** 2
        + 0.1 * (params["width"] - 3) ** 2
        + (params["act"] == "tanh")
    )


def optuna_log10(v):
    import math

    return math.log10(v)


def test_quadratic_objective_finds_its_minimum_region():
    result = search(quadratic, SPACE, n_trials=60, seed=0)
    assert result.n_complete == 60
    assert result.best_value < 0.5
    assert abs(result.best_params["x"] - 1.5) < 0.6
    assert result.best_params["act"] == "relu"
    random_values = sorted(t["value"] for t in result.trials[:10])  # the random startup phase
    assert result.best_value < random_values[0]


def test_maximize_and_same_seed_same_trials():
    a = search(lambda p, r: -quadratic(p, r), SPACE, n_trials=12, seed=3, direction="maximize")
    b = search(lambda p, r: -quadratic(p, r), SPACE, n_trials=12, seed=3, direction="maximize")
    c = search(lambda p, r: -quadratic(p, r), SPACE, n_trials=12, seed=4, direction="maximize")
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    assert [t["params"] for t in a.trials] != [t["params"] for t in c.trials]
    assert a.best_value == max(t["value"] for t in a.trials)


def curve(params, report):
    """A learning curve: bad hyperparameters stay bad at every step, so the median pruner can act."""
    badness = abs(params["x"])
    value = badness
    for step in range(10):
        value = badness + 1.0 / (step + 1)
        if report(step, value):
            return value
    return value


def test_pruning_stops_trials_reporting_bad_intermediate_values():
    result = search(curve, {"x": Float(-4.0, 4.0)}, n_trials=40, seed=1, pruner="median")
    states = result.states()
    assert states.get("PRUNED", 0) >= 5
    pruned = [t for t in result.trials if t["state"] == "PRUNED"]
    assert all(len(t["intermediate"]) < 10 for t in pruned)  # stopped before the last step
    complete_x = [abs(t["params"]["x"]) for t in result.trials if t["state"] == "COMPLETE"]
    pruned_x = [abs(t["params"]["x"]) for t in pruned]
    assert sum(pruned_x) / len(pruned_x) > sum(complete_x) / len(complete_x)  # the bad ones went
    # pruner="none" runs every trial to its end
    unpruned = search(curve, {"x": Float(-4.0, 4.0)}, n_trials=15, seed=1, pruner="none")
    assert unpruned.states() == {"COMPLETE": 15}
    assert all(len(t["intermediate"]) == 10 for t in unpruned.trials)


class LoggedObjective:
    """Appends one JSON line per execution (params) to a file; raises KeyboardInterrupt on
    execution number ``interrupt_at`` (1-based), as a user's Ctrl+C would."""

    def __init__(self, log, interrupt_at=None):
        self.log, self.interrupt_at, self.calls = log, interrupt_at, 0

    def __call__(self, params, report):
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        value = quadratic(params, report)
        with self.log.open("a") as f:
            f.write(json.dumps(params, sort_keys=True) + "\n")
        return value


def _executions(log):
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_interrupted_search_resumes_without_running_a_trial_twice(tmp_path):
    db, log, n_trials = tmp_path / "search.db", tmp_path / "calls.jsonl", 16
    first = search(
        LoggedObjective(log, interrupt_at=7), SPACE, n_trials=n_trials, storage=db, seed=0
    )
    assert first.interrupted
    assert first.states() == {"COMPLETE": 6, "FAIL": 1}
    assert first.storage == f"sqlite:///{db.resolve()}"
    before = _executions(log)
    assert len(before) == 6

    resumed_objective = LoggedObjective(log)
    second = search(resumed_objective, SPACE, n_trials=n_trials, storage=db, seed=0)
    assert not second.interrupted
    assert second.n_complete == n_trials
    assert resumed_objective.calls == n_trials - 6  # only the remaining trials ran
    executions = _executions(log)
    assert len(executions) == n_trials
    complete = [t["params"] for t in second.trials if t["state"] == "COMPLETE"]
    assert sorted(map(json.dumps, executions)) == sorted(
        json.dumps(p, sort_keys=True) for p in complete
    )
    assert len({json.dumps(p, sort_keys=True) for p in complete}) == n_trials  # none executed twice
    # the trials finished before the interrupt are the same records, not reruns
    assert second.trials[:6] == first.trials[:6]

    # a third call finds nothing left to do
    third_objective = LoggedObjective(log)
    third = search(third_objective, SPACE, n_trials=n_trials, storage=db, seed=0)
    assert third_objective.calls == 0 and third.n_complete == n_trials


def test_a_trial_left_running_by_a_crash_is_failed_and_replaced(tmp_path):
    db, log = tmp_path / "crash.db", tmp_path / "calls.jsonl"
    search(LoggedObjective(log), SPACE, n_trials=4, storage=db, study_name="s")
    # a crash: the process died inside trial 4, which stays RUNNING in the storage
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{db}")
    crashed = study.ask()
    SPACE["x"].suggest(crashed, "x")
    assert study.trials[-1].state == optuna.trial.TrialState.RUNNING

    objective = LoggedObjective(log)
    result = search(objective, SPACE, n_trials=8, storage=db, study_name="s")
    assert objective.calls == 4
    assert result.trials[crashed.number]["state"] == "FAIL"
    assert result.n_complete == 8
    assert [t["number"] for t in result.trials] == list(range(9))
    assert (
        len(
            {
                json.dumps(t["params"], sort_keys=True)
                for t in result.trials
                if t["state"] == "COMPLETE"
            }
        )
        == 8
    )


def test_resume_refuses_the_other_direction(tmp_path):
    db = tmp_path / "d.db"
    search(quadratic, SPACE, n_trials=2, storage=db)
    with pytest.raises(ValueError, match=r"direction='minimize'.*Received: direction='maximize'"):
        search(quadratic, SPACE, n_trials=2, storage=db, direction="maximize")


def test_diverged_trials_fail_and_the_search_goes_on():
    def sometimes_diverges(params, report):
        if params["x"] > 0 and report(0, float("inf")):
            return float("nan")
        return abs(params["x"])

    result = search(sometimes_diverges, {"x": Float(-1.0, 1.0)}, n_trials=12, seed=0, pruner="none")
    states = result.states()
    assert states["FAIL"] > 0 and states["COMPLETE"] > 0
    assert states["FAIL"] + states["COMPLETE"] == 12
    assert result.best_params["x"] <= 0


def test_errors_in_the_objective_propagate():
    def broken(params, report):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        search(broken, SPACE, n_trials=3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_trials": 0}, r"n_trials.*Received: n_trials=0"),
        ({"n_trials": 2, "direction": "down"}, r"direction.*Received: direction='down'"),
        ({"n_trials": 2, "pruner": "hyperband"}, r"pruner.*Received: pruner='hyperband'"),
        ({"n_trials": 2, "storage": "results.csv"}, r"\.db.*Received: storage='results.csv'"),
        ({"n_trials": 2, "backend": "dask"}, r"backend.*Received: backend='dask'"),
        ({"n_trials": 2, "address": "1.2.3.4:6379"}, r"backend='ray'.*Received: backend='optuna'"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        search(quadratic, SPACE, **kwargs)


def test_space_round_trips_and_names_the_bad_dimension():
    assert from_dict(json.loads(json.dumps(to_dict(SPACE)))) == SPACE
    with pytest.raises(ValueError, match=r"'lr' is invalid.*low.*Received: lr="):
        validate_space({"lr": {"kind": "float", "low": 0.0, "high": 1.0, "log": True}})
    with pytest.raises(ValueError, match=r"'width'.*hgh.*Extra inputs"):
        validate_space({"width": {"kind": "int", "low": 1, "hgh": 4}})
    with pytest.raises(TypeError, match=r"'act'.*Received: act="):
        validate_space({"act": ["relu", "tanh"]})
    with pytest.raises(ValueError, match="distinct"):
        Choice(["relu", "relu"])
    with pytest.raises(ValueError, match="low"):
        Float(2.0, 1.0)


def test_result_round_trips_through_json():
    result = search(curve, {"x": Float(-4.0, 4.0)}, n_trials=8, seed=2)
    again = SearchResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result
    assert set(result.trials[0]) == {"number", "params", "value", "state", "intermediate"}


def test_library_calls_are_silent(capsys):
    search(quadratic, SPACE, n_trials=3)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bars_go_to_stderr_when_asked(capsys):
    search(quadratic, SPACE, n_trials=3, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "trials" in captured.err and "3/3" in captured.err
