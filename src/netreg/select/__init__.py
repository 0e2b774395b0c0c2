"""Selectors over (name, parameter, module): ``weights()``, ``biases()``, ``name(glob)``,
``type(...)``, ``norms()``, ``embeddings()``, ``input_layer()``, ``where(fn)``; combine
with ``&``, ``|`` and ``~``."""

from netreg.select.kinds import KINDS, kind_of, owners_of
from netreg.select.selector import (
    Context,
    Selector,
    all,
    biases,
    embeddings,
    input_layer,
    name,
    norms,
    type,
    weights,
    where,
)

__all__ = [
    "KINDS",
    "Context",
    "Selector",
    "all",
    "biases",
    "embeddings",
    "input_layer",
    "kind_of",
    "name",
    "norms",
    "owners_of",
    "type",
    "weights",
    "where",
]
