"""Selectors: predicates over (name, parameter, module), combined with &, | and ~.

One selection mechanism serves plans, ``param_groups`` and pruning alike.
"""

from __future__ import annotations

import builtins
import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from torch import Tensor, nn

from netreg.select.kinds import EMBEDDING_TYPES, NORM_TYPES, is_bias


@dataclass(frozen=True)
class Context:
    """What a selector may know about the whole model when it is bound."""

    input_layer: str | None = None  # name of the first Linear/Conv module ('' for the root)


Predicate = Callable[[str, Tensor, nn.Module, Context], bool]
ModuleClass = builtins.type[nn.Module]  # spelled out: this module defines a `type()` selector


@dataclass(frozen=True)
class Selector:
    """A named predicate over parameters.

    ``explicit`` lists the default-excluded kinds (``bias``, ``norm``, ``embedding``) this
    selector asks for on purpose; any other match of such a parameter is left out and
    the audit says why.
    """

    predicate: Predicate = field(repr=False, compare=False)
    description: str
    explicit: frozenset[str] = frozenset()

    def matches(
        self, name: str, param: Tensor, module: nn.Module, ctx: Context | None = None
    ) -> bool:
        return bool(self.predicate(name, param, module, ctx or Context()))

    def __and__(self, other: Selector) -> Selector:
        return Selector(
            lambda n, p, m, c: self.predicate(n, p, m, c) and other.predicate(n, p, m, c),
            f"({self.description} & {other.description})",
            self.explicit | other.explicit,
        )

    def __or__(self, other: Selector) -> Selector:
        return Selector(
            lambda n, p, m, c: self.predicate(n, p, m, c) or other.predicate(n, p, m, c),
            f"({self.description} | {other.description})",
            self.explicit | other.explicit,
        )

    def __invert__(self) -> Selector:
        return Selector(lambda n, p, m, c: not self.predicate(n, p, m, c), f"~{self.description}")

    def __repr__(self) -> str:
        return self.description

    def __hash__(self) -> int:  # selectors are dict keys in a Plan
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def _type_names(types: Iterable[ModuleClass]) -> str:
    return ", ".join(t.__name__ for t in types)


def _check_types(types: tuple[ModuleClass, ...]) -> None:
    for t in types:
        if not (isinstance(t, builtins.type) and issubclass(t, nn.Module)):
            raise TypeError(f"Selectors take nn.Module subclasses. Received: type={t!r}")


def all() -> Selector:
    """Every parameter (default exclusions still apply)."""
    return Selector(lambda n, p, m, c: True, "all()")


def weights(*types: ModuleClass) -> Selector:
    """Weights (not biases), optionally only of the given module types: ``weights(nn.Linear)``."""
    _check_types(types)
    label = f"weights({_type_names(types)})"
    return Selector(
        lambda n, p, m, c: not is_bias(n) and (not types or isinstance(m, types)), label
    )


def biases(*types: ModuleClass) -> Selector:
    """Biases, asked for on purpose (they are excluded by default)."""
    _check_types(types)
    label = f"biases({_type_names(types)})"
    return Selector(
        lambda n, p, m, c: is_bias(n) and (not types or isinstance(m, types)),
        label,
        frozenset({"bias"}),
    )


def name(*patterns: str) -> Selector:
    """Parameters whose full name matches any glob: ``name("head.*", "*.0.weight")``."""
    if not patterns or not builtins.all(isinstance(p, str) for p in patterns):
        raise ValueError(
            f"select.name() needs one or more glob strings. Received: patterns={patterns!r}"
        )
    label = "name(" + ", ".join(repr(p) for p in patterns) + ")"
    return Selector(lambda n, p, m, c: any(fnmatch.fnmatchcase(n, pat) for pat in patterns), label)


def type(*types: ModuleClass) -> Selector:
    """Every parameter of modules of these types (norm / embedding types count as asked for)."""
    if not types:
        raise ValueError("select.type() needs at least one module type. Received: types=()")
    _check_types(types)
    explicit = set()
    if any(issubclass(t, NORM_TYPES) for t in types):
        explicit.add("norm")
    if any(issubclass(t, EMBEDDING_TYPES) for t in types):
        explicit.add("embedding")
    return Selector(
        lambda n, p, m, c: isinstance(m, types), f"type({_type_names(types)})", frozenset(explicit)
    )


def norms() -> Selector:
    """Parameters of normalization layers, asked for on purpose."""
    return Selector(lambda n, p, m, c: isinstance(m, NORM_TYPES), "norms()", frozenset({"norm"}))


def embeddings() -> Selector:
    """Embedding tables, asked for on purpose."""
    return Selector(
        lambda n, p, m, c: isinstance(m, EMBEDDING_TYPES), "embeddings()", frozenset({"embedding"})
    )


def input_layer() -> Selector:
    """The weight of the first Linear or Conv layer: the one that reads the input features.

    With ``GroupLasso(groups="inputs")`` this is feature selection.
    """

    def is_input_weight(n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        if c.input_layer is None:
            return False
        prefix = f"{c.input_layer}." if c.input_layer else ""
        return n == prefix + "weight"

    return Selector(is_input_weight, "input_layer()")


def where(
    predicate: Callable[[str, Tensor, nn.Module], bool], description: str = "where(...)"
) -> Selector:
    """Any predicate of your own over (name, parameter, module)."""
    return Selector(lambda n, p, m, c: predicate(n, p, m), description)
