"""Which archive files are unchanged since the last run, without reading them.

Each file's stamp (size, mtime, ctime, inode) is saved with the hash of its bytes, as git's
index does, in the cache's `facts` kind. A file whose stamp is as saved is not read again to
key the cache: at 10,000 postmortems, reading and hashing every file was most of a
pre-commit check. The ctime changes with every write and no tool can set it back, so an
edit that keeps the size and the mtime still shows. A file changed within RACY_NS before
the stamps were saved may have changed again in the same timestamp tick (coarse on some
filesystems) without a new stamp, so it is read again.

A stamp and its hash are kept as one string, "size mtime ctime inode hash": at 10,000
postmortems, loading and saving them as tuples of integers took a tenth of a pre-commit
check, and strings a fortieth.

The archive folder's own stamp (mtime, ctime, inode), taken before it was listed, is saved
with them: adding, removing or renaming a file in a folder changes its times, so while the
stamp stands, the names the stamps were saved for are the folder's listing, and listing
10,000 names again (a tenth of a pre-commit check) is needless.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from mortem.listing import archive_names

if TYPE_CHECKING:
    from mortem.cache import Store

Stamp = str  # "size mtime_ns ctime_ns inode"
Flags = tuple[int, bytes]  # Stamps.unchanged_flags: (when the stamps were saved, a flag per name)
FolderStamp = tuple[int, int, int]  # a folder's (mtime_ns, ctime_ns, inode)
RACY_NS = 2_000_000_000
STALE_SHARE = 64  # see fallen_behind


def fallen_behind(unknown: int, total: int) -> bool:
    """Whether an index over the archive (the stamps; archive.facts's index) is saved again:
    once more than a 64th of its `total` files had to be read because it did not know them.
    Below that, reading those few again costs less than saving the index, a megabyte at
    10,000 postmortems, while a commit changes one or two files."""
    return unknown > total // STALE_SHARE


def stamp_of(path: Path, max_bytes: int) -> Stamp | None:
    """The file's stamp, or None when only reading it can tell (a symlink, not a regular
    file, over the size limit: loader.read_bytes decides those)."""
    try:
        return _stamp(os.lstat(path), max_bytes)
    except OSError:
        return None


def _stamp(info: os.stat_result, max_bytes: int) -> Stamp | None:
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return None
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


def folder_stamp(folder: Path) -> FolderStamp | None:
    """The folder's stamp, to be taken before listing it; None when it changed within
    RACY_NS of now, since another change could then come in the same timestamp tick
    without a new stamp (or when it cannot be read)."""
    now = time.time_ns()
    try:
        info = os.stat(folder)
    except OSError:
        return None
    if not _settled(info.st_mtime_ns, info.st_ctime_ns, now - RACY_NS):
        return None
    return info.st_mtime_ns, info.st_ctime_ns, info.st_ino


class Stamps:
    """The stamps the last run saved, and this run's: each file's stamp and hash."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.current: dict[str, str] = {}  # by file name: "stamp hash"
        self.listed: FolderStamp | None = None  # the folder's stamp before this run listed it
        self._saved: tuple[int, dict[str, str]] | None = None
        self._saved_folder: FolderStamp | None = None
        self._trusted: set[str] = set()

    def archive_names(self, folder: Path) -> list[str]:
        """listing.archive_names of `folder`: the names the stamps were saved for while the
        folder's stamp is as saved with them, else listed now (its stamp taken first)."""
        stamp = folder_stamp(folder)
        self.listed = stamp
        written, saved = self.saved()
        if stamp is not None and stamp == self._saved_folder:
            return list(saved)
        names = archive_names(folder)
        if stamp is not None and saved and names == list(saved):
            # The stamps were saved for this very listing, before the folder had settled (a
            # first run just after a clone): its stamp is saved with them now, once, so the
            # pre-commit checks that follow (which save no stamps) need not list it again.
            self._put(written, saved, stamp)
        return names

    def record(self, path: Path, stamp: Stamp, digest: str) -> None:
        """The hash of the bytes read just after taking this stamp."""
        self.current[path.name] = f"{stamp} {digest}"

    def known_hashes(
        self, folder: Path, names: list[str], max_bytes: int, flags: Flags | None = None
    ) -> dict[str, str]:
        """The saved hash of each file of `folder` (by name) whose stamp is as saved and can
        be trusted, in one pass over the archive, or from `flags`: unchanged_flags for these
        names, as another process made it (mortem.sweep)."""
        written, saved = self.saved()
        if not saved:
            return {}
        sent = _positions(flags, written, len(names))
        positions = self._unchanged(folder, names, max_bytes) if sent is None else sent
        entries = {name: saved[name] for name in map(names.__getitem__, positions)}
        self.current.update(entries)
        self._trusted.update(entries)
        return {name: entry.rpartition(" ")[2] for name, entry in entries.items()}

    def _unchanged(self, folder: Path, names: list[str], max_bytes: int) -> Iterator[int]:
        """The positions in `names` of the files whose stamp is as saved and settled."""
        written, saved = self.saved()
        recent = written - RACY_NS
        regular, lstat = stat.S_ISREG, os.lstat
        # _stamp and _settled written out: this loop runs for every file of the archive on
        # every commit, and the calls were a sixth of it beside the stats themselves.
        with _in_folder(folder) as (prefix, fd):
            for position, name in enumerate(names):
                entry = saved.get(name)
                if entry is None:
                    continue
                try:
                    info = lstat(prefix + name, dir_fd=fd)
                except OSError:
                    continue
                size, mtime, ctime = info.st_size, info.st_mtime_ns, info.st_ctime_ns
                if (
                    mtime < recent
                    and ctime < recent
                    and regular(info.st_mode)
                    and size <= max_bytes
                    and entry.startswith(f"{size} {mtime} {ctime} {info.st_ino} ")
                ):
                    yield position

    def unchanged_flags(self, folder: Path, names: list[str], max_bytes: int) -> Flags:
        """(when the stamps compared were saved, one byte per name: 1 for a file whose stamp
        is as saved and settled), for known_hashes in another process."""
        flags = bytearray(len(names))
        for position in self._unchanged(folder, names, max_bytes):
            flags[position] = 1
        return self.saved()[0], bytes(flags)

    def saved(self) -> tuple[int, dict[str, str]]:
        """(when the last run saved its stamps, each file name's "stamp hash")."""
        if self._saved is None:
            found = self.store.get("facts", "stamps")
            self._saved = (0, {})
            if isinstance(found, tuple) and len(found) == 3:
                written, stamps, folder = found
                if (
                    isinstance(written, int)
                    and isinstance(stamps, dict)
                    and all(type(entry) is str for entry in stamps.values())
                ):
                    self._saved = (written, stamps)
                    self._saved_folder = folder if _is_folder_stamp(folder) else None
        return self._saved

    def save(self, archive: list[str]) -> None:
        """Saves the stamps of the archive files (by name) when none were saved, once they
        have fallen behind (the files read because their stamps were new, changed or too
        recent to trust are more than fallen_behind allows), or when the folder changed
        since: its stamp is saved with them when they cover the whole `archive` listing."""
        written, saved = self.saved()
        mine = self.current
        current = {name: mine[name] for name in archive if name in mine}
        folder = self.listed if len(current) == len(archive) else None
        moved = folder is not None and folder != self._saved_folder
        if saved and not moved and not fallen_behind(len(archive) - len(self._trusted), len(archive)):
            return
        read = [entry for name, entry in current.items() if name not in self._trusted]
        settled = all(_settled(*_times(entry), written - RACY_NS) for entry in read)
        if moved or current != saved or not settled:
            self._put(time.time_ns(), current, folder)

    def _put(self, written: int, stamps: dict[str, str], folder: FolderStamp | None) -> None:
        """The one entry `saved` reads back: when, each file's "stamp hash", the folder's stamp."""
        self.store.put("facts", "stamps", (written, stamps, folder))
        self._saved_folder = folder


