"""The on-disk cache (.mortem-cache/) saves time and never changes a result.

Every test runs the same work with the cache and without it (MORTEM_NO_CACHE=1) and compares:
after edits that keep a file's size and mtime, with entries corrupted or planted, with the
folder unwritable, and when another file of the archive changes.
"""

from __future__ import annotations

import inspect
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mortem import archive as archive_module
from mortem import cache, sweep
from mortem import stamps as stamps_module
from mortem.analysis.actions import OwnerLoad
from mortem.analysis.patterns import find_patterns
from mortem.archive import Reader, load_archive
from mortem.checker import CONTEXT_RULES, check_paths
from mortem.cli.main import main
from mortem.config import load_config
from mortem.errors import UsageError
from mortem.findings import Finding
from mortem.model import Postmortem
from mortem.rules import ALL_RULES
from mortem.site import pages, read_archive

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "rules"
TODAY = date(2026, 11, 28)


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the rule fixtures (good and bad postmortems) as one archive, cache on."""
    monkeypatch.delenv("MORTEM_NO_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    root = tmp_path / "repo"
    (root / "postmortems").mkdir(parents=True)
    (root / ".git").mkdir()
    for folder in ("good", "bad"):
        for path in (FIXTURES / folder).glob("*.md"):
            shutil.copy(path, root / "postmortems" / path.name)
    config = (FIXTURES / "mortem.toml").read_text().replace('archive = "good"', 'archive = "postmortems"')
    (root / "mortem.toml").write_text(config)
    yield root


def findings(root: Path, *paths: Path) -> tuple[Finding, ...]:
    return check_paths(list(paths), load_config(start=root), today=TODAY).findings


def uncached(monkeypatch: pytest.MonkeyPatch, root: Path, *paths: Path) -> tuple[Finding, ...]:
    with monkeypatch.context() as m:
        m.setenv("MORTEM_NO_CACHE", "1")
        return findings(root, *paths)


def entries(root: Path) -> list[Path]:
    """The cache's entries (not its .gitignore, nor the tallies that Store.prune keeps)."""
    return [p for p in (root / cache.FOLDER).glob("*/*") if p.parent.name in cache.KINDS]


