"""The archive: which files are postmortems, their ids, and loading them."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard, TypeVar, cast, overload

from mortem import sweep
from mortem.config import Config
from mortem.errors import UsageError
from mortem.frontmatter import FrontMatter, Positions
from mortem.listing import archive_names
from mortem.loader import LoadFailure, Source, decode, front_matter, parse, read_bytes
from mortem.model import Postmortem
from mortem.stamps import Stamp, Stamps, fallen_behind, stamp_of
from mortem.sweep import Swept

if TYPE_CHECKING:
    from mortem.cache import Marks, Store
    from mortem.parallel import Forked

T = TypeVar("T")


def archive_files(folder: Path) -> list[Path]:
    """Postmortem files directly in the archive folder, sorted by name (so by date)."""
    return [folder / name for name in archive_names(folder)]


def archive_ids(config: Config) -> frozenset[str]:
    return ids_of_names(archive_names(config.archive_dir))


def ids_of(paths: Iterable[Path]) -> frozenset[str]:
    """The postmortem ids of these files: their names without `.md`."""
    return frozenset(p.stem for p in paths)


def ids_of_names(names: Iterable[str]) -> frozenset[str]:
    """ids_of archive_names."""
    return frozenset(name[:-3] for name in names)


class ArchiveIds(AbstractSet[str]):
    """The ids a `related` field may name: the archive's and the files checked. Taken from
    the run's listing when a rule first asks: a pre-commit check's listing is made on another
    core while it parses (mortem.sweep)."""

    def __init__(self, reader: Reader, files: Sequence[Path]) -> None:
        self._reader = reader
        self._files = files

    @classmethod
    def _from_iterable(cls, values: Iterable[T]) -> AbstractSet[T]:
        # What AbstractSet's operators (-, &, |, ^) build their result with: a plain set.
        # Without it they called this class with the values alone, and failed.
        return frozenset(values)

    @cached_property
    def _ids(self) -> frozenset[str]:
        return ids_of(self._files) | self._reader.archive_ids()

    def beyond_archive(self) -> list[str]:
        """The ids of the files checked that the archive's listing lacks, sorted."""
        listed = frozenset(self._reader.archive_names())
        return sorted({path.stem for path in self._files if f"{path.stem}.md" not in listed})

    def __contains__(self, value: object) -> bool:
        return value in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def expand(paths: Iterable[Path], config: Config) -> list[Path]:
    """Files to check: the archive when no path is given; folders give their postmortems."""
    given = list(paths)
    if not given:
        require_archive(config, "set `archive` in [tool.mortem], or pass files")
        return archive_files(config.archive_dir)
    result: list[Path] = []
    for path in given:
        if path.is_dir() and path.suffix != ".md":
            result.extend(archive_files(path))
        elif path.exists() or path.is_symlink():
            result.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    # Spelled as the archive lists its files, so a file named on the command line (often
    # relative, as pre-commit passes it) and the same file read as part of the archive are one
    # file: read and parsed once, not twice.
    folder = config.archive_dir
    here = os.path.abspath(folder)
    spelled = (folder / p.name if os.path.dirname(os.path.abspath(p)) == here else p for p in result)
    return list(dict.fromkeys(spelled))


def require_archive(config: Config, hint: str = "set `archive` in [tool.mortem]") -> None:
    """A usage error (exit 2) when the archive folder is missing: every command that reads
    the whole archive says so the same way, before reading anything."""
    if not config.archive_dir.is_dir():
        raise UsageError(f"archive folder {display(config.archive_dir, config)} does not exist ({hint})")


def display(path: Path, config: Config) -> str:
    """Paths as the user and their editor see them: relative to the archive root."""
    try:
        return path.absolute().relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def load_all(paths: Iterable[Path], config: Config) -> Iterator[Postmortem | LoadFailure]:
    reader = Reader(config)
    for path in paths:
        yield reader.load(path)


