"""Checkpoints in one safetensors file: tensors as tensors, everything else as JSON.

Layout of a checkpoint file:

- tensors: the model's ``state_dict`` (parameters and buffers) under ``model/…``,
  the optimizer's tensor state under ``optimizer/…`` and any tensor inside
  ``extra`` (random generator states are uint8 tensors) under ``extra/…``;
- metadata key ``"netreg"``: a JSON document with the format tag, the version, and
  every non-tensor value (hyperparameters, step counts, ``regularizer.state_dict()``,
  epoch counters, histories), in which each tensor is a reference
  ``{"__tensor__": key}``. Tuples, non-string dict keys and non-finite floats are
  tagged so that the round trip is exact.

Nothing is ever pickled or unpickled: a file that is not a netreg safetensors
checkpoint (a pickle, a zip from ``torch.save``, a foreign safetensors file, a
truncated write) raises ``ValueError``. Writes are atomic
(:func:`netreg.report.atomic.atomic_write_bytes`): a temporary file in the same folder,
flushed and fsynced, then renamed; an existing file keeps its permissions.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save as safetensors_bytes
from torch import Tensor, nn

from netreg._validation import nesting_depth
from netreg.regularizer import Regularizer
from netreg.report.atomic import atomic_write_bytes

FORMAT = "netreg.checkpoint"
VERSION = 1
#: Deepest nesting of lists and dicts accepted in a file's JSON metadata (a checkpoint's
#: own documents are under 10 deep); a deeper one is refused before it is decoded further.
MAX_DEPTH = 64


def save_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    regularizer: Regularizer | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write model, optimizer, regularizer and ``extra`` to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist. An existing file is replaced only once
        the new one is completely written.
    model : nn.Module
        Its ``state_dict()`` (parameters and buffers) is saved.
    optimizer : torch.optim.Optimizer, optional
        Its ``state_dict()``: tensor state as tensors, hyperparameters as JSON.
    regularizer : Regularizer, optional
        Its ``state_dict()`` (scale, step count, the resolved rows).
    extra : dict, optional
        Anything built from dicts, lists, tuples, str, int, float, bool, None and
        tensors (e.g. ``{"epoch": 3, "rng": generator.get_state()}``).

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile, os, torch
    >>> from netreg.train import mlp, save_checkpoint, load_checkpoint
    >>> model = mlp(3, hidden=(), seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
    >>> _ = save_checkpoint(path, model, extra={"epoch": 1})
    >>> load_checkpoint(path, mlp(3, hidden=(), seed=1))["epoch"]
    1
    """
    return atomic_write_bytes(
        path, checkpoint_bytes(model, optimizer, regularizer, extra), force=True
    )


def checkpoint_bytes(
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    regularizer: Regularizer | None = None,
    extra: dict[str, Any] | None = None,
) -> bytes:
    """The complete contents of a :func:`save_checkpoint` file, for a caller that publishes
    it itself (``netreg fit --save`` writes it without clobbering another process's file)."""
    tensors: dict[str, Tensor] = {}
    storages: set[int] = set()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": _encode(model.state_dict(), "model", tensors, storages),
        "optimizer": None
        if optimizer is None
        else _encode(optimizer.state_dict(), "optimizer", tensors, storages),
        "regularizer": None
        if regularizer is None
        else _encode(regularizer.state_dict(), "regularizer", tensors, storages),
        "extra": _encode(extra or {}, "extra", tensors, storages),
    }
    return safetensors_bytes(tensors, metadata={"netreg": json.dumps(document, allow_nan=False)})


def load_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    regularizer: Regularizer | None = None,
) -> dict[str, Any]:
    """Load a :func:`save_checkpoint` file into ``model`` (and optimizer, regularizer).

    The file is read with safetensors only, never unpickled. Everything is checked
    before anything is changed: a file that is not a netreg checkpoint, or one saved
    for a different architecture, raises ``ValueError`` and leaves the model as it was.

    Returns
    -------
    dict
        The ``extra`` saved with it (tensors on the CPU).
    """
    document, tensors = read_checkpoint(path)
    return apply_checkpoint(path, document, tensors, model, optimizer, regularizer)


