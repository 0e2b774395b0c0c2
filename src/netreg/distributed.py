"""netreg under data parallelism: DistributedDataParallel works as is; FSDP, with stated limits.

**DDP.** Bind the plan to the inner module and attach it to the optimizer as usual::

    ddp = DistributedDataParallel(model)
    reg = netreg.distributed.bind_distributed(plan, ddp)   # = plan.bind(ddp.module), checked
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
    reg.attach(optimizer)
    loss = loss_fn(ddp(x_local), y_local) + reg.penalty()   # every rank adds the penalty

Why the penalty is counted once: each rank's loss is its *mean* batch loss plus the
penalty, and DDP *averages* the gradients over the R ranks, so the update uses
``(1/R)·Σ_r (∇mean_r + ∇penalty) = ∇mean_global + ∇penalty`` (equal local batch
sizes): exactly the single-process gradient of the global batch. The proximal steps and
projections then run on every rank after ``optimizer.step()``, on identical weights
with identical steps, so the ranks stay bit-identical without any extra communication.

**FSDP.** What works, measured on 2 CPU ranks (gloo) against a single-process run:

- FSDP2 (``fully_shard``, DTensor parameters): every prox-mode penalty, group penalties
  included, and every constraint are exact (DTensor all-reduces the group and unit
  norms itself). Loss-mode penalties are refused: ``penalty()`` cannot flatten unevenly
  sharded DTensors yet; give the penalty ``mode="prox"``.
- FSDP1 with ``use_orig_params=True``: elementwise penalties (L1, L2, ElasticNet, in
  either mode) and NonNeg are exact, since each rank's shard is a set of whole
  coordinates. Group penalties and norm constraints (MaxNorm, UnitNorm, MinMaxNorm) are
  refused: FSDP1 shows each rank a flattened piece, so a norm would be computed over the
  wrong coordinates.
- FSDP1 with ``use_orig_params=False``: refused; one flat parameter hides the weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from torch import Tensor, nn

from netreg.constraints import MaxNorm, MinMaxNorm, UnitNorm
from netreg.penalties import GroupLasso, SparseGroupLasso

if TYPE_CHECKING:
    from netreg._rows import Row
    from netreg.plan import Plan
    from netreg.regularizer import Regularizer

NORM_CONSTRAINTS = (MaxNorm, UnitNorm, MinMaxNorm)
"""Constraints that take a norm over several coordinates (NonNeg is elementwise)."""

GROUP_PENALTIES = (GroupLasso, SparseGroupLasso)
"""Penalties whose value and prox need whole-group norms."""

_DATA_PARALLEL = (nn.parallel.DistributedDataParallel, nn.DataParallel)

DTENSOR = "DTensor shard (FSDP2 fully_shard)"
FSDP1_VIEW = "FSDP1 local shard view (use_orig_params=True)"
FSDP1_FLAT = "FSDP1 flat parameter (use_orig_params=False)"


def unwrap(model: nn.Module) -> nn.Module:
    """The user's module inside DDP / DataParallel / FSDP1 / ``torch.compile`` wrappers.

    Binding the inner module gives parameter names without the ``module.`` prefix, so
    selectors such as ``select.name("0.weight")`` read as they do in a single process; the
    parameters are the same objects the wrapper trains.

    Examples
    --------
    >>> import torch.nn as nn
    >>> inner = nn.Linear(2, 1)
    >>> unwrap(nn.DataParallel(inner)) is inner
    True
    """
    for _ in range(16):  # wrappers nest a few deep at most
        if isinstance(model, _DATA_PARALLEL) or _is_fsdp1(model):
            model = _child(model, "module")
        elif isinstance(getattr(model, "_orig_mod", None), nn.Module):  # torch.compile
            model = _child(model, "_orig_mod")
        else:
            break
    return model


def sharded_parameters(model: nn.Module) -> dict[str, str]:
    """``{parameter name: how it is sharded}`` for every sharded parameter of ``model``.

    Detects FSDP2 / tensor-parallel DTensor parameters with a ``Shard`` placement, FSDP1
    flat parameters, and the local shard views FSDP1 shows with ``use_orig_params=True``
    (a ``NO_SHARD`` FSDP1 module shards nothing). Parameters of DDP are replicas: none.

    Examples
    --------
    >>> import torch.nn as nn
    >>> sharded_parameters(nn.Linear(2, 1))
    {}
    """
    return {name: kind for name, _, kind in _shards(model)}


def check_supported(model: nn.Module, regularizer: Regularizer) -> None:
    """Raise NotImplementedError if ``regularizer`` would compute wrong results on ``model``'s shards.

    ``model`` is the wrapped model (the one that owns the shards); ``regularizer`` is a
    plan bound to it or to its inner module. Refused:

    - group penalties (GroupLasso, SparseGroupLasso) and norm constraints (MaxNorm,
      UnitNorm, MinMaxNorm) on FSDP1 shards: a group's or unit's norm spans ranks and
      FSDP1 shows each rank only a flattened piece, so the norm would be wrong;
    - anything on an FSDP1 flat parameter (``use_orig_params=False``);
    - loss-mode penalties on FSDP2 (DTensor) parameters: ``penalty()`` cannot flatten
      unevenly sharded DTensors yet. Put the penalty in prox mode (``(nr.L2(l2), "prox")``).

    Elementwise penalties (L1, L2, ElasticNet) and NonNeg act coordinate by coordinate,
    so each rank applying them to its own shard is exact. On DTensor parameters group
    norms and norm constraints are exact too: DTensor performs the all-reduce.
    """
    kinds = {id(p): kind for _, p, kind in _shards(model)}
    if not kinds:
        return
    problems = []
    for row in regularizer.rows:
        kind = kinds.get(id(row.param)) or (
            kinds.get(id(row.bias)) if row.bias is not None else None
        )
        if kind is None or not row.is_regularized:
            continue
        problems += [f"{row.name}: {msg}" for msg in _row_problems(row, kind)]
    if problems:
        raise NotImplementedError(
            "netreg cannot regularize these sharded parameters correctly:\n  - "
            + "\n  - ".join(problems)
            + "\nSee docs/scaling.md (FSDP) for what is supported. Received: model="
            + type(model).__name__
        )


def bind_distributed(plan: Plan, model: nn.Module) -> Regularizer:
    """``plan.bind(unwrap(model))``, after checking that the plan is exact on ``model``'s shards.

    Examples
    --------
    >>> import torch.nn as nn, netreg as nr
    >>> model = nn.DataParallel(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))
    >>> reg = bind_distributed(nr.Plan({nr.select.name("0.weight"): nr.L1(1e-3)}), model)
    >>> [row.name for row in reg.rows if row.is_regularized]
    ['0.weight']
    """
    flat = [name for name, kind in sharded_parameters(model).items() if kind == FSDP1_FLAT]
    if flat:
        raise NotImplementedError(
            "FSDP1 with use_orig_params=False keeps the model's weights in one flat parameter, "
            "so no penalty can be matched to a weight. Wrap with use_orig_params=True, or use "
            f"FSDP2's fully_shard. Received: flat parameters {flat}"
        )
    regularizer = plan.bind(unwrap(model))
    check_supported(model, regularizer)
    return regularizer


# -- detection ------------------------------------------------------------------------
def _row_problems(row: Row, kind: str) -> list[str]:
    penalties, constraints = row.penalties, row.constraints
    if kind == FSDP1_FLAT:
        return [f"{kind}: its elements belong to many weights"]
    if kind == FSDP1_VIEW:
        out = [
            f"{type(p).__name__} needs whole-group norms; {kind}"
            for p, _ in penalties
            if isinstance(p, GROUP_PENALTIES)
        ]
        out += [
            f"{type(c).__name__} needs whole-unit norms; {kind}"
            for c in constraints
            if isinstance(c, NORM_CONSTRAINTS)
        ]
        return out
    return [
        f"{type(p).__name__} in mode='loss' on a {kind} is not supported; use mode='prox'"
        for p, m in penalties
        if m == "loss"
    ]


def _child(model: nn.Module, attr: str) -> nn.Module:
    inner = getattr(model, attr)
    assert isinstance(inner, nn.Module)
    return inner


def _is_fsdp1(module: nn.Module) -> bool:
    try:
        from torch.distributed.fsdp import FullyShardedDataParallel
    except ImportError:  # torch built without distributed
        return False
    return isinstance(module, FullyShardedDataParallel)


def _is_dtensor_shard(param: Tensor) -> bool:
    try:
        from torch.distributed.tensor import DTensor, Shard
    except ImportError:
        return False
    return isinstance(param, DTensor) and any(isinstance(p, Shard) for p in param.placements)


def _fsdp1_shards(module: nn.Module) -> bool:
    from torch.distributed.fsdp import ShardingStrategy

    return getattr(module, "sharding_strategy", None) != ShardingStrategy.NO_SHARD


def _shards(model: nn.Module) -> list[tuple[str, Tensor, str]]:
    """(name, parameter, kind) for every sharded parameter."""
    views = _fsdp1_view_ids(model)
    out: list[tuple[str, Tensor, str]] = []
    for name, param in model.named_parameters():
        if _is_dtensor_shard(param):
            out.append((name, param, DTENSOR))
        elif getattr(param, "_is_flat_param", False):
            out.append((name, param, FSDP1_FLAT))
        elif id(param) in views:
            out.append((name, param, FSDP1_VIEW))
    return out


def _fsdp1_view_ids(model: nn.Module) -> set[int]:
    ids: set[int] = set()
    for module in model.modules():
        if _is_fsdp1(module) and _fsdp1_shards(module):
            ids.update(
                id(p) for p in module.parameters() if not getattr(p, "_is_flat_param", False)
            )
    return ids
