"""Ray, imported lazily, and a session that is local unless an address is given."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

LOCAL_CPUS = 2
"""CPUs of the local Ray instance started when no address is given."""


def import_ray() -> Any:
    """``import ray``, or an ImportError that says how to install it."""
    try:
        import ray
        from ray import tune  # noqa: F401  (the search backend needs Tune too)
    except ImportError as err:
        raise ImportError(
            "backend='ray' needs Ray Tune, an optional extra: pip install 'netreg[ray]'. "
            f"Received: backend='ray' ({err})"
        ) from err
    return ray


@contextlib.contextmanager
def ray_session(
    address: str | None = None, *, num_cpus: int = LOCAL_CPUS, quiet: bool = True
) -> Iterator[Any]:
    """Yield the ``ray`` module with a connected session.

    - Ray already initialized (e.g. by the caller, or a test fixture): use that session
      and leave it running.
    - ``address=None``: start a local Ray with ``num_cpus`` CPUs and no dashboard, and
      shut it down afterwards. ``address="local"`` is passed to Ray so that a stray
      ``RAY_ADDRESS`` in the environment cannot redirect a local run to a cluster.
    - ``address="HOST:PORT"`` (or ``"auto"``, ``"ray://..."``): connect to that cluster,
      and disconnect afterwards. The objective's module must be importable on the
      cluster's workers (an installed package); to ship code, call
      ``ray.init(address, runtime_env={"working_dir": ...})`` yourself first.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address is not None and (not isinstance(address, str) or not address):
        raise ValueError(
            "`address` must be a Ray cluster address such as '10.0.0.5:6379', 'auto' or "
            f"'ray://head:10001', or None for a local Ray. Received: address={address!r}"
        )
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": not quiet,
        "logging_level": logging.WARNING if quiet else logging.INFO,
    }
    if address is None:
        # Workers import the caller's modules by name (module-level functions are
        # pickled by reference), so they get the caller's import path.
        job = ray.job_config.JobConfig(code_search_path=_import_path())
        ray.init(address="local", num_cpus=num_cpus, job_config=job, **options)
    else:
        ray.init(address=address, **options)
    try:
        yield ray
    finally:
        ray.shutdown()


def _import_path() -> list[str]:
    return [os.path.abspath(p) for p in sys.path if p and os.path.isdir(p)]
