"""The network engine: one warm-started proximal fit per λ, from a dense fit to all zeros.

λ multiplies every penalty of the plan (``Regularizer.scale``). Results are reported from
the largest λ down, as glmnet does, but a network is FITTED in the other direction,
dense to sparse, as LassoNet does:

1. a dense fit at λ = 0 from the model's initial weights (a cold fit: ten times the
   epochs and patience of a warm one, LassoNet's ``n_iters=(1000, 100)`` ratio);
2. λ_max by the KKT rule at that dense fit (:mod:`netreg.path.lambda_max`), then the
   geometric grid ``λ_max … eps·λ_max``;
3. the smallest λ, then each larger one, every fit starting from the previous weights
   (:func:`~netreg.path.point.fit_point`: early stopping on the validation objective,
   backtracking on the learning rate);
4. past λ_max, with the grid's ratio, until every penalized group is zero (LassoNet's
   stopping rule). A ReLU network computes the same function with ``W₁/c`` and
   ``c·W₂``, so while the penalized layer shrinks along the path the unpenalized one can
   grow, and the KKT threshold computed at the dense fit moves up with it;
5. where two neighbouring λ differ by more than one selected input, the geometric mean
   of the two, fitted warm from the denser one, and so on by bisection (``refine``), so
   that the path records every support size it can.

Why dense to sparse. A network is not convex, and the null point (penalized weights at
zero) is a poor place to start one: with zero input weights every hidden unit receives
the same rank-one gradient ``g_u·Xᵀ(ŷ − y)``, so the units that wake up are copies of one
linear direction, and ReLU units whose bias is negative never wake up at all. Starting
from the dense fit, each λ only has to remove what the penalty no longer pays for
(``benchmarks/path.py`` measures both directions; ``direction="sparse_to_dense"`` is kept
for such comparisons, and a test checks that it is the worse of the two on a nonlinear
problem and that on a convex one both give the same solution).

Each λ is cheap: the fit is warm and runs at most ``config.max_epochs`` epochs. The
optimizer's state (Adam's moments) restarts at each λ because :func:`netreg.train.fit`
builds a fresh optimizer; only the weights carry over. Each λ keeps a copy of the model's
state (``PathResult.states``): memory grows with the number of λ times the model's size.
"""

from __future__ import annotations

import collections
import itertools
import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from netreg._validation import check_choice, check_int
from netreg.path._network_data import Data, ModelSource, instantiate, score, snapshot, split_data
from netreg.path._progress import LambdaProgress
from netreg.path._records import path_result, record
from netreg.path.grid import lambda_grid
from netreg.path.lambda_max import kkt_lambda_max, null_point_, zeroable_rows
from netreg.path.point import fit_point
from netreg.path.results import PathResult
from netreg.plan import Plan
from netreg.regularizer import Regularizer
from netreg.train import FitConfig, as_config

DIRECTIONS = ("dense_to_sparse", "sparse_to_dense")
_COLD_BUDGET = 10  # epochs and patience of a cold fit, in warm fits
_CONTINUE_LIMIT = 1e4  # how far past λ_max the path may continue to reach all zeros
_REFINE_DEFAULT = 3  # bisection levels between neighbouring λ that skip support sizes
_REFINE_LIMIT = 10
_REFINE_MIN_BUDGET = 10  # λ a short path may add, whatever its length


