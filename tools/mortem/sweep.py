"""The archive's state as the last run left it, confirmed on another core.

Besides the files it was given, a pre-commit check needs the state of the whole archive: its
listing, which files are unchanged since the last run (a stat of each, mortem.stamps), and
the digest of every file's facts (archive.Reader.facts_fingerprint), which keys the
archive-wide judgements. At 10,000 postmortems that was a third of the check. A child,
forked as soon as the settings are read (before the checker and its rules are imported),
makes all three on the other core: the listing (Stamps.archive_names: the stamps' names
while the folder stands), one flag per file listed for Stamps.known_hashes, and, when the
listing is the one the stamps were saved for, the facts digest, taking each file's facts
to be those of the version the stamps last saw. The check uses the digest only if every
file whose stamp changed has those facts still (it parses the files it checks anyway; an
edit to a timeline or a summary keeps them); otherwise the digest is made here, as without
the child.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from mortem.cache import digest, open_store
from mortem.config import Config
from mortem.parallel import in_fork
from mortem.stamps import Flags, FolderStamp, Stamps, fallen_behind

if TYPE_CHECKING:
    from mortem.cache import Store
    from mortem.parallel import Forked


@dataclass(frozen=True)
class Swept:
    """What the child found. `facts` is None when no digest can stand for the one made
    here: a file's facts are not in the index, or more than a 64th of the archive changed
    (the check then reads and indexes it again, stamps.fallen_behind)."""

    names: list[str]  # the archive's listing (Stamps.archive_names), made in the child
    listed: FolderStamp | None  # the folder's stamp, taken before that listing
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


def sweep(store: Store, folder: Path, max_bytes: int) -> Swept:
    stamps = Stamps(store)
    names = stamps.archive_names(folder)
    saved = stamps.saved()[1]
    written, flags = stamps.unchanged_flags(folder, names, max_bytes)
    # The digest takes each file's facts from the index by the hash its stamp saved: only
    # for the archive the stamps were saved for (a file added or removed since: made here).
    facts = _facts(store, names, flags, saved) if names == list(saved) else None
    if facts is None:
        return Swept(names, stamps.listed, (written, flags), None, {}, ())
    return Swept(names, stamps.listed, (written, flags), *facts)


def _facts(
    store: Store, names: list[str], flags: bytes, saved: dict[str, str]
) -> tuple[str, dict[str, str], tuple[str, ...]] | None:
    """Reader.facts_fingerprint's digest, with each file's facts taken from the index
    (archive.facts, by content hash) at the hash its stamp saved; with the facts taken for
    each file whose stamp changed since, and the names left out."""
    index = store.get("facts", "index")
    if not isinstance(index, dict) or not index:
        return None
    # Whole-archive passes of C-level calls, not a loop of Python steps per file: this runs
    # over every file of the archive on every commit.
    known = [index.get(saved[name].rpartition(" ")[2]) for name in names]
    if not _all_text(known):
        return None
    changed = [position for position, unchanged in enumerate(flags) if not unchanged]
    if fallen_behind(len(changed), len(names)):
        return None  # the run reads and indexes the archive again (Reader._facts_ahead)
    assumed = {names[position]: known[position] for position in changed}
    left_out = tuple(name for name, facts in zip(names, known, strict=True) if facts == "-")
    return facts_digest(zip(names, known, strict=True)), assumed, left_out


def _all_text(values: list[object]) -> TypeGuard[list[str]]:
    return all(type(value) is str for value in values)


def facts_digest(named: Iterable[tuple[str, str]]) -> str:
    """The archive's facts as one digest: each file's name and facts (archive.facts; "-"
    for a file left out), in archive order. Reader.facts_fingerprint's and the sweep's."""
    return digest(chain.from_iterable(named))
