"""A check that finds many files missing from the cache fills it on every core.

A first run on a clone, a new mortem or new settings miss every entry. The workers then
parse their files through the cache and run their own rules (mortem.parallel.map_cached),
and this process judges the archive from the slim copies they send back. The findings and
the entries left behind must be those a check in one process finds and leaves.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mortem import archive as archive_module
from mortem import cache, parallel
from mortem.checker import check_paths
from mortem.config import load_config
from mortem.findings import Finding

TODAY = date(2026, 11, 28)
# Kinds whose entries depend on nothing but the archive, the settings and the day (the
# stamps and facts indexes hold the time each file was read).
COMPARED = ("slim", "parsed", "front", "checked", "archive")


@pytest.fixture
def archive(mixed_archive: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The evaluation set and the rule fixtures in one archive (conftest), with the cache on."""
    monkeypatch.delenv("MORTEM_NO_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return mixed_archive


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers from a batch of two files on (the archive stands in for a large one), and the
    size of each pool started: a test of the workers must see them run."""
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    started: list[int] = []
    real_pool = parallel._pool
    monkeypatch.setattr(parallel, "_pool", lambda n: started.append(n) or real_pool(n))
    return started


def _findings(
    root: Path, workers: str, monkeypatch: pytest.MonkeyPatch, *paths: Path, cached: bool = True
) -> list[Finding]:
    with monkeypatch.context() as m:
        m.setenv("MORTEM_WORKERS", workers)
        if not cached:
            m.setenv("MORTEM_NO_CACHE", "1")
        return list(check_paths(list(paths), load_config(start=root), today=TODAY).findings)


def _entries(root: Path) -> dict[tuple[str, str], Any]:
    """The cache's entries of the COMPARED kinds, by kind and name, read back as plain data."""
    found = {}
    for kind in COMPARED:
        for path in (root / cache.FOLDER / kind).iterdir():
            found[(kind, path.name)] = _plain(cache.decode(path.read_bytes()))
    return found


def _plain(value: Any) -> Any:
    """value with every object of a class that does not compare its fields (OwnerLoad)
    turned into its class name and fields, so that equal entries compare equal."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if hasattr(value, "__dict__") and type(value).__eq__ is object.__eq__:
        return (type(value).__name__, _plain(vars(value)))
    return value


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files parsed in this process from now on (not in a worker)."""
    seen: list[Path] = []
    original = archive_module.parse

    def parse(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(archive_module, "parse", parse)
    return seen


def test_a_check_that_fills_the_cache_on_two_cores_finds_and_keeps_what_one_process_does(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    expected = _findings(archive, "1", monkeypatch, cached=False)
    codes = {f.code for f in expected}
    assert {"PM060", "PM039", "PM012", "PM001", "PM004", "PM081"} <= codes, "every kind of finding"
    # As if the archive were large: a check through the cache still searches the pairs of
    # causes here (parallel.one_process), where the cache's entries leave it no memory for
    # a second process.
    monkeypatch.setattr(parallel, "MIN_PART_ITEMS", 2)
    pools.clear()
    with monkeypatch.context() as m:
        here = _parses(m)
        assert _findings(archive, "2", monkeypatch) == expected
    assert pools == [2], "the empty cache filled by two workers"
    assert here == [], "every file parsed in a worker"
    on_two_cores = _entries(archive)
    assert {kind for kind, _ in on_two_cores} == set(COMPARED)

    with monkeypatch.context() as m:
        here = _parses(m)
        assert _findings(archive, "2", monkeypatch) == expected
        assert _findings(archive, "1", monkeypatch) == expected
    assert here == [] and pools == [2], "the next runs read every file's results from the cache"

    shutil.rmtree(archive / cache.FOLDER)
    assert _findings(archive, "1", monkeypatch) == expected
    assert pools == [2], "filled in this process"
    assert _entries(archive) == on_two_cores, "the same entries, whichever process wrote them"


def test_a_prune_in_the_filling_run_keeps_what_the_workers_wrote(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    """Each kind stuffed with stale entries far past its limit, so that the filling run
    prunes: the entries the workers wrote count as this run's, and only the stale ones go."""
    expected = _findings(archive, "2", monkeypatch)
    clean = _entries(archive)
    shutil.rmtree(archive / cache.FOLDER)
    kinds = ("slim", "parsed", "front", "checked")
    for kind in kinds:
        folder = archive / cache.FOLDER / kind
        folder.mkdir(parents=True)
        for number in range(3000):  # past three times the archive's 607 files (its prune limit)
            (folder / f"stale-{number}").write_bytes(b"x")
    assert _findings(archive, "2", monkeypatch) == expected
    assert pools == [2, 2], "both runs filled on two cores"
    for kind in kinds:
        assert not any(name.startswith("stale-") for name in os.listdir(archive / cache.FOLDER / kind)), kind
    assert _entries(archive) == clean, "every entry the workers wrote is still there"


def test_a_check_of_a_few_files_leaves_the_other_files_entries_to_the_next_whole_check(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its limit, a kind is pruned of the entries the run did not use. A pre-commit
    check uses those of the file it checks, so it prunes nothing: were it to, it would drop
    every other file's entries, and the next check of the archive would parse it all again.
    That check prunes the stale entries, and only those."""
    _findings(archive, "1", monkeypatch)
    clean = {name for kind, name in _entries(archive) if kind == "checked"}
    folder = archive / cache.FOLDER / "checked"
    for number in range(3000):  # past three times the archive's 607 files (its prune limit)
        (folder / f"stale-{number}").write_bytes(b"x")
    one, two = [
        path
        for path in sorted((archive / "postmortems").glob("*.md"))
        if b"## Timeline\n" in path.read_bytes()
    ][:2]
    original = _reworded(one)
    _findings(archive, "1", monkeypatch, one)
    one.write_bytes(original)
    left = os.listdir(folder)
    assert sum(name.startswith("stale-") for name in left) == 3000, "a check of one file prunes nothing"
    assert clean <= set(left), "nor drops the other files'"

    # The next check of the archive, after another file's edit (a run that writes nothing
    # never prunes): it parses that file alone, and prunes the stale entries only.
    original = _reworded(two)
    with monkeypatch.context() as m:
        parsed = _parses(m)
        _findings(archive, "1", monkeypatch)
    two.write_bytes(original)
    assert parsed == [two], "the other files' entries were all there"
    left = os.listdir(folder)
    assert not any(name.startswith("stale-") for name in left), "and the stale ones were pruned"
    assert len(clean - set(left)) == 2, "but the two entries of the edited file's old bytes"


def _reworded(path: Path) -> bytes:
    """Gives the file's Timeline a new comment, as a review round does; returns its bytes before."""
    original = path.read_bytes()
    path.write_bytes(original.replace(b"## Timeline\n", b"## Timeline\n\n<!-- reworded -->\n", 1))
    return original


def test_a_file_edited_while_the_workers_fill_the_cache_is_read_again_and_checked_as_it_is(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    """This process read every file before the workers did. One edited in between (here:
    linked to the earlier postmortems PM060 named) is read again and checked as it is now,
    and nothing the run keeps pairs its first bytes with what the workers found in the
    second: put back as it was, it is judged as before."""
    before = _findings(archive, "1", monkeypatch, cached=False)
    recurrence = next(f for f in before if f.code == "PM060")
    edited = archive / recurrence.path
    original = edited.read_bytes()
    earlier = re.findall(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+", recurrence.message)[0]
    real_map = parallel.map_cached

    def map_cached(paths: list[Path], *rest: Any) -> Any:
        edited.write_bytes(original.replace(b"\ntitle:", f"\nrelated: [{earlier}]\ntitle:".encode(), 1))
        return real_map(paths, *rest)

    monkeypatch.setattr(parallel, "map_cached", map_cached)
    during = _findings(archive, "2", monkeypatch)
    monkeypatch.setattr(parallel, "map_cached", real_map)
    after = _findings(archive, "1", monkeypatch, cached=False)
    assert recurrence in before and recurrence not in after, "the edit links the recurrence"
    assert pools == [2]
    assert during == after, "the edited file read again (its new parse from the worker's entries)"
    assert _findings(archive, "2", monkeypatch) == after

    edited.write_bytes(original)
    assert _findings(archive, "2", monkeypatch) == before
    assert _findings(archive, "1", monkeypatch) == before


def test_a_first_check_of_one_file_reads_the_rest_of_the_archive_on_two_cores(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    """The pre-commit check after an upgrade: its file's archive-wide findings need every
    other file's facts, which the empty cache lacks (Reader.facts_fingerprint)."""
    whole = _findings(archive, "1", monkeypatch, cached=False)
    one = archive / next(f.path for f in whole if f.code == "PM060")
    expected = _findings(archive, "1", monkeypatch, one, cached=False)
    assert "PM060" in {f.code for f in expected}
    with monkeypatch.context() as m:
        here = _parses(m)
        assert _findings(archive, "2", monkeypatch, one) == expected
    assert pools == [2], "the rest of the archive read by two workers"
    assert set(here) == {one}, "only the file checked parsed here"
    on_two_cores = _entries(archive)
    with monkeypatch.context() as m:
        here = _parses(m)
        assert _findings(archive, "2", monkeypatch) == whole
    assert here == [] and pools == [2, 2], "the whole check then parses only in its workers"

    shutil.rmtree(archive / cache.FOLDER)
    assert _findings(archive, "1", monkeypatch, one) == expected
    assert pools == [2, 2], "read here"
    assert _entries(archive) == on_two_cores, "the same entries, whichever process wrote them"


def test_another_file_edited_while_the_workers_read_the_archive_for_one_file(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    """The first check of one file reads the other files' facts on two cores. An earlier
    postmortem edited meanwhile (to link the checked one, which silences its PM060) is read
    again here: the run keeps no judgement made from the edit under the first bytes' facts,
    so once the edit is put back the file is judged as before."""
    whole = _findings(archive, "1", monkeypatch, cached=False)
    recurrence = next(f for f in whole if f.code == "PM060")
    checked = archive / recurrence.path
    earlier = re.findall(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+", recurrence.message)[0]
    other = archive / "postmortems" / f"{earlier}.md"
    original = other.read_bytes()
    linking = original.replace(b"\ntitle:", f"\nrelated: [{checked.stem}]\ntitle:".encode(), 1)
    expected = _findings(archive, "1", monkeypatch, checked, cached=False)
    other.write_bytes(linking)
    linked = _findings(archive, "1", monkeypatch, checked, cached=False)
    other.write_bytes(original)
    assert recurrence in expected and recurrence not in linked, "the edit links the recurrence"
    real_map = parallel.map_cached

    def map_cached(paths: list[Path], *rest: Any) -> Any:
        if other in paths:  # the other files' facts (the checked file's own entry comes first)
            other.write_bytes(linking)
        return real_map(paths, *rest)

    monkeypatch.setattr(parallel, "map_cached", map_cached)
    _findings(archive, "2", monkeypatch, checked)
    assert other.read_bytes() == linking, "edited while the workers read it"
    monkeypatch.setattr(parallel, "map_cached", real_map)
    assert pools == [2]

    other.write_bytes(original)
    assert _findings(archive, "2", monkeypatch, checked) == expected
    assert _findings(archive, "2", monkeypatch) == whole


def test_a_worker_that_dies_while_filling_leaves_its_files_to_this_process(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pools: list[int]
) -> None:
    """A worker killed mid-fill (out of memory, say): this process checks every file itself,
    reading again the 400 whose text it did not keep, with the same findings."""
    expected = _findings(archive, "1", monkeypatch, cached=False)
    parent = os.getpid()
    original = archive_module.parse

    def parse(path: Path, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(path, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(archive_module, "parse", parse)
        assert _findings(archive, "2", monkeypatch) == expected
    assert pools == [2], "a pool was started, and died"
    with monkeypatch.context() as m:
        here = _parses(m)
        assert _findings(archive, "2", monkeypatch) == expected
    assert here == [] and pools == [2], "the entries this process wrote are complete"
