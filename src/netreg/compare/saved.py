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
from torch import nn

from netreg.compare.single import FittedTable
from netreg.data import DataError, TableEncoder
from netreg.report.atomic import resolve_target
from netreg.train import mlp, predict, save_checkpoint
from netreg.train.checkpoint import apply_checkpoint, read_checkpoint

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


def save_model(path: str | os.PathLike[str], fitted: FittedTable, *, force: bool = False) -> Path:
    """Write ``fitted`` to ``path`` (weights + JSON config in one safetensors file).

    Raises
    ------
    FileNotFoundError, FileExistsError
        The folder is missing, or the file exists and ``force`` is False.
    """
    target = resolve_target(path, force=force)
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
    return save_checkpoint(target, fitted.model, extra={"netreg_model": document})


@dataclasses.dataclass(eq=False)
class SavedModel:
    """A loaded model: the network, its encoder, and how to turn outputs into predictions."""

    model: nn.Module
    encoder: TableEncoder
    task: str
    target: str
    classes: list[Any] | None
    y_mean: float
    y_scale: float
    params: dict[str, Any]
    architecture: dict[str, Any]

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Predictions for every row of ``frame`` (the target column, if present, is ignored).

        Regression: one column ``prediction`` on the target's scale. Classification:
        ``prediction`` (the most probable label) and ``proba_<label>`` per class.

        Raises
        ------
        DataError
            The columns differ from those the model was trained on (both lists are named),
            or values are missing or not numbers where numbers are expected.
        """
        features = frame.drop(columns=[self.target]) if self.target in frame.columns else frame
        X = self.encoder.transform(features)
        if self.task == "regression":
            out = predict(self.model, torch.from_numpy(X), task="regression")
            return pd.DataFrame({"prediction": self.y_mean + self.y_scale * np.asarray(out)})
        logits = predict(self.model, torch.from_numpy(X), task="regression")
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
    arch = config["architecture"]
    try:
        encoder = TableEncoder.from_config(config["encoder"])
        model = mlp(
            int(arch["n_inputs"]),
            hidden=tuple(int(h) for h in arch["hidden"]),
            n_outputs=int(arch["n_outputs"]),
            activation=str(arch["activation"]),
            dropout=float(arch["dropout"]),
            seed=0,
            dtype=torch.float64,
        )
    except (DataError, KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{os.fspath(path)!r} has a model config netreg cannot use: {error}. "
            f"Received: path={os.fspath(path)!r}"
        ) from None
    if encoder.n_outputs != model[0].in_features:
        raise ValueError(
            f"{os.fspath(path)!r} is inconsistent: the encoder makes {encoder.n_outputs} inputs "
            f"but the network reads {model[0].in_features}. Received: path={os.fspath(path)!r}"
        )
    model = model.to(_dtype_of(tensors))
    apply_checkpoint(path, document, tensors, model)
    model.eval()
    return SavedModel(
        model=model,
        encoder=encoder,
        task=str(config["task"]),
        target=str(config["target"]),
        classes=config["classes"],
        y_mean=float(config["y_mean"]),
        y_scale=float(config["y_scale"]),
        params=dict(config["params"]),
        architecture=dict(arch),
    )


def _dtype_of(tensors: dict[str, torch.Tensor]) -> torch.dtype:
    floating = [t.dtype for t in tensors.values() if t.is_floating_point()]
    return floating[0] if floating else torch.float64