def load_archive(
    config: Config, warn: Callable[[str], None] | None = None, facts_only: bool = False
) -> list[Postmortem]:
    """Every readable postmortem of the archive, oldest first. Unreadable ones are left out of
    the analysis; `warn` (the commands pass one that prints to stderr) hears about each, with
    its place, so a report never silently skips a postmortem. `facts_only`: slim copies (see
    `slim`) for a judgement over the archive's facts, read on every core when there is no
    cache to read them from."""
    reader = Reader(config)
    if facts_only:
        return reader.slim_archive(warn)
    with bulk():
        return list(reader.archive(warn))


def _slim_through_cache(reader: Reader, path: Path) -> Handed | None:
    """In a worker (Reader._slims_ahead): the file's slim copy, read through the cache."""
    copy = reader.slim(path)
    return reader.hand_over(path, copy) if path in reader.hashes else None


def _slim_loaded(path: Path, doc: Loaded) -> Loaded:
    return slim(doc) if isinstance(doc, Postmortem) else doc


@contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while thousands of postmortems are read or analysed.

    Each collection walks every live object, and an archive is millions of them (strings,
    dicts, dataclasses), so collections triggered by allocation alone doubled the time to
    read 10,000 postmortems. What is built here has no reference cycles, so reference
    counting still frees it; collection resumes (and catches up) when the block ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


Loaded = Postmortem | LoadFailure
# A file as a worker hands it over after reading it through the cache (Reader.hand_over):
# the hash of the bytes it read, its slim copy, the cache entries it used and wrote.
Handed = tuple[str, Loaded, "Marks"]


