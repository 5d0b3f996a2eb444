"""atomic.replace_existing and write_new: all or nothing, never over someone else's save."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mortem.atomic import replace_existing, write_new
from mortem.errors import MortemError


def test_replaces_and_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("old\n")
    path.chmod(0o640)
    replace_existing(path, "new\r\nline\n", b"old\n")
    assert path.read_bytes() == b"new\r\nline\n"  # written as given: no newline translation
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]


def test_refuses_when_the_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("saved by someone else\n")
    with pytest.raises(MortemError, match="changed on disk since mortem read it; nothing written"):
        replace_existing(path, "mine\n", b"what mortem read\n")
    assert path.read_text() == "saved by someone else\n"


def test_refuses_when_the_file_is_gone(tmp_path: Path) -> None:
    with pytest.raises(MortemError, match=r"cannot read .* again"):
        replace_existing(tmp_path / "gone.md", "x\n", b"")
    assert not list(tmp_path.iterdir())


def test_a_failed_rename_leaves_the_original_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pm.md"
    path.write_text("original\n")

    def rename_fails(source: object, target: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", rename_fails)
    with pytest.raises(MortemError, match="Input/output error; the file is unchanged"):
        replace_existing(path, "new\n", b"original\n")
    assert path.read_text() == "original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_a_new_file_gets_the_mode_any_editor_would_give_it(tmp_path: Path) -> None:
    """write_new writes through a private temporary file; the postmortem it creates is not
    private: it is readable by whoever the umask lets read files the user creates."""
    old = os.umask(0o027)
    try:
        write_new(tmp_path / "new.md", "text\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["new.md"]
