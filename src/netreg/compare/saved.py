"""Save a fitted table model to one safetensors file and load it back without pickle.

The file is a :func:`netreg.train.save_checkpoint` file: the network's weights as
safetensors tensors, and in its JSON metadata a document ``{"format": "netreg.model",
"version": 1, …}`` with the architecture, the encoder (:meth:`TableEncoder.get_config`), the
task, the classes, the target scaling and the training parameters. Loading reads that JSON,
rebuilds the network with :func:`netreg.train.mlp`, checks every tensor's name and shape,
and only then copies the weights in. Nothing is ever unpickled: a pickle, a ``torch.save``
zip, a truncated file or a foreign safetensors file is refused with ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from netreg._validation import check_choice, check_float, check_int
from netreg.choices import ACTIVATIONS, TASKS
from netreg.compare.single import FittedTable
from netreg.compare.table_model import TableModel
from netreg.data import DataError, InputCheck, TableEncoder
from netreg.report.atomic import atomic_write_bytes, resolve_target
from netreg.train import mlp, predict
from netreg.train.checkpoint import (
    apply_checkpoint,
    check_weights,
    checkpoint_bytes,
    read_checkpoint,
)
from netreg.train.models import MAX_HIDDEN_LAYERS, mlp_state_shapes

MODEL_FORMAT = "netreg.model"
MODEL_VERSION = 1
_KEYS = {
    "format",
    "version",
    "architecture",
    "encoder",
    "task",
    "target",
    "classes",
    "y_mean",
    "y_scale",
    "params",
}
_ARCH_KEYS = {"n_inputs", "hidden", "n_outputs", "activation", "dropout"}
#: Rows per forward pass in :meth:`SavedModel.predict_frame`. A matrix product's last bits can
#: depend on how many rows it holds; a file streamed in chunks of a multiple of this many rows
#: (:meth:`SavedModel.chunk_rows`) is thus predicted exactly as it would be all at once.
PREDICT_BATCH = 1024


def save_model(path: str | os.PathLike[str], fitted: FittedTable, *, force: bool = False) -> Path:
    """Write ``fitted`` to ``path`` (weights + JSON config in one safetensors file).

    Raises
    ------
    FileNotFoundError, FileExistsError
        The folder is missing, or the file exists and ``force`` is False.
    """
    resolve_target(path, force=force)  # a missing folder or an existing file: before the work
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "architecture": dict(fitted.architecture),
        "encoder": fitted.encoder.get_config(),
        "task": fitted.task,
        "target": fitted.target,
        "classes": fitted.classes,
        "y_mean": fitted.y_mean,
        "y_scale": fitted.y_scale,
        "params": fitted.to_dict()["params"],
    }
    payload = checkpoint_bytes(fitted.model, extra={"netreg_model": document})
    # Published like the JSON and the reports: never over a file another process has just
    # written (without force), with the umask's mode or an overwritten file's own mode.
    return atomic_write_bytes(path, payload, force=force)


@dataclasses.dataclass(eq=False)
class SavedModel(TableModel):
    """A loaded :class:`TableModel`, with how to turn its outputs into predictions."""

    def check_columns(self, names: list[str]) -> None:
        """Refuse a table's column names (the target may be among them) before it is read."""
        self.encoder.check_columns([name for name in names if name != self.target])

    def chunk_rows(self, n_columns: int, cells: int) -> int:
        """Rows per chunk for streaming a table of ``n_columns`` columns in about ``cells``
        cells per chunk: a multiple of :data:`PREDICT_BATCH`, so that chunked predictions
        equal those of the whole table exactly."""
        return PREDICT_BATCH * max(1, cells // (PREDICT_BATCH * max(1, n_columns)))

    def predict_frame(self, frame: pd.DataFrame, check: InputCheck | None = None) -> pd.DataFrame:
        """Predictions for every row of ``frame`` (the target column, if present, is ignored).

        Regression: one column ``prediction`` on the target's scale. Classification:
        ``prediction`` (the most probable label) and ``proba_<label>`` per class.

        Columns that encode but differ from training (a boolean where numbers were trained,
        labels never seen) are noted in ``check`` (pass one :class:`InputCheck` for all the
        chunks of a file and report it at the end); without it they are issued as
        ``UserWarning``, one per column.

        Raises
        ------
        DataError
            The columns differ from those the model was trained on (both lists are named),
            or values are missing or not numbers where numbers are expected.
        """
        features = frame.drop(columns=[self.target]) if self.target in frame.columns else frame
        own_check = check is None
        check = InputCheck(self.encoder) if check is None else check
        check.update(features)
        X = self.encoder.transform(features)
        if own_check:
            check.warn()
        if self.task == "regression":
            out = predict(self.model, torch.from_numpy(X), task="regression")
            return pd.DataFrame({"prediction": self.y_mean + self.y_scale * np.asarray(out)})
        logits = predict(
            self.model, torch.from_numpy(X), task="regression", batch_size=PREDICT_BATCH
        )
        logits = np.asarray(logits).reshape(len(X), -1)
        if logits.shape[1] == 1:
            p1 = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            proba = np.column_stack([1.0 - p1, p1])
        else:
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            proba = shifted / shifted.sum(axis=1, keepdims=True)
        labels = list(self.classes or range(proba.shape[1]))
        result = pd.DataFrame({"prediction": [labels[k] for k in proba.argmax(axis=1)]})
        for k, label in enumerate(labels):
            result[f"proba_{label}"] = proba[:, k]
        return result


def load_model(path: str | os.PathLike[str]) -> SavedModel:
    """Load a :func:`save_model` file, checking it completely before use; never unpickles.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        Not a safetensors file, not a netreg model, or a config that does not match the
        weights.
    """
    document, tensors = read_checkpoint(path)
    extra = document.get("extra")
    config = extra.get("netreg_model") if isinstance(extra, dict) else None
    if not isinstance(config, dict) or config.get("format") != MODEL_FORMAT:
        raise ValueError(
            f"{os.fspath(path)!r} is a netreg checkpoint but not a model saved by `netreg fit` "
            f"(no {MODEL_FORMAT!r} config). Received: path={os.fspath(path)!r}"
        )
    if config.get("version") != MODEL_VERSION or set(config) != _KEYS:
        raise ValueError(
            f"{os.fspath(path)!r} holds a {MODEL_FORMAT!r} config of version "
            f"{config.get('version')!r} with keys {sorted(config)}; this netreg reads version "
            f"{MODEL_VERSION} with keys {sorted(_KEYS)}. Received: path={os.fspath(path)!r}"
        )
    arch, model_tensors = _checked_architecture(path, config, document, tensors)
    dtype = check_weights(path, model_tensors, (torch.float32, torch.float64))
    scalars = _checked_scalars(path, config)
    try:
        encoder = TableEncoder.from_config(config["encoder"])
    except (DataError, KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{os.fspath(path)!r} has an encoder config netreg cannot use: {error}. "
            f"Received: path={os.fspath(path)!r}"
        ) from None
    if encoder.n_outputs != arch["n_inputs"]:
        raise ValueError(
            f"{os.fspath(path)!r} is inconsistent: the encoder makes {encoder.n_outputs} inputs "
            f"but the network reads {arch['n_inputs']}. Received: path={os.fspath(path)!r}"
        )
    # Everything is checked against the tensors: building the network allocates no more
    # than the file holds.
    model = mlp(arch["n_inputs"], seed=0, dtype=dtype, **_layout(arch))
    apply_checkpoint(path, document, tensors, model)
    model.eval()
    return SavedModel(
        model=model,
        encoder=encoder,
        architecture=dict(arch),
        **scalars,  # type: ignore[arg-type]
    )


def _layout(arch: dict[str, Any]) -> dict[str, Any]:
    keys = ("hidden", "n_outputs", "activation", "dropout")
    return {key: tuple(arch[key]) if key == "hidden" else arch[key] for key in keys}


def _checked_architecture(
    path: str | os.PathLike[str],
    config: dict[str, Any],
    document: dict[str, Any],
    tensors: dict[str, torch.Tensor],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The architecture, once its types and sizes match the weights in the file exactly."""
    arch = config["architecture"]
    refs = document.get("model")
    try:
        if not isinstance(arch, dict) or set(arch) != _ARCH_KEYS:
            raise ValueError(f"its keys must be {sorted(_ARCH_KEYS)}")
        if not isinstance(arch["hidden"], list) or len(arch["hidden"]) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"'hidden' must be a list of at most {MAX_HIDDEN_LAYERS} widths")
        for i, width in enumerate(arch["hidden"]):
            check_int(f"hidden[{i}]", width, low=1)
        check_int("n_inputs", arch["n_inputs"], low=1)
        check_int("n_outputs", arch["n_outputs"], low=1)
        check_float("dropout", arch["dropout"], high=1.0, high_inclusive=False)
        check_choice("activation", arch["activation"], ACTIVATIONS)
        expected = mlp_state_shapes(arch)
        if not isinstance(refs, dict) or not all(
            isinstance(r, dict) and r.get("__tensor__") in tensors for r in refs.values()
        ):
            raise ValueError("its weights are not tensors of the file")
        found = {key: tensors[ref["__tensor__"]] for key, ref in refs.items()}
        shapes = {key: tuple(t.shape) for key, t in found.items()}
        if shapes != expected:
            raise ValueError(
                f"it describes weights {_preview(expected)} but the file holds {_preview(shapes)}"
            )
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{os.fspath(path)!r} has an architecture that does not match its weights: {error}. "
            f"Received: path={os.fspath(path)!r}"
        ) from None
    return arch, found


def _checked_scalars(path: str | os.PathLike[str], config: dict[str, Any]) -> dict[str, Any]:
    """task, target, classes, y_mean, y_scale and params, each of the type it must have."""
    try:
        check_choice("task", config["task"], [t for t in TASKS if t != "auto"])
        if not isinstance(config["target"], str):
            raise TypeError(f"`target` must be a string. Received: {config['target']!r}")
        classes = config["classes"]
        if classes is not None and not (
            isinstance(classes, list)
            and all(isinstance(c, (str, int, float, bool)) for c in classes)
        ):
            raise TypeError(f"`classes` must be a list of labels or null. Received: {classes!r}")
        y_mean = check_float("y_mean", config["y_mean"], low=None)
        y_scale = check_float("y_scale", config["y_scale"], low=0.0, low_inclusive=False)
        if not isinstance(config["params"], dict):
            raise TypeError(f"`params` must be a mapping. Received: {config['params']!r}")
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{os.fspath(path)!r} has a model config netreg cannot use: {error}. "
            f"Received: path={os.fspath(path)!r}"
        ) from None
    return {
        "task": config["task"],
        "target": config["target"],
        "classes": classes,
        "y_mean": y_mean,
        "y_scale": y_scale,
        "params": dict(config["params"]),
    }


def _preview(shapes: dict[str, tuple[int, ...]]) -> str:
    items = [f"{key}{list(shape)}" for key, shape in list(shapes.items())[:4]]
    return "{" + ", ".join(items) + (", …}" if len(shapes) > 4 else "}")