def apply_checkpoint(
    path: str | os.PathLike[str],
    document: dict[str, Any],
    tensors: dict[str, Tensor],
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    regularizer: Regularizer | None = None,
) -> dict[str, Any]:
    """:func:`load_checkpoint` for a file already read by :func:`read_checkpoint`."""
    model_state = _decode(document["model"], tensors)
    _check_model_state(path, model, model_state)
    optimizer_state = _state_for(path, document, tensors, "optimizer", optimizer)
    if optimizer is not None:
        _check_optimizer_state(path, optimizer, optimizer_state)
    regularizer_state = _state_for(path, document, tensors, "regularizer", regularizer)
    # Checked: now change things. The regularizer refuses a foreign plan by itself.
    if regularizer is not None and regularizer_state is not None:
        regularizer.load_state_dict(regularizer_state)
    model.load_state_dict(model_state)
    if optimizer is not None and optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    return _decode(document["extra"], tensors)


def _state_for(
    path: str | os.PathLike[str],
    document: dict[str, Any],
    tensors: dict[str, Tensor],
    key: str,
    owner: Any,
) -> Any:
    """The decoded ``document[key]`` when ``owner`` (an optimizer, a regularizer) wants it."""
    if owner is None:
        return None
    if document[key] is None:
        raise ValueError(
            f"The checkpoint {str(path)!r} holds no {key} state. Received: {key}={owner!r}"
        )
    return _decode(document[key], tensors)


