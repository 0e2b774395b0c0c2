"""Run independent tasks (CV folds, search trials, path segments) serially, in
local processes, or on Ray; results come back in task order.

The function must be defined at module level in an importable module (not a lambda, a
closure or a function typed into ``__main__`` of an interactive session): the process
backend pickles it by reference, and Ray workers import it by name. Tasks and results
must be picklable.

Why ``spawn`` for the process backend: a forked child inherits the parent's threads'
state, and a parent that has already run PyTorch (OpenMP / MKL thread pools) or CUDA
can deadlock or fail in the child; Python itself warns about fork in multithreaded
processes and 3.14 stops using it by default. ``spawn`` costs a fresh interpreter per
worker (a few seconds to import torch and netreg), paid once per call and small next to a
fold's fit. Each worker runs single-threaded (``torch.set_num_threads(1)``, BLAS limited to
one thread) so that ``n_jobs`` workers use ``n_jobs`` cores instead of oversubscribing
them, on the Ray backend too.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from netreg._progress import ProgressBar
from netreg._validation import check_choice
from netreg.choices import PARALLEL_BACKENDS

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = PARALLEL_BACKENDS  # callers resolve "auto"


def map_items(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    *,
    backend: str = "serial",
    n_jobs: int = 1,
    address: str | None = None,
    progress: bool = False,
    description: str = "",
) -> list[R]:
    """``[fn(task) for task in tasks]``, run serially, in processes, or on Ray.

    Parameters
    ----------
    fn : callable
        A module-level function of one argument (see the module notes).
    tasks : iterable
        The arguments, one call each.
    backend : {"serial", "process", "ray"}, default "serial"
        ``process``: a ``ProcessPoolExecutor`` with the ``spawn`` start method.
        ``ray``: Ray tasks (one CPU each) on a local Ray or the cluster at ``address``.
    n_jobs : int, default 1
        Tasks run at once; -1 means one per CPU core (``process``, local Ray) or no
        limit (a Ray cluster). A local Ray is started with ``n_jobs`` CPUs.
    address : str, optional
        Ray cluster address (``backend="ray"`` only). None starts a local Ray, or uses
        the session already initialized.
    progress : bool, default False
        A rich progress bar on stderr.
    description : str
        The progress bar's label (e.g. ``"folds"``).

    Returns
    -------
    list
        ``fn(task)`` for each task, in task order, whatever order they finished in.
        The first task to fail raises its exception and the remaining tasks are cancelled.

    Examples
    --------
    >>> import math
    >>> map_items(math.sqrt, [1.0, 4.0, 9.0])
    [1.0, 2.0, 3.0]
    """
    check_choice("backend", backend, BACKENDS)
    jobs = _resolve_jobs(n_jobs)
    if not callable(fn):
        raise TypeError(f"`fn` must be a callable of one argument. Received: fn={fn!r}")
    if address is not None and backend != "ray":
        raise ValueError(
            f"`address` is only used with backend='ray'. Received: backend={backend!r}, address={address!r}"
        )
    items = list(tasks)
    if not items:
        return []
    with ProgressBar(len(items), description, enabled=progress) as bar:
        if backend == "serial":
            out = []
            for task in items:
                out.append(fn(task))
                bar.advance()
            return out
        if backend == "process":
            return _process(fn, items, jobs or os.cpu_count() or 1, bar)
        return _ray(fn, items, jobs, address, progress, bar)


def _resolve_jobs(n_jobs: Any) -> int | None:
    """``n_jobs`` as a positive count, or None for "as many as possible" (-1)."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise ValueError(
            f"`n_jobs` must be a positive integer or -1 (all cores). Received: n_jobs={n_jobs!r}"
        )
    return None if n_jobs == -1 else n_jobs


def single_threaded() -> None:
    """Limit this process to one compute thread (torch and BLAS): a worker's initializer."""
    import torch

    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # numpy / scikit-learn BLAS and OpenMP pools
    except ImportError:  # threadpoolctl comes with scikit-learn; without it BLAS keeps its default
        pass


def _call_single_threaded(fn: Callable[[T], R], task: T) -> R:
    single_threaded()
    return fn(task)


def _check_picklable(fn: Callable[..., Any]) -> None:
    try:
        pickle.dumps(fn)
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        raise TypeError(
            "backend='process' needs `fn` to be a module-level function of an importable "
            f"module (lambdas and closures cannot be sent to worker processes). Received: fn={fn!r}"
        ) from err


def _process(fn: Callable[[T], R], items: list[T], jobs: int, bar: ProgressBar) -> list[R]:
    _check_picklable(fn)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(items)), mp_context=context, initializer=single_threaded
    ) as pool:
        futures: list[Future[R]] = [pool.submit(fn, task) for task in items]
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    if future.exception() is not None:
                        raise future.exception()  # type: ignore[misc]
                    bar.advance()
        except BaseException:  # a failed task or a Ctrl-C: drop the queue, not only wait it out
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        return [f.result() for f in futures]


def _ray(
    fn: Callable[[T], R],
    items: list[T],
    jobs: int | None,
    address: str | None,
    progress: bool,
    bar: ProgressBar,
) -> list[R]:
    from netreg._ray import ray_session

    local_cpus = jobs or os.cpu_count() or 1
    with ray_session(address, num_cpus=local_cpus, quiet=not progress) as ray:
        run = ray.remote(num_cpus=1)(_call_single_threaded)
        fn_ref = ray.put(fn)
        window = jobs or len(items)  # at most `jobs` tasks in flight
        results: list[Any] = [None] * len(items)
        index: dict[Any, int] = {}
        queue = iter(enumerate(items))

        def submit() -> None:
            nxt = next(queue, None)
            if nxt is not None:
                index[run.remote(fn_ref, nxt[1])] = nxt[0]

        for _ in range(min(window, len(items))):
            submit()
        while index:
            (ref,), _ = ray.wait(list(index), num_returns=1)
            i = index.pop(ref)
            try:
                results[i] = ray.get(ref)
            except BaseException:
                for other in index:
                    ray.cancel(other)
                raise
            bar.advance()
            submit()
        return results


def _call_with_kwargs(fn: Callable[..., R], task: dict[str, Any]) -> R:
    return fn(**task)


def map_tasks(fn: Callable[..., R], tasks: Iterable[dict[str, Any]], **options: Any) -> list[R]:
    """``[fn(**task) for task in tasks]``: :func:`map_items` for keyword-argument tasks.

    This is the form cross-validation uses (one dict of arguments per fold); ``options``
    are those of :func:`map_items` (``backend``, ``n_jobs``, ``address``, ``progress``,
    ``description``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> map_tasks(Fraction, [{"numerator": 1, "denominator": 2}])
    [Fraction(1, 2)]
    """
    if options.get("backend", "serial") != "serial":
        _check_picklable(fn)
    return map_items(functools.partial(_call_with_kwargs, fn), tasks, **options)