def regularization_path(
    model: ModelSource,
    X: Any,
    y: Any,
    plan: Plan,
    *,
    lambdas: Any = None,
    n_lambdas: int = 20,
    eps: float = 1e-2,
    config: FitConfig = FitConfig(),
    X_val: Any = None,
    y_val: Any = None,
    val_fraction: float = 0.2,
    seed: int = 0,
    warm_start: bool = True,
    progress: bool = False,
    direction: str = "dense_to_sparse",
    refine: int | None = None,
) -> PathResult:
    """Fit ``model`` with ``plan`` scaled by each λ of a grid; one record per λ.

    Parameters
    ----------
    model : nn.Module or zero-argument callable returning one
        Copied (never changed) or called once; its weights are the starting point.
    X, y : array-like or Tensor
        Training rows (``y``: floats, or labels for the classification losses).
    plan : Plan
        λ multiplies every penalty strength of the plan; constraints are not scaled.
    lambdas : array-like, optional
        The grid (any order; reported decreasing). By default ``n_lambdas`` values from
        λ_max down to ``eps·λ_max``, λ_max from the KKT rule at the dense fit.
    n_lambdas, eps : int, float
        The default grid's size and ratio (glmnet's ``nlambda`` and ``lambda.min.ratio``).
    config : FitConfig
        How each λ is fitted: optimizer, lr, batches, ``max_epochs`` and ``patience`` per
        warm λ (the first, cold fit gets ten times both), loss, dtype. ``early_stopping``
        is managed by the path: on the validation objective when there are validation
        rows, on the training objective otherwise.
    X_val, y_val : array-like, optional
        Validation rows; by default ``val_fraction`` of the training rows are held out
        (stratified for the classification losses) with ``seed``. ``val_fraction=0``
        trains on every row and stops on the training objective.
    warm_start : bool
        True: each fit starts from the previous λ's weights. False: every λ starts from
        the model's initial weights (cold fits, for comparison).
    progress : bool
        A rich progress bar over λ.
    direction : {"dense_to_sparse", "sparse_to_dense"}
        The fitting order (see the module docstring for why dense to sparse is the
        default). ``sparse_to_dense`` starts at the null point and walks λ down, as
        glmnet does for convex problems.
    refine : int >= 0 or None
        Visit every support size: where two neighbouring λ of the path differ by more
        than one in the number of selected inputs, fit the geometric mean of the two λ
        (warm, from the neighbour fitted first in ``direction``) and repeat on both
        halves, at most ``refine`` levels deep and at most half as many added λ as the
        path had, or 10 (the added λ are recorded like the others). None: 3 on the
        automatic grid, 0 when ``lambdas`` is given (a fixed grid, as cross-validation
        folds need, stays fixed). A network's path can still jump where inputs leave together within
        one optimizer step: on the ten paths of ``benchmarks/path.py``, 28 of the 100
        sizes 1–10 were missing without refinement, 16 with the default (for 22% more
        fits) and 13 with ``refine=5`` (34% more).
    Returns
    -------
    PathResult
        Decreasing ``lambdas``; per λ ``train_loss``, ``val_loss``, ``train_metric``,
        ``val_metric`` (MSE or accuracy), ``nonzero`` penalized weights,
        ``nonzero_groups``, ``selected_inputs`` (input-layer columns not all zero),
        ``input_norms``, ``epochs`` and ``states`` (rebuild any λ with :func:`rebuild`);
        ``lambda_max``, ``nonmonotone_steps``.

    Examples
    --------
    >>> import numpy as np, netreg as nr
    >>> from netreg.path import regularization_path
    >>> from netreg.train import FitConfig, mlp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6)); y = np.tanh(X[:, 0]) + X[:, 1]
    >>> plan = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})
    >>> config = FitConfig(optimizer="sgd", lr=0.1, momentum=0.9, batch_size=None, max_epochs=60)
    >>> path = regularization_path(mlp(6, (16,), seed=0), X, y, plan, n_lambdas=8, config=config)
    >>> path.selected_inputs[0], sorted(next(s for s in path.selected_inputs if s))
    ([], [1])
    >>> counts = [len(s) for s in path.selected_inputs]   # refined: no support size skipped
    >>> max(abs(a - b) for a, b in zip(counts, counts[1:]))
    1
    """
    started = time.perf_counter()
    config = as_config(config)
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a netreg Plan. Received: plan={type(plan).__name__}")
    check_choice("direction", direction, DIRECTIONS)
    if refine is not None:
        refine = check_int("refine", refine, low=0, high=_REFINE_LIMIT)
    if not isinstance(warm_start, bool):
        raise TypeError(f"warm_start must be True or False. Received: warm_start={warm_start!r}")
    data = split_data(X, y, config, X_val=X_val, y_val=y_val, val_fraction=val_fraction, seed=seed)
    fit_config = config.replace(early_stopping=False, verbose=False)
    cold_config = _cold(fit_config)
    work = instantiate(model, config.torch_dtype)
    reg = plan.bind(work)
    if not any(row.penalties for row in reg.rows):
        raise ValueError(
            f"The plan puts no penalty on this model, so λ has nothing to scale. Received: plan={plan!r}"
        )
    initial = snapshot(work)
    grid = None if lambdas is None else _check_lambdas(lambdas)
    if grid is None and not zeroable_rows(reg):
        kkt_lambda_max(work, reg, data.X, data.y, config.loss)  # raises with the explanation
    dense_first = direction == "dense_to_sparse"
    total = (check_int("n_lambdas", n_lambdas, low=1) if grid is None else len(grid)) + (
        grid is None and dense_first
    )

    lambda_max, rule = None, ""
    automatic = grid is None
    records: list[tuple[float, dict[str, Any]]] = []
    dense_fitted = False

    def fit_and_record(
        lam: float, bar: LambdaProgress, start: dict[str, Any] | None = None
    ) -> None:
        if not warm_start:
            work.load_state_dict(initial)
        elif start is not None:
            work.load_state_dict(start)
        cold = not warm_start or (not records and not dense_fitted)
        epochs, result = fit_point(work, reg, lam, data, cold_config if cold else fit_config)
        records.append((lam, record(work, reg, data, config.loss, epochs, result)))
        bar.advance(f"λ={lam:.3g}  inputs kept={len(records[-1][1]['selected'])}")

    with LambdaProgress(total, enabled=progress) as bar:
        if grid is None:
            if dense_first:
                fit_point(work, reg, 0.0, data, cold_config)
                dense_fitted = True
                bar.advance("dense fit")
            lambda_max, rule = kkt_lambda_max(work, reg, data.X, data.y, config.loss)
            grid = lambda_grid(_grid_top(lambda_max, work, reg, data, config.loss), n_lambdas, eps)
            if lambda_max == 0:
                rule += " (λ_max = 0: grid anchored at loss/penalty)"
        elif not dense_first and zeroable_rows(reg):
            lambda_max, rule = kkt_lambda_max(work, reg, data.X, data.y, config.loss)
        if not dense_first and warm_start:
            null_point_(work, reg, data.X, data.y, config.loss)
        for lam in grid[::-1] if dense_first else grid:
            fit_and_record(float(lam), bar)
        if automatic and dense_first:
            _continue_to_zero(grid, eps, work, reg, fit_and_record, bar)
        depth = (_REFINE_DEFAULT if automatic else 0) if refine is None else refine
        if depth:
            _refine(records, depth, dense_first, fit_and_record, bar)
    if lambda_max is None and zeroable_rows(reg):
        # the densest fit (smallest λ) is the reference, as the dense fit is above
        densest = min(records, key=lambda pair: pair[0])[1]
        work.load_state_dict(densest["state"])
        lambda_max, rule = kkt_lambda_max(work, reg, data.X, data.y, config.loss)
    return path_result(records, lambda_max, rule, direction, warm_start, config.loss, started)


