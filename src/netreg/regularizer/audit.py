"""What a bound plan did to a model: exact zeros per parameter, the audit table, and the
opt-in check that regularized parameters are still finite."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

import torch

from netreg._rows import Row


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


COLUMNS = ("parameter", "shape", "module", "penalty", "mode", "groups", "constraints", "note")


def sparsity(rows: Sequence[Row]) -> list[RowSparsity]:
    """Exact zeros of every penalized parameter (group counts for group penalties).

    A parameter on the meta device has a shape but no values, so its zeros are unknown:
    it is refused with a ``ValueError`` naming it (as ``fit()`` refuses it) rather than
    counted as anything. :func:`audit` needs only shapes and works on meta parameters.
    """
    out = []
    for row in rows:
        if not row.penalties:
            continue
        w = row.param.detach()
        if w.is_meta:
            raise ValueError(
                f"sparsity() counts exact zeros, but parameter {row.name!r} is on the meta "
                "device (a shape without values). Materialize the model first, e.g. "
                "model.to_empty(device='cpu') and then initialize its parameters. "
                f"Received: {row.name}.device=meta"
            )
        groups = zero_groups = None
        group_penalty = next((p for p, _ in row.penalties if hasattr(p, "group_support")), None)
        if group_penalty is not None and w.dim() >= 2:
            alive = group_penalty.group_support(
                w, row.bias.detach() if row.bias is not None else None
            )
            groups, zero_groups = int(alive.numel()), int((~alive).sum())
        out.append(RowSparsity(row.name, w.numel(), int((w == 0).sum()), groups, zero_groups))
    return out


def audit(rows: Sequence[Row]) -> list[dict[str, str]]:
    """One dict per parameter, with the keys of ``COLUMNS``."""
    lines = []
    for row in rows:
        penalties = "; ".join(p.label() for p, _ in row.penalties)
        if not penalties:
            penalties = f"via {row.grouped_with}" if row.grouped_with else "not penalized"
        modes = ", ".join(dict.fromkeys(m for _, m in row.penalties))
        groups = ", ".join(
            f"{p.groups} ({_n_groups(row, p.groups)})"
            for p, _ in row.penalties
            if hasattr(p, "groups")
        )
        values = (
            row.name,
            "×".join(str(s) for s in row.param.shape) or "scalar",
            type(row.module).__name__,
            penalties,
            modes,
            groups + (f" + {row.bias_name}" if row.bias_name else ""),
            "; ".join(repr(c) for c in row.constraints),
            row.reason,
        )
        lines.append(dict(zip(COLUMNS, values, strict=True)))
    return lines


def describe(rows: Sequence[Row], scale: float, file: IO[str] | None) -> str:
    """Print (to ``file``; None for silence) and return the audit table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"netreg audit (scale={scale:g})", show_lines=False)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for line in audit(rows):
        table.add_row(*line.values())
    console = Console(
        width=160, record=True, file=io.StringIO(), force_terminal=False, color_system=None
    )
    console.print(table)
    text = console.export_text()
    if file is not None:
        file.write(text)
    return text


def _n_groups(row: Row, groups: str) -> int:
    shape = row.param.shape
    if len(shape) < 2:
        return 0
    return shape[0] if groups == "units" else shape[1]


def check_finite(rows: Sequence[Row]) -> None:
    """Raise ``FloatingPointError`` naming the first regularized parameter (or unit bias)
    holding a NaN or an infinity. One reduction per tensor: ``attach(check_finite=True)``
    only."""
    with torch.no_grad():
        for row in rows:
            if not row.is_regularized:
                continue
            for name, t in ((row.name, row.param), (row.bias_name, row.bias)):
                if t is None or bool(torch.isfinite(t).all()):
                    continue
                bad = t[~torch.isfinite(t)]
                raise FloatingPointError(
                    f"Parameter {name!r} is not finite after optimizer.step() "
                    f"({bad.numel()} of {t.numel()} values NaN or infinite, e.g. "
                    f"{bad.flatten()[0].item()}); the regularizer's prox did not run on it. "
                    "A NaN or infinite gradient or loss, or too large a learning rate, "
                    "usually causes this."
                )
