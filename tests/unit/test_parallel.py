"""A check on every core finds exactly what the check in one process finds.

With no cache, `mortem check` of a large batch parses in forked workers, which run each
file's own rules and send back slim copies (mortem.archive.slim) for the archive-wide rules.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mortem import checker, parallel
from mortem.archive import Reader, archive_files, slim
from mortem.checker import CONTEXT_RULES, _check_one, active_rules, check_paths
from mortem.config import load_config
from mortem.model import Postmortem
from mortem.rules import Context

TESTS = Path(__file__).parents[1]
EVAL = TESTS / "eval" / "recurrence" / "postmortems"
FIXTURES = TESTS / "fixtures" / "rules"
TODAY = date(2026, 11, 28)


@pytest.fixture
def archive(mixed_archive: Path) -> Path:
    return mixed_archive


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers of each pool started: a test of the workers must see them run."""
    started: list[int] = []
    real_pool = parallel._pool
    monkeypatch.setattr(parallel, "_pool", lambda n: started.append(n) or real_pool(n))
    return started


def _check(root: Path, workers: str, monkeypatch: pytest.MonkeyPatch, *paths: Path) -> list[object]:
    monkeypatch.setenv("MORTEM_WORKERS", workers)
    monkeypatch.chdir(root)
    return list(check_paths(list(paths), load_config(), today=TODAY).findings)


