"""Write a file all at once or not at all, and never over an existing one by accident.

The bytes go to a hidden temporary file in the target's own folder, are flushed to disk, and
the temporary file is then renamed onto the target (``os.replace``, atomic on POSIX and
Windows). A reader therefore sees either the old file or the complete new one, and an error or
Ctrl-C at any point leaves no temporary file behind. Without ``force`` the final step is a hard
link, which fails if the target appeared meanwhile, so even a race cannot clobber a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

_DEFAULT_UMASK = 0o022


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    with contextlib.suppress(OSError, ValueError):
        status = Path("/proc/self/status").read_text()
        match = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
        if match:
            return int(match.group(1), 8)
    return _DEFAULT_UMASK


def resolve_target(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Resolve ``path`` and check that it may be written.

    Raises
    ------
    FileNotFoundError
        The parent folder does not exist (the message names it).
    NotADirectoryError
        The parent exists but is not a folder.
    IsADirectoryError
        ``path`` is a folder.
    FileExistsError
        ``path`` exists and ``force`` is False (the message says to use ``--force``).
    """
    target = Path(os.fspath(path)).expanduser().resolve()
    folder = target.parent
    if not folder.exists():
        raise FileNotFoundError(
            f"Cannot write {target}: the folder {folder} does not exist. "
            f"Create it first, or choose another path. Received: path={os.fspath(path)!r}"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"Cannot write {target}: {folder} is not a folder. Received: path={os.fspath(path)!r}"
        )
    if target.is_dir():
        raise IsADirectoryError(
            f"Cannot write {target}: it is a folder; give a file name. "
            f"Received: path={os.fspath(path)!r}"
        )
    if target.exists() and not force:
        raise FileExistsError(_exists_message(target))
    return target


def _exists_message(target: Path) -> str:
    return f"{target} already exists; use --force (force=True) to overwrite it."


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; see the module docstring.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. Its folder must exist; ``~`` is expanded and the path resolved.
    data : bytes
        The complete contents.
    force : bool, default False
        Replace the file if it exists. Without it an existing file is never touched.

    Returns
    -------
    pathlib.Path
        The resolved path written.

    Raises
    ------
    FileNotFoundError, NotADirectoryError, IsADirectoryError, FileExistsError
        See :func:`resolve_target`.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"`data` must be bytes. Received: data={type(data).__name__}")
    with staged_file(path, force=force) as (handle, publish):
        handle.write(data)
        return publish()


@contextlib.contextmanager
def staged_file(
    path: str | os.PathLike[str], *, force: bool = False
) -> Iterator[tuple[BinaryIO, Callable[[], Path]]]:
    """A temporary file to write in pieces, and the function that publishes it at ``path``.

    For outputs too large to hold in memory (predictions of a large table): write to the
    handle as the pieces come, then call ``publish()`` (flush to disk, move into place as
    :func:`atomic_write_bytes` does; returns the resolved path). Leaving the block without
    publishing, or on an error or Ctrl-C, removes the temporary file.
    """
    target = resolve_target(path, force=force)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    published = False
    try:
        with os.fdopen(fd, "wb") as handle:

            def publish() -> Path:
                nonlocal published
                handle.flush()
                os.fsync(handle.fileno())
                os.chmod(tmp, _mode_for(target))
                _publish(tmp, target, force=force)
                published = True
                _sync_folder(target.parent)
                return target

            yield handle, publish
    finally:
        if not published:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, force: bool = False, encoding: str = "utf-8"
) -> Path:
    """Write ``text`` to ``path`` atomically (encoded, newlines untouched); returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.txt", "hello").read_text()
    'hello'
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string. Received: text={type(text).__name__}")
    return atomic_write_bytes(path, text.encode(encoding), force=force)


def _mode_for(target: Path) -> int:
    """Keep an overwritten file's permissions; a new file gets the usual ``0o666 & ~umask``."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    return 0o666 & ~_umask()


def _publish(tmp: Path, target: Path, *, force: bool) -> None:
    """Move the finished temporary file onto ``target``; without ``force``, never clobber."""
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(_exists_message(target)) from None
    except OSError:
        # Hard links unsupported here (some network or FAT file systems): check, then rename.
        if target.exists():
            raise FileExistsError(_exists_message(target)) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry so the rename survives a power cut (POSIX only; best effort)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
