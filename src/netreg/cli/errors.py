"""User errors end the command with one line on stderr and exit status 2, never a traceback.

What counts as the user's error: bad data (:class:`netreg.data.DataError`), missing or
existing files, folders that are not there, a config file that does not validate, a model
file that is not a netreg safetensors file, and out-of-range options (netreg's
``ValueError`` messages name the option and the value). Anything else is a bug in netreg
and keeps its traceback, so that it can be reported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from netreg._interrupts import interrupt_requested
from netreg.cli.interrupt import EXIT_INTERRUPTED, report_interrupt

EXIT_USER_ERROR = 2

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(ValueError):
    """A bad combination of command-line options, explained in one line."""


def one_line(text: str) -> str:
    """``text`` with all whitespace runs (newlines included) collapsed to single spaces."""
    return " ".join(str(text).split())


def describe_validation_error(error: ValidationError, source: str = "config") -> str:
    """Every problem of a pydantic error as ``source: key.path: message``, on one line.

    An unknown key is named by its full path (``model.hiden``), so a typo is found at once.
    """
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ())) or "(top level)"
        if item.get("type") == "extra_forbidden":
            parts.append(f"unknown key {where!r}")
        else:
            message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
            parts.append(f"{where}: {message} (got {item.get('input')!r})")
    return f"{source}: " + "; ".join(parts)


def message_of(error: BaseException) -> str:
    """The one-line message printed for a user error."""
    if isinstance(error, ValidationError):
        return one_line(describe_validation_error(error))
    if isinstance(error, KeyError) and error.args:
        return one_line(str(error.args[0]))
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return one_line(f"{error.strerror}: {error.filename}")
    text = str(error).strip()
    return one_line(text or type(error).__name__)


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; the caller raises the returned Exit(2)."""
    sys.stderr.write(f"error: {one_line(message)}\n")
    sys.stderr.flush()
    return typer.Exit(EXIT_USER_ERROR)


# netreg.data's DataError is a ValueError, so it is a user error too.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UsageError,
    ValidationError,
    FileNotFoundError,
    FileExistsError,
    NotADirectoryError,
    IsADirectoryError,
    PermissionError,
    ValueError,
)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors of :data:`USER_ERRORS` into ``error: …`` on stderr and exit status 2."""
    try:
        yield
    except typer.Exit:
        raise
    except BaseException as error:
        # After a Ctrl-C, whatever comes out is the interruption: some libraries turn the
        # KeyboardInterrupt into their own error (pandas' parser, a C extension's import).
        if isinstance(error, KeyboardInterrupt) or interrupt_requested():
            report_interrupt()
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if isinstance(error, USER_ERRORS):
            raise fail(message_of(error)) from None
        raise


def handles_user_errors(command: F) -> F:
    """Decorator form of :func:`user_errors` for a command function."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
