"""Reading a large archive on every core.

A check with no cache (CI, a fresh clone) parses every postmortem, and parsing is most of
its time: Markdown tokens, YAML with positions, the schema. Postmortems parse independently,
so a batch is split over forked worker processes, each of which reads, parses and runs the
caller's `work` on its share, and sends back only that work's result: the file's own
findings and the slim copy of the postmortem the archive-wide rules read (archive.slim),
which unpickles several times faster than the whole parse.

The analysis of a large archive then splits its heaviest loops in parts (in_parts): a
forked worker reads what this process holds without it being sent, and sends back only
what it found. The site finds each page's related incidents from both ends
(from_both_ends): a worker from the last page back while this process makes the other
pages, then this process from the first page on, until the two meet.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from mortem.config import Config

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from mortem.archive import Loaded, Reader

R = TypeVar("R")
T = TypeVar("T")

# Below this many files, starting the workers (a fork each, ~10 ms) costs more than it saves.
MIN_FILES = 200
# Files per task: small enough that both workers finish together, large enough that sending
# tasks and results back is a small share of the time.
CHUNK = 50
MAX_WORKERS = 8


def workers(files: int) -> int:
    """How many processes read `files` postmortems: `processes()`, or 1 (this process) for a
    small batch."""
    return 1 if files < MIN_FILES else processes()


def processes() -> int:
    """How many processes may share work: one per core this process may use, or
    MORTEM_WORKERS if set (1 turns the workers off); 1 where fork is not the default (only
    Linux forks without trouble)."""
    if sys.platform != "linux":
        return 1
    chosen = os.environ.get("MORTEM_WORKERS", "").strip()
    count = int(chosen) if chosen.isdigit() else len(os.sched_getaffinity(0))
    return max(1, min(count, MAX_WORKERS))


# The job of the pool being forked: what a worker does with one chunk of paths. Workers
# inherit it, so neither the settings nor the work (often a closure, which pickle cannot
# send) travels through a pipe.
_Chunk = Callable[[list[Path]], list[R]]
_JOB: _Chunk[object] | None = None


def map_loaded(
    paths: Sequence[Path],
    config: Config,
    work: Callable[[Path, Loaded], R],
    arrived: Callable[[R], None] | None = None,
) -> list[R]:
    """[work(path, the postmortem read from path) for path in paths], in order, on every core
    for a large batch. `work` must return something picklable and must not print. `arrived`,
    if given, is called here with each result a worker sends back, as it comes: this process
    mostly waits for the workers meanwhile, so work done on the results then costs little
    time. (It hears of none read here, for a small batch or when no worker could run.)"""
    from mortem.archive import Reader, bulk

    def chunk(paths: list[Path]) -> list[R]:
        reader = Reader(config, store=None)
        return [work(path, reader.load(path)) for path in paths]

    found = _on_every_core(paths, chunk, arrived)
    if found is not None:
        return found
    with bulk():
        return chunk(list(paths))


def map_cached(
    paths: Sequence[Path],
    config: Config,
    work: Callable[[Reader, Path], R],
    arrived: Callable[[R], None] | None = None,
) -> list[R] | None:
    """[work(reader, path) for path in paths], in order, on every core: each worker reads
    through a Reader with the cache (mortem.cache), so what it parses is kept for later runs
    as this process would keep it. For a cache that misses many files (a first run, a new
    mortem or new settings): parsing them one by one here took a check of 10,000 postmortems
    28 s. None for a small batch, or when no worker could run: the caller then reads the
    files itself. `work` must return something picklable and must not print."""
    from mortem.archive import Reader

    def chunk(paths: list[Path]) -> list[R]:
        reader = Reader(config)
        return [work(reader, path) for path in paths]

    return _on_every_core(paths, chunk, arrived)


def _on_every_core(
    paths: Sequence[Path], chunk: _Chunk[R], arrived: Callable[[R], None] | None
) -> list[R] | None:
    """The chunks' results in order from forked workers, or None for a small batch or when
    a worker was killed (out of memory?) or none could start."""
    count = workers(len(paths))
    if count < 2:
        return None
    from concurrent.futures.process import BrokenProcessPool

    try:
        return _map_forked(paths, chunk, count, arrived or _ignore)
    except (BrokenProcessPool, _ForkFailed):
        return None


def _ignore(result: object) -> None:
    pass


def _map_forked(paths: Sequence[Path], chunk: _Chunk[R], count: int, arrived: Callable[[R], None]) -> list[R]:
    from mortem.archive import bulk

    global _JOB
    _JOB = chunk  # type: ignore[assignment]
    chunks = [list(paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    try:
        with bulk(), _pool(count) as pool:
            results: list[R] = []
            for done in pool.map(_run, chunks):
                results.extend(done)  # type: ignore[arg-type]
                for result in done:
                    arrived(result)  # type: ignore[arg-type]
            return results
    finally:
        _JOB = None


# What starting a worker raises when the system will not fork one (out of processes or
# memory: EAGAIN, ENOMEM): the work is then done in this process, as for a small batch. (An
# OSError a worker's work raised is raised again by the same work done here.)
_ForkFailed = OSError


def _pool(count: int) -> ProcessPoolExecutor:
    """`count` forked workers (forked inside `bulk`, so they collect no garbage either). An
    executor rather than multiprocessing.Pool: if a worker dies, it says so instead of waiting."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))


