"""The Ray Tune backend on a local Ray with 2 CPUs: the same trials as the in-process backend
for the same seed, pruning, resume from storage, errors (issues "Choosing λ", "Scale out")."""

from __future__ import annotations

import json
import signal
import sys
import time

import pytest

from netreg._ray import import_ray, ray_session
from netreg.search import Float, Int, search

pytest.importorskip("ray")

SPACE = {"x": Float(-3.0, 3.0), "width": Int(1, 6)}


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray (2 CPUs) for the whole module: starting Ray takes seconds."""
    with ray_session(None, num_cpus=2) as ray:
        yield ray


def bowl(params, report):
    for step in range(3):
        report(step, (params["x"] - 1.0) ** 2 + params["width"] / 10 + 1.0 / (step + 1))
    return (params["x"] - 1.0) ** 2 + params["width"] / 10


class Logged:
    """Logs each execution's params to a file (Ray workers run it, so state lives on disk)."""

    def __init__(self, log):
        self.log = str(log)

    def __call__(self, params, report):
        with open(self.log, "a") as f:
            f.write(json.dumps(params, sort_keys=True) + "\n")
        return bowl(params, report)


def test_ray_runs_the_optuna_trials_and_resumes_without_rerunning(local_ray, tmp_path):
    db, log = tmp_path / "ray.db", tmp_path / "calls.jsonl"
    sigint = signal.getsignal(signal.SIGINT)
    first = search(Logged(log), SPACE, n_trials=3, seed=7, backend="ray", storage=db, pruner="none")
    in_process = search(bowl, SPACE, n_trials=3, seed=7, pruner="none")
    assert first.backend == "ray" and not first.interrupted
    assert first.states() == {"COMPLETE": 3}
    # TPE's first trials are seeded random draws: identical on both backends, with the
    # intermediate values recorded at the objective's own steps 0, 1, 2
    assert first.trials == in_process.trials
    assert (first.best_params, first.best_value) == (in_process.best_params, in_process.best_value)

    second = search(
        Logged(log), SPACE, n_trials=6, seed=7, backend="ray", storage=db, pruner="none"
    )
    assert second.n_complete == 6
    assert second.trials[:3] == first.trials
    executions = log.read_text().splitlines()
    assert len(executions) == 6  # 3, then only the 3 remaining
    assert len(set(executions)) == 6  # no hyperparameters ran twice
    # Tune swaps in its own Ctrl+C handler while it runs; the caller's is back afterwards
    assert signal.getsignal(signal.SIGINT) is sigint


def slow_curve(params, report):
    """Bad x stays bad at every step; a short sleep lets the scheduler see trials overlap."""
    badness = abs(params["x"])
    for step in range(8):
        time.sleep(0.02)
        report(step, badness + 1.0 / (step + 1))
    return badness


def test_the_driver_prunes_with_optunas_pruner_and_records_states():
    """The searcher/scheduler pair, fed Tune results by hand (no cluster needed)."""
    import optuna
    from ray.tune.schedulers import TrialScheduler

    from netreg.search._ray_tune import NetregOptunaSearch, PrunerScheduler

    searcher = NetregOptunaSearch(
        space={"x": Float(-3.0, 3.0).to_optuna()},
        metric="value",
        mode="min",
        sampler=optuna.samplers.TPESampler(seed=0),
        storage=optuna.storages.InMemoryStorage(),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2),
    )
    scheduler = PrunerScheduler(searcher)

    class Trial:
        def __init__(self, trial_id):
            self.trial_id = trial_id

    def result(trial_id, value, step):
        searcher.on_trial_result(trial_id, {"value": value, "step": step, "final": False})
        return scheduler.on_trial_result(
            None, Trial(trial_id), {"value": value, "step": step, "final": False}
        )

    for good in ("a", "b"):
        searcher.suggest(good)
        assert all(result(good, 0.1, step) == TrialScheduler.CONTINUE for step in range(4))
        searcher.on_trial_complete(good, {"value": 0.1, "final": True})
    searcher.suggest("bad")
    assert result("bad", 5.0, 0) == TrialScheduler.STOP  # worse than the median at step 0
    searcher.on_trial_complete("bad", {"value": 5.0, "step": 0, "final": False})
    searcher.suggest("error")
    searcher.on_trial_complete("error", {"value": 0.1, "step": 0, "final": False}, error=True)
    searcher.suggest("diverged")
    searcher.on_trial_complete("diverged", {"value": float("nan"), "final": True})

    trials = searcher._ot_study.get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE", "PRUNED", "FAIL", "FAIL"]
    assert trials[0].intermediate_values == {0: 0.1, 1: 0.1, 2: 0.1, 3: 0.1}  # once per step
    assert trials[2].value == 5.0  # a pruned trial keeps its last reported value


@pytest.mark.slow
def test_ray_prunes_with_the_median_rule(local_ray):
    """End to end on Ray (about 15 s): the same rule stops trials on the workers."""
    result = search(
        slow_curve, {"x": Float(-3.0, 3.0)}, n_trials=14, seed=0, backend="ray", pruner="median"
    )
    states = result.states()
    assert states.get("PRUNED", 0) >= 1, states
    assert states.get("PRUNED", 0) + states.get("COMPLETE", 0) == 14
    pruned = [t for t in result.trials if t["state"] == "PRUNED"]
    assert all(len(t["intermediate"]) < 8 for t in pruned)


def failing(params, report):
    raise ValueError(f"bad trial {params['x']:.3f}")


def test_ray_trial_errors_are_raised(local_ray):
    with pytest.raises(Exception, match="bad trial"):
        search(failing, SPACE, n_trials=2, backend="ray")


def test_missing_ray_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install 'netreg\[ray\]'"):
        import_ray()
