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

BACKENDS = ("optuna", "ray")


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
) -> SearchResult:
    """Search ``space`` for the hyperparameters that optimize ``objective``.

    ``backend="optuna"`` runs :func:`netreg.search.optuna_backend.run_search` in this
    process; ``backend="ray"`` runs :func:`netreg.search.ray_backend.run_search` on Ray
    Tune (``address`` a cluster, None a local Ray). Every other argument means the
    same in both: see :func:`netreg.search.optuna_backend.run_search`.

    Returns
    -------
    SearchResult
    """
    check_choice("backend", backend, BACKENDS)
    common: dict[str, Any] = dict(
        n_trials=n_trials,
        storage=storage,
        study_name=study_name,
        direction=direction,
        seed=seed,
        pruner=pruner,
        timeout=timeout,
        progress=progress,
    )
    if backend == "ray":
        from netreg.search.ray_backend import run_search as run_ray

        return run_ray(objective, space, address=address, **common)
    if address is not None:
        raise ValueError(
            "`address` names a Ray cluster and needs backend='ray'. "
            f"Received: backend={backend!r}, address={address!r}"
        )
    from netreg.search.optuna_backend import run_search

    return run_search(objective, space, **common)


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
