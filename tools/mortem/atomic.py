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