class Reader:
    """Reads postmortems for one run: each file once (`mortem check` reads the files it
    checks, and its archive rules the whole archive), and each parse result from the cache
    (mortem.cache) when the same bytes were parsed before."""

    def __init__(
        self, config: Config, store: Store | bool | None = True, sweep: Forked | None = None
    ) -> None:
        if store is True:
            from mortem.cache import open_store

            store = open_store(config)
        self.config = config
        self.store: Store | None = store or None
        self.loaded: dict[tuple[Path, str], Loaded] = {}
        self.hashes: dict[Path, str] = {}  # content hash of each file, as first read
        self.changed = False  # a file's bytes changed while this run read it twice
        self._archive_names: list[str] | None = None
        self._archive_paths: list[Path] | None = None
        self._stamps = Stamps(self.store) if self.store is not None else None
        # The archive's state, being made in a child (mortem.sweep) until its answer is taken
        # (close() takes it in any case, so the child never outlives the run).
        self._sweep = sweep
        self._swept: Swept | None = None
        self._archive_hashes: list[tuple[str, str | None]] | None = None
        self.left_out: list[Path] = []  # archive files that are no postmortem (facts_fingerprint)
        self._slims: dict[Path, Loaded] = {}

    def read(self, path: Path, shown: str | None = None) -> tuple[str, Source | LoadFailure, str]:
        """(display path, the file's source or why it cannot be read, the hash of its bytes
        or "" when there is no cache to key)."""
        shown = shown or display(path, self.config)
        stamp = self._stamp(path)  # before reading: an edit after it leaves a stamp that differs
        data = read_bytes(path, self.config, shown)
        if isinstance(data, LoadFailure):
            return shown, data, ""
        digest = self._remember_hash(path, data, stamp)
        source = decode(data, path, shown)
        return shown, source, digest if isinstance(source, Source) else ""

    def _remember_hash(self, path: Path, data: bytes, stamp: Stamp | None) -> str:
        if self.store is None:
            return ""  # nothing is keyed without a cache
        from mortem.cache import content_hash

        digest = content_hash(data)
        if self.hashes.setdefault(path, digest) != digest:
            self.changed = True  # edited mid-run: results keyed by the first read are not stored
        if stamp is not None and self._stamps is not None:
            self._stamps.record(path, stamp, digest)
        return digest

    def _stamp(self, path: Path) -> Stamp | None:
        return stamp_of(path, self.config.max_file_bytes) if self.store is not None else None

    def archive_hashes(self) -> list[tuple[str, str | None]]:
        """Each archive file's name and the hash of its bytes (None if unreadable). A file
        whose stamp is as the last run saved it is not read (mortem.stamps)."""
        if self._archive_hashes is not None:
            return self._archive_hashes
        names = self.archive_names()
        folder = self.config.archive_dir
        known: dict[str, str] = {}
        if self._stamps is not None:
            swept = self.swept()
            flags = swept.stamps if swept is not None else None
            known = self._stamps.known_hashes(folder, names, self.config.max_file_bytes, flags)
        found = [(name, known[name] if name in known else self.content_hash(folder / name)) for name in names]
        if self._stamps is not None and not self.changed:
            self._stamps.save(names)
        self._archive_hashes = found
        return found

    def close(self) -> None:
        """Wait for the sweep if its answer was never asked for (a check that stopped
        early), so that its child does not outlive the run."""
        self.swept()

    def swept(self) -> Swept | None:
        """The answer of the sweep this reader was given, waiting for it; None if there is
        none or it failed."""
        if self._sweep is not None:
            forked, self._sweep = self._sweep, None
            self._swept = sweep.answer(forked)
        return self._swept

    def content_hash(self, path: Path) -> str | None:
        """The hash of the file's bytes (read now unless this run has), None if unreadable.
        Only the bytes: decoding them would add nothing to the key."""
        if path not in self.hashes:
            stamp = self._stamp(path)
            data = read_bytes(path, self.config, path.name)  # no message of it is shown
            if not isinstance(data, LoadFailure):
                self._remember_hash(path, data, stamp)
        return self.hashes.get(path)

    def archive_names(self) -> list[str]:
        """archive_names of the archive folder, listed once per run: by the sweep's child
        when this reader was given one (its flags and digest are by position in its listing),
        with the cache as the stamps know it while the folder stands (Stamps.archive_names)."""
        if self._archive_names is None:
            swept = self.swept()
            if swept is not None:
                self._archive_names = swept.names
                if self._stamps is not None:
                    self._stamps.listed = swept.listed
            elif self._stamps is not None:
                self._archive_names = self._stamps.archive_names(self.config.archive_dir)
            else:
                self._archive_names = archive_names(self.config.archive_dir)
        return self._archive_names

    def archive_ids(self) -> frozenset[str]:
        """archive_ids, from the one listing of this run."""
        return ids_of_names(self.archive_names())

    def archive_paths(self) -> list[Path]:
        """The archive's files, as archive_files, from the one listing of this run."""
        if self._archive_paths is None:
            folder = self.config.archive_dir
            self._archive_paths = [folder / name for name in self.archive_names()]
        return self._archive_paths

    def load(self, path: Path, shown: str | None = None) -> Loaded:
        shown = shown or display(path, self.config)
        key = (path, shown)
        found = self.loaded.get(key)
        if found is None:
            shown, source, digest = self.read(path, shown)
            found = source if isinstance(source, LoadFailure) else self.parse(path, shown, source, digest)
            self.loaded[key] = found
        return found

    def parse(self, path: Path, shown: str, source: Source, digest: str) -> Loaded:
        """`loader.parse`, or its result for the same bytes from the cache (then kept)."""
        result = self._parsed(path, shown, source, digest)
        if self.store is not None:
            self.loaded[(path, shown)] = result
        return result

    def _parsed(self, path: Path, shown: str, source: Source, digest: str) -> Loaded:
        """The parse of these bytes: rebuilt from the cache's two entries for them (see
        _parts), or parsed and stored in both."""
        if self.store is None:
            return parse(path, shown, source, self.config)
        part, rest = self.store.get("slim", digest), self.store.get("parsed", digest)
        result = _rebuild(part, rest, path, shown, source)
        if result is None:
            result = parse(path, shown, source, self.config, self._front_matter)
            part, rest = _parts(result)
            self.store.put("slim", digest, part)
            if rest is not None:
                self.store.put("parsed", digest, rest)
        return result

    def _front_matter(self, text: str, first_line: int) -> FrontMatter:
        """loader.front_matter, or its reading of the same text from the cache's `front`
        entries: a commit that edits only a postmortem's body (its timeline, a summary) has
        its front matter read without loading the YAML parser, a tenth of its check."""
        assert self.store is not None
        from mortem.cache import digest

        key = digest((str(first_line), text))
        found = self.store.get("front", key)
        if _is_front_matter(found):
            return found
        read = front_matter(self.config, text, first_line)
        self.store.put("front", key, read)
        return read

    def slim(self, path: Path) -> Loaded:
        """The file as `slim` copies it (a failure as it is), read once per run. A whole parse
        this reader holds is slimmed; any other comes from the cache's slim entry (a third of
        the whole's bytes) when it has one, else is parsed whole and slimmed. The wholes are
        not kept: at 10,000 postmortems they were 250 MB held for nothing by a check whose
        root cause edit had the archive judged again."""
        found = self._slims.get(path)
        if found is None:
            shown = display(path, self.config)
            whole = self.loaded.get((path, shown))
            if whole is None:
                shown, source, digest = self.read(path, shown)
                if isinstance(source, LoadFailure):
                    whole = source
                else:
                    whole = self._slim_parse(path, shown, source, digest)
            found = self._slims[path] = _slim_loaded(path, whole)
        return found

    def _slim_parse(self, path: Path, shown: str, source: Source, digest: str) -> Loaded:
        """The slim copy from the cache's slim entry, else the whole parse (see _parsed)."""
        if self.store is not None:
            cached = _rebuild_slim(self.store.get("slim", digest), path, shown)
            if cached is not None:
                self.store.mark_used("parsed", digest)  # its other half: still this archive's
                return cached
        return self._parsed(path, shown, source, digest)

    def hand_over(self, path: Path, doc: Loaded) -> Handed:
        """In a worker reading through the cache (mortem.parallel.map_cached), once it is done
        with the file: what adopt takes in the process that forked it. The file must have
        been read here (its hash known)."""
        assert self.store is not None, "workers read through the cache"
        return self.hashes[path], _slim_loaded(path, doc), self.store.take_marks()

    def adopt(self, path: Path, content: str, handed: Handed | None) -> bool:
        """Keep the slim copy a worker made of the file through the cache (hand_over) as
        this reader's own, and count the entries it used and wrote as this run's (for the
        prune), when it read the bytes this reader knows the file by (the hash `content`).
        False otherwise: the file changed since, or the worker could not read it, and the
        caller reads it again here rather than pair one version's hash with another's copy."""
        if handed is None or handed[0] != content:
            return False
        assert self.store is not None, "a worker's cache is this reader's"
        self.store.add_marks(handed[2])
        self._slims[path] = handed[1]
        return True

    def _slims_ahead(self, wanted: Sequence[tuple[Path, str]]) -> None:
        """The slim copies of these files (each with the hash of its bytes as this reader
        knows them) that neither this reader nor the cache holds, made on every core when
        there are many (a first run, a new mortem, new settings): each worker parses its
        files through the cache as `slim` would here. Parsing the 10,000 files of a commit's
        first check after an upgrade one by one here took 21 s. A copy made from other bytes
        (the file changed since) is left, for `slim` to read again here."""
        from mortem.parallel import map_cached, workers

        store = self.store
        assert store is not None
        missing = [(path, content) for path, content in wanted if path not in self._slims]
        if workers(len(missing)) < 2:
            return
        missing = [(path, content) for path, content in missing if not store.has("slim", content)]
        results = map_cached([path for path, _ in missing], self.config, _slim_through_cache)
        if results is None:  # a few, or no worker could run: `slim` reads them here
            return
        for (path, content), handed in zip(missing, results, strict=True):
            self.adopt(path, content, handed)

    def _prune_parses(self) -> None:
        """Both halves of the cached parses (_parts), and the front matters read for them,
        once the run has used the archive's."""
        assert self.store is not None
        for kind in ("parsed", "slim", "front"):
            self.store.prune(kind, len(self.archive_names()))

    def facts_fingerprint(self, store: Store) -> str:
        """The `facts` of every archive file, as one digest. Each file's facts are kept in
        the cache by the hash of its bytes, so only a file not seen before is parsed."""
        ahead = self._facts_ahead()
        if ahead is not None:
            return ahead
        found = store.get("facts", "index")
        index: dict[str, str] = found if isinstance(found, dict) else {}
        fresh: dict[str, str] = {}
        named: list[tuple[str, str]] = []
        unknown = 0
        self.left_out = []
        folder = self.config.archive_dir
        hashes = self.archive_hashes()
        self._slims_ahead(
            [
                (folder / name, content)
                for name, content in hashes
                if content and not isinstance(index.get(content), str)
            ]
        )
        for name, content in hashes:
            known = "-"  # unreadable: left out of the archive, as when loading
            if content is not None:
                found = index.get(content)
                if isinstance(found, str):
                    known = found
                else:
                    unknown += 1
                    doc = self.slim(folder / name)
                    known = facts(doc) if isinstance(doc, Postmortem) else "-"
                fresh[content] = known
            if known == "-":
                self.left_out.append(folder / name)
            named.append((name, known))
        # Saved again as the stamps are, once it has fallen behind; it then holds only this
        # archive's files, so it never grows stale.
        stale = not index or fallen_behind(unknown, len(named))
        if stale and fresh != index and not self.changed:
            store.put("facts", "index", fresh)
            # Indexes written under other settings or versions: a megabyte each at 10,000.
            store.prune("facts", 0, slack=0)
        return sweep.facts_digest(named)

    def _facts_ahead(self) -> str | None:
        """The sweep's facts digest, if the archive is still the one its stamps were saved
        for and every file whose stamp changed since still has the facts the sweep took for
        it (read here; the files this run checks are parsed already). At most a 64th of the
        archive, since past that the index is due to be saved again (fallen_behind)."""
        swept = self.swept()
        if swept is None or swept.facts is None:
            return None
        if fallen_behind(len(swept.assumed), len(self.archive_names())):
            return None
        folder = self.config.archive_dir
        for name, assumed in swept.assumed.items():
            doc = self.slim(folder / name)
            if (facts(doc) if isinstance(doc, Postmortem) else "-") != assumed:
                return None
        self.left_out = [folder / name for name in swept.left_out]
        return swept.facts

    def archive(self, warn: Callable[[str], None] | None = None) -> Iterator[Postmortem]:
        yield from self.in_order(self.load, warn)
        if self.store is not None:
            self._prune_parses()

    def slim_archive(self, warn: Callable[[str], None] | None = None) -> list[Postmortem]:
        """archive(), as slim copies (see `slim`). With no cache to read them from, the files
        this run has not read yet are read on every core when there are enough of them
        (mortem.parallel); otherwise through this reader, which keeps them for the files a
        small check reads next."""
        from mortem.parallel import map_loaded, workers

        if self.store is not None:
            with bulk():
                found = list(self.in_order(self.slim, warn))
            self._prune_parses()
            return found
        read = {path: _slim_loaded(path, doc) for (path, _), doc in self.loaded.items()}
        unread = [path for path in self.archive_paths() if path not in read]
        if workers(len(unread)) > 1:
            read.update(zip(unread, map_loaded(unread, self.config, _slim_loaded), strict=True))

        def slim_read(path: Path) -> Loaded:
            return read[path] if path in read else _slim_loaded(path, self.load(path))

        with bulk():
            return list(self.in_order(slim_read, warn))

    def in_order(
        self, read: Callable[[Path], Loaded], warn: Callable[[str], None] | None = None
    ) -> Iterator[Postmortem]:
        """The archive's readable postmortems, in archive order, each as `read` gives it;
        `warn` hears of each file left out."""
        for doc in map(read, self.archive_paths()):
            if isinstance(doc, Postmortem):
                yield doc
            elif warn is not None:
                _warn_left_out(doc, warn)

    def keep(self, doc: Loaded) -> None:
        """A postmortem read elsewhere (a worker), kept as if this reader had read it."""
        self.loaded[(doc.path, doc.display_path)] = doc

    def warn_left_out(self, warn: Callable[[str], None]) -> None:
        """Warn about each archive file that is not a readable postmortem, as `archive` does,
        reading only those: after facts_fingerprint, their facts say which they are."""
        for path in self.left_out:
            doc = self.slim(path)
            if isinstance(doc, LoadFailure):
                _warn_left_out(doc, warn)


