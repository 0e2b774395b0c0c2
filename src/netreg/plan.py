"""Plan: which penalty or constraint applies to which parameter, and how.

``Plan(rules).bind(model)`` resolves the rules against the model's parameters once and
returns a :class:`~netreg.regularizer.Regularizer` holding one row per parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from netreg import constraints as C
from netreg import penalties as P
from netreg._rows import MODES, Row, resolve_mode
from netreg._validation import check_choice
from netreg.constraints import Constraint
from netreg.penalties import GroupLasso, Penalty, SparseGroupLasso
from netreg.regularizer import Regularizer
from netreg.select import Context, Selector, kind_of, owners_of
from netreg.select.kinds import REASONS

Item = Penalty | Constraint | str | dict | tuple
RuleValue = Item | list


class Plan:
    """An ordered set of rules ``selector -> penalties / constraints``.

    Parameters
    ----------
    rules : mapping or iterable of (Selector, value) pairs
        A value is a penalty, a constraint, a Keras id or config dict, a
        ``(penalty, "loss" | "prox")`` pair choosing the mode of that penalty, or a
        list of these.
    mode : {"auto", "loss", "prox"}, default "auto"
        How penalties apply when a rule does not say: ``auto`` puts smooth penalties
        (L2) into the loss and gives non-smooth ones (L1, Elastic Net, group lasso) a
        proximal step after each optimizer step, which makes exact zeros.

    Examples
    --------
    >>> import torch.nn as nn, netreg as nr
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> reg = nr.Plan({nr.select.weights(nn.Linear): nr.L1(1e-3)}).bind(model)
    >>> [row.name for row in reg.rows if row.is_regularized]
    ['0.weight', '2.weight']
    """

    def __init__(
        self,
        rules: Mapping[Selector, RuleValue] | Iterable[tuple[Selector, RuleValue]],
        *,
        mode: str = "auto",
    ):
        self.mode = check_choice("mode", mode, MODES)
        pairs = list(rules.items()) if isinstance(rules, Mapping) else list(rules)
        if not pairs:
            raise ValueError("A Plan needs at least one rule. Received: rules={}")
        self.rules: list[tuple[Selector, list[tuple[Penalty, str] | Constraint]]] = []
        for selector, value in pairs:
            if not isinstance(selector, Selector):
                raise TypeError(
                    "Plan keys must be selectors such as nr.select.weights(nn.Linear) or "
                    f"nr.select.name('head.*'). Received: selector={selector!r}"
                )
            self.rules.append((selector, [self._item(v) for v in _as_list(value)]))

    def _item(self, value: Any) -> tuple[Penalty, str] | Constraint:
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
            penalty = P.get(value[0])
            mode = check_choice("mode", value[1], ("loss", "prox"))
            assert penalty is not None
            return (penalty, mode)
        if isinstance(value, Constraint):
            return value
        if isinstance(value, dict) and value.get("class_name") in C.registered_constraints():
            got = C.get(value)
            assert got is not None
            return got
        if isinstance(value, str) and value.lower() in C.keras.STRING_IDS:
            got = C.get(value)
            assert got is not None
            return got
        penalty = P.get(value)
        if penalty is None:
            raise ValueError(f"A plan rule cannot map to None. Received: value={value!r}")
        return (penalty, resolve_mode(penalty, self.mode))

    def scaled(self, factor: float) -> Plan:
        """The same plan with every penalty's strength multiplied by ``factor``."""
        out = Plan.__new__(Plan)
        out.mode = self.mode
        out.rules = [(sel, [_scale(item, factor) for item in items]) for sel, items in self.rules]
        return out

    def bind(self, model: nn.Module) -> Regularizer:
        """Resolve the rules against ``model``'s parameters; see :class:`Regularizer`."""
        return Regularizer(self._resolve(model), plan=self)

    # -- resolution ------------------------------------------------------------------
    def _resolve(self, model: nn.Module) -> list[Row]:
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"Plan.bind needs a torch.nn.Module. Received: model={type(model).__name__}"
            )
        owners = owners_of(model)
        ctx = Context(input_layer=_input_layer(model))
        rows = {name: Row(name, param, owners[name]) for name, param in model.named_parameters()}
        for selector, items in self.rules:
            matched, excluded = [], []
            for name, row in rows.items():
                if not selector.matches(name, row.param, row.module, ctx):
                    continue
                kind = kind_of(name, row.module)
                if kind is not None and kind not in selector.explicit:
                    excluded.append(name)
                    if not row.reason:
                        row.reason = REASONS[kind]
                    continue
                matched.append(name)
                for item in items:
                    self._add(row, item)
            if not matched:
                hint = (
                    f" (it matched only parameters excluded by default: {excluded[:5]})"
                    if excluded
                    else ""
                )
                raise ValueError(
                    f"The selector {selector!r} matches no parameter of this model{hint}. "
                    f"Parameters are: {list(rows)[:20]}. Received: selector={selector!r}"
                )
        self._join_unit_biases(rows)
        for name, row in rows.items():
            if not row.is_regularized and not row.reason:
                kind = kind_of(name, row.module)
                row.reason = REASONS[kind] if kind else "no rule selects it"
        return list(rows.values())

    @staticmethod
    def _add(row: Row, item: tuple[Penalty, str] | Constraint) -> None:
        if isinstance(item, Constraint):
            row.constraints.append(item)
            return
        penalty, mode = item
        if mode == "prox" and row.prox_penalty is not None:
            raise ValueError(
                f"Parameter {row.name!r} would get two proximal penalties, {row.prox_penalty!r} "
                f"and {penalty!r}; their proximal steps do not compose. Combine them into one "
                f"penalty (e.g. ElasticNet or SparseGroupLasso) or put one in mode='loss'. "
                f"Received: {row.name}={[row.prox_penalty, penalty]!r}"
            )
        row.penalties.append((penalty, mode))

    @staticmethod
    def _join_unit_biases(rows: dict[str, Row]) -> None:
        """A unit group is the unit's incoming weights *and* its bias, so the bias joins."""
        for row in list(rows.values()):
            if not any(
                isinstance(p, (GroupLasso, SparseGroupLasso)) and p.groups == "units"
                for p, _ in row.penalties
            ):
                continue
            bias_name = row.name[: -len("weight")] + "bias" if row.name.endswith("weight") else None
            bias_row = rows.get(bias_name) if bias_name else None
            if (
                bias_row is None
                or bias_row.param.dim() != 1
                or bias_row.param.shape[0] != row.param.shape[0]
            ):
                continue
            if bias_row.penalties:
                raise ValueError(
                    f"{bias_name!r} joins the unit groups of {row.name!r} and cannot also carry "
                    f"its own penalties {[p for p, _ in bias_row.penalties]!r}. Received: {bias_name}"
                )
            row.bias, row.bias_name = bias_row.param, bias_name
            bias_row.grouped_with = row.name
            bias_row.reason = f"in the unit groups of {row.name}"

    # -- config -----------------------------------------------------------------------
    def __repr__(self) -> str:
        body = ", ".join(
            f"{sel!r}: {[v[0] if isinstance(v, tuple) else v for v in items]}"
            for sel, items in self.rules
        )
        return f"Plan({{{body}}}, mode={self.mode!r})"


def _scale(
    item: tuple[Penalty, str] | Constraint, factor: float
) -> tuple[Penalty, str] | Constraint:
    return (item[0].scaled(factor), item[1]) if isinstance(item, tuple) else item


def _as_list(value: RuleValue) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


def _input_layer(model: nn.Module) -> str | None:
    """Name of the first Linear/Conv module in registration order (the input layer)."""
    for module_name, module in model.named_modules():
        if isinstance(module, (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)):
            return module_name
    return None
