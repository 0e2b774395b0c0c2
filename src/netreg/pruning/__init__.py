"""Structured pruning: turn exactly-zero groups into a physically smaller, faster model.

Group lasso drives whole units (``GroupLasso(groups="units")``) or whole input features
(``groups="inputs"``) to exactly zero; masks leave the tensors their full size, so nothing
gets faster. :func:`prune` removes those groups from Linear, Conv1d and Conv2d layers and
the batch norms that follow, through ``nn.Sequential`` chains and (with torch-pruning)
residual sums and concatenations, and folds the constant output of a zero-weight unit
into the next layer's bias, so the function is unchanged.

- ``prune(model, example_input=None, ...) -> (smaller_model, PruneResult)``
- ``save_pruned(model, path)`` / ``load_pruned(path)``: safetensors weights and a JSON
  architecture (no pickle);
- ``export_onnx(model, path, example_input)`` with the ``onnx`` extra.

``netreg.prune`` is :func:`prune` itself, re-exported at the top level.
"""

from __future__ import annotations

from netreg.pruning.core import prune
from netreg.pruning.export import export_onnx
from netreg.pruning.io import load_prune_result, load_pruned, save_pruned
from netreg.pruning.result import PruneResult

__all__ = [
    "PruneResult",
    "export_onnx",
    "load_prune_result",
    "load_pruned",
    "prune",
    "save_pruned",
]