def over_archive(
    config: Config,
    name: str,
    extra: str,
    compute: Callable[[Sequence[Postmortem]], T],
    valid: Callable[[object], bool],
    warn: Callable[[str], None],
) -> T:
    """compute(the archive's readable postmortems), `warn` hearing of each file left out. With
    the cache, the value is kept under the archive's facts and `extra` (what else it depends
    on), so a command over an archive whose facts stand reads no postmortem but the ones it
    warns about: at 10,000 postmortems, loading them was most of `mortem patterns`."""
    reader = Reader(config)
    if reader.store is None:  # what is kept under the facts must be computed from them alone
        return compute(reader.slim_archive(warn))
    view = ArchiveView(reader, facts_only=True)
    value = view.remember(name, extra, lambda: compute(view.docs), valid)
    reader.warn_left_out(warn)
    return value


def _warn_left_out(failure: LoadFailure, warn: Callable[[str], None]) -> None:
    issue = failure.issue
    warn(
        f"{failure.display_path}:{issue.line}:{issue.column}: {failure.code} {issue.message} "
        "(left out; `mortem check` reports it)"
    )


class ArchiveView(Sequence[Postmortem]):
    """The archive's readable postmortems, read through a run's Reader on first use: a
    `mortem check` whose archive-wide results are cached never reads the rest of the archive."""

    def __init__(self, reader: Reader, facts_only: bool = False) -> None:
        self._reader = reader
        self._facts_only = facts_only  # the archive-wide rules' view: slim copies will do
        self._docs: tuple[Postmortem, ...] | None = None
        self._fingerprint: str | None = None

    def remember(self, name: str, extra: str, compute: Callable[[], T], valid: Callable[[object], bool]) -> T:
        """compute(), a judgement over the whole archive, kept in the cache under the archive's
        facts (and `extra`, what else it depends on). A commit that edits a postmortem's
        timeline or impact leaves every file's facts as they were, so the pre-commit check
        reuses the archive's judgements without reading the other postmortems."""
        store = self._reader.store
        if store is None:
            return compute()
        from mortem.cache import digest

        key = digest((name, self.fingerprint(), extra))
        found = store.get("archive", key)  # kept as a 1-tuple, so that None is a value too
        if isinstance(found, tuple) and len(found) == 1 and valid(found[0]):
            return cast(T, found[0])
        value = compute()
        if not self._reader.changed:
            store.put("archive", key, (value,))
        return value

    def fingerprint(self) -> str:
        """The archive's facts (see `facts`) as one digest; "" without a cache."""
        store = self._reader.store
        if store is None:
            return ""
        if self._fingerprint is None:
            self._fingerprint = self._reader.facts_fingerprint(store)
        return self._fingerprint

    @property
    def docs(self) -> tuple[Postmortem, ...]:
        if self._docs is None:
            reader = self._reader
            if self._facts_only:  # with no cache, read on every core (Reader.slim_archive)
                self._docs = tuple(reader.slim_archive())
            else:
                with bulk():
                    self._docs = tuple(reader.archive())
        return self._docs

    def __len__(self) -> int:
        return len(self.docs)

    @overload
    def __getitem__(self, index: int) -> Postmortem: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Postmortem]: ...

    def __getitem__(self, index: int | slice) -> Postmortem | Sequence[Postmortem]:
        return self.docs[index]

    def __iter__(self) -> Iterator[Postmortem]:
        return iter(self.docs)


