"""PruneResult: what :func:`netreg.prune` removed, as a plain dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from netreg._validation import check_config_keys


@dataclass
class PruneResult:
    """What pruning removed, and how to feed the smaller model.

    Attributes
    ----------
    params_before, params_after : int
        Parameter counts (distinct scalars) of the model before and after.
    units_removed : dict of str to int
        Output units (neurons / filters) removed from each Linear / Conv layer, by module name;
        every such layer is listed, with 0 when nothing was removed.
    inputs_kept : list of int or None
        Indices of the input features (channels, for a convolution first) that the pruned
        model still takes, along ``input_axis``; None when the model's input could not be
        analysed (then the pruned model takes the same input as before).
    n_inputs : int or None
        Number of input features before pruning.
    input_axis : int or None
        Axis of the input that ``inputs_kept`` indexes: -1 for a Linear first layer, 1 for a
        convolution.
    selected_inputs : list of str or None
        ``input_names[i]`` for every kept input, when names were given.
    folded : dict of str to int
        For each layer, how many dead channels' constant outputs were added to its bias.
    notes : list of str
        Channels that looked removable but were kept, and why; other remarks.
    method : {"sequential", "graph"}
        How couplings were found: by walking an ``nn.Sequential``, or by torch-pruning's
        dependency graph.
    max_abs_diff : float or None
        Largest output difference measured by the check after pruning (None if not checked).

    Examples
    --------
    >>> import torch, torch.nn as nn
    >>> from netreg.pruning import prune
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> with torch.no_grad():
    ...     model[0].weight[1:] = 0.0
    >>> small, result = prune(model)
    >>> result.units_removed["0"], result.params_before, result.params_after
    (3, 21, 6)
    """

    params_before: int
    params_after: int
    units_removed: dict[str, int] = field(default_factory=dict)
    inputs_kept: list[int] | None = None
    n_inputs: int | None = None
    input_axis: int | None = None
    selected_inputs: list[str] | None = None
    folded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    method: str = "sequential"
    max_abs_diff: float | None = None

    @property
    def ratio(self) -> float:
        """``params_before / params_after``: how many times fewer parameters (≥ 1)."""
        return self.params_before / self.params_after if self.params_after else float("inf")

    @property
    def inputs_removed(self) -> int:
        """Number of input features the pruned model no longer takes."""
        if self.inputs_kept is None or self.n_inputs is None:
            return 0
        return self.n_inputs - len(self.inputs_kept)

    def select_inputs(self, X: Any) -> Any:
        """The columns of ``X`` that the pruned model takes (same type as ``X``).

        Works for torch tensors, numpy arrays (indexing ``input_axis``) and pandas
        DataFrames (by position).
        """
        if self.inputs_kept is None or self.inputs_removed == 0:
            return X
        kept = self.inputs_kept
        if hasattr(X, "iloc"):
            return X.iloc[:, kept]
        axis = self.input_axis if self.input_axis is not None else -1
        if isinstance(X, torch.Tensor):
            return X.index_select(axis, torch.tensor(kept, dtype=torch.long, device=X.device))
        return np.take(np.asarray(X), kept, axis=axis)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``ratio`` included for readers; ignored by ``from_dict``)."""
        out = dataclasses.asdict(self)
        out["ratio"] = self.ratio
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PruneResult:
        """Inverse of :meth:`to_dict`; unknown keys are refused."""
        known = {f.name for f in dataclasses.fields(cls)}
        check_config_keys("PruneResult", data, known | {"ratio"})  # ratio: derived, dropped
        return cls(**{k: v for k, v in data.items() if k in known})

    def summary(self) -> str:
        """A few lines for a terminal: parameters, ratio, units and inputs removed, notes."""
        lines = [
            f"parameters: {self.params_before:,} -> {self.params_after:,} "
            f"({self.ratio:.2f}x fewer)",
        ]
        removed = {k: v for k, v in self.units_removed.items() if v}
        if removed:
            lines.append("units removed: " + ", ".join(f"{k}: {v}" for k, v in removed.items()))
        if self.inputs_removed:
            lines.append(f"inputs kept: {len(self.inputs_kept or [])} of {self.n_inputs}")
        if self.folded:
            lines.append(
                "constants folded into biases: "
                + ", ".join(f"{k}: {v}" for k, v in self.folded.items())
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)
