"""The Regularizer: a plan's rows bound to a model's parameters, and the work they do.

Loss mode: :meth:`Regularizer.penalty` for the loss. Prox mode: after each optimizer
step, a post-step hook runs every prox row the optimizer did not already apply (through
:mod:`netreg.execution`, with the optimizer's effective step from
:mod:`netreg.optim.steps`), then the constraints. Under :class:`~netreg.optim.ProxAdamW`
the regularizer hands the fusable rows to the optimizer (:meth:`Regularizer.fused_rows`)
and skips the ones it reports applied.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import IO, Any

import torch
from torch import Tensor

from netreg import _kernels, execution
from netreg import constraints as C
from netreg import penalties as P
from netreg._rows import Row
from netreg._validation import check_choice, check_strength
from netreg.execution import FusedRow
from netreg.optim.prox_adamw import ProxAdamW
from netreg.optim.steps import STEP_RULES, step_for
from netreg.regularizer import audit as A


class Regularizer:
    """A :class:`~netreg.Plan` bound to a model: one :class:`Row` per parameter.

    - ``penalty()``: the loss-mode penalties, to add to the (mean) data loss.
    - ``attach(optimizer)``: after every ``optimizer.step()``, the prox-mode penalties'
      proximal steps with the optimizer's effective step, then the constraints.
    - ``describe()``: the audit, one line per parameter.
    - ``scale``: a multiplier on every penalty strength (paths sweep it).
    """

    def __init__(self, rows: list[Row], plan: Any = None):
        self.rows = rows
        self.plan = plan
        self._scale = 1.0
        self._launch_cache: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self.n_steps = 0
        self._handles: list[_Attachment] = []
        self._loss_rows = [r for r in rows if r.loss_penalties]
        self._prox_rows = [r for r in rows if r.prox_penalty is not None]
        self._constraint_rows = [r for r in rows if r.constraints]
        self._coef_cache: dict[tuple[Any, ...], Tensor] = {}
        self._group_cache: tuple[Any, dict[int, dict[str, Any]]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_launch_cache"] = {}  # views of this model's tensors and closures: rebuilt on use
        return state

    # -- strength ---------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """Multiplier on every penalty strength (constraints are not scaled)."""
        return self._scale

    @scale.setter
    def scale(self, value: float) -> None:
        self._scale = check_strength("scale", value)
        for attachment in self._handles:  # a fusing optimizer gets the new strengths
            attachment.publish()

    # -- loss mode --------------------------------------------------------------------
    def penalty(self) -> Tensor:
        """Sum of the loss-mode penalties, times ``scale``; 0 when there are none.

        One reduction per parameter (``‖w‖₁`` or ``w·w``), then a single stacked dot
        product with the strengths: the autograd graph stays small however many
        parameters there are.
        """
        terms: list[Tensor] = []
        coefs: list[float] = []
        for row in self._loss_rows:
            for penalty in row.loss_penalties:
                for term, coef in execution.loss_terms(penalty, row.param, row.bias):
                    terms.append(term)
                    coefs.append(coef)
        if not terms:
            return self._zero()
        dtype = terms[0].dtype
        for t in terms[1:]:
            dtype = torch.promote_types(dtype, t.dtype)
        device = terms[0].device
        stacked = torch.stack([t.to(device=device, dtype=dtype) for t in terms])
        return torch.dot(stacked, self._coefs(coefs, dtype, device))

    def penalty_loop(self) -> Tensor:
        """The same sum as ``penalty()``, parameter by parameter: the reference it is tested against."""
        total = self._zero()
        for row in self._loss_rows:
            for penalty in row.loss_penalties:
                total = total + self._scale * penalty.value(row.param, row.bias)
        return total

    def prox_value(self) -> Tensor:
        """Value of the prox-mode penalties times ``scale``, without autograd history.

        They are not in the loss, but they are part of the objective being minimized.
        """
        with torch.no_grad():
            total = self._zero()
            for row in self._prox_rows:
                penalty = row.prox_penalty
                assert penalty is not None
                total = total + penalty.value(row.param, row.bias)
            return total * self._scale

    def value(self) -> Tensor:
        """The whole penalty (loss-mode and prox-mode parts) without autograd history."""
        with torch.no_grad():
            return self.penalty() + self.prox_value()

    def _coefs(self, coefs: list[float], dtype: torch.dtype, device: torch.device) -> Tensor:
        key = (tuple(coefs), dtype, device, self._scale)
        cached = self._coef_cache.get(key)
        if cached is None:
            cached = torch.tensor(coefs, dtype=dtype, device=device) * self._scale
            self._coef_cache = {key: cached}
        return cached

    def _zero(self) -> Tensor:
        ref = self.rows[0].param if self.rows else torch.zeros(())
        return torch.zeros((), dtype=ref.dtype, device=ref.device)

    # -- prox mode --------------------------------------------------------------------
    def prox_(self, step: float | Tensor) -> None:
        """Apply every prox-mode penalty with one step (a manual loop's learning rate)."""
        with torch.no_grad():
            for row in self._prox_rows:
                self._prox_row(row, step, step)

    def project_(self) -> None:
        """Apply every constraint (in the order the plan gave them)."""
        with torch.no_grad():
            for row in self._constraint_rows:
                for constraint in row.constraints:
                    constraint.project_(row.param)

    def step_(self, step: float) -> None:
        """``prox_(step)`` then ``project_()``: what ``attach`` does after each optimizer step."""
        self.prox_(step)
        self.project_()
        self.n_steps += 1

    def _prox_row(self, row: Row, step: Any, bias_step: Any) -> None:
        penalty = row.prox_penalty
        assert penalty is not None
        if self._scale != 1.0:
            step = step * self._scale
            bias_step = None if bias_step is None else bias_step * self._scale
        execution.prox_(penalty, row.param, step, row.bias, bias_step)

    def attach(
        self, optimizer: torch.optim.Optimizer, *, step: str = "auto", check_finite: bool = False
    ) -> Any:
        """Run the prox-mode penalties and the constraints after every ``optimizer.step()``.

        ``step="auto"`` uses the optimizer's effective step per coordinate (lr for SGD;
        ``lr/(√v̂+eps)`` for Adam/AdamW, see :mod:`netreg.optim.steps`); ``step="lr"``
        uses the learning rate. Returns a handle whose ``remove()`` detaches it.

        ``check_finite=True`` (off by default, no extra pass then): after each step, before
        the proxes run (one could zero a NaN group and hide it), raise ``FloatingPointError``
        naming the first regularized parameter or unit bias that is NaN or infinite.

        Under a plain ``torch.optim.Adam``/``AdamW`` the per-coordinate step makes the hook
        read ``exp_avg_sq`` again after the step (several in-place passes over the weights);
        :class:`netreg.optim.ProxAdamW` takes the same arguments and applies L1, Elastic Net
        and unit group lasso inside its own update (:meth:`fused_rows`), for about one pass.
        """
        check_choice("step", step, STEP_RULES)
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"attach() needs a torch.optim.Optimizer. Received: optimizer={type(optimizer).__name__}"
            )
        optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
        missing = [
            r.name for r in self._prox_rows + self._constraint_rows if id(r.param) not in optimized
        ]
        if missing:
            warnings.warn(
                f"These parameters carry a prox penalty or constraint but are not in the optimizer, "
                f"so nothing will be applied to them: {missing}",
                stacklevel=2,
            )

        def hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            self._after_step(opt, step)

        def checked(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            A.check_finite(self.rows)
            self._after_step(opt, step)

        handle = optimizer.register_step_post_hook(checked if check_finite else hook)
        return _Attachment(self, optimizer, handle, step)

    def fused_rows(self, step: str = "auto") -> list[FusedRow]:
        """The prox rows an optimizer may apply inside its own update, at the current scale.

        One :class:`~netreg.execution.ShrinkRow` or :class:`~netreg.execution.UnitGroupRow`
        per prox row whose penalty has such a form (``step``: ``"auto"`` for Adam's
        per-coordinate step, ``"lr"`` for the learning rate). ``attach`` hands them to a
        :class:`~netreg.optim.ProxAdamW`, again whenever ``scale`` changes.
        """
        check_choice("step", step, STEP_RULES)
        out = []
        for row in self._prox_rows:
            assert row.prox_penalty is not None
            fused = execution.fused_row(
                row.prox_penalty, row.param, row.bias, self._scale, step == "auto"
            )
            if fused is not None:
                out.append(fused)
        return out

    @contextlib.contextmanager
    def attached(self, optimizer: torch.optim.Optimizer, *, step: str = "auto") -> Iterator[None]:
        """``with reg.attached(optimizer): ...`` attaches for the block and always detaches."""
        attachment = self.attach(optimizer, step=step)
        try:
            yield
        finally:
            attachment.remove()

    def detach(self) -> None:
        """Remove every hook that ``attach`` registered."""
        for attachment in list(self._handles):
            attachment.remove()

    def _groups_of(self, optimizer: torch.optim.Optimizer) -> dict[int, dict[str, Any]]:
        """Parameter id -> its optimizer group, rebuilt only when the groups change."""
        key = (id(optimizer), tuple((id(g), len(g["params"])) for g in optimizer.param_groups))
        if self._group_cache is None or self._group_cache[0] != key:
            groups = {id(p): g for g in optimizer.param_groups for p in g["params"]}
            self._group_cache = (key, groups)
        return self._group_cache[1]

    def _after_step(self, optimizer: torch.optim.Optimizer, rule: str) -> None:
        groups = self._groups_of(optimizer)
        # rows a fusing optimizer applied inside its update are done
        applied = optimizer.applied_in_last_step if isinstance(optimizer, ProxAdamW) else None
        prepared = _kernels.enabled()  # NETREG_KERNELS=off takes effect at the next step
        with torch.no_grad():
            for row in self._prox_rows:
                group = groups.get(id(row.param))
                if group is None or (applied is not None and applied(row.param, self)):
                    continue
                step = step_for(optimizer, group, row.param, rule)
                if step is None:
                    continue
                if prepared and isinstance(step, float):
                    apply = self._prepared_prox(row)
                    if apply is not None:
                        apply(step * self._scale)
                        continue
                bias_step = None
                if row.bias is not None:
                    bias_group = groups.get(id(row.bias))
                    if bias_group is not None:
                        bias_step = step_for(optimizer, bias_group, row.bias, rule)
                    if bias_step is None:  # the bias is not optimized: its weight's mean step
                        bias_step = torch.as_tensor(execution.plain_step(step)).mean().item()
                self._prox_row(row, step, bias_step)
            for row in self._constraint_rows:
                if id(row.param) in groups:
                    for j, constraint in enumerate(row.constraints):
                        project = self._prepared_projection(row, j) if prepared else None
                        if project is not None:
                            project()
                        else:
                            constraint.project_(row.param)
        self.n_steps += 1

    # Prepared launches (the kernels' views made once) for scalar steps: on a small model
    # the Python around each kernel call costs as much as the kernel. Each is kept while
    # its tensors keep their storage and shape (the views hold the storage, so a tensor
    # given new storage, e.g. by .to() or .data =, always shows a new pointer).
    def _prepared_prox(self, row: Row) -> Callable[[float], None] | None:
        penalty = row.prox_penalty
        assert penalty is not None
        return self._prepared(
            ("prox", id(row.param)),
            (row.param, row.bias),
            lambda: execution.prepare_prox(penalty, row.param, row.bias),
        )

    def _prepared_projection(self, row: Row, index: int) -> Callable[[], None] | None:
        constraint = row.constraints[index]
        return self._prepared(
            ("constraint", id(row.param), index),
            (row.param,),
            lambda: constraint.prepared_projection(row.param),
        )

    def _prepared(
        self, key: tuple[Any, ...], tensors: tuple[Tensor | None, ...], make: Callable[[], Any]
    ) -> Any:
        stamp = tuple((t.data_ptr(), t.shape) if t is not None else None for t in tensors)
        cached = self._launch_cache.get(key)
        if cached is None or cached[0] != stamp:
            cached = (stamp, make())
            self._launch_cache[key] = cached
        return cached[1]

    # -- inspection -------------------------------------------------------------------
    def sparsity(self) -> list[A.RowSparsity]:
        """Exact zeros of every penalized parameter (group counts for group penalties);
        ``ValueError`` for a meta-device one (``audit``/``describe`` work there)."""
        return A.sparsity(self.rows)

    def audit(self) -> list[dict[str, str]]:
        """One dict per parameter: name, shape, module, penalty, mode, groups, constraints, note."""
        return A.audit(self.rows)

    def describe(self, file: IO[str] | None = sys.stdout) -> str:
        """Print (to ``file``; None for silence) and return the audit table."""
        return A.describe(self.rows, self._scale, file)

    def __repr__(self) -> str:
        n = sum(r.is_regularized for r in self.rows)
        return (
            f"<Regularizer: {n} of {len(self.rows)} parameters regularized, scale={self._scale:g}>"
        )

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    # -- checkpoints ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Scale, step count and the resolved rows (to check a checkpoint fits this model)."""
        return {"scale": self._scale, "n_steps": self.n_steps, "rows": self._row_configs()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore ``state_dict()``; refuse one written for a different plan or model."""
        if state.get("rows") != self._row_configs():
            raise ValueError(
                "This regularizer state was saved for a different plan or model: its rows do not "
                "match. Bind the same Plan to the same architecture before loading."
            )
        self.scale = state["scale"]
        self.n_steps = int(state["n_steps"])

    def _row_configs(self) -> list[dict[str, Any]]:
        return [
            {
                "name": r.name,
                "penalties": [[P.serialize(p), m] for p, m in r.penalties],
                "constraints": [C.serialize(c) for c in r.constraints],
                "bias": r.bias_name,
            }
            for r in self.rows
            if r.is_regularized
        ]


class _Attachment:
    """What ``attach`` returns: ``remove()`` unhooks it and forgets it.

    It also keeps a fusing optimizer's rows current: :meth:`publish` hands it the
    regularizer's :meth:`~Regularizer.fused_rows` (at attach time and on a new scale).
    """

    def __init__(
        self, regularizer: Regularizer, optimizer: torch.optim.Optimizer, handle: Any, rule: str
    ):
        self._regularizer, self._optimizer, self._handle = regularizer, optimizer, handle
        self._rule = rule
        regularizer._handles.append(self)
        self.publish()

    @property
    def active(self) -> bool:
        """True until ``remove()``: the hook still runs after every step."""
        return self in self._regularizer._handles

    def publish(self) -> None:
        if isinstance(self._optimizer, ProxAdamW) and self.active:
            self._optimizer.set_fused_rows(
                self._regularizer, self._regularizer.fused_rows(self._rule)
            )

    def remove(self) -> None:
        self._handle.remove()
        if self in self._regularizer._handles:
            self._regularizer._handles.remove(self)
        if isinstance(self._optimizer, ProxAdamW):
            self._optimizer.set_fused_rows(self._regularizer, [])
            for other in self._regularizer._handles:  # still attached to it another way
                if other._optimizer is self._optimizer:
                    other.publish()