def facts(doc: Postmortem) -> str:
    """A digest of what the archive-wide judgements read of a postmortem: its id, its front
    matter (root causes, related ids, trigger, dates, action items) and its Root cause
    section. The rest of the body (timeline, impact, what went well) is not among them.
    PM039 and PM060 results are kept under these (ArchiveView.remember); a test checks that
    they equal the results computed afresh."""
    from mortem.cache import digest

    prose = _root_cause_prose(doc)
    return digest((doc.id, repr(doc.front), "\0none" if prose is None else prose))


def same_facts(a: Postmortem, b: Postmortem) -> bool:
    """Whether two readings of a postmortem agree on its `facts`, without digesting them."""
    return a.id == b.id and a.front == b.front and _root_cause_prose(a) == _root_cause_prose(b)


def _root_cause_prose(doc: Postmortem) -> str | None:
    section = doc.section("Root cause")
    return None if section is None else section.prose


def slim(doc: Postmortem) -> Postmortem:
    """The postmortem as the archive-wide judgements read it: the same front matter (with
    its positions, to place a finding), suppressions and Root cause prose as `facts` covers,
    without the text, the other sections and the Root cause's lines. A parallel check (mortem.parallel)
    sends these back from its workers: a third of the bytes, unpickled in a third of the
    time. tests/unit/test_parallel.py checks the archive-wide rules find the same in both."""
    from dataclasses import replace

    section = doc.section("Root cause")  # its prose: what `facts` and the analysis read
    root_cause = () if section is None else (replace(section, lines=(), items=()),)
    return replace(doc, text="", sections=root_cause, headings=())


