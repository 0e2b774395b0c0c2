"""Multi-hyperparameter search: Optuna in-process by default, Ray Tune when asked.

>>> from netreg.search import search, Float, Choice
>>> def objective(params, report):
...     # train with params["alpha"], params["act"]; call report(epoch, val_loss) as you go
...     return (params["alpha"] - 0.01) ** 2 + (params["act"] == "tanh")
>>> result = search(objective, {"alpha": Float(1e-4, 1.0, log=True),
...                             "act": Choice(["relu", "tanh"])}, n_trials=20)
>>> result.best_params["act"]
'relu'

- ``storage="search.db"`` saves every trial to SQLite; the same call after an interrupt
  or a crash resumes without running any finished trial again.
- ``backend="ray"`` runs the trials on Ray Tune (a local Ray, or ``address=`` a cluster).
- independent tasks (CV folds) run through :func:`netreg._parallel.map_tasks`, one layer down.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from netreg._validation import check_choice
from netreg.choices import SEARCH_BACKENDS
from netreg.search._study import StudySettings
from netreg.search.optuna_backend import Objective, Report
from netreg.search.result import SearchResult
from netreg.search.space import (
    Choice,
    Dimension,
    Float,
    Int,
    SearchSpace,
    from_dict,
    to_dict,
    validate_space,
)


def search(
    objective: Objective,
    space: Mapping[str, Any],
    *,
    n_trials: int,
    backend: str = "optuna",
    storage: str | Path | None = None,
    study_name: str = "netreg",
    direction: str = "minimize",
    seed: int = 0,
    pruner: str = "median",
    timeout: float | None = None,
    progress: bool = False,
    address: str | None = None,
    max_concurrent_trials: int | None = None,
) -> SearchResult:
    """Search ``space`` for the hyperparameters that optimize ``objective``.

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
    backend : {"optuna", "ray"}, default "optuna"
        ``optuna`` runs the trials in this process
        (:func:`netreg.search.optuna_backend.run_search`); ``ray`` runs them on Ray Tune
        (:func:`netreg.search.ray_backend.run_search`), with the same study, seed and
        resume rules.
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
    address : str, optional
        ``backend="ray"`` only: a Ray cluster; None starts a local Ray.
    max_concurrent_trials : int, optional
        ``backend="ray"`` only: at most this many trials at once (1 makes a Ray search
        sequential and reproducible).

    Returns
    -------
    SearchResult
        ``interrupted=True`` when a KeyboardInterrupt stopped the search: the trial it
        hit is recorded FAIL, every finished trial is kept (in the storage too).

    Examples
    --------
    >>> def objective(params, report):
    ...     return (params["x"] - 2.0) ** 2
    >>> result = search(objective, {"x": Float(-5.0, 5.0)}, n_trials=30, seed=0)
    >>> abs(result.best_params["x"] - 2.0) < 0.5
    True
    """
    check_choice("backend", backend, SEARCH_BACKENDS)
    settings = StudySettings(
        n_trials, storage, study_name, direction, seed, pruner, timeout, progress
    )
    dims = validate_space(space)
    if not callable(objective):
        raise TypeError(
            "`objective` must be callable as objective(params, report). "
            f"Received: objective={objective!r}"
        )
    if backend == "ray":
        from netreg.search.ray_backend import run_search as run_ray

        return run_ray(
            objective, dims, settings, address=address, max_concurrent_trials=max_concurrent_trials
        )
    for name, value in (("address", address), ("max_concurrent_trials", max_concurrent_trials)):
        if value is not None:
            raise ValueError(
                f"`{name}` is an option of Ray Tune and needs backend='ray'. "
                f"Received: backend={backend!r}, {name}={value!r}"
            )
    from netreg.search.optuna_backend import run_search

    return run_search(objective, dims, settings)


__all__ = [
    "Choice",
    "Dimension",
    "Float",
    "Int",
    "Objective",
    "Report",
    "SearchResult",
    "SearchSpace",
    "from_dict",
    "search",
    "to_dict",
    "validate_space",
]
