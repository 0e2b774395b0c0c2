"""Read a fitted network: its weight matrices, exact zeros, and the inputs it still uses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from netreg.compare.result import LayerSparsity


def weight_matrices(model: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """``(name, weight)`` of every Linear layer, in forward (registration) order."""
    return [
        (f"{name}.weight" if name else "weight", module.weight.detach())
        for name, module in model.named_modules()
        if isinstance(module, nn.Linear)
    ]


def layer_sparsity(model: nn.Module) -> list[LayerSparsity]:
    """Exact zeros per weight matrix (biases are never penalized, so they are left out)."""
    return [
        LayerSparsity(name, int(w.numel()), int(torch.count_nonzero(w)))
        for name, w in weight_matrices(model)
    ]


def max_unit_norm(model: nn.Module) -> float:
    """The largest Euclidean norm of a hidden unit's incoming weights (0 without hidden layers).

    Max-norm bounds exactly this quantity; compared with ``c`` it says whether the
    constraint was active.
    """
    mats = weight_matrices(model)[:-1]
    norms = [
        float(torch.linalg.vector_norm(w.to(torch.float64), dim=1).max())
        for _, w in mats
        if w.numel()
    ]
    return max(norms, default=0.0)


def all_weights(model: nn.Module) -> np.ndarray:
    """Every weight-matrix entry, flattened, as float64."""
    mats = [w.reshape(-1).to(torch.float64).cpu().numpy() for _, w in weight_matrices(model)]
    return np.concatenate(mats) if mats else np.empty(0)


def input_norms(first_weight: torch.Tensor | np.ndarray, sources: Sequence[str]) -> np.ndarray:
    """Euclidean norm of the first-layer weights leaving each input column.

    ``first_weight`` has torch's ``(out, in)`` layout, one column per encoded input;
    ``sources[j]`` is the data column encoded input ``j`` comes from. The one-hot columns of a
    categorical column are pooled, so the result has one entry per data column, in order of
    first appearance in ``sources``.
    """
    w = torch.as_tensor(first_weight).detach().to(torch.float64).cpu().numpy()
    names = list(dict.fromkeys(sources))
    if w.shape[1] != len(sources):
        raise ValueError(
            f"The first layer has {w.shape[1]} inputs but {len(sources)} source names were "
            f"given. Received: len(sources)={len(sources)}"
        )
    squared = (w**2).sum(axis=0)
    index = {name: i for i, name in enumerate(names)}
    pooled = np.zeros(len(names))
    np.add.at(pooled, [index[s] for s in sources], squared)
    return np.sqrt(pooled)


def pool_norms(norms: np.ndarray, sources: Sequence[str]) -> np.ndarray:
    """Norms per encoded input (``(..., n_encoded)``) pooled per data column: ``√Σ norm²``."""
    norms = np.asarray(norms, dtype=np.float64)
    names = list(dict.fromkeys(sources))
    index = np.array([names.index(s) for s in sources])
    pooled = np.zeros((*norms.shape[:-1], len(names)))
    for j, k in enumerate(index):
        pooled[..., k] += norms[..., j] ** 2
    return np.sqrt(pooled)


def first_layer_norms(model: nn.Module, sources: Sequence[str]) -> np.ndarray:
    """:func:`input_norms` of the model's first Linear layer (one entry per data column)."""
    mats = weight_matrices(model)
    if not mats:
        return np.zeros(len(dict.fromkeys(sources)))
    return input_norms(mats[0][1], sources)


def selected_inputs(model: nn.Module, sources: Sequence[str]) -> list[str]:
    """Data columns with at least one nonzero first-layer weight, in data order."""
    names = list(dict.fromkeys(sources))
    norms = first_layer_norms(model, sources)
    return [name for name, norm in zip(names, norms, strict=True) if norm > 0]
