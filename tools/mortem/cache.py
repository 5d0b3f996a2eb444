"""An on-disk cache at the archive root (.mortem-cache/): work done once per content.

Seven kinds of entry, each keyed by what its value depends on:
- `slim` and `parsed`: a file's parse result, keyed by the file's bytes, in two parts: what
  the archive-wide judgements read (front matter with positions, suppressions, the Root
  cause section's prose) and the rest (every section and heading);
- `front`: a front matter's data with positions, keyed by its text, for a file whose bytes
  are new but whose front matter is not (an edit to the body alone);
- `checked`: a file's findings from the rules that read only that file, keyed by its bytes
  and display path;
- `archive`: results that read the whole archive (PM012, PM039, PM060 findings, the
  patterns, the action item list), keyed by every archive file's name and bytes, or by
  every file's name and facts (archive.facts: what the archive-wide rules read of it);
- `facts`: two indexes, each archive file's content hash to its facts, and each archive
  file's name to its stamp and content hash (mortem.stamps: the one place a time is used,
  to know an unchanged file without reading it, and only where a change would show);
- `rendered`: a site page's HTML as MkDocs rendered it, keyed by its Markdown and everything
  else the HTML depends on (mortem.site.rendered).
Every key also holds a salt: the Python version, mortem's version, the size and mtime of
each of mortem's own source and data files (so an edited rule or word list, or an upgrade,
misses the old entries), the schema and the configuration.

An entry is one file named by the hash of its key, written to a temporary name and renamed,
so readers see all of it or none. A missing, truncated, corrupt or unreadable entry is a
miss; failing to write one is ignored: the cache only saves time, it never decides a
result. Values are read with an unpickler that builds only mortem's own data types, so a
planted entry cannot run code. The cache is off with MORTEM_NO_CACHE=1, and in CI (`CI` set)
unless MORTEM_CACHE=1: a fresh checkout has nothing to reuse, and a cache that arrived with
a pull request must not decide what `mortem check` reports.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from mortem import __version__

try:
    # hashlib's own import loads OpenSSL's bindings, a few milliseconds of every pre-commit
    # run; blake2b is CPython's built-in module either way.
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python implementation
    from hashlib import blake2b
from mortem.config import Config

if TYPE_CHECKING:
    from mortem.model import Postmortem

T = TypeVar("T")
# Entries used (by kind, their names) and writes counted (by kind): see Store.take_marks.
Marks = tuple[dict[str, list[str]], dict[str, int]]

FOLDER = ".mortem-cache"
KINDS = ("parsed", "slim", "front", "checked", "archive", "facts", "rendered")
_FORMAT = 2  # bump when the layout of entries changes (2: front matter positions as numbers)
_MAGIC = b"MORTEM-CACHE\x01"
_HEADER = struct.Struct("<QI")  # payload length, crc32 of the payload
# Entries of a kind beyond this many times the archive's size are pruned, unused ones first.
_KEEP_FACTOR = 3
# A kind allowed this many entries or more keeps a tally instead of being listed each run.
_TALLY_FROM = 4096
# Types a cache entry may contain besides the pickle's own (str, int, float, tuples, lists,
# dicts, sets, None): mortem's model and the standard library values it holds.
_ALLOWED = {
    ("builtins", "frozenset"),
    ("builtins", "set"),
    ("collections", "Counter"),
    ("collections", "defaultdict"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("pathlib", "Path"),
    ("mortem.findings", "Issue"),
    ("mortem.findings", "Finding"),
    ("mortem.findings", "Severity"),
    ("mortem.frontmatter", "FrontMatter"),
    ("mortem.frontmatter", "Positions"),
    ("mortem.model", "ActionItem"),
    ("mortem.model", "ListItem"),
    ("mortem.model", "RootCause"),
    ("mortem.model", "Section"),
    ("mortem.model", "SourceLine"),
    ("mortem.model", "Suppressions"),
    ("mortem.analysis.patterns", "Pattern"),
    ("mortem.analysis.actions", "OwnerLoad"),
    ("mortem.analysis.actions", "ActionRow"),
    ("mortem.site", "Page"),
}


_suspended = [0]  # how many `suspended` blocks are open


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No entry read or kept inside the block: for results that depend on something the
    keys do not know (an evaluation's own kinds model)."""
    _suspended[0] += 1
    try:
        yield
    finally:
        _suspended[0] -= 1


