"""Arrays in, checked tensors out: dtype, device, shapes, finiteness, sample weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn


@dataclass
class Batchable:
    """Training (or validation) tensors on the model's device."""

    X: Tensor
    y: Tensor
    weight: Tensor | None  # divided by its mean: a batch loss is mean(w·ℓ)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def model_device_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Device and floating dtype of the model's first floating parameter or buffer."""
    for tensor in (*model.parameters(), *model.buffers()):
        if tensor.is_floating_point():
            return tensor.device, tensor.dtype
    return torch.device("cpu"), torch.get_default_dtype()


def as_features(name: str, X: Any, dtype: torch.dtype, device: torch.device) -> Tensor:
    """A finite floating tensor with rows on dim 0 (at least 2-D)."""
    t = _as_tensor(name, X)
    if t.dim() < 2:
        raise ValueError(
            f"`{name}` must have one row per sample and at least one column (2-D); reshape a "
            f"single feature with X.reshape(-1, 1). Received: {name}.shape={tuple(t.shape)}"
        )
    if t.shape[0] == 0:
        raise ValueError(f"`{name}` has no rows. Received: {name}.shape={tuple(t.shape)}")
    t = t.to(device=device, dtype=dtype)
    _check_finite(name, t)
    return t


def as_target(
    name: str, y: Any, loss: str, n: int, dtype: torch.dtype, device: torch.device
) -> Tensor:
    """Float targets for regression and ``bce``, int64 labels for ``cross_entropy``."""
    t = _as_tensor(name, y)
    if t.dim() == 0 or t.shape[0] != n:
        raise ValueError(
            f"`{name}` must have one entry per row of X ({n}). Received: {name}.shape={tuple(t.shape)}"
        )
    if loss == "cross_entropy":
        if t.is_floating_point():
            _check_finite(name, t)
            if not torch.equal(t, t.round()):
                raise ValueError(
                    f"`{name}` must hold integer class labels 0..C-1 for loss='cross_entropy'. "
                    f"Received: {name}[:5]={t.reshape(-1)[:5].tolist()}"
                )
        if t.dim() != 1:
            raise ValueError(
                f"`{name}` must be 1-D class labels for loss='cross_entropy'. Received: {name}.shape={tuple(t.shape)}"
            )
        t = t.to(device=device, dtype=torch.int64)
        if int(t.min()) < 0:
            raise ValueError(
                f"`{name}` class labels must be >= 0. Received: min({name})={int(t.min())}"
            )
        return t
    t = t.to(device=device, dtype=dtype)
    _check_finite(name, t)
    if loss == "bce" and not bool(((t == 0) | (t == 1)).all()):
        raise ValueError(
            f"`{name}` must hold 0/1 targets for loss='bce'. Received: {name}[:5]={t.reshape(-1)[:5].tolist()}"
        )
    return t


def as_weights(
    sample_weight: Any, n: int, dtype: torch.dtype, device: torch.device
) -> Tensor | None:
    """Non-negative finite weights, divided by their mean (None stays None)."""
    if sample_weight is None:
        return None
    w = _as_tensor("sample_weight", sample_weight).to(device=device, dtype=dtype)
    if w.shape != (n,):
        raise ValueError(
            f"`sample_weight` must have shape ({n},), one weight per row. Received: sample_weight.shape={tuple(w.shape)}"
        )
    _check_finite("sample_weight", w)
    if bool((w < 0).any()):
        raise ValueError(
            f"`sample_weight` must be >= 0. Received: min(sample_weight)={float(w.min())!r}"
        )
    total = float(w.sum())
    if total <= 0.0:
        raise ValueError(
            "`sample_weight` must have a positive sum. Received: sum(sample_weight)=0.0"
        )
    return w / (total / n)


def align_target(name: str, y: Tensor, output: Tensor, loss: str) -> Tensor:
    """Reshape ``y`` to the model's output (``(n,)`` → ``(n, 1)``) or explain the mismatch."""
    if loss == "cross_entropy":
        if output.dim() != 2:
            raise ValueError(
                f"loss='cross_entropy' needs logits of shape (n, C) from the model. Received: output.shape={tuple(output.shape)}"
            )
        n_classes = output.shape[1]
        if int(y.max()) >= n_classes:
            raise ValueError(
                f"`{name}` has label {int(y.max())} but the model has {n_classes} outputs (labels must be "
                f"0..{n_classes - 1}). Received: max({name})={int(y.max())}"
            )
        return y
    out_shape = tuple(output.shape[1:])
    if tuple(y.shape[1:]) == out_shape:
        return y
    if y.dim() == 1 and out_shape == (1,):
        return y.unsqueeze(1)
    if output.dim() == 1 and y.dim() == 2 and y.shape[1] == 1:
        return y.squeeze(1)
    raise ValueError(
        f"`{name}` has shape {tuple(y.shape)} but the model outputs {(y.shape[0], *out_shape)} for it. "
        f"Received: {name}.shape={tuple(y.shape)}"
    )


def _as_tensor(name: str, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach()
    try:
        array = np.asarray(value)
    except Exception as error:  # pandas extension arrays, ragged lists
        raise TypeError(
            f"`{name}` must be a numpy array or a torch tensor. Received: {name}={type(value).__name__}"
        ) from error
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must be numeric. Received: {name}.dtype={array.dtype}")
    return torch.from_numpy(np.ascontiguousarray(array))


def _check_finite(name: str, t: Tensor) -> None:
    if t.is_floating_point():
        bad = ~torch.isfinite(t)
        if bool(bad.any()):
            raise ValueError(
                f"`{name}` contains {int(bad.sum())} NaN or infinite values; remove or impute them. "
                f"Received: {name} with non-finite entries"
            )