def _positions(flags: Flags | None, written: int, count: int) -> list[int] | None:
    """The unchanged positions another process found, if it read the stamps this process
    read (saved at the same moment: another run may save anew between the two) for as many
    names; else None, and the pass is made here."""
    if flags is None or flags[0] != written or len(flags[1]) != count:
        return None
    return [position for position, flag in enumerate(flags[1]) if flag]


def _is_folder_stamp(value: object) -> TypeGuard[FolderStamp]:
    return isinstance(value, tuple) and len(value) == 3 and all(type(part) is int for part in value)


def _times(entry: str) -> tuple[int, int]:
    """The mtime and ctime of a "size mtime ctime inode hash" entry."""
    _, mtime, ctime, *_ = entry.split(" ")
    return int(mtime), int(ctime)


def _settled(mtime_ns: int, ctime_ns: int, moment: int) -> bool:
    """Whether the file last changed before `moment` (a save time less RACY_NS), so that a
    later change shows in its stamp."""
    return mtime_ns < moment and ctime_ns < moment


@contextmanager
def _in_folder(folder: Path) -> Iterator[tuple[str, int | None]]:
    """How to os.lstat a file of `folder` by its name, as os.lstat(prefix + name,
    dir_fd=fd): through the folder's descriptor where the platform allows (prefix ""),
    which saves a path lookup per file, else by its path (fd None). Called directly, not
    through a wrapper: a partial's call was a tenth of the stats of 10,000 files."""
    fd = None
    if os.stat in os.supports_dir_fd and os.stat in os.supports_follow_symlinks:
        with suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    if fd is None:
        yield os.path.join(folder, ""), None
        return
    try:
        yield "", fd
    finally:
        os.close(fd)
