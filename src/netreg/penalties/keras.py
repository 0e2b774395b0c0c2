"""Reading penalties the way Keras writes them: string ids, config dicts, our own configs.

``get("l1")`` is ``L1(0.01)``, ``get("l2")`` is ``L2(0.01)``, and ``get("l1_l2")`` is
``ElasticNet(0.01, 0.01)``, as Keras documents them. (Keras 3's ``L1L2()`` *class* defaults
to ``l1=l2=0.0``; a config dict with explicit values means the same in both.)
"""

from __future__ import annotations

from typing import Any

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
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A penalty config must be a dict with 'class_name' and 'config' keys, as written "
            f"by netreg.penalties.serialize or Keras. Received: config={config!r}"
        )
    name = config["class_name"]
    body = dict(config.get("config") or {})
    if name in _KERAS_CLASSES:
        cls = _KERAS_CLASSES[name]
        if cls is ElasticNet:  # Keras's L1L2 writes None for a missing part
            body = {k: (0.0 if v is None else v) for k, v in body.items()}
        return cls.from_config(body)
    known = registered_penalties()
    if name not in known:
        valid = sorted(set(known) | set(_KERAS_CLASSES))
        raise ValueError(
            f"Unknown penalty class {name!r}; valid names are {valid}. Received: class_name={name!r}"
        )
    return known[name].from_config(body)


def get(identifier: Penalty | str | dict[str, Any] | None) -> Penalty | None:
    """A penalty from an instance, a Keras string id, or a config dict; ``None`` passes through."""
    if identifier is None or isinstance(identifier, Penalty):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _STRING_IDS:
            raise ValueError(
                f"Unknown penalty id {identifier!r}; valid ids are {sorted(_STRING_IDS)}. "
                f"Received: identifier={identifier!r}"
            )
        return _STRING_IDS[key]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(
        "A penalty must be a Penalty, a string id ('l1', 'l2', 'l1_l2') or a config dict. "
        f"Received: identifier={identifier!r}"
    )