def enabled(config: Config) -> bool:
    if os.environ.get("MORTEM_NO_CACHE") or _suspended[0]:
        return False
    if os.environ.get("CI") and not os.environ.get("MORTEM_CACHE"):
        return False
    return config.cache  # `cache = false` in the configuration


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=20).hexdigest()


def digest(parts: Iterable[str]) -> str:
    """The hash of the parts, each followed by a NUL. Joined and encoded at once: the keys
    over a whole archive have 10,000 parts or more, and two hash updates a part took half
    the time of the sweep's facts digest."""
    items = list(parts)
    h = blake2b(digest_size=20)
    if items:
        h.update("\0".join(items).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def documents_key(docs: Sequence[Postmortem], *extra: str) -> str:
    """A key for results computed from these postmortems alone (and the settings, in the
    salt): each one's path as shown and the hash of its text."""
    return digest(
        (
            *extra,
            *(f"{d.display_path}\0{content_hash(d.text.encode('utf-8', 'surrogatepass'))}" for d in docs),
        )
    )


def facts_key(docs: Sequence[Postmortem], *extra: str) -> str:
    """A key for results computed from what archive.facts covers of these postmortems
    (their ids, front matter and Root cause sections), and the settings, in the salt."""
    from mortem.archive import facts

    return digest((*extra, *(f"{d.display_path}\0{facts(d)}" for d in docs)))


def cached(
    config: Config, kind: str, key: str, compute: Callable[[], T], valid: Callable[[object], bool]
) -> T:
    """compute(), or its value stored under key when the cache has one that `valid` accepts."""
    store = open_store(config)
    if store is None:
        return compute()
    found = store.get(kind, key)
    if found is not None and valid(found):
        return cast(T, found)
    value = compute()
    store.put(kind, key, value)
    return value


class Store:
    """The cache of one archive root. `get` returns None on any miss; `put` never raises."""

    def __init__(self, root: Path, salt: str) -> None:
        self.folder = root / FOLDER
        self._folder = str(self.folder)
        self.salt = salt
        self.used: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.written: dict[str, int] = dict.fromkeys(KINDS, 0)
        self._made = False

    def _path(self, kind: str, key: str) -> tuple[str, str]:
        # A string, not a Path: a check that fills the cache makes 50,000 of them, and
        # pathlib's joins were a tenth of what it did after its workers had parsed.
        name = digest((self.salt, kind, key))
        return name, f"{self._folder}{os.sep}{kind}{os.sep}{name}"

    def mark_used(self, kind: str, key: str) -> None:
        """Count an entry as used this run without reading it, so a prune leaves it."""
        self.used[kind].add(self._path(kind, key)[0])

    def take_marks(self) -> Marks:
        """The entries used and the writes counted since the last call, forgotten here: a
        worker's (mortem.parallel.map_cached), for the process that prunes (add_marks), so
        that its prune keeps what the worker wrote and its tally counts those writes."""
        used = {kind: sorted(names) for kind, names in self.used.items() if names}
        written = {kind: count for kind, count in self.written.items() if count}
        for names in self.used.values():
            names.clear()
        self.written = dict.fromkeys(KINDS, 0)
        return used, written

    def add_marks(self, marks: Marks) -> None:
        """Another process's take_marks, counted as this run's own."""
        used, written = marks
        for kind, names in used.items():
            self.used[kind].update(names)
        for kind, count in written.items():
            self.written[kind] += count

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is there, without reading it (nor counting it as used)."""
        return os.path.isfile(self._path(kind, key)[1])

    def get(self, kind: str, key: str) -> Any:
        name, path = self._path(kind, key)
        self.used[kind].add(name)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        return decode(data)

    def put(self, kind: str, key: str, value: Any) -> None:
        name, path = self._path(kind, key)
        self.used[kind].add(name)
        data = encode(value)
        if data is None:
            return
        try:
            self._ensure_folder()
            temporary = f"{os.path.dirname(path)}{os.sep}.{name}.{os.getpid()}.tmp"
            with open(temporary, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
            self.written[kind] += 1
        except OSError:
            pass  # a read-only checkout, a full disk: the result is still right, only slower

    def _ensure_folder(self) -> None:
        if self._made:
            return
        for kind in KINDS:
            (self.folder / kind).mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            # Like .pytest_cache: the folder ignores itself even where .gitignore forgets it.
            ignore.write_text("# written by mortem: its cache, never committed\n*\n", encoding="utf-8")
        self._made = True

    def prune(self, kind: str, archive_size: int, slack: int = 64, whole: bool = True) -> None:
        """Drop entries this run did not use once a kind holds far more than the archive
        needs (every edit leaves its old entries behind). Errors are ignored.

        Only writes grow a kind, and listing one was a tenth of a pre-commit check at 10,000
        postmortems (40,000 entries), so each kind keeps a tally: its entries when last
        listed, plus the writes since. Overwrites count too, and runs at the same moment may
        lose each other's writes: either way a prune only comes sooner or later. A kind kept
        small (under _TALLY_FROM entries) is listed instead: that costs less than the tally.

        `whole`: the run used the entries of every file (a check of the whole archive). A
        run over a few files (the pre-commit check) only adds its writes to the tally: it
        would drop every other file's entries, and the next run of the whole archive would
        make them all again."""
        written = self.written[kind]
        if not written:
            return
        limit = _KEEP_FACTOR * archive_size + slack
        tally = self.folder / f"{kind}.tally" if limit >= _TALLY_FROM else None
        counted = _read_tally(tally) if tally else None
        if not whole or (counted is not None and counted + written <= limit):
            if tally and counted is not None:
                _write_tally(tally, counted + written)
            return
        folder = self.folder / kind
        try:
            names = os.listdir(folder)
        except OSError:
            return
        left = len(names)
        if left > limit:
            for name in names:
                if name not in self.used[kind]:
                    with contextlib.suppress(OSError):
                        os.unlink(folder / name)
                        left -= 1
        if tally:
            _write_tally(tally, left)


def _read_tally(path: Path) -> int | None:
    try:
        with open(path, "rb") as stream:
            return int(stream.read(32))
    except (OSError, ValueError):
        return None


def _write_tally(path: Path, count: int) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(str(count).encode())
        os.replace(temporary, path)
    except OSError:
        pass


def open_store(config: Config) -> Store | None:
    if not enabled(config):
        return None
    return Store(config.root, salt(config))


def salt(config: Config) -> str:
    """What every entry depends on beyond its own key: this mortem, this Python, these settings."""
    settings = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name != "source"]
    return digest((_code_fingerprint(), *settings))


@cache
def _code_fingerprint() -> str:
    """mortem's version and every source and data file's size and mtime (an editable
    install changes without a new version), and the schema in use."""
    from mortem.schema_file import schema_path

    package = Path(__file__).resolve().parent
    parts = [f"format {_FORMAT}", __version__, sys.version, str(package)]
    for folder, _, names in sorted(os.walk(package)):
        if "__pycache__" in folder:
            continue
        for name in sorted(names):
            if name.endswith((".py", ".toml", ".json")):
                _stamp(Path(folder) / name, parts)
    _stamp(schema_path(), parts)
    return digest(parts)


def _stamp(path: Path, parts: list[str]) -> None:
    try:
        info = path.stat()
    except OSError:
        parts.append(f"{path} missing")
        return
    parts.append(f"{path} {info.st_size} {info.st_mtime_ns}")


class _Unpickler(pickle.Unpickler):
    """Builds only the types listed in _ALLOWED; anything else makes the entry a miss."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a mortem cache entry")


def encode(value: object) -> bytes | None:
    """An entry's bytes, or None for a value pickle cannot write."""
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    return _MAGIC + _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode(data: bytes) -> Any:
    """An entry's value, or None for anything damaged or not allowed."""
    start = len(_MAGIC) + _HEADER.size
    if not data.startswith(_MAGIC) or len(data) < start:
        return None
    length, crc = _HEADER.unpack_from(data, len(_MAGIC))
    payload = memoryview(data)[start:]
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None  # torn or damaged: recompute
    stream = io.BytesIO(data)  # shares the bytes (a slice would copy: 0.7 ms for the stamps)
    stream.seek(start)
    try:
        return _Unpickler(stream).load()
    except Exception:  # any damage, a type not allowed: a miss, never an error
        return None
