"""Which archive files are unchanged since the last run, without reading them.

Each file's stamp (size, mtime, ctime, inode) is saved with the hash of its bytes, as git's
index does, in the cache's `facts` kind. A file whose stamp is as saved is not read again to
key the cache: at 10,000 postmortems, reading and hashing every file was most of a
pre-commit check. The ctime changes with every write and no tool can set it back, so an
edit that keeps the size and the mtime still shows. A file changed within RACY_NS before
the stamps were saved may have changed again in the same timestamp tick (coarse on some
filesystems) without a new stamp, so it is read again.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from mortem.cache import Store

Stamp = tuple[int, int, int, int]
RACY_NS = 2_000_000_000


def stamp_of(path: Path, max_bytes: int) -> Stamp | None:
    """The file's stamp, or None when only reading it can tell (a symlink, not a regular
    file, over the size limit: loader.read_bytes decides those)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class Stamps:
    """The stamps the last run saved, and this run's: each file's stamp and hash."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.current: dict[str, tuple[Stamp, str]] = {}  # by file name
        self._saved: tuple[int, dict[str, object]] | None = None
        self._trusted: set[str] = set()

    def record(self, path: Path, stamp: Stamp, digest: str) -> None:
        """The hash of the bytes read just after taking this stamp."""
        self.current[path.name] = (stamp, digest)

    def known_hashes(self, files: list[tuple[Path, str]], max_bytes: int) -> dict[Path, str]:
        """The saved hash of each file whose stamp is as saved and can be trusted. One pass
        with no call per file but lstat: at 10,000 postmortems it is most of a pre-commit
        check."""
        written, saved = self.saved()
        known: dict[Path, str] = {}
        current, trusted = self.current, self._trusted
        for path, name in files:
            entry = saved.get(name)
            if entry is None:
                continue
            stamp = stamp_of(path, max_bytes)
            if _trusted(entry, stamp, written):
                current[name] = entry
                trusted.add(name)
                known[path] = entry[1]
        return known

    def saved(self) -> tuple[int, dict[str, object]]:
        """(when the last run saved its stamps, each file name's (stamp, hash)); an entry is
        checked when it is used."""
        if self._saved is None:
            found = self.store.get("facts", "stamps")
            self._saved = (0, {})
            if isinstance(found, tuple) and len(found) == 2:
                written, stamps = found
                if isinstance(written, int) and isinstance(stamps, dict):
                    self._saved = (written, stamps)
        return self._saved

    def save(self, archive: list[str]) -> None:
        """Saves the stamps of the archive files (by name) when they differ from the saved
        ones, or when a file read this run was changed too recently to be trusted against the
        old save time."""
        written, saved = self.saved()
        mine = self.current
        current = {name: mine[name] for name in archive if name in mine}
        if current != saved or any(
            not _trusted(entry, entry[0], written)
            for name, entry in current.items()
            if name not in self._trusted
        ):
            self.store.put("facts", "stamps", (time.time_ns(), current))


def _trusted(entry: object, stamp: Stamp | None, written: int) -> TypeGuard[tuple[Stamp, str]]:
    """A saved (stamp, hash) that still holds: the file's stamp is the same, and it was last
    changed long enough before the stamps were saved (RACY_NS) that a later change shows."""
    return (
        stamp is not None
        and type(entry) is tuple
        and len(entry) == 2
        and entry[0] == stamp
        and type(entry[1]) is str
        and max(stamp[1], stamp[2]) < written - RACY_NS
    )