def _run(paths: list[Path]) -> list[object]:
    """One task in a worker: read and parse its files (gc stays off, as in the parent)."""
    job = _JOB
    assert job is not None, "workers are forked after the job is set"
    return job(paths)


# The analysis of a large archive (mortem.analysis.patterns) splits its heaviest loops in
# parts; below this many items a fork costs more than the part it takes away.
MIN_PART_ITEMS = 4000

# The work of the parts being run: the forked workers inherit it, with everything it reads.
_PART: Callable[[int, int], object] | None = None
_ONE_PROCESS: list[bool] = []  # open one_process() blocks: does each let light parts fork?


@contextmanager
def one_process(light_parts: bool = False) -> Iterator[None]:
    """in_parts runs every part here while this is open; with `light_parts`, all but those
    marked light. For `mortem check`: a forked part copies each page it reads (a reference
    count is a write), and the check holds every file's findings besides the archive. At
    10,000 postmortems all its parts together saved 0.5 s and cost 56 MB, over its 300 MB
    budget. The pair search's part alone (light: it reads only the cause vectors) saves
    0.6-0.7 s of the check without the cache (10-11 s) and costs 38 MB (276 MB at the peak
    against 238); a check through the cache holds the cache's entries too (249 MB at the
    peak for a first run, 260 MB for a root cause edit), so it keeps even that part here."""
    _ONE_PROCESS.append(light_parts)
    try:
        yield
    finally:
        _ONE_PROCESS.pop()


