"""ONNX export of a (pruned) model, checked with ``onnx.checker`` (extra: ``netreg[onnx]``)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netreg._validation import check_int

ONNX_HINT = "pip install netreg[onnx]"


def export_onnx(
    model: nn.Module,
    path: str | os.PathLike[str],
    example_input: Any,
    *,
    input_names: Sequence[str] = ("input",),
    output_names: Sequence[str] = ("output",),
    opset_version: int = 17,
    dynamic_batch: bool = True,
) -> Path:
    """Export ``model`` (in eval mode) to ONNX at ``path`` and validate the file.

    Parameters
    ----------
    model : nn.Module
        Typically the pruned model; it takes ``result.select_inputs(X)``.
    path : path-like
        Destination ``.onnx`` file.
    example_input : Tensor or tuple of Tensors
        One batch of the model's input, used to trace it.
    input_names, output_names : sequence of str
        Names of the graph's inputs and outputs.
    opset_version : int, default 17
    dynamic_batch : bool, default True
        Let the first axis of every input and output vary.

    Returns
    -------
    Path
        ``path``, after ``onnx.checker.check_model`` accepted it.

    Notes
    -----
    Uses torch's TorchScript-based exporter (``dynamo=False``), which needs only the
    ``onnx`` package; the newer exporter needs ``onnxscript`` as well.
    """
    try:
        import onnx
    except ImportError as err:
        raise ImportError(f"Exporting to ONNX needs the onnx package: {ONNX_HINT}") from err
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"`model` must be a torch.nn.Module. Received: model={type(model).__name__}"
        )
    check_int("opset_version", opset_version, low=7)
    args = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(input_names) + list(output_names)
    dynamic_axes = {name: {0: "batch"} for name in names} if dynamic_batch else None
    was_training = model.training
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the exporter's own deprecation
            torch.onnx.export(
                model,
                args,
                str(path),
                dynamo=False,
                input_names=list(input_names),
                output_names=list(output_names),
                dynamic_axes=dynamic_axes,
                opset_version=opset_version,
            )
    finally:
        model.train(was_training)
    onnx.checker.check_model(onnx.load(str(path)))
    return path