def _continue_to_zero(
    grid: np.ndarray,
    eps: float,
    work: nn.Module,
    reg: Regularizer,
    fit_and_record: Callable[[float, LambdaProgress], None],
    bar: LambdaProgress,
) -> None:
    """Walk λ up past λ_max with the grid's ratio until every zeroable group is zero.

    The KKT λ_max is computed at the dense fit; along the path the unpenalized layers can
    grow while the penalized ones shrink (a ReLU network computes the same function with
    W₁/c and c·W₂), so the warm path may still hold a few groups at λ_max. LassoNet's
    rule then applies: continue until every group is zero, at most up to 10⁴·λ_max.
    """
    ratio = float(grid[0] / grid[1]) if len(grid) > 1 else 1.0 / eps
    steps = math.ceil(math.log(_CONTINUE_LIMIT) / math.log(ratio))
    lam = float(grid[0])
    for _ in range(steps):
        if _all_zero(reg):
            return
        lam *= ratio
        fit_and_record(lam, bar)
    if not _all_zero(reg):
        warnings.warn(
            f"The path still has nonzero penalized groups at λ = {lam:.3g} "
            f"({_CONTINUE_LIMIT:g}·λ_max); it stops there. Received: lambda_max={grid[0]:.3g}",
            RuntimeWarning,
            stacklevel=3,
        )