def in_parts(
    count: int,
    work: Callable[[int, int], R],
    minimum: int | None = None,
    light: bool = False,
    pieces: int = 1,
) -> list[R]:
    """[work(start, end) for consecutive parts of range(count)], in order: one part per core,
    the first in this process while forked workers run the others. For loops over data this
    process already holds (a fork shares it for free): `work` must only read it, and return
    something picklable that says what it found. One part, here, below `minimum` items
    (MIN_PART_ITEMS unless given), and within one_process() unless it lets `light` parts
    fork: parts that read a bounded share of this process's memory, so a fork copies little.

    With `pieces`, each core's share is cut into that many pieces, which the processes take
    in turn (_in_pieces), and the result is one per piece: for work whose later items cost more,
    where a fixed part each would leave one process waiting for the other."""
    least = MIN_PART_ITEMS if minimum is None else minimum
    alone = bool(_ONE_PROCESS) and not (light and all(_ONE_PROCESS))
    count_parts = min(processes(), count) if count >= max(least, 1) and not alone else 1
    if count_parts > 1 and pieces > 1:
        return _in_pieces(count, work, count_parts, min(count_parts * pieces, count))
    bounds = [count * k // count_parts for k in range(count_parts + 1)]
    parts = list(itertools.pairwise(bounds))
    started = _forked(work, parts[1:]) if count_parts > 1 else None
    if started is None:
        return [work(start, end) for start, end in parts]
    from concurrent.futures.process import BrokenProcessPool

    pool, others = started
    with pool:
        first = work(*parts[0])
        try:
            return [first, *(cast(R, future.result()) for future in others)]
        except BrokenProcessPool:  # a worker was killed (out of memory?): the rest here
            return [first, *(work(start, end) for start, end in parts[1:])]


def _in_pieces(count: int, work: Callable[[int, int], R], count_parts: int, count_pieces: int) -> list[R]:
    """[work(start, end) for `count_pieces` consecutive pieces of range(count)], in order,
    each done by whichever of `count_parts` processes takes it first, the last piece first:
    the costliest go early, and the cheap ones left at the end keep the processes' finishes
    close. The pieces a worker that died had taken are done here."""
    bounds = [count * k // count_pieces for k in range(count_pieces + 1)]
    pieces = list(itertools.pairwise(bounds))
    ends = _Ends.shared(len(pieces))
    take = _taking(work, pieces, ends) if ends is not None else None
    started = _forked(take, [(0, 0)] * (count_parts - 1)) if take is not None else None
    if take is None or started is None:
        return [work(start, end) for start, end in pieces]
    from concurrent.futures.process import BrokenProcessPool

    pool, others = started
    done: dict[int, R] = {}
    with pool:
        done.update(take(0, 0))
        for future in others:
            with suppress(BrokenProcessPool):
                done.update(cast(list[tuple[int, R]], future.result()))
    return [done[k] if k in done else work(*pieces[k]) for k in range(len(pieces))]


def _taking(
    work: Callable[[int, int], R], pieces: Sequence[tuple[int, int]], ends: _Ends
) -> Callable[[int, int], list[tuple[int, R]]]:
    """A process's share of _in_pieces: each piece it takes, from the last, with its result.
    (Its arguments are in_parts' bounds, which the pieces taken replace.)"""

    def take(_start: int, _end: int) -> list[tuple[int, R]]:
        taken = []
        while (piece := ends.take(from_start=False)) is not None:
            taken.append((piece, work(*pieces[piece])))
        return taken

    return take


def from_both_ends(
    count: int, work: Callable[[int], R], meanwhile: Callable[[], T], minimum: int | None = None
) -> tuple[list[R], T]:
    """([work(i) for i in range(count)], meanwhile()), on two cores for a large `count`: a forked
    worker takes items from the end while this process runs `meanwhile`, then this process
    takes items from the start, and the two stop where they meet. Neither waits long for the
    other, whatever `meanwhile` and each item cost (in_parts splits at a fixed point). Each
    item is done once, here or there: the two claim items under one lock. `work` must only
    read what this process holds and return something picklable; `meanwhile` runs here,
    before any item here (as it does in one process). A worker that dies leaves the items it
    took to this process. One process below `minimum` items (MIN_PART_ITEMS unless given)."""
    least = MIN_PART_ITEMS if minimum is None else minimum
    ends = _Ends.shared(count) if count >= max(least, 1) and not _ONE_PROCESS and processes() > 1 else None
    background = in_background(ends.from_the_end(work)) if ends is not None else None
    try:
        later = meanwhile()
    except BaseException:
        if background is not None:
            background.cancel()
        raise
    if ends is None or background is None:
        return [work(i) for i in range(count)], later
    mine = []
    while (item := ends.take(from_start=True)) is not None:
        mine.append(work(item))
    theirs = background.result()  # the worker's items, last first
    rest = [work(i) for i in range(len(mine), count)] if theirs is None else theirs[::-1]  # None: it died
    return [*mine, *rest], later


class _Claims:
    """Which of two processes does each item of a Handoff: the first to claim it; and, for
    the worker's items, whether it made one with no bytes or left it. Made before the fork,
    in memory both map."""

    WORKER, HERE = 1, 2
    MADE, LEFT = 3, 4  # the worker's item, made with no bytes to hand over / left to this process

    def __init__(self, count: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.lock = context.Lock()
        self.owners = context.RawArray("b", count)

    @classmethod
    def shared(cls, count: int) -> _Claims | None:
        """The claims in shared memory, or None where the system gives no shared lock."""
        try:
            return cls(count)
        except OSError:
            return None

    def claim(self, position: int, by: int) -> bool:
        """Whether the item is `by`'s: claimed now, or by it before."""
        with self.lock:
            owner = self.owners[position]
            if not owner:
                self.owners[position] = owner = by
            return bool(owner == by)

    def claim_ahead(self, position: int, by: int) -> None:
        """Claim the item for `by`, or if another has it, the one after it if no one has."""
        with self.lock:
            if not self.owners[position]:
                self.owners[position] = by
            elif (
                self.owners[position] != by
                and position + 1 < len(self.owners)
                and not self.owners[position + 1]
            ):
                self.owners[position + 1] = by

    def claim_next(self, position: int, by: int) -> None:
        """Claim for `by` the first item after `position` that no one has claimed."""
        with self.lock:
            for later in range(position + 1, len(self.owners)):
                if not self.owners[later]:
                    self.owners[later] = by
                    return


# How long a process waits for the lock on the items left before it stops taking them: the
# lock is held a few microseconds at a time, so only a worker killed while holding it (out
# of memory) keeps it longer, and without a limit the other process would wait forever.
LOCK_PATIENCE = 5.0


class _Ends:
    """The items of from_both_ends (or the pieces of in_parts) not yet taken, [first, last),
    shared by this process and its forked workers: made before the fork, in memory all map."""

    def __init__(self, count: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.lock = context.Lock()
        self.bounds = context.RawArray("q", [0, count])

    @classmethod
    def shared(cls, count: int) -> _Ends | None:
        """The items' ends in shared memory, or None where the system gives no shared lock
        (no /dev/shm, say): the items are then done in this process, as for a small batch."""
        try:
            return cls(count)
        except OSError:
            return None

    def take(self, from_start: bool) -> int | None:
        """The first item left (this process takes from the start) or the last (the worker
        takes from the end), taken; None when none is left, or when the lock stays held for
        LOCK_PATIENCE seconds: the caller then stops taking, and the items no process
        finished are done here (from_both_ends, _in_pieces)."""
        if not self.lock.acquire(timeout=LOCK_PATIENCE):
            return None
        try:
            start, end = int(self.bounds[0]), int(self.bounds[1])
            if start >= end:
                return None
            if from_start:
                self.bounds[0] = start + 1
                return start
            self.bounds[1] = end - 1
            return end - 1
        finally:
            self.lock.release()

    def from_the_end(self, work: Callable[[int], R]) -> Callable[[], list[R]]:
        """The worker's task: work on the items it takes from the end, last first."""

        def task() -> list[R]:
            done = []
            while (item := self.take(from_start=False)) is not None:
                done.append(work(item))
            return done

        return task


def _forked(
    work: Callable[[int, int], object], parts: Sequence[tuple[int, int]]
) -> tuple[ProcessPoolExecutor, list[Future[object]]] | None:
    """A worker forked for each part, already running work(start, end) on it; None when the
    system will not fork one (the caller then does the work itself)."""
    global _PART
    _PART = work
    try:
        pool = _pool(len(parts))
        try:
            return pool, [pool.submit(_run_part, start, end) for start, end in parts]  # forks here
        except _ForkFailed:
            pool.shutdown(wait=False, cancel_futures=True)
            return None
    finally:
        _PART = None


def _run_part(start: int, end: int) -> object:
    work = _PART
    assert work is not None, "workers are forked after the work is set"
    return work(start, end)


# What a command has started and not yet ended or closed (end_unfinished).
_RUNNING: set[Background[object]] = set()
_OPEN_HANDOFFS: set[Handoff] = set()


def end_unfinished() -> None:
    """End the workers and hand-overs a command started and did not end, because it failed
    (an internal error, an interrupt) before taking their results. A command leaves by
    os._exit (mortem.cli.main), which runs no exit handler, and a worker left running would
    wait for work forever after, holding the command's output open: a pre-commit hook or a
    CI step reading it would never see its end."""
    for handoff in list(_OPEN_HANDOFFS):
        handoff.close()
    for background in list(_RUNNING):
        background.cancel()


class Background(Generic[R]):
    """Work started in a forked worker while this process goes on (in_background)."""

    def __init__(self, pool: ProcessPoolExecutor, future: Future[object]) -> None:
        self._pool = pool
        self._future = future
        _RUNNING.add(self)  # type: ignore[arg-type]

    def result(self) -> R | None:
        """The work's result, waiting for it; None when its worker died. The worker is ended
        before this returns (1-2 ms): the executor's own thread tells an idle worker to stop,
        and a command leaves by os._exit (mortem.cli.main), so with no wait the worker
        sometimes never heard it and lived on, holding the caller's output pipes open. A
        pre-commit hook, CI or `$(mortem check)` then waits for their end forever."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return cast(R, self._future.result())
        except BrokenProcessPool:
            return None
        finally:
            self._pool.shutdown(wait=True)
            _RUNNING.discard(self)

    def done(self) -> bool:
        """Whether the work has ended, its result ready (or its worker dead)."""
        return self._future.done()

    def cancel(self) -> None:
        """Stop the work, unfinished (the caller failed, or needs it no more): its worker is
        ended, or this process would wait for it when it exits. (The executor's own way to
        end its workers comes with Python 3.14; until then, its table of processes.)"""
        processes = getattr(self._pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        _RUNNING.discard(self)


def in_background(work: Callable[[], R]) -> Background[R] | None:
    """work() in a forked worker, which reads what this process holds without it being sent;
    None when only one process may run (one core, MORTEM_WORKERS=1, not Linux) or none can
    be forked. `work` must only read, must not print, and returns something picklable."""
    started = _forked(lambda start, end: work(), [(0, 0)]) if processes() > 1 else None
    return None if started is None else Background(started[0], started[1][0])


class Forked:
    """Bytes made by a child forked with os.fork alone and read back through a pipe
    (in_fork), for work of a few milliseconds: making an executor would import
    concurrent.futures and multiprocessing, which takes longer than such work."""

    def __init__(self, pid: int, reading: int) -> None:
        self._pid = pid
        self._reading = reading

    def result(self) -> bytes | None:
        """The child's bytes, waiting for them; None when it failed or died."""
        with os.fdopen(self._reading, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(self._pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None


def in_fork(work: Callable[[], bytes]) -> Forked | None:
    """work() in a forked child while this process goes on; None when only one process may
    run or none can be forked. `work` must only read and must not print. A child whose bytes
    fit in the pipe (64 KB on Linux) ends without waiting for them to be read; one with more
    waits for `result()`, or for this process to end, so take its result."""
    if processes() < 2:
        return None
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: its result, then out without running this process's exit work
        code = 1
        try:
            os.close(reading)
            with os.fdopen(writing, "wb") as stream:
                stream.write(work())
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    return Forked(pid, reading)


# Where a Handoff's items are written: memory (tmpfs) where the system has it with room to
# spare. On this project's CI machine's ext4 disk, creating, renaming and deleting a file
# took 0.3-0.5 ms, on tmpfs a tenth of that; the site hands over thousands of converted
# pages this way, 20-30 KB each, some held until taken (a container's /dev/shm is often 64 MB).
_MEMORY_FOLDERS = ("/dev/shm",)
_MEMORY_ROOM = 512 * 1024 * 1024  # bytes free, at least, to hand items over in memory


def _scratch_folder() -> Path | None:
    """A new private folder for a Handoff: in memory where possible, else in the system's
    temporary folder; None when neither can be made."""
    import tempfile

    for where in (*_MEMORY_FOLDERS, None):
        if where is not None and _room(where) < _MEMORY_ROOM:
            continue
        try:
            return Path(tempfile.mkdtemp(prefix="mortem-handoff-", dir=where))
        except OSError:
            continue
    return None


def _room(folder: str) -> int:
    """The bytes free in the folder's filesystem (0 if it cannot tell, or there is none)."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return 0
    return found.f_bavail * found.f_frsize


def _taken(path: Path) -> bytes:
    """The item's bytes, its file then deleted: the folder holds only the items not taken
    yet, however many pass through it (the memory a tmpfs holds is the machine's)."""
    data = path.read_bytes()
    with suppress(OSError):
        path.unlink()
    return data


class Handoff:
    """A forked worker's results handed over one at a time, so that this process takes each
    as soon as it is made, without waiting for the whole work (in_background's one result)
    nor holding all of it at once: the site's workers (mortem.site.rendered,
    mortem.site.built) hand over thousands of pages this way, and the check's text worker
    (mortem.text_checks) its findings.

    The two share the `count` items as they go: the worker `claim`s each before making it,
    and `take` claims an item the worker has not begun for this process, which then does it
    itself instead of waiting; so whichever of the two is ahead does more, and neither idles
    while the other has items left. The worker `put`s each item it made, or marks it `left`
    (this process does that item itself); `take` waits for one or the other, or for the
    worker's end. An item's bytes are a file in a scratch folder (in memory where the system
    has one; written whole, then renamed, so a file there is finished); an item with no
    bytes (a site page the worker wrote into the site itself) and an item left are marked
    in the claims only: at 1,000 pages, creating, renaming and removing a file for each took
    0.48 s of the build on an ext4 disk."""

    WAIT = 0.0005  # seconds between looks for an item the worker has begun but not finished

    def __init__(self, folder: Path, claims: _Claims) -> None:
        self.folder = folder
        self.claims = claims
        self._background: Background[int] | None = None

    @classmethod
    def start(cls, work: Callable[[Handoff], int], count: int) -> Handoff | None:
        """work(handoff) in a forked worker (in_background), which returns how many items it
        put, of `count`; None when no worker may run, none could be forked, there is no
        shared memory for the claims or no scratch folder to hand items over in."""
        import atexit

        claims = _Claims.shared(count)
        folder = _scratch_folder() if claims is not None else None
        if claims is None or folder is None:  # the caller does the work itself
            return None
        handoff = cls(folder, claims)
        background = in_background(lambda: work(handoff))
        if background is None:
            handoff._drop_folder()
            return None
        handoff._background = background
        # A run stopped before close() (Ctrl-C in a build) still drops the folder, which may
        # hold in memory the items the worker was ahead by: at exit in a MkDocs build, by
        # end_unfinished in a mortem command. (Forked children leave by os._exit, so this
        # runs in this process only.)
        atexit.register(handoff._drop_folder)
        _OPEN_HANDOFFS.add(handoff)
        return handoff

    @property
    def background(self) -> Background[int]:
        assert self._background is not None, "only a started handoff is taken from"
        return self._background

    def claim(self, position: int) -> bool:
        """In the worker: whether the item at `position` is its to make (this process has not
        taken it to do itself); it then is."""
        return self.claims.claim(position, _Claims.WORKER)

    def claim_ahead(self, position: int) -> None:
        """Here, on reaching the item at `position`, before taking it: take it to do in this
        process if the worker has not begun it; if the worker has, take the next one if the
        worker has not begun that, to do while the worker finishes this one. (`take` then
        says at once that an item is this process's.)"""
        self.claims.claim_ahead(position, _Claims.HERE)

    def make_each(self, make: Callable[[int], bytes | None]) -> int:
        """In the worker: every item it can claim made, in order: `make(position)` gives the
        item's bytes (b"" when there is nothing to hand over), or None to leave it to the
        other process. The first item that cannot be handed over (the scratch folder is
        full) is left and ends the work: the other process makes the rest. The number of
        items put."""
        made = 0
        for position in range(len(self.claims.owners)):
            if not self.claim(position):  # the other process reached it first
                continue
            data = make(position)
            if data is None:
                self.leave(position)
                continue
            try:
                self.put(position, data)
            except OSError:
                self.leave(position)
                break
            made += 1
        return made

    def put(self, position: int, data: bytes) -> None:
        """In the worker: the item at `position`, which it claimed."""
        if not data:
            self.claims.owners[position] = _Claims.MADE  # the item is this worker's: no lock
            return
        writing = self.folder / f".{position}"
        try:
            writing.write_bytes(data)
            writing.rename(self.folder / str(position))
        except OSError:
            with suppress(OSError):
                writing.unlink()  # a part written before the folder filled: its room back
            raise

    def leave(self, position: int) -> None:
        """In the worker: the item at `position`, which it claimed, is left to the other
        process."""
        self.claims.owners[position] = _Claims.LEFT

    def take(self, position: int, until: float | None = None) -> bytes | None:
        """Here: the item at `position`, waiting for it if the worker has begun it; None when
        this process is to do it itself (the worker had not begun it, left it, or ended
        without it, or was still making it at `until`, a time.monotonic())."""
        import time

        if self.claims.claim(position, _Claims.HERE):
            return None
        made = self.folder / str(position)
        waited = False
        while True:
            ended = self.background.done()  # before looking: an item put just before counts
            marked = self.claims.owners[position]
            if marked == _Claims.LEFT:
                return None
            try:
                data = b"" if marked == _Claims.MADE else _taken(made)
            except FileNotFoundError:
                pass
            except OSError:
                return None
            else:
                if waited:  # the worker is the slower: take one more here
                    self.claims.claim_next(position, _Claims.HERE)
                return data
            if ended or (until is not None and time.monotonic() >= until):
                return None
            waited = True
            time.sleep(self.WAIT)

    def close(self) -> None:
        """End the worker if it is still running, and drop the scratch folder."""
        import atexit

        if self.background.done():
            self.background.result()  # lets its pool go
        else:
            self.background.cancel()
        self._drop_folder()
        atexit.unregister(self._drop_folder)
        _OPEN_HANDOFFS.discard(self)

    def _drop_folder(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)
