"""Regularizer: a plan bound to a model. Penalty for the loss, prox and projections after steps."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import torch
from torch import Tensor

from netreg import _kernels
from netreg import constraints as C
from netreg import penalties as P
from netreg._rows import Row
from netreg._validation import check_choice, check_strength
from netreg.optim.prox_adamw import ProxAdamW
from netreg.optim.steps import STEP_RULES, step_for
from netreg.penalties.diagonal import DiagonalStep

if TYPE_CHECKING:
    from netreg.plan import Plan


@dataclass(frozen=True)
class RowSparsity:
    """Exact zeros of one regularized parameter (and of its groups, for group penalties)."""

    name: str
    numel: int
    zeros: int
    groups: int | None = None
    zero_groups: int | None = None

    @property
    def nonzero(self) -> int:
        return self.numel - self.zeros


class Regularizer:
    """A :class:`~netreg.Plan` bound to a model: one :class:`Row` per parameter.

    - ``penalty()``: the loss-mode penalties, to add to the (mean) data loss.
    - ``attach(optimizer)``: after every ``optimizer.step()``, the prox-mode penalties'
      proximal steps with the optimizer's effective step, then the constraints.
    - ``describe()``: the audit, one line per parameter.
    - ``scale``: a multiplier on every penalty strength (paths sweep it).
    """

    def __init__(self, rows: list[Row], plan: Plan | None = None):
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
                for term, coef in penalty.loss_terms(row.param, row.bias):
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
        if not penalty.accepts_diagonal_step:
            step, bias_step = _plain(step), _plain(bias_step)
        if self._scale != 1.0:
            step = step * self._scale
            bias_step = None if bias_step is None else bias_step * self._scale
        penalty.prox_(row.param, step, row.bias, bias_step)

    def attach(self, optimizer: torch.optim.Optimizer, *, step: str = "auto") -> Any:
        """Run the prox-mode penalties and the constraints after every ``optimizer.step()``.

        ``step="auto"`` uses the optimizer's effective step per coordinate (lr for SGD;
        ``lr/(√v̂+eps)`` for Adam/AdamW, see :mod:`netreg.optim.steps`); ``step="lr"``
        uses the learning rate. Returns a handle whose ``remove()`` detaches it.

        Under a plain ``torch.optim.Adam``/``AdamW`` the per-coordinate step makes the hook
        read ``exp_avg_sq`` again after the step (2–4× an in-place pass over the weights);
        :class:`netreg.optim.ProxAdamW` takes the same arguments and applies L1, Elastic Net
        and unit group lasso inside its own update, for about one pass.
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
            import warnings

            warnings.warn(
                f"These parameters carry a prox penalty or constraint but are not in the optimizer, "
                f"so nothing will be applied to them: {missing}",
                stacklevel=2,
            )

        def hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            self._after_step(opt, step)

        # ProxAdamW takes the elementwise rows into its own update; the hook does the rest
        unfuse = optimizer.fuse(self, step) if isinstance(optimizer, ProxAdamW) else None
        return _Attachment(self, optimizer.register_step_post_hook(hook), unfuse)

    def _shrink_rows(self) -> list[tuple[Tensor, float, float]]:
        """``(param, a, b)`` of each prox row whose prox is ``soft(w, s·a)/(1 + s·b)``."""
        out = []
        for row in self._prox_rows:
            penalty = row.prox_penalty
            coefficients = penalty.shrink_coefficients() if penalty is not None else None
            if coefficients is not None:
                a, b = coefficients
                out.append((row.param, a * self._scale, b * self._scale))
        return out

    def _unit_group_rows(self) -> list[tuple[Tensor, Tensor | None, float]]:
        """``(weight, bias, c)`` of each prox row whose prox shrinks whole units by ``s·c``."""
        out = []
        for row in self._prox_rows:
            penalty = row.prox_penalty
            strength = penalty.unit_group_strength(row.param, row.bias) if penalty else None
            if strength is not None:
                out.append((row.param, row.bias, strength * self._scale))
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
        fused = getattr(optimizer, "fused_last", None) or {}  # rows ProxAdamW already did
        prepared = _kernels.enabled()  # NETREG_KERNELS=off takes effect at the next step
        with torch.no_grad():
            for row in self._prox_rows:
                group = groups.get(id(row.param))
                if group is None or fused.get(id(row.param)) is self:
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
                    if bias_step is None:
                        bias_step = step if isinstance(step, float) else float(_plain(step).mean())
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
            lambda: penalty.scalar_prox(row.param, row.bias),
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
    def sparsity(self) -> list[RowSparsity]:
        """Exact zeros of every penalized parameter (group counts for group penalties)."""
        out = []
        for row in self.rows:
            if not row.penalties:
                continue
            w = row.param.detach()
            groups = zero_groups = None
            group_penalty = next((p for p, _ in row.penalties if hasattr(p, "group_support")), None)
            if group_penalty is not None and w.dim() >= 2:
                alive = group_penalty.group_support(
                    w, row.bias.detach() if row.bias is not None else None
                )
                groups, zero_groups = int(alive.numel()), int((~alive).sum())
            out.append(RowSparsity(row.name, w.numel(), int((w == 0).sum()), groups, zero_groups))
        return out

    def audit(self) -> list[dict[str, str]]:
        """One dict per parameter: name, shape, module, penalty, mode, groups, constraints, note."""
        lines = []
        for row in self.rows:
            penalties = "; ".join(p.label() for p, _ in row.penalties)
            if not penalties:
                penalties = f"via {row.grouped_with}" if row.grouped_with else "not penalized"
            modes = ", ".join(dict.fromkeys(m for _, m in row.penalties))
            groups = ", ".join(
                f"{p.groups} ({_n_groups(row, p.groups)})"
                for p, _ in row.penalties
                if hasattr(p, "groups")
            )
            lines.append(
                {
                    "parameter": row.name,
                    "shape": "×".join(str(s) for s in row.param.shape) or "scalar",
                    "module": type(row.module).__name__,
                    "penalty": penalties,
                    "mode": modes,
                    "groups": groups + (f" + {row.bias_name}" if row.bias_name else ""),
                    "constraints": "; ".join(repr(c) for c in row.constraints),
                    "note": row.reason,
                }
            )
        return lines

    def describe(self, file: IO[str] | None = sys.stdout) -> str:
        """Print (to ``file``; None for silence) and return the audit table."""
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"netreg audit (scale={self._scale:g})", show_lines=False)
        for column in (
            "parameter",
            "shape",
            "module",
            "penalty",
            "mode",
            "groups",
            "constraints",
            "note",
        ):
            table.add_column(column, overflow="fold")
        for line in self.audit():
            table.add_row(*line.values())
        console = Console(
            width=160, record=True, file=io.StringIO(), force_terminal=False, color_system=None
        )
        console.print(table)
        text = console.export_text()
        if file is not None:
            file.write(text)
        return text

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


def _plain(step: Any) -> Any:
    """A DiagonalStep as a tensor, for penalties that only take scalars and tensors."""
    return step.materialize() if isinstance(step, DiagonalStep) else step


def _n_groups(row: Row, groups: str) -> int:
    shape = row.param.shape
    if len(shape) < 2:
        return 0
    return shape[0] if groups == "units" else shape[1]


class _Attachment:
    """What ``attach`` returns: ``remove()`` unhooks it and forgets it."""

    def __init__(self, regularizer: Regularizer, handle: Any, unfuse: Any = None):
        self._regularizer, self._handle, self._unfuse = regularizer, handle, unfuse
        regularizer._handles.append(self)

    @property
    def active(self) -> bool:
        """True until ``remove()``: the hook still runs after every step."""
        return self in self._regularizer._handles

    def remove(self) -> None:
        self._handle.remove()
        if self._unfuse is not None:
            self._unfuse()
        if self in self._regularizer._handles:
            self._regularizer._handles.remove(self)
