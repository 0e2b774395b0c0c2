"""Atomic writes: all or nothing, never over an existing file without force, no temp left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from netreg.report import Report, atomic_write_bytes, atomic_write_text, write_report
from netreg.report import atomic as atomic_module


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_exactly_and_returns_the_resolved_path(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = atomic_write_text(tmp_path / "sub" / ".." / "a.txt", "λ\r\nline\n")
    assert path == (tmp_path / "a.txt").resolve()
    assert path.read_bytes() == "λ\r\nline\n".encode()
    assert listing(tmp_path) == ["a.txt", "sub"]


def test_writes_bytes(tmp_path: Path) -> None:
    path = atomic_write_bytes(tmp_path / "a.bin", b"\x00\x01\xff")
    assert path.read_bytes() == b"\x00\x01\xff"


def test_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert atomic_write_text("~/h.txt", "x") == (tmp_path / "h.txt").resolve()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(FileExistsError) as info:
        atomic_write_text(target, "new")
    assert str(target.resolve()) in str(info.value) and "use --force" in str(info.value)
    assert target.read_text() == "old"
    assert listing(tmp_path) == ["a.txt"]


def test_force_overwrites_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new", force=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["a.txt"]


def test_new_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    path = atomic_write_text(tmp_path / "a.txt", "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_missing_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "missing" / "deeper"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write_text(folder / "a.txt", "x")
    assert f"the folder {folder.resolve()} does not exist" in str(info.value)
    assert listing(tmp_path) == []


def test_parent_that_is_a_file_or_target_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        atomic_write_text(tmp_path / "file" / "a.txt", "x")
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic_write_text(tmp_path / "dir", "x", force=True)


def test_wrong_data_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="data"):
        atomic_write_bytes(tmp_path / "a", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text"):
        atomic_write_text(tmp_path / "a", b"bytes")  # type: ignore[arg-type]
    assert listing(tmp_path) == []


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_replace_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken_replace(src: object, dst: object) -> None:
        raise exc

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(type(exc)):
        write_report(Report("t"), target, force=True)
    assert target.read_text() == "old"
    assert listing(tmp_path) == ["report.html"]


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_publish_of_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    def broken(src: object, dst: object) -> None:
        raise exc

    monkeypatch.setattr(os, "replace", broken)
    monkeypatch.setattr(os, "link", broken)
    with pytest.raises(type(exc)):
        write_report(Report("t"), tmp_path / "report.html")
    assert listing(tmp_path) == []


def test_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write_text(tmp_path / "a.txt", "x" * 100_000)
    assert listing(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_not_clobbered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    real_link = os.link

    def racing_link(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        Path(dst).write_text("theirs")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(FileExistsError, match="use --force"):
        atomic_write_text(target, "mine")
    assert target.read_text() == "theirs"
    assert listing(tmp_path) == ["a.txt"]


def test_without_hard_links_it_falls_back_to_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    path = atomic_write_text(tmp_path / "a.txt", "x")
    assert path.read_text() == "x"
    assert listing(tmp_path) == ["a.txt"]
    with pytest.raises(FileExistsError):
        atomic_write_text(path, "y")


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="the umask is read from /proc on Linux"
)
def test_umask_is_read_without_changing_it() -> None:
    before = os.umask(0o027)
    try:
        assert atomic_module._umask() == 0o027
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(before)