def read_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """The JSON document and the tensors of a checkpoint, unchecked against any model."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {str(path)!r}. Received: path={str(path)!r}")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    except Exception as error:  # SafetensorError and friends: the header did not parse
        raise ValueError(
            f"{str(path)!r} is not a safetensors file ({error}); netreg checkpoints are "
            f"safetensors and are never unpickled. Received: path={str(path)!r}"
        ) from None
    text = metadata.get("netreg")
    try:
        document = json.loads(text) if text is not None else None
    except json.JSONDecodeError:
        document = None
    except RecursionError:  # JSON nested thousands deep: hostile, not a netreg file
        document = None
    if nesting_depth(document, MAX_DEPTH) > MAX_DEPTH:
        raise ValueError(
            f"{str(path)!r} has metadata nested more than {MAX_DEPTH} levels deep; a netreg "
            f"checkpoint never is. Received: path={str(path)!r}"
        )
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(
            f"{str(path)!r} is a safetensors file but not a netreg checkpoint (no {FORMAT!r} "
            f"metadata). Received: path={str(path)!r}"
        )
    if document.get("version") != VERSION:
        raise ValueError(
            f"{str(path)!r} is a netreg checkpoint of version {document.get('version')!r}; this "
            f"netreg reads version {VERSION}. Received: path={str(path)!r}"
        )
    for key in ("model", "optimizer", "regularizer", "extra"):
        if key not in document:
            raise ValueError(
                f"{str(path)!r} is an incomplete netreg checkpoint: no {key!r}. Received: path={str(path)!r}"
            )
    return document, tensors


def check_weights(
    path: str | os.PathLike[str], tensors: dict[str, Tensor], dtypes: tuple[torch.dtype, ...]
) -> torch.dtype:
    """All ``tensors`` share one dtype among ``dtypes`` and hold finite numbers; returns it.

    A file with integer or half-precision weights, or a mix (which would cast the whole
    model), or NaN or infinite weights (which would predict NaN) is refused by name.
    """
    kinds = sorted({str(t.dtype).removeprefix("torch.") for t in tensors.values()})
    if len(kinds) != 1 or tensors[next(iter(tensors))].dtype not in dtypes:
        valid = ", ".join(str(d).removeprefix("torch.") for d in dtypes)
        raise ValueError(
            f"{str(path)!r} holds weights of dtype {', '.join(kinds) or 'none'}; a netreg model's "
            f"weights are all of one dtype among {valid}. Received: path={str(path)!r}"
        )
    bad = [name for name, t in tensors.items() if not bool(torch.isfinite(t).all())]
    if bad:
        raise ValueError(
            f"{str(path)!r} holds NaN or infinite weights in {bad[:5]}; they would make every "
            f"prediction NaN. Received: path={str(path)!r}"
        )
    return tensors[next(iter(tensors))].dtype


# -- JSON encoding with tensor references ---------------------------------------------
def _encode(obj: Any, key: str, tensors: dict[str, Tensor], storages: set[int]) -> Any:
    if isinstance(obj, Tensor):
        name = key
        while name in tensors:
            name += "'"
        t = obj.detach().cpu().contiguous()
        if t.numel():
            # Tied weights and views share memory, which safetensors refuses: copy them.
            if t.untyped_storage().data_ptr() in storages:
                t = t.clone()
            storages.add(t.untyped_storage().data_ptr())
        tensors[name] = t
        return {"__tensor__": name}
    if isinstance(obj, dict):
        plain = all(
            isinstance(k, str) and not (k.startswith("__") and k.endswith("__")) for k in obj
        )
        if plain:
            return {k: _encode(v, f"{key}/{k}", tensors, storages) for k, v in obj.items()}
        return {
            "__dict__": [
                [_encode(k, key, tensors, storages), _encode(v, f"{key}/{k}", tensors, storages)]
                for k, v in obj.items()
            ]
        }
    if isinstance(obj, tuple):
        return {
            "__tuple__": [_encode(v, f"{key}/{i}", tensors, storages) for i, v in enumerate(obj)]
        }
    if isinstance(obj, list):
        return [_encode(v, f"{key}/{i}", tensors, storages) for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"__float__": repr(obj)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(
        f"Cannot store a {type(obj).__name__} in a checkpoint (at {key!r}): only dicts, lists, "
        f"tuples, str, int, float, bool, None and tensors. Received: {key}={obj!r}"
    )


def _decode(obj: Any, tensors: dict[str, Tensor]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if len(obj) == 1:
        ((tag, value),) = obj.items()
        if tag == "__tensor__":
            if value not in tensors:
                raise ValueError(
                    f"The checkpoint refers to a tensor {value!r} it does not contain. Received: {value!r}"
                )
            return tensors[value]
        if tag == "__tuple__":
            return tuple(_decode(v, tensors) for v in value)
        if tag == "__dict__":
            return {_decode(k, tensors): _decode(v, tensors) for k, v in value}
        if tag == "__float__":
            return float(value)
    return {k: _decode(v, tensors) for k, v in obj.items()}


# -- checks before loading ----------------------------------------------------------------
def _check_model_state(path: Any, model: nn.Module, state: dict[str, Tensor]) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(
        k for k in set(expected) & set(state) if tuple(expected[k].shape) != tuple(state[k].shape)
    )
    if missing or unexpected or wrong:
        details = "; ".join(
            part
            for part in (
                f"missing {missing[:5]}" if missing else "",
                f"unexpected {unexpected[:5]}" if unexpected else "",
                f"shape differs for {wrong[:5]}" if wrong else "",
            )
            if part
        )
        raise ValueError(
            f"The checkpoint {str(path)!r} was saved for a different model: {details}. "
            f"Received: model={type(model).__name__}"
        )


def _check_optimizer_state(
    path: Any, optimizer: torch.optim.Optimizer, state: dict[str, Any]
) -> None:
    groups = state.get("param_groups") if isinstance(state, dict) else None
    if not isinstance(groups, list) or not isinstance(state.get("state"), dict):
        raise ValueError(
            f"The checkpoint {str(path)!r} has a malformed optimizer state. Received: path={str(path)!r}"
        )
    saved = [len(g["params"]) for g in groups]
    current = [len(g["params"]) for g in optimizer.param_groups]
    if saved != current:
        raise ValueError(
            f"The checkpoint {str(path)!r} holds an optimizer for parameter groups of sizes {saved}; "
            f"this optimizer has {current}. Received: optimizer={type(optimizer).__name__}"
        )
