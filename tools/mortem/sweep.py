"""The archive's state as the last run left it, confirmed on another core.

Besides the files it was given, a pre-commit check needs the state of the whole archive: its
listing, which files are unchanged since the last run (a stat of each, mortem.stamps), and
the digest of every file's facts (archive.Reader.facts_fingerprint), which keys the
archive-wide judgements. At 10,000 postmortems that was a third of the check. A child,
forked as soon as the settings are read (before the checker and its rules are imported),
makes the last two on the other core, over the files the stamps were saved for: one flag
per file for Stamps.known_hashes, and the facts digest, taking each file's facts to be
those of the version the stamps last saw. The check lists the archive itself meanwhile, and
uses the digest only if that listing is the stamps' and every file whose stamp changed has
those facts still (it parses the files it checks anyway; an edit to a timeline or a
summary keeps them); otherwise the digest is made here, as without the child.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mortem.cache import content_hash, digest, open_store
from mortem.config import Config
from mortem.parallel import in_fork
from mortem.stamps import Flags, Stamps, fallen_behind

if TYPE_CHECKING:
    from mortem.cache import Store
    from mortem.parallel import Forked


@dataclass(frozen=True)
class Swept:
    """What the child found. `facts` is None when no digest can stand for the one made
    here: a file's facts are not in the index, or more than a 64th of the archive changed
    (the check then reads and indexes it again, stamps.fallen_behind)."""

    listing: str  # listed(the names the stamps were saved for, in archive order)
    stamps: Flags  # Stamps.unchanged_flags over those names
    facts: str | None  # Reader.facts_fingerprint, each file's facts as the stamps last saw it
    assumed: dict[str, str]  # the facts taken for each file whose stamp changed
    left_out: tuple[str, ...]  # names whose facts say they are no readable postmortem


def start(config: Config) -> Forked | None:
    """Sweep the archive folder in a forked child; None without a cache, or where no child
    may run (mortem.parallel)."""
    store = open_store(config)
    if store is None:
        return None
    folder, limit = config.archive_dir, config.max_file_bytes
    return in_fork(lambda: pickle.dumps(sweep(store, folder, limit), pickle.HIGHEST_PROTOCOL))


def answer(forked: Forked) -> Swept | None:
    """The child's Swept, waiting for it; None if it failed or died."""
    data = forked.result()
    try:
        found = pickle.loads(data) if data else None  # from this process's own child
    except Exception:
        return None
    return found if isinstance(found, Swept) else None


def listed(names: list[str]) -> str:
    """A digest of an archive listing, to tell whether the sweep's stamps were saved for the
    listing a run made (the names themselves, 400 KB at 10,000, need not cross the pipe)."""
    return content_hash("\0".join(names).encode("utf-8", "surrogateescape"))


def sweep(store: Store, folder: Path, max_bytes: int) -> Swept:
    stamps = Stamps(store)
    saved = stamps.saved()[1]
    names = list(saved)  # the archive as the run that saved them listed it
    written, flags = stamps.unchanged_flags(folder, names, max_bytes)
    facts = _facts(store, names, flags, saved)
    if facts is None:
        return Swept(listed(names), (written, flags), None, {}, ())
    return Swept(listed(names), (written, flags), *facts)


def _facts(
    store: Store, names: list[str], flags: bytes, saved: dict[str, str]
) -> tuple[str, dict[str, str], tuple[str, ...]] | None:
    """Reader.facts_fingerprint's digest, with each file's facts taken from the index
    (archive.facts, by content hash) at the hash its stamp saved; with the facts taken for
    each file whose stamp changed since, and the names left out."""
    index = store.get("facts", "index")
    if not isinstance(index, dict) or not index:
        return None
    assumed: dict[str, str] = {}
    named: list[tuple[str, str]] = []
    left_out = []
    for name, unchanged in zip(names, flags, strict=True):
        known = index.get(saved[name].rpartition(" ")[2])
        if not isinstance(known, str):
            return None
        if not unchanged:
            assumed[name] = known
            if fallen_behind(len(assumed), len(names)):
                return None  # the run reads and indexes the archive again (Reader._facts_ahead)
        if known == "-":
            left_out.append(name)
        named.append((name, known))
    return facts_digest(named), assumed, tuple(left_out)


def facts_digest(named: list[tuple[str, str]]) -> str:
    """The archive's facts as one digest: each file's name and facts (archive.facts; "-"
    for a file left out), in archive order. Reader.facts_fingerprint's and the sweep's."""
    return digest(f"{name}\0{known}" for name, known in named)
