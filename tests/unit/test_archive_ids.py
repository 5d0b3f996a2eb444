"""archive.ArchiveIds, the ids a check's `related` fields may name (PM012): the set of the
archive's ids and the files checked, read from the run's listing only when asked, and a set
like any other for the rules. checker._ids_beyond asks it for the ids beyond the listing
without building the whole set; both must agree with the plain definition."""

from __future__ import annotations

from pathlib import Path

import pytest

from mortem.archive import ArchiveIds, Reader, ids_of
from mortem.checker import _ids_beyond
from mortem.config import load_config

NAMES = ["2026-01-02-db-failover.md", "2026-03-04-cache-stampede.md", "2026-05-06-dns.md"]


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    folder = tmp_path / "postmortems"
    folder.mkdir()
    for name in [*NAMES, "README.md", "notes.md"]:  # the last two are no postmortems
        (folder / name).write_text("---\n---\n")
    (tmp_path / "mortem.toml").write_text('archive = "postmortems"\n')
    return Reader(load_config(start=tmp_path), store=None)


@pytest.mark.parametrize(
    "checked",
    [
        [],  # the whole archive
        ["postmortems/2026-03-04-cache-stampede.md"],  # one of its files
        ["drafts/2026-07-08-new-incident.md", "postmortems/2026-05-06-dns.md"],  # one beyond it
    ],
)
def test_the_ids_are_the_archives_and_the_files_checked(reader: Reader, checked: list[str]) -> None:
    files = [reader.config.root / path for path in checked]
    plain = ids_of(files) | reader.archive_ids()
    ids = ArchiveIds(reader, files)
    assert ids == plain and len(ids) == len(plain) and sorted(ids) == sorted(plain)
    assert "2026-01-02-db-failover" in ids and "README" not in ids and "notes" not in ids
    # the rules may combine it as any set; each operator gives a plain set
    other = frozenset({"2026-01-02-db-failover", "2026-09-10-elsewhere"})
    assert ids - other == plain - other and ids & other == plain & other
    assert ids | other == plain | other and ids ^ other == plain ^ other
    assert isinstance(ids - other, frozenset)
    # what the facts key holds beyond the listing, both ways _ids_beyond takes it
    beyond = sorted(plain - reader.archive_ids())
    assert ids.beyond_archive() == beyond == _ids_beyond(ids, reader) == _ids_beyond(plain, reader)