def test_a_check_on_two_cores_finds_what_one_process_finds(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    monkeypatch.setattr(parallel, "MIN_PART_ITEMS", 2)  # as if the archive were large
    two = _check(archive, "2", monkeypatch)  # whatever the machine has
    assert pooled == [1, 2, 1], (
        "the text-only rules apart, the parse in two workers, the pair search in a second process "
        "(parallel.one_process keeps the causes' terms here)"
    )
    one = _check(archive, "1", monkeypatch)
    assert two == one
    codes = {f.code for f in one}  # type: ignore[attr-defined]
    assert {"PM060", "PM039", "PM012", "PM001", "PM004", "PM080", "PM081", "PM082"} <= codes, "every kind"


def test_checking_part_of_a_large_archive_on_two_cores(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """Files checked among a larger archive: the rest is read only for the archive-wide rules."""
    files = archive_files(archive / "postmortems")[60:]
    two = _check(archive, "2", monkeypatch, *files)
    assert pooled == [1, 2], "the text-only rules apart, the parse in two workers"
    assert two == _check(archive, "1", monkeypatch, *files)
    assert {"PM060", "PM039", "PM012"} <= {f.code for f in two}  # type: ignore[attr-defined]


def test_the_archive_named_relatively_is_read_once(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """`mortem check postmortems` names the files relatively, and the archive-wide rules list
    the same files by their absolute paths: each file is still parsed once, not twice."""
    batches: list[list[Path]] = []
    real_map = checker.map_loaded

    def recorded(batch: list[Path], *rest: object) -> object:
        batches.append(list(batch))
        return real_map(batch, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(checker, "map_loaded", recorded)
    named = _check(archive, "2", monkeypatch, Path("postmortems"))
    assert named == _check(archive, "2", monkeypatch)
    archive_size = len(archive_files(archive / "postmortems"))
    assert [len(batch) for batch in batches] == [archive_size, archive_size]
    assert len({path.resolve() for path in batches[0]}) == archive_size


def test_part_of_an_archive_with_the_archive_wide_rules_disabled(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """With PM012, PM039 and PM060 off nothing else is read: the check must not ask for it."""
    config = archive / "mortem.toml"
    config.write_text(config.read_text() + 'disable = ["PM012", "PM039", "PM060"]\n')
    files = archive_files(archive / "postmortems")[60:]
    two = _check(archive, "2", monkeypatch, *files)
    assert pooled == [1, 2]
    assert two == _check(archive, "1", monkeypatch, *files)
    assert two and not {"PM012", "PM039", "PM060"} & {f.code for f in two}  # type: ignore[attr-defined]


def test_the_archive_wide_rules_find_the_same_in_slim_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slim keeps what the archive-wide rules read: each file's findings are the same."""
    for root, config_file in ((EVAL.parent, None), (FIXTURES, FIXTURES / "mortem.toml")):
        monkeypatch.chdir(root)
        config = load_config(config_file)
        folder = EVAL if config_file is None else FIXTURES / "bad"
        reader = Reader(config, store=None)
        docs = [d for d in map(reader.load, archive_files(folder)) if isinstance(d, Postmortem)]
        wider = [(r, level) for r, level in active_rules(config) if r.code in CONTEXT_RULES]
        ids = frozenset(d.id for d in docs)
        full = Context(config=config, archive_ids=ids, today=TODAY, documents=tuple(docs))
        thin = Context(config=config, archive_ids=ids, today=TODAY, documents=tuple(map(slim, docs)))
        found = 0
        for doc in docs:
            expected = _check_one(doc, wider, full, load_issues=False)
            assert _check_one(slim(doc), wider, thin, load_issues=False) == expected, doc.display_path
            found += len(expected)
        assert found, "the comparison saw findings"


def test_a_worker_that_dies_leaves_the_batch_to_this_process(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """A worker killed mid-batch (out of memory, say) must not hang the check or lose files."""
    import os
    import signal
    from concurrent.futures.process import BrokenProcessPool

    broken: list[Exception] = []
    real_map = parallel._map_forked

    def map_forked(*args: object) -> object:
        try:
            return real_map(*args)  # type: ignore[arg-type]
        except BrokenProcessPool as exc:
            broken.append(exc)
            raise

    monkeypatch.setattr(parallel, "_map_forked", map_forked)
    monkeypatch.setenv("MORTEM_WORKERS", "2")
    monkeypatch.chdir(archive)
    files = archive_files(archive / "postmortems")
    parent = os.getpid()

    def work(path: Path, doc: object) -> str:
        if os.getpid() != parent and path == files[-1]:
            os.kill(os.getpid(), signal.SIGKILL)
        return path.name

    assert parallel.map_loaded(files, load_config(), work) == [path.name for path in files]
    assert pooled == [2] and broken, "a worker of the pool died, and this process took over"


def test_the_site_reads_on_two_cores_and_its_pages_are_the_same(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """The site checks the archive first, on every core, and keeps the whole postmortems for
    its pages, whose related incidents a worker finds from the end while this process makes
    the other pages: the pages and the check are as in one process."""
    from mortem.site import pages, read_archive

    monkeypatch.chdir(archive)
    built = {}
    for workers in ("2", "1"):
        monkeypatch.setenv("MORTEM_WORKERS", workers)
        config = load_config()
        read = read_archive(config, TODAY)
        assert all(doc.text for doc in read.docs), "whole postmortems, not slim copies"
        built[workers] = (read.check, pages(read.docs, config, TODAY))
    assert pooled == [2, 1], "the check ran in two workers, the pages' related in one more"
    assert built["2"] == built["1"]


def test_the_site_pages_do_not_depend_on_whether_pm060_ran(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's check and its pages share one analysis of the archive (mortem.site): the
    pages must be the same whether PM060 ran over that analysis first or not at all."""
    from dataclasses import replace

    from mortem.site import pages, read_archive

    monkeypatch.chdir(archive)
    built = []
    for disable in ((), ("PM060",)):
        config = replace(load_config(), disable=disable)
        read = read_archive(config, TODAY)
        assert ("PM060" in {f.code for f in read.check.findings}) == (not disable)
        built.append(pages(read.docs, config, TODAY))
    assert built[0] == built[1]


def test_checking_one_file_reads_the_archive_on_two_cores(
    archive: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """A pull request's check of a few files compares them with the whole archive, which is
    read as slim copies on every core: the findings are as in one process."""
    folder = archive / "postmortems"
    files = [folder / "2026-10-07-unlinked-recurrence.md", folder / "2026-10-07-owner-overloaded.md"]
    two = _check(archive, "2", monkeypatch, *files)
    assert pooled == [2], "the archive was read in two workers"
    assert two == _check(archive, "1", monkeypatch, *files)
    assert {"PM060", "PM039"} <= {f.code for f in two}  # type: ignore[attr-defined]


def test_a_small_check_with_no_cache_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the workers' threshold the archive-wide rules' copies come from the files the
    check reads anyway: reading the archive a second time made a check of 100 files 20% slower."""
    import mortem.archive as archive_module

    folder = tmp_path / "postmortems"
    folder.mkdir()
    for path in sorted(EVAL.iterdir())[:40]:
        shutil.copy(path, folder / path.name)
    (tmp_path / "mortem.toml").write_text('archive = "postmortems"\n')
    read: list[Path] = []
    real = archive_module.read_bytes
    monkeypatch.setattr(archive_module, "read_bytes", lambda path, *a: read.append(path) or real(path, *a))
    findings = _check(tmp_path, "2", monkeypatch)
    assert len(read) < parallel.MIN_FILES, "below the threshold: one process"
    assert sorted(read) == sorted(folder.iterdir())
    assert "PM060" in {f.code for f in findings}  # type: ignore[attr-defined]


def test_the_analysis_in_parts_finds_what_one_process_finds(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """The analysis of a large archive reads the causes' terms, scores the candidate pairs and
    places the action items in parts over the cores: the patterns, their names and items, a
    postmortem's related ones and the spellings shown are as in one process."""
    from mortem.analysis import patterns

    monkeypatch.setattr(parallel, "MIN_PART_ITEMS", 2)
    monkeypatch.chdir(EVAL.parent)
    found = {}
    for workers in ("2", "1"):
        monkeypatch.setenv("MORTEM_WORKERS", workers)
        config = load_config()
        reader = Reader(config, store=None)
        docs = tuple(d for d in map(reader.load, archive_files(EVAL)) if isinstance(d, Postmortem))
        analysis = patterns._analyse(docs, config)
        found[workers] = (
            patterns.find_patterns(docs, config),
            patterns.related(docs[-1], docs, config, limit=10),
            {term: analysis.words.display(term) for term in analysis.corpus.idf},
        )
    assert pooled == [1, 1, 1], "terms, pairs and items each ran in a second process"
    assert found["2"] == found["1"]
    assert len(found["1"][0]) >= 10 and any(p.action_items for p in found["1"][0])


def test_causes_read_ahead_give_the_analysis_one_process_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check's causes read into terms while its workers parse (patterns.CausesAhead): the
    analysis takes those it was given and reads the others, and finds what it finds alone."""
    from dataclasses import replace

    from mortem.analysis import patterns

    monkeypatch.chdir(EVAL.parent)
    config = load_config()
    reader = Reader(config, store=None)
    docs = tuple(d for d in map(reader.load, archive_files(EVAL)) if isinstance(d, Postmortem))
    alone = patterns._build(docs, config)
    read: list[str] = []
    real = patterns._doc_causes
    monkeypatch.setattr(patterns, "_doc_causes", lambda doc, words: read.append(doc.id) or real(doc, words))
    settings = replace(config)  # an analysis of other settings must not take these terms
    with patterns.reading_ahead(settings) as ahead:
        for doc in docs[::2]:
            ahead.read(doc)
        read.clear()
        built = patterns._build(docs, settings)
    assert read == [doc.id for doc in docs[1::2]], "the analysis read only what was not read ahead"
    assert [p.name for p, _ in patterns._grouped(built)] == [p.name for p, _ in patterns._grouped(alone)]
    assert built.corpus.idf == alone.corpus.idf and built.words.surface == alone.words.surface
    assert [c.key for c in built.causes] == [c.key for c in alone.causes]


def test_a_check_on_two_cores_reads_the_causes_while_its_workers_parse(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mortem.analysis import patterns

    taken: list[bool] = []
    real_take = patterns.CausesAhead.take

    def take(self: patterns.CausesAhead, doc: Postmortem) -> object:
        found = real_take(self, doc)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(patterns.CausesAhead, "take", take)
    _check(archive, "2", monkeypatch)
    assert taken and all(taken), "every postmortem's causes were read before the analysis asked"


def test_within_one_process_only_light_parts_fork_and_only_when_let(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """`mortem check` keeps to one process for its memory; without the cache it lets the
    parts that read little of it (the pair search) run on two cores, with the same result."""
    monkeypatch.setenv("MORTEM_WORKERS", "2")

    def work(start: int, end: int) -> list[int]:
        return list(range(start, end))

    halves = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with parallel.one_process():
        assert parallel.in_parts(10, work, minimum=2, light=True) == [list(range(10))]
    with parallel.one_process(light_parts=True):
        assert parallel.in_parts(10, work, minimum=2) == [list(range(10))]
        assert pooled == [], "neither a block that keeps every part here nor a part that is not light"
        assert parallel.in_parts(10, work, minimum=2, light=True) == halves
        with parallel.one_process():
            assert parallel.in_parts(10, work, minimum=2, light=True) == [list(range(10))]
    assert pooled == [1]
    assert parallel.in_parts(10, work, minimum=2) == halves


def test_a_part_whose_worker_dies_is_done_here(monkeypatch: pytest.MonkeyPatch, pooled: list[int]) -> None:
    import os
    import signal

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    parent = os.getpid()

    def work(start: int, end: int) -> list[int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return list(range(start, end))

    assert parallel.in_parts(10, work, minimum=2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert pooled == [1]


def test_the_pieces_a_dying_worker_took_are_done_here(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int], tmp_path: Path
) -> None:
    import signal
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    parent = os.getpid()
    taken = tmp_path / "worker-took-a-piece"

    def work(start: int, end: int) -> list[int]:
        if os.getpid() != parent:
            taken.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not taken.exists() and time.monotonic() < deadline:  # so the worker takes one
            time.sleep(0.005)
        return list(range(start, end))

    assert parallel.in_parts(10, work, minimum=2, pieces=2) == [[0, 1], [2, 3, 4], [5, 6], [7, 8, 9]]
    assert taken.exists() and pooled == [1]


def test_pieces_are_taken_in_turn_and_given_in_order(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int], tmp_path: Path
) -> None:
    """The pair search's pieces: both processes take pieces, the last first, until none is
    left, so neither waits on a fixed part that costs more; each piece is done once."""
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    parent = os.getpid()
    started = tmp_path / "worker-started"

    def work(start: int, end: int) -> tuple[int, int, bool]:
        if os.getpid() != parent:
            started.touch()
        else:  # this process waits for the worker's first piece, so both take some
            deadline = time.monotonic() + 30
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.005)
        time.sleep(0.01)
        return start, end, os.getpid() == parent

    done = parallel.in_parts(40, work, minimum=2, pieces=4)
    assert [(start, end) for start, end, _ in done] == [(5 * k, 5 * k + 5) for k in range(8)]
    here = [in_parent for _, _, in_parent in done]
    assert any(here) and not all(here), "both processes took pieces"
    assert pooled == [1]


def test_pieces_fork_only_as_parts_do(monkeypatch: pytest.MonkeyPatch, pooled: list[int]) -> None:
    monkeypatch.setenv("MORTEM_WORKERS", "2")

    def work(start: int, end: int) -> list[int]:
        return list(range(start, end))

    quarters = [[0, 1], [2, 3, 4], [5, 6], [7, 8, 9]]
    with parallel.one_process(light_parts=True):
        assert parallel.in_parts(10, work, minimum=2, pieces=2) == [list(range(10))]
        assert pooled == []
        assert parallel.in_parts(10, work, minimum=2, light=True, pieces=2) == quarters
    assert pooled == [1]
    assert parallel.in_parts(3, work, minimum=2, pieces=8) == [[0], [1], [2]], "no piece is empty"


def test_when_no_worker_can_start_the_work_is_done_here(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system out of processes (fork fails with EAGAIN) must not fail the check: it reads
    and analyses in this process instead, with the same result."""
    import errno
    import os

    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    expected = _check(archive, "1", monkeypatch)
    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr(parallel, "MIN_PART_ITEMS", 2)
    assert _check(archive, "2", monkeypatch) == expected
    assert parallel.in_parts(10, lambda start, end: list(range(start, end)), minimum=2) == [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
    ]


def test_work_in_the_background_gives_its_result_or_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    """A site build that fails must not wait for the pages its worker is still converting."""
    import time
    from multiprocessing.connection import wait

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    done = parallel.in_background(lambda: sum(range(10)))
    assert done is not None and done.result() == 45
    slow = parallel.in_background(lambda: time.sleep(60))
    assert slow is not None
    workers = list(slow._pool._processes.values())  # type: ignore[attr-defined]
    started = time.monotonic()
    slow.cancel()
    # Ended is read from each worker's sentinel (closed when the process exits), not from
    # is_alive(): the executor's own thread may reap the process first, and is_alive() then
    # reports a process that is gone as running.
    pending = [process.sentinel for process in workers]
    while pending and time.monotonic() - started < 10:
        for ended in wait(pending, timeout=max(0.0, 10 - (time.monotonic() - started))):
            pending.remove(ended)
    assert not pending, "the worker was ended"
    assert time.monotonic() - started < 10
    monkeypatch.setenv("MORTEM_WORKERS", "1")
    assert parallel.in_background(lambda: 1) is None


def test_no_background_worker_outlives_the_command() -> None:
    """A command leaves by os._exit right after taking its worker's result: a worker left
    waiting for work held the caller's output pipe open, and a hook reading the output
    waited forever (it happened in one run of four in a loop like this one)."""
    import subprocess
    import sys

    script = (
        "import os; from mortem.parallel import in_background\n"
        "background = in_background(lambda: 45)\n"
        "print(None if background is None else background.result(), flush=True)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "MORTEM_WORKERS": "2", "PYTHONPATH": str(Path(parallel.__file__).parents[1])}
    for _ in range(20):
        # The output is read to its end: with a worker left holding the pipe, that never comes.
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=30
        )
        assert done.stdout == "45\n", done.stderr


def test_a_command_ends_what_it_left_running_before_it_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """console_main leaves by os._exit, which runs no exit handler: it ends the workers a
    failed command left first (test_text_checks has a check that fails so)."""
    import sys

    from mortem.cli import main as cli

    said: list[str] = []

    def leave(code: int) -> None:
        said.append(f"exit {code}")
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(parallel, "end_unfinished", lambda: said.append("ended"))
    monkeypatch.setattr(os, "_exit", leave)
    with pytest.raises(SystemExit):
        cli.console_main()
    # (Under a tracer, as with coverage, it leaves by sys.exit instead, after the same end.)
    assert said == (["ended"] if sys.gettrace() is not None else ["ended", "exit 3"])


def test_a_quick_fork_gives_its_bytes_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """in_fork (the check's sweep of the archive): the child's bytes, made in the child; None
    when the work fails there, or when only one process may run."""
    import os

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    here = os.getpid()
    done = parallel.in_fork(lambda: str(os.getpid()).encode())
    assert done is not None
    made_in = done.result()
    assert made_in is not None and int(made_in) != here
    failed = parallel.in_fork(lambda: bytes(1 // 0))
    assert failed is not None and failed.result() is None
    monkeypatch.setenv("MORTEM_WORKERS", "1")
    assert parallel.in_fork(lambda: b"") is None


def test_a_handoff_gives_each_item_as_the_worker_makes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's workers hand pages over one at a time: this process takes the first while
    the worker is still making the last, and does the ones the worker left itself."""
    import multiprocessing
    import os

    monkeypatch.setenv("MORTEM_WORKERS", "2")

    context = multiprocessing.get_context("fork")
    claimed, taken = context.Event(), context.Event()

    def work(handoff: parallel.Handoff) -> int:
        assert all(handoff.claim(position) for position in range(3))
        claimed.set()
        handoff.put(0, b"first")
        handoff.leave(1)
        taken.wait(10)
        handoff.put(2, b"last")
        return 2

    handoff = parallel.Handoff.start(work, 3)
    assert handoff is not None and claimed.wait(10)
    assert handoff.take(0) == b"first"
    assert handoff.take(1) is None
    assert not handoff.background.done(), "taken before the worker ended"
    taken.set()
    assert handoff.take(2) == b"last"
    folder = handoff.folder
    assert os.listdir(folder) == [], "each item taken is deleted; nothing half written is left"
    handoff.close()
    assert not folder.exists()


def test_a_handoff_whose_worker_ends_early_gives_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("MORTEM_WORKERS", "2")

    def dies(handoff: parallel.Handoff) -> int:
        assert handoff.claim(0) and handoff.claim(1)
        handoff.put(0, b"made")
        os._exit(1)  # killed, out of memory, while making item 1: the items it never made are done here

    handoff = parallel.Handoff.start(dies, 3)
    assert handoff is not None
    assert handoff.background.result() is None  # dead
    assert handoff.take(0) == b"made"
    assert handoff.take(1) is None
    assert handoff.take(2) is None
    handoff.close()
    monkeypatch.setenv("MORTEM_WORKERS", "1")
    before = _handoff_folders()
    assert parallel.Handoff.start(dies, 3) is None
    assert _handoff_folders() <= before, "no folder left"


def _handoff_folders() -> set[Path]:
    """The hand-over folders there are now, in memory and in the temporary folder."""
    places = [Path(tempfile.gettempdir()), *map(Path, parallel._MEMORY_FOLDERS)]
    return {found for place in places for found in place.glob("mortem-handoff-*")}


def test_a_handoff_with_claims_gives_this_process_what_the_worker_has_not_begun(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started with a count, the two share the items: this process takes an item the worker
    has not begun instead of waiting for it (the worker then skips it), waits for one the
    worker has begun, and after such a wait claims the next item the worker has not."""
    import multiprocessing
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    context = multiprocessing.get_context("fork")
    # two events, each set once: an event cleared by the worker could be cleared after this
    # process had set it again, and the worker would then wait its whole timeout
    finish_0, go_past_1, skipped = context.Event(), context.Event(), context.Array("b", 5)

    def work(handoff: parallel.Handoff) -> int:
        made = 0
        for position in range(5):
            if not handoff.claim(position):
                skipped[position] = 1
                continue
            if position == 0:
                finish_0.wait(10)  # item 0 is begun, and waits until this process asks for 3
                time.sleep(0.2)
            handoff.put(position, b"item %d" % position)
            made += 1
            if position == 0:
                go_past_1.wait(10)  # holds back until this process has claimed past 1
        return made

    def until(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)

    handoff = parallel.Handoff.start(work, 5)
    assert handoff is not None and handoff.claims is not None
    claims = handoff.claims
    try:
        until(lambda: claims.owners[0] == claims.WORKER)  # the worker has claimed 0 and waits
        assert handoff.take(3) is None  # not begun: this process's, at once
        finish_0.set()
        started = time.monotonic()
        assert handoff.take(0) == b"item 0"  # begun: waited for
        assert time.monotonic() - started >= 0.15
        # having waited, this process claimed the next item nobody had (the worker holds back)
        assert claims.owners[1] == claims.HERE
        assert handoff.take(1) is None
        go_past_1.set()
        until(lambda: claims.owners[4] == claims.WORKER)  # on to 2, skips 3 (claimed here), takes 4
        assert handoff.take(2) == b"item 2"
        assert handoff.take(4) == b"item 4"
        assert handoff.background.result() == 3
        assert list(skipped) == [0, 1, 0, 1, 0]
    finally:
        handoff.close()


def test_a_handoff_waits_for_a_begun_item_only_until_the_time_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text-only rules' worker runs at idle priority and may get no CPU: this process
    waits for an item it has begun only until the time given, then makes it itself."""
    import multiprocessing
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    begun = multiprocessing.get_context("fork").Event()

    def work(handoff: parallel.Handoff) -> int:
        handoff.claim(0)
        begun.set()
        time.sleep(60)  # never finishes
        return 0

    handoff = parallel.Handoff.start(work, 2)
    assert handoff is not None and begun.wait(10)
    assert handoff.take(0, until=time.monotonic() + 0.05) is None, "made here after all"
    assert handoff.take(1, until=time.monotonic()) is None
    assert handoff.claims is not None and handoff.claims.owners[1] == handoff.claims.HERE, "not begun: here"
    assert not handoff.background.done()
    handoff.close()  # ends the worker


def test_a_handoff_with_claims_marks_items_without_bytes_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's pages hand over no bytes: with claims, an item made with none and an item
    left are marked there, with no file written for either; one with bytes is still a file."""
    import multiprocessing

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    context = multiprocessing.get_context("fork")
    handed, go_on = context.Event(), context.Event()

    def work(handoff: parallel.Handoff) -> int:
        for position in range(3):
            assert handoff.claim(position)
        handoff.put(0, b"")
        handoff.leave(1)
        handoff.put(2, b"bytes")
        handed.set()
        go_on.wait(10)  # still running while this process takes the items
        return 2

    handoff = parallel.Handoff.start(work, 3)
    assert handoff is not None and handoff.claims is not None
    try:
        assert handed.wait(10)
        assert os.listdir(handoff.folder) == ["2"]
        assert handoff.take(0) == b""
        assert handoff.take(1) is None
        assert handoff.take(2) == b"bytes"
        assert not handoff.background.done(), "taken from the marks, not after the worker ended"
        assert os.listdir(handoff.folder) == []
        assert list(handoff.claims.owners) == [
            handoff.claims.MADE,
            handoff.claims.LEFT,
            handoff.claims.WORKER,
        ]
    finally:
        go_on.set()
        handoff.close()


def test_claims_are_first_come() -> None:
    claims = parallel._Claims.shared(4)
    assert claims is not None
    assert claims.claim(0, claims.WORKER) and claims.claim(0, claims.WORKER)  # its own still
    assert not claims.claim(0, claims.HERE)
    assert claims.claim(1, claims.HERE) and not claims.claim(1, claims.WORKER)
    claims.claim_next(0, claims.HERE)  # 1 is taken: the next free is 2
    assert not claims.claim(2, claims.WORKER) and claims.claim(3, claims.WORKER)
    claims.claim_next(3, claims.HERE)  # none left after 3: nothing happens
    assert list(claims.owners) == [claims.WORKER, claims.HERE, claims.HERE, claims.WORKER]


def test_claiming_ahead_takes_the_item_or_the_one_after_the_workers() -> None:
    claims = parallel._Claims.shared(4)
    assert claims is not None
    claims.claim_ahead(0, claims.HERE)  # nobody's: this process's
    assert claims.claim(1, claims.WORKER)
    claims.claim_ahead(1, claims.HERE)  # the worker's: the next one is taken instead
    assert list(claims.owners) == [claims.HERE, claims.WORKER, claims.HERE, 0]
    claims.claim_ahead(2, claims.HERE)  # its own already: nothing more
    assert claims.claim(3, claims.WORKER)
    claims.claim_ahead(3, claims.HERE)  # the worker's, and the last: nothing
    assert list(claims.owners) == [claims.HERE, claims.WORKER, claims.HERE, claims.WORKER]


def test_items_from_both_ends_meet_and_each_is_done_once(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int], tmp_path: Path
) -> None:
    """The site's related incidents: a worker takes items from the end while this process
    makes the other pages, then this process takes items from the start until they meet."""
    import os
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    parent, count = os.getpid(), 200
    started = tmp_path / "worker-started"

    def work(item: int) -> tuple[int, bool]:
        if item == count - 1:
            started.touch()  # the worker's first item
        time.sleep(0.005)
        return item, os.getpid() == parent

    def meanwhile() -> str:
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "the other pages"

    done, other = parallel.from_both_ends(count, work, meanwhile, minimum=2)
    assert other == "the other pages" and pooled == [1]
    assert [item for item, _ in done] == list(range(count))  # each once, in order
    here = [item for item, in_parent in done if in_parent]
    assert here and here == list(range(len(here))), "this process took the first items"
    assert len(here) < count, "the worker took the last ones"


def test_from_both_ends_in_one_process_runs_meanwhile_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORTEM_WORKERS", "1")
    order: list[object] = []

    def meanwhile() -> int:
        order.append("meanwhile")
        return 7

    assert parallel.from_both_ends(3, lambda i: order.append(i) or i, meanwhile, minimum=2) == ([0, 1, 2], 7)
    assert order == ["meanwhile", 0, 1, 2]  # as this process does it beside a worker


def test_items_a_dying_worker_took_are_done_here(monkeypatch: pytest.MonkeyPatch, pooled: list[int]) -> None:
    import os
    import signal

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    parent = os.getpid()

    def work(item: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return item * item

    assert parallel.from_both_ends(10, work, lambda: None, minimum=2) == ([i * i for i in range(10)], None)
    assert pooled == [1]


@pytest.mark.parametrize("shape", ["pieces", "both ends"])
def test_a_worker_killed_holding_the_lock_leaves_its_items_here(
    shape: str, monkeypatch: pytest.MonkeyPatch, pooled: list[int], tmp_path: Path
) -> None:
    """A worker killed (out of memory, say) while it holds the lock on the items left must
    not leave this process waiting for the lock forever: it waits LOCK_PATIENCE, stops
    taking, and does the items no process finished."""
    import signal
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    monkeypatch.setattr(parallel, "LOCK_PATIENCE", 0.2)
    parent = os.getpid()
    held = tmp_path / "worker-holds-the-lock"
    real_take = parallel._Ends.take

    def take(self: Any, from_start: bool) -> int | None:
        if os.getpid() != parent:
            self.lock.acquire()
            held.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real_take(self, from_start)

    def wait_for_the_worker() -> None:
        deadline = time.monotonic() + 30
        while not held.exists() and time.monotonic() < deadline:
            time.sleep(0.005)

    def stuck(signum: int, frame: object) -> None:
        raise TimeoutError("this process waited for the lock the dead worker held")

    monkeypatch.setattr(parallel._Ends, "take", take)
    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)  # a failure rather than a run that never ends
    started = time.monotonic()
    try:
        if shape == "pieces":
            found: object = parallel.in_parts(
                10, lambda s, e: wait_for_the_worker() or (s, e), minimum=2, pieces=2
            )
            assert found == [(0, 2), (2, 5), (5, 7), (7, 10)]
        else:
            found = parallel.from_both_ends(10, lambda i: wait_for_the_worker() or i, lambda: None, minimum=2)
            assert found == (list(range(10)), None)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert held.exists() and pooled == [1]
    assert time.monotonic() - started < 20, "this process stopped waiting for the lock"


def test_a_failure_meanwhile_ends_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import time

    monkeypatch.setenv("MORTEM_WORKERS", "2")

    def meanwhile() -> None:
        raise ValueError("a page could not be made")

    def started_here() -> list[object]:  # not a worker another test left behind
        return [child for child in multiprocessing.active_children() if child not in before]

    before = multiprocessing.active_children()
    with pytest.raises(ValueError, match="a page could not be made"):
        parallel.from_both_ends(10_000, lambda item: time.sleep(0.01), meanwhile, minimum=2)
    deadline = time.monotonic() + 10
    while started_here() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not started_here(), "the worker was ended, not left running"


def test_without_a_shared_lock_the_items_are_done_here(
    monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    """A system with no shared memory for a lock (no /dev/shm) builds the site, and searches
    the pairs in their pieces, in one process."""
    import multiprocessing.context

    def no_lock(self: object) -> None:
        raise OSError("no shared memory for a semaphore")

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    monkeypatch.setattr(multiprocessing.context.BaseContext, "Lock", no_lock)
    assert parallel.from_both_ends(10, lambda i: i, lambda: "pages", minimum=2) == (list(range(10)), "pages")
    pieces = [(0, 2), (2, 5), (5, 7), (7, 10)]
    assert parallel.in_parts(10, lambda start, end: (start, end), minimum=2, pieces=2) == pieces
    assert pooled == []  # no worker was started


def test_a_handoff_folder_is_in_memory_where_the_system_has_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(parallel, "_MEMORY_FOLDERS", (str(memory),))
    monkeypatch.setattr(parallel, "_MEMORY_ROOM", 1)
    folder = parallel._scratch_folder()
    assert folder is not None and folder.parent == memory
    folder.rmdir()
    # there, but with less room than the items may need: the temporary folder
    monkeypatch.setattr(parallel, "_MEMORY_ROOM", parallel._room(str(memory)) + 2**40)
    folder = parallel._scratch_folder()
    assert folder is not None and folder.parent == Path(tempfile.gettempdir())
    folder.rmdir()
    monkeypatch.setattr(parallel, "_MEMORY_ROOM", 1)
    # none there (not Linux, or a container without it): the system's temporary folder
    monkeypatch.setattr(parallel, "_MEMORY_FOLDERS", (str(tmp_path / "missing"),))
    folder = parallel._scratch_folder()
    assert folder is not None and folder.parent == Path(tempfile.gettempdir())
    folder.rmdir()
    # there but full (a small /dev/shm in a container): the temporary folder too
    real = tempfile.mkdtemp

    def full_in_memory(*args: Any, **kwargs: Any) -> str:
        if kwargs.get("dir") == str(memory):
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel, "_MEMORY_FOLDERS", (str(memory),))
    monkeypatch.setattr(tempfile, "mkdtemp", full_in_memory)
    folder = parallel._scratch_folder()
    assert folder is not None and folder.parent == Path(tempfile.gettempdir())
    folder.rmdir()


def test_a_run_stopped_before_close_drops_its_handoff_folders(tmp_path: Path) -> None:
    """A build stopped by Ctrl-C never reaches close(): the folders, which may be in memory,
    go at exit all the same, each on its own (closing one keeps the other's cleanup)."""
    import subprocess
    import sys

    script = """
import os, sys
os.environ["MORTEM_WORKERS"] = "2"
from mortem import parallel
def work(handoff):
    if handoff.claim(0):
        handoff.put(0, b"item")
    return 1
first = parallel.Handoff.start(work, 1)
second = parallel.Handoff.start(work, 1)
print(first.folder, second.folder)
first.close()
sys.exit(0)  # second is never closed
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    first, second = map(Path, done.stdout.split())
    assert not first.exists() and not second.exists()


def test_a_worker_makes_each_item_it_claims_and_stops_when_it_cannot_hand_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """make_each, the loop every worker runs: an item `make` gives None for is left; the
    first one the folder has no room for is left and ends the work, and this process makes
    the rest."""
    import multiprocessing

    monkeypatch.setenv("MORTEM_WORKERS", "2")
    folder_full_from(3, monkeypatch)
    made = multiprocessing.get_context("fork").Array("b", 6)

    def make(position: int) -> bytes | None:
        made[position] = 1
        return None if position == 1 else b"item %d" % position

    handoff = parallel.Handoff.start(lambda handoff: handoff.make_each(make), 6)
    assert handoff is not None
    try:
        assert handoff.background.result() == 2  # items 0 and 2
        assert [handoff.take(position) for position in range(6)] == [
            b"item 0",
            None,
            b"item 2",
            None,
            None,
            None,
        ]
        assert list(made) == [1, 1, 1, 1, 0, 0], "stopped at the first item it could not hand over"
        claims = handoff.claims
        assert list(claims.owners) == [
            claims.WORKER,
            claims.LEFT,
            claims.WORKER,
            claims.LEFT,
            claims.HERE,
            claims.HERE,
        ]
    finally:
        handoff.close()


def folder_full_from(first: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Handoff's scratch folder has no room for the items from `first` on (set before
    the worker is forked, which inherits it)."""
    real_put = parallel.Handoff.put

    def put(self: parallel.Handoff, position: int, data: bytes) -> None:
        if position >= first:
            raise OSError(28, "No space left on device")
        real_put(self, position, data)

    monkeypatch.setattr(parallel.Handoff, "put", put)