def _refine(
    records: list[tuple[float, dict[str, Any]]],
    depth: int,
    dense_first: bool,
    fit_and_record: Callable[..., None],
    bar: LambdaProgress,
) -> None:
    """Bisect (geometrically) every gap between neighbouring λ that skips a support size.

    A gap whose two ends differ by more than one selected input gets the λ halfway in log
    scale, fitted warm from the end fitted first in the path's direction (the smaller λ
    when dense to sparse); both halves are examined again, ``depth`` levels at most,
    level by level over all gaps, and at most half as many λ are added as the path had
    (10 on a shorter path): the refinement adds at most half the path's cost. The
    original fits are untouched: the refinement only adds records.
    """
    Entry = tuple[float, dict[str, Any]]
    ordered = sorted(records, key=lambda pair: pair[0])
    budget = max(len(records) // 2, _REFINE_MIN_BUDGET)
    gaps: collections.deque[tuple[Entry, Entry, int]] = collections.deque(
        (low, high, 0) for low, high in itertools.pairwise(ordered)
    )
    while gaps and budget > 0:
        low, high, level = gaps.popleft()
        if level >= depth or abs(len(low[1]["selected"]) - len(high[1]["selected"])) <= 1:
            continue
        lam = math.sqrt(low[0] * high[0]) if low[0] > 0 else high[0] / 2
        if not low[0] < lam < high[0]:  # the gap is below floating-point resolution
            continue
        fit_and_record(lam, bar, (low if dense_first else high)[1]["state"])
        budget -= 1
        middle = records[-1]
        gaps.extend(((low, middle, level + 1), (middle, high, level + 1)))


def _grid_top(lam_max: float, model: nn.Module, reg: Regularizer, data: Data, loss: str) -> float:
    """λ_max, or when the KKT rule gives 0 the λ at which penalty and data loss balance.

    The KKT rule gives 0 when the null point is stationary for every λ: ReLU units whose
    weights AND bias are zero are dead (``relu'(0) = 0``), so a unit group lasso on a
    ReLU layer never lets a zeroed unit back. The grid is then anchored at
    ``data loss / penalty`` of the current (dense) weights, and the path continues upward
    until every group is zero.
    """
    if lam_max > 0:
        return lam_max
    scale = reg.scale
    reg.scale = 1.0
    penalty = float(reg.value())
    reg.scale = scale
    train_loss, _ = score(model, data.X, data.y, loss)
    if penalty <= 0 or not math.isfinite(train_loss) or train_loss <= 0:
        raise ValueError(
            "No automatic λ grid: the KKT λ_max is 0 and the dense fit has no penalty or no "
            f"loss to balance. Pass `lambdas`. Received: penalty={penalty}, loss={train_loss}"
        )
    return train_loss / penalty


def _all_zero(reg: Regularizer) -> bool:
    return all(
        not bool(t.detach().any())
        for row in zeroable_rows(reg)
        for t in (row.param, row.bias)
        if t is not None
    )


def rebuild(model: ModelSource, path_result: PathResult, index: int) -> nn.Module:
    """The model at the ``index``-th λ of ``path_result`` (a new module; ``model`` untouched).

    ``model`` is the module or factory the path was run with (its architecture).

    Examples
    --------
    >>> import numpy as np, netreg as nr
    >>> from netreg.path import rebuild, regularization_path
    >>> from netreg.train import FitConfig, mlp
    >>> X = np.random.default_rng(0).normal(size=(60, 3)); y = X[:, 0]
    >>> plan = nr.Plan({nr.select.input_layer(): nr.GroupLasso(1.0, groups="inputs")})
    >>> model = mlp(3, (4,), seed=0)
    >>> path = regularization_path(model, X, y, plan, n_lambdas=3, config=FitConfig(max_epochs=5))
    >>> int((rebuild(model, path, 0)[0].weight != 0).sum())
    0
    """
    if path_result.states is None:
        raise ValueError(
            "This PathResult has no model states (the linear engine stores `coefs` and "
            "`intercepts` instead). Received: path_result.states=None"
        )
    n = len(path_result.states)
    index = check_int("index", index, low=-n, high=n - 1)
    state = path_result.states[index]
    dtype = next((t.dtype for t in state.values() if t.is_floating_point()), torch.float32)
    built = instantiate(model, dtype)
    built.load_state_dict(state)
    return built


def _cold(config: FitConfig) -> FitConfig:
    """A fit from scratch gets ten times the epochs and patience of a warm one (LassoNet's
    ``n_iters=(1000, 100)``, ``patience=(100, 10)``): a warm fit starts near its answer."""
    patience = None if config.patience is None else config.patience * _COLD_BUDGET
    return config.replace(max_epochs=config.max_epochs * _COLD_BUDGET, patience=patience)


def _check_lambdas(lambdas: Any) -> np.ndarray:
    grid = np.asarray(lambdas, dtype=float).reshape(-1)
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(
            "`lambdas` must be a non-empty sequence of finite numbers >= 0. "
            f"Received: lambdas={np.asarray(lambdas).tolist()!r}"
        )
    return np.sort(grid)[::-1].copy()
