"""Save and load pruned models: safetensors weights and a JSON architecture, never pickle.

A saved model is a directory::

    SMALLER/
      config.json        {"format": "netreg.pruned", "version": 1, "architecture": ..., "result": ...}
      model.safetensors  every tensor of the state dict

An ``nn.Sequential`` of standard layers is rebuilt from the JSON alone. Any other class is
stored as its resizable layers (Linear, Conv, BatchNorm, ...) with their pruned sizes; to
load it, pass a fresh instance of that class: those layers are rebuilt at the saved sizes and
the weights loaded into it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from safetensors.torch import load_file, save_file
from torch import nn

from netreg.pruning import arch
from netreg.pruning.result import PruneResult

FORMAT = "netreg.pruned"
VERSION = 1
CONFIG = "config.json"
WEIGHTS = "model.safetensors"
MAX_CONFIG_BYTES = 1 << 20
_TOP_KEYS = {"format", "version", "architecture", "result"}


def save_pruned(
    model: nn.Module,
    path: str | os.PathLike[str],
    *,
    result: PruneResult | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``model`` (and optionally its :class:`PruneResult`) to the directory ``path``.

    The directory is written next to its destination and moved into place at the end, so
    a failure leaves nothing half written. An existing ``path`` is replaced only with
    ``overwrite=True`` and only if it is itself a directory written by this function.

    Examples
    --------
    >>> import tempfile, torch.nn as nn
    >>> from netreg.pruning import load_pruned, save_pruned
    >>> model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     where = save_pruned(model, f"{d}/small")
    ...     again = load_pruned(where)
    >>> again
    Sequential(
      (0): Linear(in_features=3, out_features=2, bias=True)
      (1): ReLU()
      (2): Linear(in_features=2, out_features=1, bias=True)
    )
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"`model` must be a torch.nn.Module. Received: model={type(model).__name__}"
        )
    path = Path(path)
    if path.exists():
        if not overwrite:
            raise FileExistsError(
                f"{path} exists; pass overwrite=True to replace it. Received: path={str(path)!r}"
            )
        if not _written_by_us(path):
            raise FileExistsError(
                f"{path} exists and is not a directory written by save_pruned; refusing to "
                f"replace it. Received: path={str(path)!r}"
            )
    config = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": _architecture(model),
        "result": _result_dict(result),
    }
    text = json.dumps(config, indent=2, allow_nan=False)
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        save_file(tensors, str(staging / WEIGHTS), metadata={"format": "pt"})
        (staging / CONFIG).write_text(text, encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def load_pruned(
    path: str | os.PathLike[str], model: nn.Module | None = None, *, device: str = "cpu"
) -> nn.Module:
    """Rebuild a model written by :func:`save_pruned`, in eval mode.

    Parameters
    ----------
    path : path-like
        The directory written by ``save_pruned``.
    model : nn.Module, optional
        For a model that is not a plain ``nn.Sequential``: a fresh instance of its class
        (any sizes); its resizable layers are rebuilt at the saved sizes, then the weights
        are loaded into it. Leave out for a Sequential.
    device : str, default "cpu"
        Where to put the tensors.
    """
    path = Path(path)
    config = _read_config(path)
    tensors = _read_weights(path, device)
    description = config["architecture"]
    if isinstance(description, dict) and description.get("type") == "custom":
        target = _into_user_model(description, model, path)
    else:
        if model is not None:
            raise ValueError(
                f"{path} holds an nn.Sequential that netreg rebuilds from its JSON; do not pass "
                f"`model`. Received: model={type(model).__name__}"
            )
        target = arch.build(description)
    try:
        target.load_state_dict(tensors, strict=True, assign=True)
    except RuntimeError as err:
        raise ValueError(
            f"The weights in {path / WEIGHTS} do not fit the architecture: {err}"
        ) from err
    return target.to(device).eval()


def load_prune_result(path: str | os.PathLike[str]) -> PruneResult | None:
    """The :class:`PruneResult` saved with the model, or None if none was saved."""
    data = _read_config(Path(path))["result"]
    if data is None:
        return None
    if not isinstance(data, dict):
        raise arch.ConfigError(
            f"config.json: result must be an object or null. Received: result={data!r}"
        )
    try:
        return PruneResult.from_dict(data)
    except TypeError as err:
        raise arch.ConfigError(f"config.json: result is malformed ({err})") from err


# -- architecture --------------------------------------------------------------------------
def _architecture(model: nn.Module) -> dict[str, Any]:
    try:
        return arch.describe(model)
    except arch.NotDescribable:
        pass
    layers = {
        name: arch.describe_leaf(m, name)
        for name, m in model.named_modules()
        if name
        and type(m) in arch._BY_CLASS
        and any(True for _ in (*m.parameters(recurse=False), *m.buffers(recurse=False)))
    }
    cls = type(model)
    return {"type": "custom", "class": f"{cls.__module__}.{cls.__qualname__}", "layers": layers}


def _into_user_model(description: dict[str, Any], model: nn.Module | None, path: Path) -> nn.Module:
    arch._keys(description, {"type", "class", "layers"}, "architecture")
    saved = description["class"]
    if model is None:
        raise ValueError(
            f"{path} holds a pruned {saved}, a user class that netreg cannot rebuild from JSON "
            "(only an nn.Sequential of standard layers can be). Build a fresh instance of that "
            f"class and pass it: load_pruned({str(path)!r}, model={saved.rsplit('.', 1)[-1]}(...)); "
            "its layers are resized to the saved shapes and the weights loaded into it."
        )
    cls = type(model)
    if f"{cls.__module__}.{cls.__qualname__}" != saved:
        raise ValueError(
            f"{path} was saved from {saved}, not {cls.__module__}.{cls.__qualname__}. "
            f"Received: model={cls.__qualname__}"
        )
    layers = description["layers"]
    if not isinstance(layers, dict):
        raise arch.ConfigError(
            f"config.json: architecture.layers must be an object. Received: {layers!r}"
        )
    for name, node in layers.items():
        where = f"architecture.layers.{name}"
        if not isinstance(name, str) or not all(arch._NAME.match(p) for p in name.split(".")):
            raise arch.ConfigError(f"config.json: {where} is not a module name. Received: {name!r}")
        layer = arch.build_leaf(node, where)
        parent_name, _, attr = name.rpartition(".")
        try:
            old = model.get_submodule(name)
            parent = model.get_submodule(parent_name) if parent_name else model
        except AttributeError as err:
            raise ValueError(
                f"{cls.__qualname__} has no layer {name!r} that {path} expects."
            ) from err
        if type(old) is not type(layer):
            raise ValueError(
                f"{cls.__qualname__}.{name} is a {type(old).__name__}; {path} saved a "
                f"{type(layer).__name__} there. Received: {name}={type(old).__name__}"
            )
        setattr(parent, attr, layer)
    return model


# -- files -----------------------------------------------------------------------------------
def _written_by_us(path: Path) -> bool:
    try:
        return path.is_dir() and _read_config(path)["format"] == FORMAT
    except (ValueError, OSError):
        return False


def _refuse_pickle(file: Path) -> None:
    """Refuse pickles (protocol 2+ starts with 0x80) and torch.save zip archives by their
    first bytes; a safetensors file starts with an 8-byte header length and then '{'."""
    with open(file, "rb") as fh:
        head = fh.read(9)
    if head[8:9] == b"{":
        return
    if head[:1] == b"\x80" or head[:4] == b"PK\x03\x04":
        raise ValueError(
            f"{file} is a pickle or torch.save archive. netreg never unpickles model files "
            "(unpickling untrusted data can run arbitrary code); it reads safetensors written by "
            "save_pruned only."
        )


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_dir():
        if path.is_file():
            _refuse_pickle(path)
        raise ValueError(
            f"{path} is not a directory written by save_pruned (config.json + model.safetensors). "
            f"Received: path={str(path)!r}"
        )
    file = path / CONFIG
    if not file.is_file():
        raise ValueError(f"{path} has no {CONFIG}; it was not written by save_pruned.")
    if file.stat().st_size > MAX_CONFIG_BYTES:
        raise arch.ConfigError(
            f"{file} is larger than {MAX_CONFIG_BYTES} bytes; refusing to read it."
        )
    try:
        config = json.loads(file.read_text(encoding="utf-8"), parse_constant=_no_constants)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise arch.ConfigError(f"{file} is not valid JSON: {err}") from err
    if not isinstance(config, dict):
        raise arch.ConfigError(f"{file} must hold a JSON object. Received: {type(config).__name__}")
    arch._keys(config, _TOP_KEYS, "(top level)")
    if config["format"] != FORMAT or config["version"] != VERSION:
        raise arch.ConfigError(
            f"{file} is not a netreg pruned model of a version this netreg reads "
            f"(format {FORMAT!r}, version {VERSION}). "
            f"Received: format={config['format']!r}, version={config['version']!r}"
        )
    return config


def _no_constants(name: str) -> Any:
    raise arch.ConfigError(f"config.json holds {name}, which is not valid JSON")


def _read_weights(path: Path, device: str) -> dict[str, Any]:
    file = path / WEIGHTS
    if not file.is_file():
        raise ValueError(f"{path} has no {WEIGHTS}; it was not written by save_pruned.")
    _refuse_pickle(file)
    try:
        return load_file(str(file), device=device)
    except Exception as err:  # safetensors raises its own error types for corrupt headers
        raise ValueError(f"{file} is not a valid safetensors file: {err}") from err


def _result_dict(result: PruneResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    if not isinstance(result, PruneResult):
        raise TypeError(f"`result` must be a PruneResult. Received: result={type(result).__name__}")
    data = result.to_dict()
    data.pop("ratio")  # derived; recomputed on load
    return data
