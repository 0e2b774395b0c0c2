"""The one exception type for bad user data."""

from __future__ import annotations


class DataError(ValueError):
    """A table, column or value that netreg cannot use, explained in one line.

    Raised for problems with the user's data (a missing file, a NaN in a feature, a target with
    one class, different columns at predict time), never for programming errors. The message is a
    single line that names the file, column, value or limit involved and says what would work, so
    that the command line can print it to stderr and exit with status 2.

    Examples
    --------
    >>> from netreg.data import DataError
    >>> issubclass(DataError, ValueError)
    True
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
