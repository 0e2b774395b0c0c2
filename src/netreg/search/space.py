"""A declarative search space: what each hyperparameter may take, and nothing about how to search.

A space is a plain ``dict`` from a hyperparameter's name to a dimension:

>>> from netreg.search.space import Float, Int, Choice, to_dict, from_dict
>>> space = {
...     "alpha": Float(1e-5, 1e-1, log=True),
...     "l1_ratio": Float(0.0, 1.0),
...     "width": Int(8, 128, log=True),
...     "activation": Choice(["relu", "tanh"]),
... }
>>> from_dict(to_dict(space)) == space
True

Dimensions are pydantic models with ``extra="forbid"``, so a misspelled key in a config
file fails with the dimension's name in the message; both backends (Optuna in-process,
Ray Tune) read the same space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

if TYPE_CHECKING:
    import optuna

ChoiceValue = None | bool | int | float | str
"""What a categorical choice may hold: the types Optuna stores and JSON round-trips."""


# pydantic calls a custom __init__ when it validates a dict too, with the dict's keys as
# keywords: a sentinel default lets a missing key reach pydantic's own "Field required".
_UNSET: Any = object()


def _given(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not _UNSET}


class _Dimension(BaseModel):
    """Base class: immutable, strict, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def suggest(self, trial: optuna.Trial, name: str) -> Any:
        """Draw this dimension's value for ``trial`` under ``name``."""
        raise NotImplementedError

    def to_optuna(self) -> optuna.distributions.BaseDistribution:
        """The equivalent Optuna distribution (what Ray Tune's OptunaSearch consumes)."""
        raise NotImplementedError


class Float(_Dimension):
    """A real number in ``[low, high]``, sampled uniformly or, with ``log=True``, log-uniformly.

    ``log=True`` suits strengths such as λ and learning rates that matter by order of
    magnitude; it needs ``low > 0``.

    Examples
    --------
    >>> Float(1e-4, 1.0, log=True)
    Float(kind='float', low=0.0001, high=1.0, log=True)
    """

    kind: Literal["float"] = "float"
    low: float
    high: float
    log: bool = False

    def __init__(
        self, low: float = _UNSET, high: float = _UNSET, log: bool = False, **extra: Any
    ) -> None:
        super().__init__(**_given(low=low, high=high, log=log), **extra)

    @model_validator(mode="after")
    def _bounds(self) -> Float:
        if not self.low < self.high:
            raise ValueError(
                f"`low` must be < `high`. Received: low={self.low!r}, high={self.high!r}"
            )
        if self.log and self.low <= 0:
            raise ValueError(f"`low` must be > 0 when log=True. Received: low={self.low!r}")
        return self

    def suggest(self, trial: optuna.Trial, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def to_optuna(self) -> optuna.distributions.BaseDistribution:
        import optuna

        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)


class Int(_Dimension):
    """An integer in ``[low, high]`` (both included); ``log=True`` needs ``low >= 1``.

    Examples
    --------
    >>> Int(16, 256, log=True).high
    256
    """

    kind: Literal["int"] = "int"
    low: int
    high: int
    log: bool = False

    def __init__(
        self, low: int = _UNSET, high: int = _UNSET, log: bool = False, **extra: Any
    ) -> None:
        super().__init__(**_given(low=low, high=high, log=log), **extra)

    @model_validator(mode="after")
    def _bounds(self) -> Int:
        if not self.low <= self.high:
            raise ValueError(
                f"`low` must be <= `high`. Received: low={self.low!r}, high={self.high!r}"
            )
        if self.log and self.low < 1:
            raise ValueError(f"`low` must be >= 1 when log=True. Received: low={self.low!r}")
        return self

    def suggest(self, trial: optuna.Trial, name: str) -> int:
        return trial.suggest_int(name, self.low, self.high, log=self.log)

    def to_optuna(self) -> optuna.distributions.BaseDistribution:
        import optuna

        return optuna.distributions.IntDistribution(self.low, self.high, log=self.log)