def test_results_are_identical_with_and_without_the_cache(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = uncached(monkeypatch, archive)
    assert expected, "the fixtures have findings to compare"
    assert findings(archive) == expected  # filling the cache
    assert entries(archive)
    assert findings(archive) == expected  # from the cache
    one = archive / "postmortems" / "2026-10-07-blame-wording.md"
    assert findings(archive, one) == uncached(monkeypatch, archive, one)
    config = load_config(start=archive)
    assert find_patterns(load_archive(config), config) == find_patterns(load_archive(config), config)
    site = read_archive(config, TODAY)
    assert site.check.findings == expected
    assert pages(site.docs, config, TODAY) == pages(site.docs, config, TODAY)
    with monkeypatch.context() as m:
        m.setenv("MORTEM_NO_CACHE", "1")
        assert pages(site.docs, config, TODAY) == pages(read_archive(config, TODAY).docs, config, TODAY)


def test_an_edit_is_seen_even_with_the_same_size_and_modification_time(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    before = findings(archive, path)
    stat = path.stat()
    text = path.read_text()
    edited = text.replace("owner: Priya Raman", "owner: the team", 1)
    edited = edited.replace("## Summary\n", "## Summary\n" + " " * (len(text) - len(edited)), 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a stale key would still match
    after = findings(archive, path)
    assert after != before
    assert after == uncached(monkeypatch, archive, path)
    assert any(f.code == "PM030" for f in after)


def test_archive_wide_results_follow_the_other_files(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PM012 reads the archive's ids: deleting the file a `related` names changes the
    findings of a file that did not change."""
    good = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    assert not [f for f in findings(archive, good) if f.code == "PM012"]
    (archive / "postmortems" / "2025-09-16-api-deploy-missing-env-var.md").unlink()
    after = findings(archive, good)
    assert [f for f in after if f.code == "PM012"]
    assert after == uncached(monkeypatch, archive, good)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _reword_timeline(path: Path, note: str = "reworded in review") -> None:
    """An edit outside the facts (archive.facts), as a review round makes."""
    _edit(path, "## Timeline\n", f"## Timeline\n\n<!-- {note} -->\n")


def _first_path(args: tuple[Any, ...]) -> Path:
    return next(a for a in args if isinstance(a, Path))


def _recorded(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    pick: Callable[[tuple[Any, ...]], Any] = _first_path,
) -> list[Any]:
    """What `pick` takes from the arguments of every call of `owner.name` in this process
    (by default the path of Reader.read, Reader._parsed, read_bytes), from now on and while
    the monkeypatch lasts."""
    seen: list[Any] = []
    original = getattr(owner, name)

    def record(*args: Any, **kwargs: Any) -> Any:
        seen.append(pick(args))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, record)
    return seen


def _trust_stamps(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs as a developer's clone has run before: stamps saved long after the files were
    written (mortem.stamps.RACY_NS), so the next run trusts them."""
    later = time.time_ns() + 10 * stamps_module.RACY_NS
    monkeypatch.setattr(time, "time_ns", lambda: later)
    findings(archive)
    findings(archive)


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, cache: bool = True
) -> tuple[str, str]:
    """A command's (stdout, stderr), with the cache or without it."""
    with monkeypatch.context() as m:
        if not cache:
            m.setenv("MORTEM_NO_CACHE", "1")
        code = main(list(args))
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out, err


def test_archive_judgements_are_reused_across_edits_outside_their_facts(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-commit case: a commit edits a postmortem's body outside its Root cause. The
    archive-wide rules (PM039, PM060) then come from the cache without reading any other
    postmortem, and equal what a fresh run reports."""
    folder = archive / "postmortems"
    recurring, overloaded = (
        folder / "2026-10-07-unlinked-recurrence.md",
        folder / "2026-10-07-owner-overloaded.md",
    )
    findings(archive)  # a developer's clone: mortem has run before
    for path in (recurring, overloaded):
        _reword_timeline(path)
    with monkeypatch.context() as m:
        read = _recorded(m, Reader, "_parsed")
        after = findings(archive, recurring, overloaded)
    assert {f.code for f in after} >= {"PM039", "PM060"}
    assert set(read) <= {recurring, overloaded}
    assert after == uncached(monkeypatch, archive, recurring, overloaded)
    # The whole archive checked after that edit: still only the edited files are read.
    _edit(recurring, "<!-- reworded in review -->", "<!-- reworded again -->")
    with monkeypatch.context() as m:
        read = _recorded(m, Reader, "_parsed")
        everything = findings(archive)
    assert set(read) <= {recurring}
    assert everything == uncached(monkeypatch, archive)


def test_patterns_are_reused_across_edits_outside_their_facts_and_follow_the_rest(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(start=archive)
    recurring = archive / "postmortems" / "2026-10-07-unlinked-recurrence.md"

    def fresh() -> object:
        with monkeypatch.context() as m:
            m.setenv("MORTEM_NO_CACHE", "1")
            return find_patterns(load_archive(config), config)

    find_patterns(load_archive(config), config)
    _reword_timeline(recurring)
    assert find_patterns(load_archive(config), config) == fresh()
    _edit(recurring, "category: release-steps-by-hand", "category: manual-deploy-ordering")
    after = find_patterns(load_archive(config), config)
    assert after == fresh()
    assert any("2026-10-07-unlinked-recurrence" in p.postmortems for p in after)


@pytest.fixture
def synthetic_150(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The benchmark's generated archive of 150 postmortems (benchmarks/synthetic.py), cache
    on: enough files that a 64th of them is two, and more judgements than the cache once kept."""
    monkeypatch.delenv("MORTEM_NO_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import synthetic

    files: list[Path] = synthetic.generate(tmp_path, 150)
    (tmp_path / ".git").mkdir()
    return files


def test_commits_to_different_postmortems_each_reuse_the_archive_judgements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synthetic_150: list[Path]
) -> None:
    """A developer edits one postmortem, commits, then another. Each commit's check must find
    the second file's PM060 verdict still cached: the first commit's check once pruned every
    entry it did not use, so the next file made it judge the archive again."""
    files = synthetic_150
    findings(tmp_path)
    read = _recorded(monkeypatch, Reader, "read")
    committed = files[10:14]
    for done, path in enumerate(committed, 1):
        _reword_timeline(path)
        read.clear()
        result = findings(tmp_path, path)
        # The committed file, and the ones committed before it: the indexes that would know
        # them are saved again only once a 64th of the archive is new to them (mortem.stamps).
        assert path in read and set(read) <= set(committed[:done]), "only committed files are read"
        assert result == uncached(monkeypatch, tmp_path, path)


def test_the_stamps_and_facts_are_saved_again_only_once_a_64th_of_the_archive_is_new_to_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synthetic_150: list[Path]
) -> None:
    files = synthetic_150  # a 64th: two files
    _trust_stamps(tmp_path, monkeypatch)
    saved: list[str] = []
    original = cache.Store.put

    def put(store: cache.Store, kind: str, key: str, value: object) -> None:
        if kind == "facts":
            saved.append(key)
        original(store, kind, key, value)

    monkeypatch.setattr(cache.Store, "put", put)
    for count, expected in ((1, []), (2, []), (3, ["stamps", "index"])):
        for path in files[:count]:
            _edit(path, "## Root cause\n", f"## Root cause\n\nEdit {count}.\n")
        saved.clear()
        assert findings(tmp_path, files[0]) == uncached(monkeypatch, tmp_path, files[0])
        assert saved == expected


@pytest.mark.parametrize(
    ("descriptor", "ahead"),
    [(True, False), (False, False), (True, True)],
    ids=["stat-in-folder", "stat-by-path", "swept-ahead"],
)
def test_unchanged_files_are_not_read_to_key_the_cache(
    archive: Path, monkeypatch: pytest.MonkeyPatch, descriptor: bool, ahead: bool
) -> None:
    """The pre-commit case: files whose size, times and inode are as a previous run saved
    them are not read again. An edit that keeps the size and mtime still changes the ctime,
    so it is read. Where the platform cannot stat through a folder's descriptor, the stamps
    are taken by path, with the same result; with two processes, they are taken by a forked
    child (mortem.sweep) while the files checked are read."""
    if not descriptor:
        monkeypatch.setattr(os, "supports_dir_fd", set())
    monkeypatch.setenv("MORTEM_WORKERS", "2" if ahead else "1")
    forks = _recorded(monkeypatch, sweep, "in_fork", pick=tuple)
    here = _recorded(monkeypatch, stamps_module.Stamps, "_unchanged", pick=tuple)
    folder = archive / "postmortems"
    _trust_stamps(archive, monkeypatch)
    read = _recorded(monkeypatch, archive_module, "read_bytes")
    one = folder / "2026-10-07-blame-wording.md"
    result = findings(archive, one)
    assert read == [one]
    assert result == uncached(monkeypatch, archive, one)
    read.clear()
    other = folder / "2026-10-07-checkout-deploy-before-migration.md"
    info = other.stat()
    text = other.read_text()
    edited = text.replace("owner: Priya Raman", "owner: the team", 1)
    edited = edited.replace("## Summary\n", "## Summary\n" + " " * (len(text) - len(edited)), 1)
    other.write_text(edited)
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    result = findings(archive, one)
    assert other in read  # its facts changed, so the archive is judged again
    assert result == uncached(monkeypatch, archive, one)
    read.clear()
    assert findings(archive, one) == result
    assert read == [one]  # and judged once
    assert result == uncached(monkeypatch, archive, one)
    if ahead:
        assert len(forks) >= 3, "each check with the cache swept the archive in a child"
        assert not here, "and this process used the child's stamps"
    else:
        assert here, "one process: compared here"


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "swept-ahead"])
def test_the_listing_is_the_stamps_while_the_folder_stands(
    archive: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: str
) -> None:
    """While the archive folder's stamp (its times change with every file added, removed or
    renamed in it) is as saved with the stamps, a run takes the stamps' names for its
    listing rather than list the folder again; a file added or removed is listed at once,
    in this process or in the sweep's child."""
    monkeypatch.setenv("MORTEM_WORKERS", workers)
    marks = _marking_listings(monkeypatch, tmp_path)
    _trust_stamps(archive, monkeypatch)
    folder = archive / "postmortems"
    one = folder / "2026-10-07-blame-wording.md"
    _edit(one, "\nstatus: final\n", "\nstatus: final\nrelated: [2026-11-02-added-later]\n")
    marks.unlink()
    result = findings(archive, one)
    assert not marks.exists(), "the folder stands: its listing is the stamps' names"
    assert "PM012" in {f.code for f in result}, "no such postmortem yet"
    assert result == uncached(monkeypatch, archive, one)

    added = folder / "2026-11-02-added-later.md"
    shutil.copy(folder / "2026-10-07-checkout-deploy-before-migration.md", added)
    result = findings(archive, one)
    assert marks.exists(), "a file added: the folder is listed"
    assert "PM012" not in {f.code for f in result}
    assert result == uncached(monkeypatch, archive, one)

    added.unlink()
    result = findings(archive, one)
    assert "PM012" in {f.code for f in result}, "and removed again"
    assert result == uncached(monkeypatch, archive, one)


def test_a_folder_that_settles_after_the_stamps_were_saved_is_listed_once_more(
    archive: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A first run just after a clone can save its stamps before the folder has settled,
    with no stamp of the folder. The next check lists it, finds the names the stamps were
    saved for, and saves the folder's stamp with them, so that the pre-commit checks after
    it, whose sweep stands in for the stamps and facts (they save none), list it no more."""
    _larger_archive(archive, 70)  # so that one file edited is within a 64th of it
    monkeypatch.setenv("MORTEM_WORKERS", "2")
    later = time.time_ns() + 10 * stamps_module.RACY_NS
    os.utime(archive / "postmortems", ns=(later - 1, later - 1))  # changed as the runs save
    monkeypatch.setattr(time, "time_ns", lambda: later)
    findings(archive)
    findings(archive)
    monkeypatch.setattr(time, "time_ns", lambda: later + 10 * stamps_module.RACY_NS)
    marks = _marking_listings(monkeypatch, tmp_path)
    one = archive / "postmortems" / "2026-10-07-blame-wording.md"
    _reword_timeline(one)
    assert findings(archive, one) == uncached(monkeypatch, archive, one)
    assert marks.read_text() == ".", "listed once more"
    _reword_timeline(one, "reworded again")
    assert findings(archive, one) == uncached(monkeypatch, archive, one)
    assert marks.read_text() == ".", "and then not again"


def _marking_listings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A file that gets a dot each time a run lists the archive folder: a file, since the
    sweep's child lists in another process."""
    marks = tmp_path / "listed"
    real_listing = stamps_module.archive_names

    def listing(folder: Path) -> list[str]:
        with open(marks, "a") as stream:
            stream.write(".")
        return real_listing(folder)

    monkeypatch.setattr(stamps_module, "archive_names", listing)
    return marks


def test_a_folder_changed_within_the_racy_window_has_no_stamp() -> None:
    """A folder changed less than RACY_NS ago could change again in the same timestamp tick
    without its times moving, so no listing is trusted to it."""
    here = Path(__file__).parent
    assert stamps_module.folder_stamp(here) is not None
    info = here.stat()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(time, "time_ns", lambda: max(info.st_mtime_ns, info.st_ctime_ns) + 1)
        assert stamps_module.folder_stamp(here) is None


def test_stamps_swept_ahead_are_used_only_against_the_stamps_they_were_read_with() -> None:
    """A child's flags are trusted only if it read the stamps this process holds (saved at
    the same moment: another run may save anew between the two) over as many files."""
    swept = (5, bytes([1, 0, 1]))
    assert stamps_module._positions(swept, 5, 3) == [0, 2]
    assert stamps_module._positions(swept, 6, 3) is None  # saved again since the child read them
    assert stamps_module._positions(swept, 5, 4) is None  # another listing
    assert stamps_module._positions(None, 5, 3) is None  # the child failed or died


def _larger_archive(archive: Path, copies: int) -> None:
    """The fixture archive with `copies` more postmortems (copies of a good one under new
    ids), so that an edit to one file is within a 64th of it (stamps.fallen_behind)."""
    source = (archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md").read_text()
    for number in range(copies):
        name = f"2024-01-{number % 28 + 1:02d}-copy-{number:03d}.md"
        (archive / "postmortems" / name).write_text(source.replace("Checkout", f"Checkout {number}", 1))


def test_a_body_edit_takes_the_archive_facts_from_the_sweep(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes, an edit that keeps a file's facts (its timeline) is checked
    against the facts digest the sweep made (mortem.sweep), which equals the one made
    here, and no other postmortem is read; an edit to its root cause, or a file added since
    the stamps were saved, has the digest made here. Every result is the uncached one."""
    _larger_archive(archive, 70)
    monkeypatch.setenv("MORTEM_WORKERS", "2")
    _trust_stamps(archive, monkeypatch)
    digests: list[str | None] = []
    original = archive_module.Reader._facts_ahead
    monkeypatch.setattr(
        archive_module.Reader, "_facts_ahead", lambda self: digests.append(original(self)) or digests[-1]
    )
    one = archive / "postmortems" / "2026-10-07-blame-wording.md"
    _reword_timeline(one)
    reworded = one.read_text()
    read = _recorded(monkeypatch, archive_module, "read_bytes")
    result = findings(archive, one)
    assert read == [one], "no other postmortem read"
    swept = digests[-1]
    assert swept is not None, "the sweep's digest stood"
    assert result == uncached(monkeypatch, archive, one)
    with monkeypatch.context() as m:
        m.setenv("MORTEM_WORKERS", "1")
        here = Reader(load_config(start=archive))
        assert here.store is not None
        assert here.facts_fingerprint(here.store) == swept
    _edit(one, "## Root cause\n", "## Root cause\n\nReworded in review.\n")
    assert findings(archive, one) == uncached(monkeypatch, archive, one)
    assert digests[-1] is None, "its facts changed: the digest is made here"
    one.write_text(reworded)  # its facts as the stamps saw them again: only the new file differs
    (archive / "postmortems" / "2026-11-01-new-one.md").write_text(reworded)
    assert findings(archive, one) == uncached(monkeypatch, archive, one)
    assert digests[-1] is None, "a file the stamps do not know"


def test_a_file_swapped_for_a_symlink_out_of_the_repository_is_refused_despite_its_stamp(
    archive: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The stamps stand in for reading a file only where reading would have succeeded: a
    postmortem replaced by a symlink to a file outside the repository (same name, same
    bytes) is refused as when there is no cache, not known by its old stamp."""
    _trust_stamps(archive, monkeypatch)
    victim = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    outside = tmp_path / "outside.md"
    outside.write_bytes(victim.read_bytes())
    victim.unlink()
    victim.symlink_to(outside)
    one = archive / "postmortems" / "2026-10-07-blame-wording.md"
    assert findings(archive, victim) == uncached(monkeypatch, archive, victim)
    assert [f.code for f in findings(archive, victim)] == ["PM001"]
    assert findings(archive, one) == uncached(monkeypatch, archive, one)


def test_stamps_saved_within_the_racy_window_are_not_trusted(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed just before the stamps were saved could change again in the same
    timestamp tick without a new stamp, so the next run reads it; once stamps are saved
    long enough after, it does not."""
    newest = max(p.stat().st_ctime_ns for p in (archive / "postmortems").iterdir())
    with monkeypatch.context() as m:
        m.setattr(time, "time_ns", lambda: newest + 1)  # saved in the same tick as the last write
        findings(archive)
    one = archive / "postmortems" / "2026-10-07-blame-wording.md"
    with monkeypatch.context() as m:
        read = _recorded(m, archive_module, "read_bytes")
        findings(archive, one)
    assert set(read) > {one}, "files written a moment before the save are read again"
    _trust_stamps(archive, monkeypatch)
    with monkeypatch.context() as m:
        read = _recorded(m, archive_module, "read_bytes")
        findings(archive, one)
    assert read == [one]


def test_mortem_patterns_reads_only_what_changed_while_the_facts_stand(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mortem patterns` on a developer's clone: the patterns come from the cache under the
    archive's facts, reading only an edited file and the files it warns about, and it prints
    what a run without the cache prints, warnings included."""
    monkeypatch.chdir(archive)
    arguments = ("patterns", "--format", "json")
    _cli(monkeypatch, capsys, *arguments)
    recurring = archive / "postmortems" / "2026-10-07-unlinked-recurrence.md"
    _reword_timeline(recurring)
    with monkeypatch.context() as m:
        loaded = _recorded(m, Reader, "_parsed")
        out, err = _cli(monkeypatch, capsys, *arguments)
    assert "left out" in err  # the fixtures hold unreadable files
    readable = {d.path for d in load_archive(load_config(start=archive))}
    assert set(loaded) & readable == {recurring}
    assert (out, err) == _cli(monkeypatch, capsys, *arguments, cache=False)
    _edit(recurring, "category: release-steps-by-hand", "category: manual-deploy-ordering")
    assert _cli(monkeypatch, capsys, *arguments) == _cli(monkeypatch, capsys, *arguments, cache=False)


@pytest.mark.parametrize(
    "arguments",
    [["--format", "json"], ["--all", "--format", "markdown"], ["--overdue", "--owner", "sam okafor"]],
    ids=["open", "all", "owner"],
)
def test_mortem_actions_reads_only_what_changed_and_follows_the_day(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    """`mortem actions` keeps its rows under the archive's facts, the day and the filters: an
    edit outside the facts reads only that file, and another day or an edited item is never
    answered from the cache."""
    monkeypatch.chdir(archive)

    def run(day: str, cache: bool = True) -> tuple[str, str]:
        return _cli(monkeypatch, capsys, "actions", "--as-of", day, *arguments, cache=cache)

    run("2026-11-28")
    overloaded = archive / "postmortems" / "2026-10-07-owner-overloaded.md"
    _reword_timeline(overloaded)
    with monkeypatch.context() as m:
        loaded = _recorded(m, Reader, "_parsed")
        out = run("2026-11-28")
    readable = {d.path for d in load_archive(load_config(start=archive))}
    assert set(loaded) & readable == {overloaded}
    assert out == run("2026-11-28", cache=False)
    assert run("2027-06-01") == run("2027-06-01", cache=False) != run("2026-11-28", cache=False)
    _edit(overloaded, "status: open", "status: done")
    assert run("2026-11-28") == run("2026-11-28", cache=False)


@pytest.mark.parametrize("cache_on", [True, False], ids=["cache", "no-cache"])
def test_the_owner_load_is_counted_once_per_run(
    archive: Path, monkeypatch: pytest.MonkeyPatch, cache_on: bool
) -> None:
    """PM039 runs for every file; counting the archive for each made a full check quadratic."""
    if not cache_on:
        monkeypatch.setenv("MORTEM_NO_CACHE", "1")
    counted: list[int] = []
    original = OwnerLoad.__init__

    def init(self: OwnerLoad, docs: Iterable[Postmortem]) -> None:
        counted.append(1)
        original(self, docs)

    monkeypatch.setattr(OwnerLoad, "__init__", init)
    result = findings(archive)
    assert len({f.path for f in result}) > 10  # many files checked, PM039 ran for each
    assert counted == [1]


def test_archive_judgements_follow_an_edit_of_their_facts(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recurring = archive / "postmortems" / "2026-10-07-unlinked-recurrence.md"
    assert [f for f in findings(archive, recurring) if f.code == "PM060"]
    # Filed under the earlier incidents' category, it is counted with them: no more warning.
    _edit(recurring, "category: release-steps-by-hand", "category: manual-deploy-ordering")
    after = findings(archive, recurring)
    assert not [f for f in after if f.code == "PM060"]
    assert after == uncached(monkeypatch, archive, recurring)
    # Another file's facts count too: an owner's items elsewhere change PM039 here.
    overloaded = archive / "postmortems" / "2026-10-07-owner-overloaded.md"
    before = findings(archive, overloaded)
    assert [f for f in before if f.code == "PM039"]
    for other in sorted((archive / "postmortems").glob("*.md")):
        if other != overloaded and "owner: Lena Fischer" in other.read_text():
            other.write_text(other.read_text().replace("owner: Lena Fischer", "owner: Ada Nwosu"))
    assert findings(archive, overloaded) == uncached(monkeypatch, archive, overloaded)


def test_a_root_cause_edit_judges_the_archive_from_slim_copies_it_does_not_keep_whole(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that rewords a root cause has every postmortem read again for PM039 and PM060:
    from the cache's slim entries, a third of a whole parse. Only the checked file is rebuilt
    whole, and the reader keeps only it whole."""
    findings(archive)
    recurring = archive / "postmortems" / "2026-10-07-unlinked-recurrence.md"
    _edit(recurring, "## Root cause\n", "## Root cause\n\nReworded in review.\n")
    readers: list[Reader] = []
    original = Reader.__init__

    def remember(reader: Reader, *args: Any, **kwargs: Any) -> None:
        original(reader, *args, **kwargs)
        readers.append(reader)

    with monkeypatch.context() as m:
        m.setattr(Reader, "__init__", remember)
        whole = _recorded(m, Reader, "_parsed")
        slimmed = _recorded(m, archive_module, "_rebuild_slim")
        result = findings(archive, recurring)
    (reader,) = readers
    assert len(set(slimmed)) > 10, "the archive was judged again"
    assert whole == [recurring]
    assert [path for path, _ in reader.loaded] == [recurring]
    assert result == uncached(monkeypatch, archive, recurring)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),
        lambda data: b"not a cache entry at all",
        lambda data: data[:20] + b"\x00" * (len(data) - 20),
    ],
    ids=["empty", "truncated", "flipped-byte", "garbage", "zeroed"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(
    archive: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    expected = findings(archive)
    for entry in entries(archive):
        entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    assert findings(archive) == expected
    assert findings(archive) == expected


class Planted:
    """Unpickling this would create a file: the proof that a planted entry ran code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.marker, "w"))


def test_a_planted_entry_cannot_run_code(archive: Path, tmp_path: Path) -> None:
    expected = findings(archive)
    marker = tmp_path / "ran"
    payload = pickle.dumps(Planted(str(marker)))
    import struct
    import zlib

    forged = cache._MAGIC + struct.pack("<QI", len(payload), zlib.crc32(payload)) + payload
    for entry in entries(archive):
        entry.write_bytes(forged)
    assert findings(archive) == expected
    assert not marker.exists()


def test_entries_of_another_mortem_or_configuration_are_not_used(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings(archive)
    filled = set(entries(archive))
    config = (archive / "mortem.toml").read_text()
    (archive / "mortem.toml").write_text(config.replace("word_limit = 800", "word_limit = 60"))
    changed = findings(archive)
    assert any(f.code == "PM022" for f in changed)
    assert changed == uncached(monkeypatch, archive)
    # New entries, under the new settings (the old archive indexes give way: see below).
    assert {p for p in entries(archive) if p.parent.name != "facts"} > {
        p for p in filled if p.parent.name != "facts"
    }
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: "another version of mortem")
    assert findings(archive) == changed


def test_archive_indexes_of_earlier_settings_are_dropped(archive: Path) -> None:
    """The facts index and the stamps are a megabyte each at 10,000 postmortems: an upgrade
    or a settings change leaves only the indexes it writes."""
    findings(archive)
    facts_folder = archive / cache.FOLDER / "facts"
    first = set(facts_folder.iterdir())
    assert len(first) == 2  # the facts index and the stamps
    config = (archive / "mortem.toml").read_text()
    (archive / "mortem.toml").write_text(config.replace("word_limit = 800", "word_limit = 60"))
    findings(archive)
    second = set(facts_folder.iterdir())
    assert len(second) == 2 and not second & first


def test_a_prune_after_judging_from_slim_entries_keeps_the_archive_s_whole_parses(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A root cause edit reads the other files' slim entries only; when the run then prunes,
    their "parsed" halves are still this archive's and must stay, or the next whole load
    (the site) would parse every file again. Stale entries go."""
    findings(archive)
    config = load_config(start=archive)
    store = cache.open_store(config)
    assert store is not None
    folder = archive / cache.FOLDER / "parsed"
    for number in range(300):  # stale halves, far past the kind's limit
        (folder / f"stale-{number}").write_bytes(b"x")
    recurring = archive / "postmortems" / "2026-10-07-unlinked-recurrence.md"
    _edit(recurring, "## Root cause\n", "## Root cause\n\nReworded in review.\n")
    findings(archive, recurring)
    left = set(os.listdir(folder))
    assert not any(name.startswith("stale-") for name in left)
    others = [path for path in sorted((archive / "postmortems").glob("*.md")) if path != recurring]
    wholes = [path for path in others if isinstance(Reader(config).load(path), Postmortem)]
    expected = {store._path("parsed", cache.content_hash(path.read_bytes()))[0] for path in wholes}
    assert len(wholes) > 10 and expected <= left
    with monkeypatch.context() as m:
        parsed = _recorded(m, archive_module, "parse")
        findings(archive)
    assert parsed == []  # every whole still in the cache


def test_slim_entries_rebuild_what_slim_makes_of_the_whole(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every fixture, good and bad, read through a cache filled by an earlier run: the slim
    copy rebuilt from its entry equals the slim copy of the whole parse, failures included."""
    findings(archive)
    config = load_config(start=archive)
    wholes = {path: Reader(config).load(path) for path in sorted((archive / "postmortems").glob("*.md"))}
    reader = Reader(config)
    parsed = _recorded(monkeypatch, Reader, "_parsed")
    for path, whole in wholes.items():
        expected = archive_module.slim(whole) if isinstance(whole, Postmortem) else whole
        assert reader.slim(path) == expected, path.name
    assert {type(whole) for whole in wholes.values()} == {Postmortem, archive_module.LoadFailure}
    assert parsed == [] and not reader.loaded  # every copy came from its slim entry


def test_a_kind_stays_bounded_and_is_listed_only_when_its_tally_runs_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty runs, each writing five new entries, against a limit of thirty: the kind never
    holds more than the limit, it is listed only when its tally says
    it may have run over, and a run that writes nothing does not list it at all."""
    monkeypatch.setattr(cache, "_TALLY_FROM", 0)  # (a tally is kept from 4,096 entries up)
    listed = _recorded(monkeypatch, os, "listdir")
    folder = tmp_path / cache.FOLDER / "checked"
    for run in range(40):
        store = cache.Store(tmp_path, "salt")
        for i in range(5):
            store.put("checked", f"{run}-{i}", [run, i])
        store.get("checked", f"{run - 1}-0")  # used again: kept
        store.prune("checked", archive_size=10, slack=0)
        assert len(os.listdir(folder)) <= 30
    by_prune = len([path for path in listed if path == folder]) - 40  # less the test's own
    assert 5 <= by_prune <= 10  # the first run, then about every fifth
    assert store.get("checked", "39-4") == [39, 4] and store.get("checked", "38-0") == [38, 0]
    before = len(listed)
    idle = cache.Store(tmp_path, "salt")
    idle.get("checked", "39-0")
    idle.prune("checked", archive_size=10, slack=0)
    assert len(listed) == before


def test_a_run_over_a_few_files_tallies_its_writes_and_leaves_the_prune_to_a_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit checks (whole=False) write an entry or two each and use no other file's:
    they never list or prune the kind, but their writes count, so the next run over the
    whole archive that writes finds the tally over the limit and prunes what it did not use."""
    monkeypatch.setattr(cache, "_TALLY_FROM", 0)
    folder = tmp_path / cache.FOLDER / "checked"
    whole = cache.Store(tmp_path, "salt")
    for i in range(10):
        whole.put("checked", f"file-{i}", i)
    whole.prune("checked", archive_size=10, slack=0)  # lists once, and starts the tally
    listed = _recorded(monkeypatch, os, "listdir")
    for commit in range(25):  # past the limit, three times the archive's ten
        few = cache.Store(tmp_path, "salt")
        few.get("checked", "file-0")
        few.put("checked", f"commit-{commit}", commit)
        few.prune("checked", archive_size=10, slack=0, whole=False)
    assert listed == [], "no run over a few files listed the kind"
    assert len(os.listdir(folder)) == 35, "nor pruned it"
    assert (tmp_path / cache.FOLDER / "checked.tally").read_text() == "35"
    again = cache.Store(tmp_path, "salt")
    for i in range(10):
        again.get("checked", f"file-{i}")
    again.put("checked", "file-0", 0)  # an edit rewrites one entry
    again.prune("checked", archive_size=10, slack=0)
    assert sorted(os.listdir(folder)) == sorted(again._path("checked", f"file-{i}")[0] for i in range(10))


def test_a_lost_or_damaged_tally_means_listing_the_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_TALLY_FROM", 0)
    store = cache.Store(tmp_path, "salt")
    for i in range(10):
        store.put("parsed", str(i), i)
    store.prune("parsed", archive_size=1, slack=0)  # lists: the kind has no tally yet
    tally = tmp_path / cache.FOLDER / "parsed.tally"
    assert tally.read_text() == "10"  # over the limit, but this run used all ten
    for damaged in ("not a number", None):
        if damaged is None:
            tally.unlink()
        else:
            tally.write_text(damaged)
        again = cache.Store(tmp_path, "salt")
        for i in range(3):
            again.put("parsed", f"more-{i}", i)
        again.prune("parsed", archive_size=1, slack=0)
        assert sorted(os.listdir(tmp_path / cache.FOLDER / "parsed")) == sorted(
            again._path("parsed", f"more-{i}")[0] for i in range(3)
        )
        assert tally.read_text() == "3"


def test_a_small_kind_is_listed_without_a_tally(tmp_path: Path) -> None:
    store = cache.Store(tmp_path, "salt")
    for i in range(10):
        store.put("parsed", str(i), i)
    store.prune("parsed", archive_size=1, slack=0)
    assert not list((tmp_path / cache.FOLDER).glob("*.tally"))
    assert len(os.listdir(tmp_path / cache.FOLDER / "parsed")) == 10  # all used by this run


def test_an_unwritable_cache_is_no_error(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (archive / cache.FOLDER).write_text("a file where the folder would go")
    assert findings(archive) == uncached(monkeypatch, archive)


def test_off_by_environment_and_in_ci(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(start=archive)
    assert cache.enabled(config)
    monkeypatch.setenv("CI", "true")
    assert not cache.enabled(config)  # a fresh checkout, and entries that came with it
    monkeypatch.setenv("MORTEM_CACHE", "1")
    assert cache.enabled(config)
    monkeypatch.setenv("MORTEM_NO_CACHE", "1")
    assert not cache.enabled(config)
    findings(archive)
    assert not (archive / cache.FOLDER).exists()


def test_off_by_configuration(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with (archive / "mortem.toml").open("a") as config:
        config.write("cache = false\n")
    assert findings(archive) == uncached(monkeypatch, archive)
    assert not (archive / cache.FOLDER).exists()


def test_the_folder_ignores_itself(archive: Path) -> None:
    findings(archive)
    assert (archive / cache.FOLDER / ".gitignore").read_text().strip().endswith("*")


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.check is not None], ids=lambda r: r.code)
def test_rules_reading_beyond_their_file_are_keyed_by_the_archive(rule: object) -> None:
    """A rule's findings are cached by its file alone unless it is in CONTEXT_RULES: one that
    reads the other postmortems, the archive's ids or the date must be listed there."""
    source = inspect.getsource(rule.check)  # type: ignore[attr-defined]
    reads_context = any(
        name in source
        for name in ("ctx.archive", "ctx.today", "ctx.documents", "archive_ids", "ctx.remembered")
    )
    if reads_context:
        assert rule.code in CONTEXT_RULES  # type: ignore[attr-defined]


def test_has_tells_an_entry_is_there_without_reading_it(tmp_path: Path) -> None:
    store = cache.Store(tmp_path, "salt")
    assert not store.has("rendered", "key")
    store.put("rendered", "key", ("html",))
    assert store.has("rendered", "key") and not store.has("rendered", "other")
    asked = cache.Store(tmp_path, "salt")
    assert asked.has("rendered", "key") and not asked.used["rendered"], "not counted as used"
    assert not cache.Store(tmp_path, "another salt").has("rendered", "key")


def test_a_check_that_stops_early_still_takes_the_sweeps_answer(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check that ends in a usage error (a file that does not exist) still waits for the
    sweep it started, so its child never outlives the run (its answer can be more than the
    pipe holds, and the child would wait for a reader that never comes)."""
    monkeypatch.setenv("MORTEM_WORKERS", "2")
    _trust_stamps(archive, monkeypatch)
    started = _recorded(monkeypatch, sweep, "in_fork", pick=tuple)
    answered = _recorded(monkeypatch, sweep, "answer", pick=tuple)
    with pytest.raises(UsageError):
        findings(archive, archive / "postmortems" / "no-such-file.md")
    assert len(started) == 1 and len(answered) == 1
