"""Reading penalties the way Keras writes them: string ids, config dicts, our own configs.

``get("l1")`` is ``L1(0.01)``, ``get("l2")`` is ``L2(0.01)``, and ``get("l1_l2")`` is
``ElasticNet(0.01, 0.01)``, as Keras documents them. (Keras 3's ``L1L2()`` *class* defaults
to ``l1=l2=0.0``; a config dict with explicit values means the same in both.)
"""

from __future__ import annotations

from typing import Any

from netreg._config import resolve, split_config
from netreg.penalties.base import Penalty, registered_penalties
from netreg.penalties.elastic_net import ElasticNet
from netreg.penalties.l1 import L1
from netreg.penalties.l2 import L2

_STRING_IDS = {
    "l1": lambda: L1(0.01),
    "l2": lambda: L2(0.01),
    "l1_l2": lambda: ElasticNet(0.01, 0.01),
    "l1l2": lambda: ElasticNet(0.01, 0.01),
}

# Keras class names whose configs map field-for-field onto ours.
_KERAS_CLASSES: dict[str, type[Penalty]] = {"L1": L1, "L2": L2, "L1L2": ElasticNet}


def serialize(penalty: Penalty) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}``, the shape Keras uses."""
    return {"class_name": type(penalty).__name__, "config": penalty.get_config()}


def deserialize(config: dict[str, Any]) -> Penalty:
    """Build a penalty from ``serialize``'s dict or from a Keras 2/3 regularizer config."""
    known = {**registered_penalties(), **_KERAS_CLASSES}  # Keras's names map onto ours
    name, body = split_config("penalty", config, known)
    cls = known[name]
    if name == "L1L2":  # Keras's L1L2 writes None for a missing part
        body = {k: (0.0 if v is None else v) for k, v in body.items()}
    return cls.from_config(body)


def get(identifier: Penalty | str | dict[str, Any] | None) -> Penalty | None:
    """A penalty from an instance, a Keras string id, or a config dict; ``None`` passes through."""
    return resolve("penalty", identifier, Penalty, _STRING_IDS, deserialize)
