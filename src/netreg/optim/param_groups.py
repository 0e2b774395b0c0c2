"""The decay / no-decay split that PyTorch users keep writing by hand."""

from __future__ import annotations

from typing import Any

from torch import nn

from netreg._validation import check_strength
from netreg.select import Selector, kind_of, owners_of


def param_groups(
    model: nn.Module,
    weight_decay: float = 0.01,
    *,
    exclude: Selector | None = None,
    **group_options: Any,
) -> list[dict[str, Any]]:
    """Two optimizer parameter groups: weights that decay, and everything else.

    Biases, normalization parameters and embeddings never decay (the same default
    exclusions as :class:`netreg.Plan`); ``exclude`` removes more. Hand the result to
    ``torch.optim.AdamW`` for decoupled weight decay (``θ ← θ − lr·wd·θ``, then the Adam
    step) or to ``SGD``, where ``weight_decay=wd`` equals the loss term ``wd/2·‖θ‖²``,
    i.e. ``netreg.L2(wd / 2)`` in loss mode.

    Examples
    --------
    >>> import torch, torch.nn as nn, netreg as nr
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 1))
    >>> opt = torch.optim.AdamW(nr.param_groups(model, weight_decay=0.05), lr=1e-3)
    >>> [len(g["params"]) for g in opt.param_groups]
    [2, 4]
    """
    weight_decay = check_strength("weight_decay", weight_decay)
    owners = owners_of(model)
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        module = owners[name]
        skip = kind_of(name, module) is not None or (
            exclude is not None and exclude.matches(name, param, module)
        )
        (no_decay if skip else decay).append(param)
    return [
        {"params": decay, "weight_decay": weight_decay, **group_options},
        {"params": no_decay, "weight_decay": 0.0, **group_options},
    ]
