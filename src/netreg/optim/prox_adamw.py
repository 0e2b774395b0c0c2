"""AdamW with the proximal step of L1, L2, Elastic Net and the unit group lasso inside it.

Why: after an Adam step, the prox in Adam's metric needs the step ``lr/(√v̂ + eps)`` of
every coordinate, so a post-step hook must read the second moment ``v`` again: a second
weight-sized tensor, which no hook can read for the price of one in-place pass (measured
in ``benchmarks/overhead.py``: 3–6× that pass). AdamW's own update already reads ``v``.
:class:`ProxAdamW` applies the shrinkage in that same pass, so under AdamW an L1
penalty costs no more than no penalty. The group lasso on units (each row of a weight
with its bias entry) needs the row's norm after the update: the kernel updates a row,
sums its norm and its metric ``Σ 1/step`` on the way, and scales it while it is still
in cache.

It is ``torch.optim.AdamW`` in every other respect: the same arguments, state and
``state_dict``; parameters without a fused penalty, and every parameter where the
kernel cannot run (numba missing, a GPU tensor, AMSGrad, a sparse or non-contiguous
gradient, a unit whose bias the optimizer does not hold), take torch's own AdamW update,
and the regularizer's hook then applies their prox after the step as it does for any
optimizer. Constraints always run in the hook, after the update.

The contract with the regularizer is public and one-way (:mod:`netreg.execution.fusion`):
``reg.attach(opt)`` hands the optimizer plain rows with :meth:`ProxAdamW.set_fused_rows`
(again whenever ``reg.scale`` changes); the optimizer applies those it can and answers
:meth:`ProxAdamW.applied_in_last_step`, which the regularizer's post-step hook asks to
skip exactly those rows.

    opt = netreg.optim.ProxAdamW(model.parameters(), lr=1e-3)
    reg.attach(opt)      # L1 / Elastic Net / unit-group rows now run inside opt.step()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from netreg import _kernels
from netreg._kernels import adamw as fused_adamw
from netreg.execution import FusedRow, ShrinkRow, UnitGroupRow
from netreg.optim.steps import AdamStep


class ProxAdamW(torch.optim.AdamW):
    """``torch.optim.AdamW`` that can run an elementwise prox inside its update.

    Takes exactly AdamW's arguments. Attaching a :class:`~netreg.Regularizer` to it
    (``reg.attach(opt)``) hands over the rows whose penalty is L1, L2 (prox mode),
    Elastic Net or the group lasso on units; input groups, the sparse-group lasso and
    constraints stay in the post-step hook.

    Examples
    --------
    >>> import torch, netreg as nr
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(4, 1)
    >>> opt = nr.optim.ProxAdamW(model.parameters(), lr=0.1)
    >>> reg = nr.Plan({nr.select.weights(): nr.L1(100.0)}).bind(model)
    >>> handle = reg.attach(opt)
    >>> model(torch.randn(8, 4)).pow(2).mean().backward()
    >>> opt.step()
    >>> int((model.weight == 0).sum())  # a strong L1: every weight is an exact zero
    4
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[int, tuple[object, tuple[FusedRow, ...]]] = {}  # by id of the owner
        self._shrink: dict[int, tuple[object, ShrinkRow]] = {}  # by id of the parameter
        self._units: list[tuple[object, UnitGroupRow]] = []
        self._applied: dict[int, object] = {}  # parameter id -> owner, for the last step
        # Why: on a small model the checks and numpy views around a kernel cost as much as
        # the kernel. A launch is kept per weight while its tensors keep their storage
        # (the views hold it, so new storage always shows a new pointer).
        self._launches: dict[int, tuple[tuple[Any, ...], Any]] = {}
        self._unit_batches: dict[torch.dtype, fused_adamw.UnitBatch] = {}

    def set_fused_rows(self, owner: object, rows: Sequence[FusedRow]) -> None:
        """Apply ``rows`` inside every step from now on, in place of ``owner``'s earlier rows.

        ``owner`` is whoever hands them over (a :class:`~netreg.Regularizer`); ``rows=[]``
        stops. A parameter named by two owners is applied for the first one only.
        """
        if rows:
            self._rows[id(owner)] = (owner, tuple(rows))
        else:
            self._rows.pop(id(owner), None)
        self._shrink, self._units = {}, []
        for owner_, owned in self._rows.values():
            for row in owned:
                if isinstance(row, ShrinkRow):
                    self._shrink.setdefault(id(row.param), (owner_, row))
                else:
                    self._units.append((owner_, row))

    def applied_in_last_step(self, param: Tensor, owner: object | None = None) -> bool:
        """True when the last ``step()`` applied a fused row of ``param`` inside its update
        (one handed over by ``owner``, when given)."""
        if id(param) not in self._applied:
            return False
        return owner is None or self._applied[id(param)] is owner

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> Any:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        applied: dict[int, object] = {}
        # NETREG_KERNELS is read every step, as the hook does; off: torch's AdamW and the hook
        if _kernels.enabled():
            for owner, params in self._fused_unit_groups():
                applied.update((id(p), owner) for p in params)
            for group in self.param_groups:
                for p in group["params"]:
                    entry = self._shrink.get(id(p)) if id(p) not in applied else None
                    if entry is not None and self._fused_step(p, group, entry[1]):
                        applied[id(p)] = entry[0]
        self._applied = applied
        self._torch_update(applied)
        return loss

    def _torch_update(self, applied: dict[int, object]) -> None:
        """Torch's AdamW update of every parameter the kernels did not update.

        Torch's step walks its groups' parameter lists; for the duration of the call each
        list holds only the parameters left to it (gradients stay where they are).
        """
        full = [group["params"] for group in self.param_groups]
        left = [[p for p in params if id(p) not in applied] for params in full]
        if not any(p.grad is not None for params in left for p in params):
            return  # torch's update walks every parameter even when none is left to it
        if not applied:
            _unhooked_adamw_step(self)
            return
        try:
            for group, params in zip(self.param_groups, left, strict=True):
                group["params"] = params
            _unhooked_adamw_step(self)
        finally:
            for group, params in zip(self.param_groups, full, strict=True):
                group["params"] = params

    def _kernel_state(self, p: Tensor, group: dict[str, Any]) -> tuple[dict[str, Any], int] | None:
        """``(state, step)`` when the kernels can take ``p``'s update, else None.

        The tensors themselves are checked when a launch is prepared (and the gradient at
        each launch); this checks what AdamW's settings and the gradient's kind rule out.
        """
        grad = p.grad
        if (
            grad is None
            or group["amsgrad"]
            or group["capturable"]
            or group["differentiable"]
            or grad.is_sparse
            or torch.is_complex(p)
        ):
            return None
        state = self.state[p]
        if len(state) == 0:
            _init_state(state, p, group)
        return state, int(state["step"].item()) + 1

    def _launch_for(self, key: Tensor, tensors: tuple[Tensor, ...], make: Callable[[], Any]) -> Any:
        """What ``make`` prepares for ``key`` (views, a launch), rebuilt when one of ``tensors`` moves."""
        stamp = tuple((t.data_ptr(), t.shape, t.dtype) for t in tensors)
        cached = self._launches.get(id(key))
        if cached is None or cached[0] != stamp:
            cached = (stamp, make())
            self._launches[id(key)] = cached
        return cached[1]

    def _fused_step(self, p: Tensor, group: dict[str, Any], row: ShrinkRow) -> bool:
        ready = self._kernel_state(p, group)
        if ready is None:
            return False
        state, step = ready
        moments = (state["exp_avg"], state["exp_avg_sq"])
        launch = self._launch_for(
            p, (p, *moments), lambda: fused_adamw.prepare_adamw_shrink(p.data, *moments)
        )
        coefficients = AdamStep.of(group, step).coefficients()
        done = launch is not None and launch(p.grad, coefficients, row.a, row.b, row.per_coordinate)
        if done:  # count the step only when it was taken here (else torch takes it)
            state["step"].fill_(step)
        return done

    def _fused_unit_groups(self) -> list[tuple[object, tuple[Tensor, ...]]]:
        """Update every unit-group layer the kernel can take, one launch per dtype.

        Returns ``(owner, parameters)`` of each layer it took.
        """
        if not self._units:
            return []
        owner = {id(p): g for g in self.param_groups for p in g["params"]}
        by_dtype: dict[torch.dtype, list[Any]] = {}
        seen: set[int] = set()
        for source, row in self._units:
            w = row.weight
            if id(w) in seen:  # a weight bound twice: the first owner has it
                continue
            seen.add(id(w))
            found = self._unit_views(owner, w, row.bias)
            if found is not None:
                by_dtype.setdefault(w.dtype, []).append((source, *found, row))
        out = []
        for dtype, layers in by_dtype.items():
            views = [layer[1] for layer in layers]
            batch = self._unit_batches.get(dtype)
            if batch is None or not batch.holds(views):
                batch = self._unit_batches[dtype] = fused_adamw.UnitBatch(views)
            for i, (_, _, ready, row) in enumerate(layers):
                steps = [AdamStep.of(owner[id(p)], step) for p, _, step in ready]
                batch.coefficients[i] = steps[0].coefficients()
                batch.bias_coefficients[i] = steps[-1].coefficients()
                batch.strengths[i] = row.strength
                batch.per_coordinate[i] = row.per_coordinate
            batch.launch(
                [ready[0][0].grad for _, _, ready, _ in layers],
                [ready[1][0].grad if len(ready) > 1 else None for _, _, ready, _ in layers],
            )
            for source, _, ready, _ in layers:  # the steps count only when taken here
                for _, state, step in ready:
                    state["step"].fill_(step)
                out.append((source, tuple(p for p, _, _ in ready)))
        return out

    def _unit_views(
        self, owner: dict[int, dict[str, Any]], w: Tensor, bias: Tensor | None
    ) -> tuple[fused_adamw.UnitViews, list[tuple[Tensor, dict[str, Any], int]]] | None:
        """A weight and its bias as one layer of the unit kernel, or None: both or neither.

        Returns the layer's views and ``(parameter, state, step)`` of the weight and bias.
        """
        params = (w,) if bias is None else (w, bias)
        if any(id(p) not in owner for p in params):
            return None
        ready = []
        for p in params:
            found = self._kernel_state(p, owner[id(p)])
            if found is None:
                return None
            ready.append((p, *found))
        moments = [(state["exp_avg"], state["exp_avg_sq"]) for _, state, _ in ready]
        tensors = tuple(t for p, pair in zip(params, moments, strict=True) for t in (p, *pair))
        bias_tensors = (bias.data, *moments[1]) if bias is not None else None
        views = self._launch_for(
            w, tensors, lambda: fused_adamw.prepare_adamw_units(w.data, moments[0], bias_tensors)
        )
        if views is None or not fused_adamw.unit_gradients_fit(
            views, w.grad, bias.grad if bias is not None else None
        ):
            return None
        return views, ready


def _init_state(state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
    """Adam's lazy state, in the layout torch's ``_init_group`` gives it (same state_dict)."""
    if group["fused"]:
        state["step"] = torch.zeros((), dtype=torch.float32, device=p.device)
    else:
        scalar = torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32
        state["step"] = torch.tensor(0.0, dtype=scalar)
    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)


def _unhooked_adamw_step(optimizer: torch.optim.AdamW) -> None:
    """Torch's AdamW update without the step hooks (ours already runs inside them).

    ``Optimizer`` wraps a class's ``step`` once to run the pre- and post-step hooks; a
    plain ``super().step()`` would run them a second time whenever AdamW's own step has
    been wrapped by an AdamW created elsewhere.
    """
    step = torch.optim.AdamW.step
    while getattr(step, "hooked", False):
        step = step.__wrapped__  # type: ignore[attr-defined]
    step(optimizer)
