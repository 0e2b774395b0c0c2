"""mlp(): the small fully connected network every upper layer trains.

Layer names are ``nn.Sequential`` indices, so selectors and pruning can name them.
Each hidden layer contributes a Linear, an activation (left out for "identity") and,
when ``dropout > 0``, a Dropout, in that order. With ``hidden=(64, 32)``,
``activation="relu"`` and ``dropout=0.1``::

    0  Linear(n_inputs, 64)   1  ReLU   2  Dropout
    3  Linear(64, 32)         4  ReLU   5  Dropout
    6  Linear(32, n_outputs)

so the weights are ``0.weight``, ``3.weight``, ``6.weight``. Without dropout the
period is 2 (``0``, ``2``, ``4``); with ``hidden=()`` the model is the single
``Linear`` ``0``: linear or logistic regression.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from netreg._validation import check_choice, check_float, check_int

#: Limits on a network described by a file (a config, a saved model's metadata), checked
#: before anything is built: a tabular MLP never comes near them, a hostile file does.
MAX_HIDDEN_LAYERS = 64
MAX_WIDTH = 65_536

ACTIVATIONS: dict[str, type[nn.Module] | None] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
    "identity": None,
}


def mlp(
    n_inputs: int,
    hidden: Sequence[int] = (64,),
    n_outputs: int = 1,
    *,
    activation: str = "relu",
    dropout: float = 0.0,
    seed: int | None = None,
    dtype: torch.dtype = torch.float32,
) -> nn.Sequential:
    """A multilayer perceptron as an ``nn.Sequential`` with predictable layer names.

    Parameters
    ----------
    n_inputs : int >= 1
        Input features.
    hidden : sequence of int >= 1
        Width of each hidden layer; ``()`` gives one ``Linear``: a linear model.
    n_outputs : int >= 1
        Output units (1 for regression and binary logits, C for C classes).
    activation : {"relu", "tanh", "gelu", "sigmoid", "identity"}
        Nonlinearity after every hidden Linear ("identity" adds no module).
    dropout : float in [0, 1)
        Dropout probability after each hidden activation; 0 adds no module.
    seed : int >= 0 or None
        None: PyTorch's default initialization from the global generator. An int:
        the same distribution (``U(−1/√fan_in, 1/√fan_in)`` for weights and biases)
        drawn from a local generator, so the global random state is not touched.
    dtype : torch.dtype
        Parameter dtype.

    Returns
    -------
    nn.Sequential
        Layer indices as in the module docstring.

    Examples
    --------
    >>> from netreg.train import mlp
    >>> model = mlp(10, hidden=(8,), seed=0)
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """
    n_inputs = check_int("n_inputs", n_inputs, low=1)
    n_outputs = check_int("n_outputs", n_outputs, low=1)
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(
            f"`hidden` must be a sequence of layer widths such as (64,) or (). Received: hidden={hidden!r}"
        )
    widths = [check_int(f"hidden[{i}]", h, low=1) for i, h in enumerate(hidden)]
    check_choice("activation", activation, ACTIVATIONS)
    dropout = check_float("dropout", dropout, low=0.0, high=1.0, high_inclusive=False)
    if seed is not None:
        seed = check_int("seed", seed, low=0)
    if dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise ValueError(f"`dtype` must be a floating torch dtype. Received: dtype={dtype!r}")

    act = ACTIVATIONS[activation]
    layers: list[nn.Module] = []
    sizes = [n_inputs, *widths]
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers.append(_linear(fan_in, fan_out, seed, dtype))
        if act is not None:
            layers.append(act())
        if dropout > 0.0:
            layers.append(nn.Dropout(dropout))
    layers.append(_linear(sizes[-1], n_outputs, seed, dtype))
    if seed is not None:
        _init_(layers, seed)
    return nn.Sequential(*layers)


def mlp_state_shapes(architecture: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """The ``state_dict`` names and shapes of the :func:`mlp` an architecture describes
    (``n_inputs``, ``hidden``, ``n_outputs``, ``activation``, ``dropout``, as a saved model
    records them), allocating nothing: a file is compared with them before any network is built.

    Examples
    --------
    >>> mlp_state_shapes({"n_inputs": 10, "hidden": [8], "n_outputs": 1,
    ...                   "activation": "relu", "dropout": 0.0})
    {'0.weight': (8, 10), '0.bias': (8,), '2.weight': (1, 8), '2.bias': (1,)}
    """
    n_inputs, hidden, n_outputs = (architecture[k] for k in ("n_inputs", "hidden", "n_outputs"))
    activation, dropout = architecture["activation"], architecture["dropout"]
    check_choice("activation", activation, ACTIVATIONS)
    period = 1 + (ACTIVATIONS[activation] is not None) + (dropout > 0.0)
    sizes = [n_inputs, *hidden, n_outputs]
    shapes: dict[str, tuple[int, ...]] = {}
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        shapes[f"{k * period}.weight"] = (fan_out, fan_in)
        shapes[f"{k * period}.bias"] = (fan_out,)
    return shapes


def _linear(fan_in: int, fan_out: int, seed: int | None, dtype: torch.dtype) -> nn.Linear:
    if seed is None:
        return nn.Linear(fan_in, fan_out, dtype=dtype)
    # skip_init builds on the meta device: no draw from the global generator.
    return nn.utils.skip_init(nn.Linear, fan_in, fan_out, dtype=dtype)


def _init_(layers: list[nn.Module], seed: int) -> None:
    """PyTorch's default Linear init, ``U(−1/√fan_in, 1/√fan_in)``, from a local generator.

    ``kaiming_uniform_(a=√5)`` has bound ``√3·√(1/3)/√fan_in = 1/√fan_in``, the same as
    the bias bound, so one uniform draw per tensor reproduces the distribution.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in layers:
            if isinstance(layer, nn.Linear):
                bound = 1.0 / math.sqrt(layer.in_features)
                for tensor in (layer.weight, layer.bias):
                    draw = torch.empty(tensor.shape, dtype=torch.float64).uniform_(
                        -bound, bound, generator=generator
                    )
                    tensor.copy_(draw)
