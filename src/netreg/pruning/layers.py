"""What pruning knows about layers: which ones it can shrink, which ones it can see through,
and the in-place surgery that removes units from them.

A *unit* is an output neuron of a Linear layer (row ``i`` of its weight) or a filter of a
convolution (``weight[i]``). A unit is *dead* when all its incoming weights are exactly zero:
it then outputs its bias at every position, whatever the input.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

# A Linear, Conv1d or Conv2d layer, or a batch norm: their size attributes differ by class,
# so the surgery below reads them duck-typed.
Layer = Any

LINEAR = nn.Linear
CONV = (nn.Conv1d, nn.Conv2d)

# Modules that act on every coordinate alone: a constant channel stays constant through
# them and they have no per-channel parameters to slice.
ACTIVATIONS: tuple[type[nn.Module], ...] = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Softsign,
    nn.Hardtanh,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.Hardshrink,
    nn.Softshrink,
    nn.Tanhshrink,
    nn.LogSigmoid,
    nn.Identity,
)
# Identity at inference, which is where pruning promises the same function.
DROPOUTS: tuple[type[nn.Module], ...] = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.AlphaDropout)
BATCH_NORMS: tuple[type[nn.Module], ...] = (nn.BatchNorm1d, nn.BatchNorm2d)
POOLS: tuple[type[nn.Module], ...] = (
    nn.MaxPool1d,
    nn.MaxPool2d,
    nn.AvgPool1d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
)
# Keep the number of channels but mix them: nothing can be removed across them.
COUPLING: tuple[type[nn.Module], ...] = (nn.LayerNorm, nn.Softmax, nn.LogSoftmax, nn.Softmin)


def is_prunable(module: nn.Module) -> bool:
    """Linear, Conv1d or Conv2d with ``groups=1``: the layers whose units netreg removes."""
    if isinstance(module, LINEAR):
        return True
    return isinstance(module, CONV) and module.groups == 1


def is_elementwise(module: nn.Module) -> bool:
    if isinstance(module, nn.PReLU):
        return module.num_parameters == 1
    return isinstance(module, ACTIVATIONS + DROPOUTS)


def n_out(layer: Layer) -> int:
    return int(layer.weight.shape[0])


def n_in(layer: Layer) -> int:
    return int(layer.weight.shape[1])


def count_params(model: nn.Module) -> int:
    """Number of distinct parameter scalars (a shared parameter counts once)."""
    return sum(p.numel() for p in model.parameters())


def dead_units(layer: Layer) -> Tensor:
    """True for each unit whose incoming weights are all exactly zero, shape (n_out,)."""
    w = layer.weight.detach()
    return ~w.reshape(w.shape[0], -1).any(dim=1)


def unread_inputs(layer: Layer) -> Tensor:
    """True for each input feature / channel that no unit reads (column all zero), shape (n_in,)."""
    w = layer.weight.detach()
    return ~w.transpose(0, 1).reshape(w.shape[1], -1).any(dim=1)


def contribution(layer: Layer, idxs: list[int], values: Tensor) -> Tensor:
    """What inputs ``idxs`` holding the constants ``values`` add to every output of ``layer``.

    Linear: ``W[:, idxs] @ values``. Convolution without zero padding: every output position
    sees the whole kernel, so ``Σ_k W[:, idxs, k] @ values``.
    """
    w = layer.weight.detach()[:, idxs]
    if w.dim() > 2:
        w = w.sum(dim=tuple(range(2, w.dim())))
    return w @ values.to(w.dtype)


def zero_padded(layer: Layer) -> bool:
    """True when a convolution pads with zeros, so border outputs see fewer real inputs."""
    if not isinstance(layer, CONV) or layer.padding_mode != "zeros":
        return False
    if isinstance(layer.padding, str):
        return layer.padding == "same" and any(k > 1 for k in layer.kernel_size)
    return any(p != 0 for p in layer.padding)


def constant_after_producer(producer: Layer, ops: list[nn.Module]) -> Tensor:
    """Inference-time value of every channel of ``producer`` *if it were dead*, after ``ops``.

    A dead unit outputs its bias everywhere; batch norm (running statistics) and elementwise
    modules map that constant to another constant. Returns shape (n_out,).
    """
    out = n_out(producer)
    bias = producer.bias
    v = (
        bias.detach().clone()
        if bias is not None
        else torch.zeros(out, dtype=producer.weight.dtype, device=producer.weight.device)
    )
    v = v.reshape(1, out, *([1] * (producer.weight.dim() - 2)))
    with torch.no_grad():
        for op in ops:
            if isinstance(op, BATCH_NORMS):
                v = _batch_norm_of_constant(op, v)
            elif isinstance(op, DROPOUTS):
                continue
            elif is_elementwise(op):
                v = op(v)
    return v.reshape(out)


def _batch_norm_of_constant(bn: Layer, v: Tensor) -> Tensor:
    if bn.running_mean is not None and bn.running_var is not None:
        return torch.nn.functional.batch_norm(
            v, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps
        )
    # Without running statistics a constant channel normalizes to zero: the output is β.
    beta = bn.bias.detach() if bn.bias is not None else torch.zeros_like(v.reshape(-1))
    return beta.reshape(v.shape).to(v.dtype)


# -- surgery ---------------------------------------------------------------------------------
def _replace(old: Tensor, new: Tensor) -> nn.Parameter:
    return nn.Parameter(new.detach().clone(), requires_grad=old.requires_grad)


def keep_(layer: Layer, keep: Tensor, dim: int) -> None:
    """Keep only indices ``keep`` of a Linear / Conv layer along ``dim``: 0, its output units
    (weights, bias, size); 1, its input features / channels (weights, size)."""
    layer.weight = _replace(layer.weight, layer.weight.index_select(dim, keep))
    if dim == 0 and layer.bias is not None:
        layer.bias = _replace(layer.bias, layer.bias.index_select(0, keep))
    sizes = (
        ("out_features", "in_features")
        if isinstance(layer, LINEAR)
        else ("out_channels", "in_channels")
    )
    setattr(layer, sizes[dim], len(keep))


def keep_channels_(bn: Layer, keep: Tensor) -> None:
    """Keep only channels ``keep`` of a batch norm (affine parameters and running statistics)."""
    for name in ("weight", "bias"):
        param = getattr(bn, name)
        if param is not None:
            setattr(bn, name, _replace(param, param.index_select(0, keep)))
    for name in ("running_mean", "running_var"):
        buf = getattr(bn, name)
        if buf is not None:
            setattr(bn, name, buf.index_select(0, keep).clone())
    bn.num_features = len(keep)


def add_to_bias_(layer: Layer, delta: Tensor) -> None:
    """``b += delta``, giving the layer a bias when it had none."""
    if layer.bias is None:
        layer.bias = nn.Parameter(
            delta.detach().clone().to(layer.weight.dtype), requires_grad=layer.weight.requires_grad
        )
        return
    with torch.no_grad():
        layer.bias.add_(delta.to(layer.bias.dtype))
