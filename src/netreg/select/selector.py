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
    the audit says why. Selectors pickle (their predicates are module-level classes), so
    plans travel to worker processes for parallel cross-validation.
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
            _AllOf((self.predicate, other.predicate)),
            f"({self.description} & {other.description})",
            self.explicit | other.explicit,
        )

    def __or__(self, other: Selector) -> Selector:
        return Selector(
            _AnyOf((self.predicate, other.predicate)),
            f"({self.description} | {other.description})",
            self.explicit | other.explicit,
        )

    def __invert__(self) -> Selector:
        return Selector(_Not(self.predicate), f"~{self.description}")

    def __repr__(self) -> str:
        return self.description

    def __hash__(self) -> int:  # selectors are dict keys in a Plan
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


# -- predicates: small callables that pickle by reference ---------------------------------
@dataclass(frozen=True)
class _AllOf:
    parts: tuple[Predicate, ...]

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return builtins.all(part(n, p, m, c) for part in self.parts)


@dataclass(frozen=True)
class _AnyOf:
    parts: tuple[Predicate, ...]

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return builtins.any(part(n, p, m, c) for part in self.parts)


@dataclass(frozen=True)
class _Not:
    part: Predicate

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return not self.part(n, p, m, c)


@dataclass(frozen=True)
class _Everything:
    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return True


@dataclass(frozen=True)
class _Role:
    """Weights (``bias=False``) or biases (``bias=True``), optionally of some module types."""

    bias: bool
    types: tuple[ModuleClass, ...] = ()

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return is_bias(n) == self.bias and (not self.types or isinstance(m, self.types))


@dataclass(frozen=True)
class _Named:
    patterns: tuple[str, ...]

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return builtins.any(fnmatch.fnmatchcase(n, pat) for pat in self.patterns)


@dataclass(frozen=True)
class _OfType:
    types: tuple[ModuleClass, ...]

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return isinstance(m, self.types)


@dataclass(frozen=True)
class _InputWeight:
    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        if c.input_layer is None:
            return False
        prefix = f"{c.input_layer}." if c.input_layer else ""
        return n == prefix + "weight"


@dataclass(frozen=True)
class _UserPredicate:
    """Wraps ``where(fn)``; pickles when ``fn`` does (a module-level function)."""

    fn: Callable[[str, Tensor, nn.Module], bool]

    def __call__(self, n: str, p: Tensor, m: nn.Module, c: Context) -> bool:
        return bool(self.fn(n, p, m))


def _type_names(types: Iterable[ModuleClass]) -> str:
    return ", ".join(t.__name__ for t in types)


def _check_types(types: tuple[ModuleClass, ...]) -> None:
    for t in types:
        if not (isinstance(t, builtins.type) and issubclass(t, nn.Module)):
            raise TypeError(f"Selectors take nn.Module subclasses. Received: type={t!r}")


def all() -> Selector:
    """Every parameter (default exclusions still apply)."""
    return Selector(_Everything(), "all()")


def weights(*types: ModuleClass) -> Selector:
    """Weights (not biases), optionally only of the given module types: ``weights(nn.Linear)``."""
    _check_types(types)
    label = f"weights({_type_names(types)})"
    return Selector(_Role(False, types), label)


def biases(*types: ModuleClass) -> Selector:
    """Biases, asked for on purpose (they are excluded by default)."""
    _check_types(types)
    label = f"biases({_type_names(types)})"
    return Selector(_Role(True, types), label, frozenset({"bias"}))


def name(*patterns: str) -> Selector:
    """Parameters whose full name matches any glob: ``name("head.*", "*.0.weight")``."""
    if not patterns or not builtins.all(isinstance(p, str) for p in patterns):
        raise ValueError(
            f"select.name() needs one or more glob strings. Received: patterns={patterns!r}"
        )
    label = "name(" + ", ".join(repr(p) for p in patterns) + ")"
    return Selector(_Named(tuple(patterns)), label)


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
    return Selector(_OfType(types), f"type({_type_names(types)})", frozenset(explicit))


def norms() -> Selector:
    """Parameters of normalization layers, asked for on purpose."""
    return Selector(_OfType(NORM_TYPES), "norms()", frozenset({"norm"}))


def embeddings() -> Selector:
    """Embedding tables, asked for on purpose."""
    return Selector(_OfType(EMBEDDING_TYPES), "embeddings()", frozenset({"embedding"}))


def input_layer() -> Selector:
    """The weight of the first Linear or Conv layer: the one that reads the input features.

    With ``GroupLasso(groups="inputs")`` this is feature selection.
    """
    return Selector(_InputWeight(), "input_layer()")


def where(
    predicate: Callable[[str, Tensor, nn.Module], bool], description: str = "where(...)"
) -> Selector:
    """Any predicate of your own over (name, parameter, module)."""
    return Selector(_UserPredicate(predicate), description)