class Choice(_Dimension):
    """One of a list of values (strings, numbers, booleans or None), all distinct.

    Examples
    --------
    >>> Choice(["relu", "tanh"]).choices
    ['relu', 'tanh']
    """

    kind: Literal["choice"] = "choice"
    choices: list[ChoiceValue] = Field(min_length=1)

    def __init__(self, choices: list[ChoiceValue] = _UNSET, **extra: Any) -> None:
        super().__init__(**_given(choices=choices), **extra)

    @model_validator(mode="after")
    def _distinct(self) -> Choice:
        # (type, value) keys: True and 1 are different choices, as Optuna treats them.
        keys = [(type(c).__name__, c) for c in self.choices]
        if len(set(keys)) != len(keys):
            raise ValueError(f"`choices` must be distinct. Received: choices={self.choices!r}")
        if any(isinstance(c, float) and not math.isfinite(c) for c in self.choices):
            raise ValueError(f"`choices` must be finite. Received: choices={self.choices!r}")
        return self

    def suggest(self, trial: optuna.Trial, name: str) -> ChoiceValue:
        return trial.suggest_categorical(name, self.choices)

    def to_optuna(self) -> optuna.distributions.BaseDistribution:
        import optuna

        return optuna.distributions.CategoricalDistribution(self.choices)


Dimension = Annotated[Float | Int | Choice, Field(discriminator="kind")]
"""One hyperparameter's range: :class:`Float`, :class:`Int` or :class:`Choice`."""

SearchSpace = dict[str, Float | Int | Choice]
"""Hyperparameter name -> dimension."""

_DIMENSION = TypeAdapter(Dimension)
_KINDS = ("float", "int", "choice")


def validate_space(space: Mapping[str, Any]) -> SearchSpace:
    """Check a space and return it as ``{name: dimension}``; configs (dicts) are parsed.

    Errors name the offending dimension, say what is valid, and end with
    ``Received: name=value``.

    Examples
    --------
    >>> validate_space({"lr": {"kind": "float", "low": 1e-4, "high": 1e-1, "log": True}})
    {'lr': Float(kind='float', low=0.0001, high=0.1, log=True)}
    """
    if not isinstance(space, Mapping) or not space:
        raise ValueError(
            "`space` must be a non-empty dict from hyperparameter names to Float, Int or "
            f"Choice dimensions. Received: space={space!r}"
        )
    out: SearchSpace = {}
    for name, value in space.items():
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"Search dimension names must be non-empty strings. Received: name={name!r}"
            )
        out[name] = _dimension(name, value)
    return out


def _dimension(name: str, value: Any) -> Float | Int | Choice:
    if isinstance(value, (Float, Int, Choice)):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"Search dimension {name!r} must be Float(...), Int(...), Choice([...]) or their "
            f"dict config. Received: {name}={value!r}"
        )
    if value.get("kind") not in _KINDS:
        raise ValueError(
            f"Search dimension {name!r} needs `kind` set to one of {', '.join(map(repr, _KINDS))}. "
            f"Received: {name}={dict(value)!r}"
        )
    try:
        return _DIMENSION.validate_python(dict(value))
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'value'}: {e['msg']}" for e in err.errors()
        )
        raise ValueError(
            f"Search dimension {name!r} is invalid ({problems}). Received: {name}={dict(value)!r}"
        ) from None


def to_dict(space: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The space as plain JSON-ready dicts (``from_dict`` reads it back)."""
    return {name: dim.model_dump() for name, dim in validate_space(space).items()}


def from_dict(config: Mapping[str, Any]) -> SearchSpace:
    """Read a space written by :func:`to_dict` (or by hand in a config file)."""
    return validate_space(config)


def to_optuna(space: Mapping[str, Any]) -> dict[str, optuna.distributions.BaseDistribution]:
    """``{name: optuna distribution}``, in the space's order."""
    return {name: dim.to_optuna() for name, dim in validate_space(space).items()}


def sample(space: SearchSpace, trial: optuna.Trial) -> dict[str, Any]:
    """Draw every dimension for ``trial``, in the space's order (so seeds replay)."""
    return {name: dim.suggest(trial, name) for name, dim in space.items()}