# A parse result in the cache: what `parse` derives from the text, without the path, display
# path and text, which the reader supplies (the same bytes parse the same wherever they are),
# in two entries under the hash of the bytes. "slim" holds what `slim` keeps (the front
# matter with its positions, the suppressions, the load issues and the Root cause section
# without its lines), so the archive-wide judgements read a third of the bytes; "parsed"
# holds the rest (every section and heading). A failure is one "slim" entry.
def _parts(result: Loaded) -> tuple[tuple[object, ...], tuple[object, ...] | None]:
    if isinstance(result, LoadFailure):
        return ("failure", result.code, result.issue), None
    slimmed = slim(result)
    part = (
        "postmortem",
        result.front,
        result.positions,
        result.front_matter_line,
        result.body_line,
        slimmed.sections[0] if slimmed.sections else None,
        result.suppressions,
        result.load_issues,
    )
    return part, ("rest", result.sections, result.headings)


def _rebuild(part: object, rest: object, path: Path, shown: str, source: Source) -> Loaded | None:
    """The cached parse result as `parse` returns it, or None when an entry is missing or
    does not have the shape this version writes (the file is then parsed again)."""
    found = _rebuild_slim(part, path, shown)
    if not isinstance(found, Postmortem):
        return found
    if not (
        isinstance(rest, tuple)
        and len(rest) == 3
        and rest[0] == "rest"
        and isinstance(rest[1], tuple)
        and isinstance(rest[2], tuple)
    ):
        return None
    from dataclasses import replace

    return replace(found, text=source.text, sections=rest[1], headings=rest[2])


