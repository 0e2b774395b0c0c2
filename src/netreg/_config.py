"""Keras-style configs, shared by penalties and constraints.

Both are frozen dataclasses that Keras users serialize as ``{"class_name", "config"}`` dicts
and name by string ids (``"l1"``, ``"max_norm"``). The mechanics are the same for both
families, so they are written here once; each family keeps its own ids and Keras quirks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from netreg._validation import check_config_keys

T = TypeVar("T")


class Configurable:
    """A frozen-dataclass family with ``get_config``/``from_config`` and a registry by name.

    The family's base class sets ``family_registry = {}``; every subclass registers itself
    there under its class name (what ``class_name`` in a config refers to).
    """

    family_registry: ClassVar[dict[str, type[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "family_registry" not in vars(cls):  # the family's base registers no one
            cls.family_registry[cls.__name__] = cls

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as plain Python values (tuples become lists, as in JSON)."""
        config = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            config[field.name] = list(value) if isinstance(value, tuple) else value
        return config

    @classmethod
    def from_config(cls: type[T], config: dict[str, Any]) -> T:
        """Rebuild from ``get_config()``; an unknown key is an error naming it."""
        names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
        check_config_keys(cls.__name__, config, names)
        return cls(**config)


def split_config(
    kind: str, config: Any, known: Mapping[str, type[Any]]
) -> tuple[str, dict[str, Any]]:
    """``(class_name, body)`` of a ``{"class_name", "config"}`` dict, checked against ``known``."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"A {kind} config must be a dict with 'class_name' and 'config' keys, as written "
            f"by netreg's serialize or by Keras. Received: config={config!r}"
        )
    name = config["class_name"]
    if name not in known:
        raise ValueError(
            f"Unknown {kind} class {name!r}; valid names are {sorted(known)}. "
            f"Received: class_name={name!r}"
        )
    return name, dict(config.get("config") or {})


def resolve(
    kind: str,
    identifier: Any,
    base: type[T],
    string_ids: Mapping[str, Callable[[], T]],
    deserialize: Callable[[dict[str, Any]], T],
) -> T | None:
    """An instance, a string id (case-insensitive) or a config dict; ``None`` passes through."""
    if identifier is None or isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in string_ids:
            raise ValueError(
                f"Unknown {kind} id {identifier!r}; valid ids are {sorted(string_ids)}. "
                f"Received: identifier={identifier!r}"
            )
        return string_ids[key]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(
        f"A {kind} must be a {base.__name__}, a string id ({', '.join(sorted(string_ids))}) "
        f"or a config dict. Received: identifier={identifier!r}"
    )
