"""Constraints from Keras configs and string ids, and our own serialization."""

from __future__ import annotations

from typing import Any

from netreg._config import resolve, split_config
from netreg.constraints._axis import from_keras_axis
from netreg.constraints.base import Constraint, registered_constraints
from netreg.constraints.non_neg import NonNeg
from netreg.constraints.norms import MaxNorm, MinMaxNorm, UnitNorm

STRING_IDS = {
    "max_norm": MaxNorm,
    "maxnorm": MaxNorm,
    "unit_norm": UnitNorm,
    "unitnorm": UnitNorm,
    "min_max_norm": MinMaxNorm,
    "minmaxnorm": MinMaxNorm,
    "non_neg": NonNeg,
    "nonneg": NonNeg,
}


def serialize(constraint: Constraint) -> dict[str, Any]:
    """Our own form, marked ``"layout": "torch"`` so that a list ``axis`` is read as torch dims."""
    return {
        "class_name": type(constraint).__name__,
        "config": constraint.get_config(),
        "layout": "torch",
    }


def deserialize(config: dict[str, Any]) -> Constraint:
    """From ``serialize``'s dict or a Keras config (whose ``axis`` is in Keras's kernel layout).

    A Keras config is recognised by its ``module`` key (Keras 3) or by an integer or list
    ``axis``; netreg's own configs write ``axis`` as ``"units"``, ``"inputs"`` or a list of
    torch dims and carry ``"layout": "torch"``.
    """
    name, body = split_config("constraint", config, registered_constraints())
    is_keras = config.get("layout") != "torch"
    if is_keras and "axis" in body and not isinstance(body["axis"], str):
        body["axis"] = from_keras_axis(body["axis"])
    return registered_constraints()[name].from_config(body)


def get(identifier: Constraint | str | dict[str, Any] | None) -> Constraint | None:
    """A constraint from an instance, a Keras string id, or a config dict; ``None`` passes through."""
    return resolve("constraint", identifier, Constraint, STRING_IDS, deserialize)