def _is_front_matter(value: object) -> TypeGuard[FrontMatter]:
    """Whether a `front` entry has the shape this version writes."""
    from mortem.findings import Issue

    return (
        isinstance(value, FrontMatter)
        and isinstance(value.positions, dict | Positions)
        and isinstance(value.problems, list)
        and all(isinstance(problem, Issue) for problem in value.problems)
        and isinstance(value.fatal, bool)
    )


def _rebuild_slim(part: object, path: Path, shown: str) -> Loaded | None:
    """The slim copy (see `slim`) from its cache entry, a failure as it was, or None."""
    from mortem.findings import Issue
    from mortem.model import Section, Suppressions

    if not isinstance(part, tuple) or not part:
        return None
    if part[0] == "failure" and len(part) == 3 and isinstance(part[1], str) and isinstance(part[2], Issue):
        return LoadFailure(path, shown, part[1], part[2])
    if part[0] != "postmortem" or len(part) != 8:
        return None
    _, front, positions, front_line, body_line, root_cause, suppressions, issues = part
    if not (
        isinstance(front, dict)
        and isinstance(positions, dict | Positions)
        and isinstance(front_line, int)
        and isinstance(body_line, int)
        and (root_cause is None or isinstance(root_cause, Section))
        and isinstance(suppressions, Suppressions)
        and isinstance(issues, tuple)
    ):
        return None
    return Postmortem(
        path=path,
        display_path=shown,
        text="",
        front=front,
        positions=positions,
        front_matter_line=front_line,
        body_line=body_line,
        sections=() if root_cause is None else (root_cause,),
        headings=(),
        suppressions=suppressions,
        load_issues=issues,
    )
