"""A JSON description of a model's architecture, and the strict reader that rebuilds it.

Only a fixed table of torch.nn layer types can be described, each with a fixed set of
constructor arguments and their types: reading a description never imports or calls
anything else. An ``nn.Sequential`` (nested ones too) is described whole; for any other
class only its resizable layers are, and the user's class rebuilds the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from torch import nn

Check = Callable[[str, Any], Any]
MAX_DEPTH = 32
MAX_MODULES = 100_000
_NAME = re.compile(r"^[A-Za-z0-9_]{1,128}$")


class ConfigError(ValueError):
    """An architecture description that is malformed or names something not allowed."""


def _fail(path: str, what: str, value: Any) -> ConfigError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ConfigError(f"config.json: {path} {what}. Received: {path}={shown}")


def _int(low: int) -> Check:
    def check(path: str, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise _fail(path, f"must be an integer >= {low}", v)
        return v

    return check


def _any_int(path: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(path, "must be an integer", v)
    return v


def _bool(path: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise _fail(path, "must be true or false", v)
    return v


def _float(low: float | None = None) -> Check:
    def check(path: str, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise _fail(path, "must be a finite number", v)
        if low is not None and v < low:
            raise _fail(path, f"must be >= {low}", v)
        return float(v)

    return check


def _optional(inner: Check) -> Check:
    def check(path: str, v: Any) -> Any:
        return None if v is None else inner(path, v)

    return check


def _ints(low: int, *, allow_none: bool = False) -> Check:
    """An int or a list of ints (a tuple in torch); ``None`` items for adaptive pooling."""

    def one(path: str, v: Any) -> Any:
        if allow_none and v is None:
            return None
        return _int(low)(path, v)

    def check(path: str, v: Any) -> Any:
        if isinstance(v, list):
            if not 1 <= len(v) <= 3:
                raise _fail(path, "must have 1 to 3 items", v)
            return tuple(one(f"{path}[{i}]", x) for i, x in enumerate(v))
        return one(path, v)

    return check


def _choice(*options: str) -> Check:
    def check(path: str, v: Any) -> str:
        if v not in options:
            raise _fail(path, f"must be one of {list(options)}", v)
        return v

    return check


def _padding(path: str, v: Any) -> Any:
    if isinstance(v, str):
        return _choice("same", "valid")(path, v)
    return _ints(0)(path, v)


def _false(path: str, v: Any) -> bool:
    if v is not False:
        raise _fail(path, "must be false (layers that return indices are not supported)", v)
    return v


_INPLACE: dict[str, Check] = {"inplace": _bool}
_CONV: dict[str, Check] = {
    "in_channels": _int(1),
    "out_channels": _int(1),
    "kernel_size": _ints(1),
    "stride": _ints(1),
    "padding": _padding,
    "dilation": _ints(1),
    "groups": _int(1),
    "bias": _bool,
    "padding_mode": _choice("zeros", "reflect", "replicate", "circular"),
}
_BN: dict[str, Check] = {
    "num_features": _int(1),
    "eps": _float(0.0),
    "momentum": _optional(_float(0.0)),
    "affine": _bool,
    "track_running_stats": _bool,
}
_DROP: dict[str, Check] = {"p": _float(0.0), "inplace": _bool}
_MAXPOOL: dict[str, Check] = {
    "kernel_size": _ints(1),
    "stride": _ints(1),
    "padding": _ints(0),
    "dilation": _ints(1),
    "ceil_mode": _bool,
    "return_indices": _false,
}
_AVGPOOL: dict[str, Check] = {
    "kernel_size": _ints(1),
    "stride": _ints(1),
    "padding": _ints(0),
    "ceil_mode": _bool,
    "count_include_pad": _bool,
}
_ADAPTIVE: dict[str, Check] = {"output_size": _ints(1, allow_none=True)}
_SOFTMAX: dict[str, Check] = {"dim": _optional(_any_int)}

SPECS: dict[str, tuple[type[nn.Module], dict[str, Check]]] = {
    "Linear": (nn.Linear, {"in_features": _int(1), "out_features": _int(1), "bias": _bool}),
    "Conv1d": (nn.Conv1d, _CONV),
    "Conv2d": (nn.Conv2d, _CONV),
    "BatchNorm1d": (nn.BatchNorm1d, _BN),
    "BatchNorm2d": (nn.BatchNorm2d, _BN),
    "LayerNorm": (
        nn.LayerNorm,
        {
            "normalized_shape": _ints(1),
            "eps": _float(0.0),
            "elementwise_affine": _bool,
            "bias": _bool,
        },
    ),
    "ReLU": (nn.ReLU, _INPLACE),
    "ReLU6": (nn.ReLU6, _INPLACE),
    "LeakyReLU": (nn.LeakyReLU, {"negative_slope": _float(), **_INPLACE}),
    "ELU": (nn.ELU, {"alpha": _float(), **_INPLACE}),
    "SELU": (nn.SELU, _INPLACE),
    "CELU": (nn.CELU, {"alpha": _float(), **_INPLACE}),
    "GELU": (nn.GELU, {"approximate": _choice("none", "tanh")}),
    "SiLU": (nn.SiLU, _INPLACE),
    "Mish": (nn.Mish, _INPLACE),
    "Sigmoid": (nn.Sigmoid, {}),
    "Tanh": (nn.Tanh, {}),
    "Softplus": (nn.Softplus, {"beta": _float(), "threshold": _float()}),
    "Softsign": (nn.Softsign, {}),
    "Hardtanh": (nn.Hardtanh, {"min_val": _float(), "max_val": _float(), **_INPLACE}),
    "Hardsigmoid": (nn.Hardsigmoid, _INPLACE),
    "Hardswish": (nn.Hardswish, _INPLACE),
    "Hardshrink": (nn.Hardshrink, {"lambd": _float()}),
    "Softshrink": (nn.Softshrink, {"lambd": _float()}),
    "Tanhshrink": (nn.Tanhshrink, {}),
    "LogSigmoid": (nn.LogSigmoid, {}),
    "Identity": (nn.Identity, {}),
    "PReLU": (nn.PReLU, {"num_parameters": _int(1)}),
    "Softmax": (nn.Softmax, _SOFTMAX),
    "LogSoftmax": (nn.LogSoftmax, _SOFTMAX),
    "Softmin": (nn.Softmin, _SOFTMAX),
    "Dropout": (nn.Dropout, _DROP),
    "Dropout1d": (nn.Dropout1d, _DROP),
    "Dropout2d": (nn.Dropout2d, _DROP),
    "AlphaDropout": (nn.AlphaDropout, _DROP),
    "Flatten": (nn.Flatten, {"start_dim": _any_int, "end_dim": _any_int}),
    "MaxPool1d": (nn.MaxPool1d, _MAXPOOL),
    "MaxPool2d": (nn.MaxPool2d, _MAXPOOL),
    "AvgPool1d": (nn.AvgPool1d, _AVGPOOL),
    "AvgPool2d": (
        nn.AvgPool2d,
        {**_AVGPOOL, "divisor_override": _optional(_int(1))},
    ),
    "AdaptiveAvgPool1d": (nn.AdaptiveAvgPool1d, _ADAPTIVE),
    "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d, _ADAPTIVE),
    "AdaptiveMaxPool1d": (nn.AdaptiveMaxPool1d, {**_ADAPTIVE, "return_indices": _false}),
    "AdaptiveMaxPool2d": (nn.AdaptiveMaxPool2d, {**_ADAPTIVE, "return_indices": _false}),
}
_BY_CLASS = {cls: name for name, (cls, _) in SPECS.items()}


class NotDescribable(ValueError):
    """The model holds a layer the JSON table does not cover."""


# -- writing ---------------------------------------------------------------------------------
def _json_value(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def describe_leaf(module: nn.Module, name: str = "model") -> dict[str, Any]:
    """``{"type": ..., "args": {...}}`` for one layer of the table."""
    kind = _BY_CLASS.get(type(module))
    if kind is None:
        raise NotDescribable(
            f"'{name}' is a {type(module).__name__}, which the JSON architecture format does not "
            f"cover (it covers {sorted(SPECS)} inside nn.Sequential)."
        )
    args: dict[str, Any] = {}
    for arg in SPECS[kind][1]:
        if arg == "bias":  # a flag in the constructor, a tensor or None on the module
            args[arg] = getattr(module, "bias", None) is not None
        else:
            args[arg] = _json_value(getattr(module, arg))
    if args.get("return_indices"):
        raise NotDescribable(f"'{name}' returns indices, which a Sequential cannot pass on.")
    return {"type": kind, "args": args}


def describe(model: nn.Module) -> dict[str, Any]:
    """The JSON description of an ``nn.Sequential`` of table layers (nesting allowed)."""
    return _describe(model, "model")


def _describe(module: nn.Module, path: str) -> dict[str, Any]:
    if type(module) is nn.Sequential:
        children = []
        for name, child in module.named_children():
            node = _describe(child, f"{path}.{name}")
            children.append({"name": name, **node})
        return {"type": "Sequential", "children": children}
    return describe_leaf(module, path)


# -- reading ---------------------------------------------------------------------------------
def build(node: Any) -> nn.Module:
    """Rebuild the modules that ``describe`` wrote, refusing anything outside the table."""
    counter = [0]
    return _build(node, "architecture", 0, counter)


def _build(node: Any, path: str, depth: int, counter: list[int]) -> nn.Module:
    counter[0] += 1
    if counter[0] > MAX_MODULES or depth > MAX_DEPTH:
        raise _fail(path, f"exceeds the limits ({MAX_MODULES} modules, depth {MAX_DEPTH})", "...")
    if not isinstance(node, dict):
        raise _fail(path, "must be an object", node)
    if node.get("type") == "Sequential":
        _keys(node, {"type", "children"}, path)
        children = node["children"]
        if not isinstance(children, list):
            raise _fail(f"{path}.children", "must be a list", children)
        seq = nn.Sequential()
        for i, child in enumerate(children):
            where = f"{path}.children[{i}]"
            if not isinstance(child, dict):
                raise _fail(where, "must be an object", child)
            name = child.get("name")
            if not isinstance(name, str) or not _NAME.match(name) or name in seq._modules:
                raise _fail(f"{where}.name", "must be a unique name of letters, digits, _", name)
            rest = {k: v for k, v in child.items() if k != "name"}
            seq.add_module(name, _build(rest, where, depth + 1, counter))
        return seq
    return build_leaf(node, path)


def build_leaf(node: Any, path: str = "architecture") -> nn.Module:
    """One table layer from ``{"type": ..., "args": {...}}``, every argument checked."""
    if not isinstance(node, dict):
        raise _fail(path, "must be an object", node)
    _keys(node, {"type", "args"}, path)
    kind = node["type"]
    if kind not in SPECS:
        raise _fail(f"{path}.type", f"must be one of {sorted(SPECS)} or 'Sequential'", kind)
    cls, checks = SPECS[kind]
    args = node["args"]
    if not isinstance(args, dict):
        raise _fail(f"{path}.args", "must be an object", args)
    _keys(args, set(checks), f"{path}.args")
    clean = {k: checks[k](f"{path}.args.{k}", v) for k, v in args.items()}
    try:
        return cls(**clean)
    except (TypeError, ValueError, RuntimeError) as err:
        raise _fail(path, f"cannot build a {kind} ({err})", args) from err


def _keys(obj: dict[str, Any], expected: set[str], path: str) -> None:
    missing, extra = expected - set(obj), set(obj) - expected
    if missing or extra:
        raise _fail(
            path,
            f"must have exactly the keys {sorted(expected)} (missing {sorted(missing)}, "
            f"unexpected {sorted(extra)})",
            sorted(obj),
        )
