"""What a network trained on a table needs to answer for new rows of that table.

``fit_table`` returns one (with its training metrics, :class:`~netreg.compare.FittedTable`),
``load_model`` reads one back from a file (:class:`~netreg.compare.SavedModel`): both are a
:class:`TableModel`, so what is saved is exactly what is loaded.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from torch import nn

from netreg.data import TableEncoder


@dataclasses.dataclass(eq=False)
class TableModel:
    """A network, the encoder of its inputs and how its outputs map back to the target.

    Attributes
    ----------
    model : nn.Module
        The network (an :func:`netreg.train.mlp`), taking encoded inputs.
    architecture : dict
        ``n_inputs``, ``hidden``, ``n_outputs``, ``activation``, ``dropout``: enough to rebuild it.
    encoder : TableEncoder
        Fitted on the training rows.
    task : {"regression", "classification"}
    target : str
    classes : list or None
        Label of each output for classification.
    y_mean, y_scale : float
        Regression targets were standardized as ``(y − y_mean) / y_scale`` for training.
    params : dict
        The estimator's parameters, the chosen ``alpha`` included.
    """

    model: nn.Module
    architecture: dict[str, Any]
    encoder: TableEncoder
    task: str
    target: str
    classes: list[Any] | None
    y_mean: float
    y_scale: float
    params: dict[str, Any]
