"""A tiny, private remover of zero units for a plain ``Linear → ReLU → … → Linear`` MLP.

A hidden unit whose incoming weights and bias are exactly zero outputs ReLU(0) = 0, so
deleting its row (and bias) and the matching column of the next layer changes nothing.
``netreg.prune`` does this for general models; the lab keeps its own few lines so the
experiment measures exactly this and nothing else.
"""

from __future__ import annotations

import torch
from torch import nn


def zero_units(layer: nn.Linear) -> torch.Tensor:
    """Boolean mask of the units whose weight row and bias are exactly zero."""
    rows = (layer.weight.detach() == 0).all(dim=1)
    if layer.bias is not None:
        rows &= layer.bias.detach() == 0
    return rows


def shrink(model: nn.Sequential) -> nn.Sequential:
    """A smaller copy of ``model`` without its zero hidden units (ReLU MLPs only)."""
    layers = list(model)
    linear = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    for m in layers:
        if not isinstance(m, (nn.Linear, nn.ReLU)):
            raise TypeError(f"shrink handles Linear/ReLU stacks only. Received: layer={m!r}")
    keep_in: torch.Tensor | None = None
    out: list[nn.Module] = []
    for position, m in enumerate(layers):
        if not isinstance(m, nn.Linear):
            out.append(nn.ReLU())
            continue
        last = position == linear[-1]
        keep_out = torch.ones(m.out_features, dtype=torch.bool) if last else ~zero_units(m)
        w = m.weight.detach()[keep_out]
        if keep_in is not None:
            w = w[:, keep_in]
        new = nn.Linear(w.shape[1], w.shape[0], bias=m.bias is not None).to(w.dtype)
        with torch.no_grad():
            new.weight.copy_(w)
            if m.bias is not None:
                new.bias.copy_(m.bias.detach()[keep_out])
        out.append(new)
        keep_in = keep_out
    return nn.Sequential(*out)


def n_parameters(model: nn.Module) -> int:
    """Number of scalar parameters."""
    return sum(p.numel() for p in model.parameters())
