"""The one way mortem writes a file: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mortem.errors import MortemError


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`, never replacing a file that exists (even one made meanwhile).

    The content is complete on disk before the name appears, so a crash leaves either no
    file or the whole file; the hard link fails if the name was taken in the meantime.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, text)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a new file is not
        os.link(temporary, path)
    except FileExistsError:
        raise MortemError(f"{path} already exists; mortem never overwrites a postmortem") from None
    except OSError:
        # Filesystems without hard links: fall back to an exclusive create.
        try:
            with open(path, "x", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except FileExistsError:
            raise MortemError(f"{path} already exists; mortem never overwrites a postmortem") from None
    finally:
        temporary.unlink(missing_ok=True)


def replace_existing(path: Path, text: str, original: bytes) -> None:
    """Replace `path` with `text`, unless the file on disk is no longer `original`.

    Someone may save the file in an editor between mortem reading it and writing it back;
    their change wins and mortem writes nothing. The new content is complete and synced in a
    temporary file in the same folder before a rename swaps it in, so a crash leaves either
    the old file or the new one, never half of either.
    """
    _unchanged(path, original)
    try:
        temporary = _write_temporary(path, text)
    except OSError as exc:
        raise MortemError(f"cannot write {path}: {exc.strerror or exc}; the file is unchanged") from None
    try:
        os.chmod(temporary, path.stat().st_mode & 0o7777)  # mkstemp makes it private
        _unchanged(path, original)  # again, as close to the rename as possible
        os.replace(temporary, path)
    except OSError as exc:
        raise MortemError(f"cannot write {path}: {exc.strerror or exc}; the file is unchanged") from None
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _unchanged(path: Path, original: bytes) -> None:
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise MortemError(f"cannot read {path} again: {exc.strerror or exc}; nothing written") from None
    if current != original:
        raise MortemError(f"{path} changed on disk since mortem read it; nothing written, run it again")


def _umask() -> int:
    """The process's umask: reading it means setting it, so it is set straight back."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); some systems cannot open a folder, and that is fine."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _write_temporary(path: Path, text: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)
