"""Argument checks shared by every layer.

Every message names the parameter, says what would be valid, and ends with
``Received: name=value`` so that a user can find the offending argument at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r}"


def _is_boolean(value: Any) -> bool:
    """Python, NumPy and torch booleans all convert to 1.0; none of them is a strength."""
    if isinstance(value, bool):
        return True
    dtype = getattr(value, "dtype", None)
    return dtype is not None and (str(dtype) in ("bool", "torch.bool"))


def check_float(
    name: str,
    value: Any,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as a finite float within the given bounds, or raise ValueError."""
    if isinstance(value, bool) or (
        not isinstance(value, (int, float)) and not hasattr(value, "__float__")
    ):
        raise TypeError(f"`{name}` must be a real number. {_received(name, value)}")
    if _is_boolean(value):
        raise TypeError(f"`{name}` must be a real number, not a boolean. {_received(name, value)}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a real number. {_received(name, value)}") from None
    if not math.isfinite(x):
        raise ValueError(
            f"`{name}` must be a finite number, not NaN or infinity. {_received(name, value)}"
        )
    if low is not None and (x < low or (x == low and not low_inclusive)):
        bound = f">= {low}" if low_inclusive else f"> {low}"
        raise ValueError(f"`{name}` must be {bound}. {_received(name, value)}")
    if high is not None and (x > high or (x == high and not high_inclusive)):
        bound = f"<= {high}" if high_inclusive else f"< {high}"
        raise ValueError(f"`{name}` must be {bound}. {_received(name, value)}")
    return x


def check_strength(name: str, value: Any) -> float:
    """A regularization strength: finite and non-negative."""
    return check_float(name, value, low=0.0)


def check_fraction(name: str, value: Any) -> float:
    """A mixing fraction in the closed interval [0, 1]."""
    return check_float(name, value, low=0.0, high=1.0)


def check_positive(name: str, value: Any) -> float:
    """A strictly positive finite number (a norm bound, a learning rate)."""
    return check_float(name, value, low=0.0, low_inclusive=False)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` must be one of ``choices``."""
    options = list(choices)
    if value not in options:
        valid = ", ".join(repr(c) for c in options)
        raise ValueError(f"`{name}` must be one of {valid}. {_received(name, value)}")
    return value


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (bool refused) within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an integer. {_received(name, value)}")
    if low is not None and value < low:
        raise ValueError(f"`{name}` must be >= {low}. {_received(name, value)}")
    if high is not None and value > high:
        raise ValueError(f"`{name}` must be <= {high}. {_received(name, value)}")
    return value


def check_config_keys(owner: str, config: dict[str, Any], valid: Iterable[str]) -> None:
    """A config dict may hold only ``valid`` keys; an unknown one is named in the error."""
    names = sorted(valid)
    unknown = sorted(set(config) - set(names))
    if unknown:
        raise ValueError(
            f"Unknown config key(s) {unknown} for {owner}; valid keys are {names}. "
            f"Received: config={config!r}"
        )


def nesting_depth(document: Any, stop_at: int) -> int:
    """How deeply lists and dicts nest in ``document`` (a scalar is 0), found without
    recursion, so a hostile file nested 10⁵ deep costs no stack; counting stops past
    ``stop_at``."""
    deepest, stack = 0, [(document, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            if level > stop_at:
                return level
            stack += [(v, level) for v in (value.values() if isinstance(value, dict) else value)]
    return deepest
