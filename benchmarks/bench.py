"""mortem's speed at every scale, side by side with the tools a team would otherwise use.

    python benchmarks/bench.py [--quick] [--sizes 1,100,1000,10000] [--runs 5]

Not part of the test run (tests/acceptance/test_bench_smoke.py runs `--quick` once to prove
the script works, and asserts no time). For each size, a deterministic synthetic archive
(benchmarks/synthetic.py) is written to a temporary folder with the repository's mkdocs.yml
and hooks, then every case runs as a whole process, `--runs` times; the table shows the
median wall time, the reference tool's median on the same input in the same run, their
ratio, the target, and the largest peak resident memory of the runs. A case held to a ratio
takes turns with its reference, run by run (run_rounds): this machine's speed drifts by
10-40% over minutes, and a reference timed in one spell and mortem in another moved the
ratio more than most changes to mortem did.

Each run is timed inside a fresh wrapper process (this file with `--measure`), so the peak
memory reported is the command's own, not the largest of everything run so far: the larger
of its largest process's peak (getrusage) and the largest sum over it and its workers
(sampled every 20 ms; see measure_child).

mortem keeps an on-disk cache (.mortem-cache/ in the archive root). Each size starts with
one `mortem check` to fill it, as on a developer's clone; the rows without "no cache" then
run as they would there. "check one file (pre-commit)" edits that file before every run (a
new HTML comment, as a commit that rewords its timeline), so its own results are recomputed
and the archive-wide ones come from the cache kept under the archive's facts (mortem.archive
.facts); "check one file, root cause edited" rewords its Root cause section instead, so the
archive-wide rules judge the whole archive again. The "no cache" rows run with
MORTEM_NO_CACHE=1: every file parsed and every rule run, every time. "check all files, first
run" finds the cache empty before each run, as a fresh clone, a new mortem or new settings
do, and fills it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # the generator beside this file

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schema" / "postmortem.schema.json"
BIN = Path(sys.executable).parent
DEFAULT_SIZES = (1, 100, 1_000, 10_000)
QUICK_SIZES = (1, 100)
# Material prints an end-of-life banner on every build; it is not one of ours.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
# Python may cache bytecode, as it does for any installed tool: the references' modules are
# precompiled in site-packages, and an editable mortem with PYTHONDONTWRITEBYTECODE set (as in
# some sandboxes) would recompile its own modules on every run (~50 ms). A private prefix keeps
# the repository free of __pycache__ folders.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
# The cached rows measure the cache even where it is off by default (CI) or off in the caller.
ENV.pop("MORTEM_NO_CACHE", None)
ENV["MORTEM_CACHE"] = "1"
NO_CACHE = {"MORTEM_NO_CACHE": "1"}


@dataclass
class Timing:
    seconds: float  # the median of `runs`
    peak_mb: float
    runs: tuple[float, ...] = ()  # each run's seconds, in the order run
    # The run_rounds call the runs were made in: two timings made in the same one ran side
    # by side, run i of each in round i (paired_ratios).
    rounds: object = None


@dataclass
class Row:
    case: str
    size: int
    mortem: Timing
    reference: Timing | None = None
    target: str = ""
    met: bool | None = None


@dataclass
class Archive:
    """One generated archive and the inputs its reference tools need."""

    root: Path
    files: list[Path]
    yaml_files: list[Path]
    naive: Path | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)

    def find(self, case: str, size: int) -> Row | None:
        return next((r for r in self.rows if r.case == case and r.size == size), None)


# --- measuring ---------------------------------------------------------------------------


def measure_child(argv: list[str]) -> int:
    """`bench.py --measure CMD...`: run CMD once; print its wall time and peak memory.

    The peak is the larger of the command's own peak (getrusage: its largest process) and
    the largest memory in use over the command and its worker processes at once, sampled
    every 20 ms: a check on every core holds memory in several processes. A forked worker
    shares its parent's pages until either writes them, so with workers each process counts
    its proportional share of each page (Pss), not every page it maps (Rss): the sum of
    Rss counted a large parent's pages once more for each worker forked from it."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampled_kb = [0]
    sampler = threading.Thread(target=_sample_tree, args=(child, sampled_kb), daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    own_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    done = subprocess.CompletedProcess(argv, child.returncode, None, stderr)
    peak_kb = max(own_kb, sampled_kb[0])
    print(
        json.dumps(
            {"seconds": seconds, "peak_kb": peak_kb, "code": done.returncode, "stderr": done.stderr[-2000:]}
        )
    )
    return 0


def _sample_tree(child: subprocess.Popen[str], peak_kb: list[int]) -> None:
    while child.poll() is None:
        tree = _tree(child.pid)
        if len(tree) == 1:
            peak_kb[0] = max(peak_kb[0], _rss_kb(child.pid))
            time.sleep(0.02)
        else:
            # Reading Pss walks a process's page tables (about 1 ms at 300 MB): sampled less
            # often, so the sampler does not take the measured command's cores.
            peak_kb[0] = max(peak_kb[0], sum(_pss_kb(pid) for pid in tree))
            time.sleep(0.1)


def _tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process ended meanwhile
                todo.extend(int(p) for p in task.read_text().split())
    return found


def _pss_kb(pid: int) -> int:
    """The process's proportional share of the pages it maps (Linux 4.14+), else its Rss."""
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:") or _rss_kb(pid)


def _rss_kb(pid: int) -> int:
    return _proc_kb(f"/proc/{pid}/status", "VmRSS:")


def _proc_kb(path: str, field: str) -> int:
    """A "Field: N kB" line of a /proc file, or 0 when the process has gone or has none."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Run:
    """One case as run_rounds runs it: a command, where, how often, with what environment,
    and what to do before each run (an edit)."""

    command: Sequence[str]
    cwd: Path
    runs: int
    env: dict[str, str] | None = None
    before: Callable[[], None] | None = None


def run_case(
    command: Sequence[str],
    cwd: Path,
    runs: int,
    env: dict[str, str] | None = None,
    before: Callable[[], None] | None = None,
) -> Timing:
    return run_rounds([Run(command, cwd, runs, env, before)])[0]


def run_rounds(cases: Sequence[Run]) -> list[Timing]:
    """Each case's timing, the cases taking turns: one run of each in order per round, so a
    case and its reference run side by side, and a slow or fast spell of the machine (runs
    here move by 10-40% over minutes) falls on both instead of on whichever ran then."""
    _warm_up(cases)
    seconds: list[list[float]] = [[] for _ in cases]
    peaks: list[list[float]] = [[] for _ in cases]
    for round_ in range(max(case.runs for case in cases)):
        for case, times, peak in zip(cases, seconds, peaks, strict=True):
            if round_ < case.runs:
                took, peak_mb = _measure(case)
                times.append(took)
                peak.append(peak_mb)
    rounds = object()
    return [
        Timing(statistics.median(t), max(p), tuple(t), rounds) for t, p in zip(seconds, peaks, strict=True)
    ]


# Each program already run in each archive (its command[0] and where it ran).
_WARMED: set[tuple[str, Path]] = set()


def _warm_up(cases: Sequence[Run]) -> None:
    """Run, untimed, each case whose program has not run yet in its archive. A program's
    first run compiles its modules into the benchmark's private bytecode cache
    (PYTHONPYCACHEPREFIX, ENV), which took `check-jsonschema` on one file 0.7 s instead of
    0.25 s in the reference's first round only; and MkDocs's first build with mortem's hook
    compiles the site's modules, which a build of the naive site never imports. Keyed by
    archive too, the first timed run of a program there is not also its first read of it."""
    for case in cases:
        if (case.command[0], case.cwd) not in _WARMED:
            _measure(case)
            _WARMED.add((case.command[0], case.cwd))


def paired_ratios(case: Timing, reference: Timing) -> list[float]:
    """The case's time over its reference's, round by round, when the two took turns
    (run_rounds); else none: runs made minutes apart fall in different spells."""
    if case.rounds is None or case.rounds is not reference.rounds:
        return []
    return [mine / theirs for mine, theirs in zip(case.runs, reference.runs, strict=False)]


def ratio_cell(case: Timing, reference: Timing, bound: float | None) -> str:
    """The ratio of the medians, which the target is judged by, and the range of the
    round-by-round ratios, which shows how far the machine's spells moved it."""
    shown = ratio_text(case.seconds / reference.seconds, bound)
    each = paired_ratios(case, reference)
    if len(each) < 2:
        return shown
    return f"{shown} ({min(each):.2f}-{max(each):.2f})"


def _measure(case: Run) -> tuple[float, float]:
    """One run of the case in a fresh wrapper process: its wall time and peak memory (MB)."""
    if case.before is not None:
        case.before()
    done = subprocess.run(
        [sys.executable, __file__, "--measure", *case.command],
        cwd=case.cwd,
        env={**ENV, **(case.env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(
            f"{' '.join(case.command)} (in {case.cwd}) exited {result['code']}:\n{result['stderr']}"
        )
    return result["seconds"], result["peak_kb"] / 1024


# --- archives -----------------------------------------------------------------------------


def make_archive(folder: Path, size: int, naive: bool) -> Archive:
    root = folder / "archive"
    files = synthetic.generate(root, size)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "hooks", root / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    yaml_files = synthetic.front_matter_copies(files, folder / "front-matter")
    site = folder / "naive" if naive else None
    if site is not None:
        synthetic.naive_site(files, site)
    return Archive(root, files, yaml_files, site)


# --- cases --------------------------------------------------------------------------------


def mortem(*args: str) -> list[str]:
    return [str(BIN / "mortem"), *args]


def check_jsonschema(files: Sequence[Path]) -> list[str]:
    return [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), *map(str, files)]


def mkdocs_build(site_dir: Path) -> list[str]:
    return [str(BIN / "mkdocs"), "build", "--quiet", "-d", str(site_dir)]


def edit(path: Path) -> Callable[[], None]:
    """Before each run: change the file as a commit does (a new HTML comment at its end,
    which no rule counts), so its cached results and every archive-wide one are stale."""
    original = path.read_bytes()

    def change() -> None:
        path.write_bytes(original + f"<!-- edited {time.time_ns()} -->\n".encode())

    return change


def moved_aside(folder: Path, scratch: Path) -> Callable[[], None]:
    """Before each run: `folder` moved into `scratch` whole, not deleted. This machine's
    disk (ext4 without a journal) makes each file created within minutes of a large
    deletion cost 0.4-0.5 ms instead of 20-40 µs (README, What limits the rest), so a run
    after a deletion measured the deletion."""

    def aside() -> None:
        if folder.exists():
            folder.rename(scratch / f"{folder.name}-{next(_MOVED)}")

    return aside


_MOVED = itertools.count()  # numbers the folders moved aside, so that no two meet


def edit_root_cause(path: Path) -> Callable[[], None]:
    """Before each run: reword the Root cause section, as a commit that changes what the
    archive-wide rules read, so PM039 and PM060 are judged afresh over the whole archive."""
    original = path.read_text(encoding="utf-8")
    assert "## Root cause\n" in original

    def change() -> None:
        note = f"## Root cause\n\nReworded in review {time.time_ns()}.\n"
        path.write_text(original.replace("## Root cause\n", note, 1), encoding="utf-8")

    return change


def bench_size(archive: Archive, size: int, runs: int, cold_runs: int, results: Results, tmp: Path) -> None:
    root = archive.root
    one = archive.files[-1]  # the newest postmortem: the one a commit adds
    original = one.read_bytes()

    def add(case: str, timing: Timing, reference: Timing | None = None) -> None:
        results.rows.append(Row(case, size, timing, reference))
        print(f"  {case:<34} {size:>6}  {timing.seconds:7.2f} s", file=sys.stderr, flush=True)

    def cold(command: list[str]) -> Timing:
        return run_case(command, root, cold_runs, NO_CACHE)

    # Fill the cache as a first run would (a developer's clone has run mortem before).
    run_case(mortem("check"), root, 1)
    # The pre-commit case: one file, just edited, checked inside an archive of `size`. Its
    # runs take turns with the reference's (run_rounds); the cases after it run alone, since
    # each leaves the cache as the next one expects.
    one_file = mortem("check", str(one.relative_to(root)))
    reference, pre_commit = run_rounds(
        [
            Run(check_jsonschema([archive.yaml_files[-1]]), root, runs),
            Run(one_file, root, runs, before=edit(one)),
        ]
    )
    add("check one file (pre-commit)", pre_commit, reference)
    add(
        "check one file, root cause edited",
        run_case(one_file, root, runs, before=edit_root_cause(one)),
        reference,
    )
    add("check one file, no cache", cold(one_file), reference)
    one.write_bytes(original)
    if size < 100:
        return
    unchanged = run_case(mortem("check"), root, runs)
    one_edited = run_case(mortem("check"), root, runs, before=edit(one))
    one.write_bytes(original)
    reference = None
    # A first run finds the cache empty (a fresh clone, a new mortem, new settings) and
    # fills it; each run's cache is moved aside before the next (see moved_aside).
    first = Run(mortem("check"), root, cold_runs, before=moved_aside(root / ".mortem-cache", tmp))
    if size <= 1_000:  # the reference takes turns with the checks that read every file
        reference, whole, filled = run_rounds(
            [
                Run(check_jsonschema(archive.yaml_files), root, runs),
                Run(mortem("check"), root, cold_runs, NO_CACHE),
                first,
            ]
        )
    else:
        whole, filled = run_rounds([Run(mortem("check"), root, cold_runs, NO_CACHE), first])
    add("check all files, unchanged", unchanged, reference)
    add("check all files, one edited", one_edited, reference)
    add("check all files, no cache", whole, reference)
    add("check all files, first run", filled, reference)
    patterns = mortem("patterns", "--format", "json")
    add("patterns", run_case(patterns, root, runs))
    add("patterns, no cache", cold(patterns))
    actions = mortem("actions", "--all", "--format", "json")
    add("actions", run_case(actions, root, runs))
    add("actions, no cache", cold(actions))
    # The naive site (when built at this size) takes turns with both of mortem's builds, which
    # write their own site folder and leave mortem's cache as it was (the "no cache" build
    # neither reads nor writes it). Every build writes into an empty folder, as in CI: the
    # last build's site is moved aside first (moved_aside), not deleted.
    site = tmp / "site"
    build = mkdocs_build(site)
    sites = [
        Run(build, root, runs, before=moved_aside(site, tmp)),
        Run(build, root, cold_runs, NO_CACHE, before=moved_aside(site, tmp)),
    ]
    if archive.naive is not None:
        naive_site = tmp / "naive-site"
        naive, cached, uncached = run_rounds(
            [Run(mkdocs_build(naive_site), archive.naive, runs, before=moved_aside(naive_site, tmp)), *sites]
        )
    else:
        naive, (cached, uncached) = None, run_rounds(sites)
    add("site build", cached, naive)
    add("site build, no cache", uncached, naive)


TARGETS = {  # (case prefix, size rule) -> target, as in the issue
    "check one file": "≤ 0.5× reference",
    "check all files": {1_000: "≤ 0.25× reference", 10_000: "< 10 s, ≤ 11× own 1,000, < 300 MB"},
    "patterns": {10_000: "< 10 s"},
    "site build": {1_000: "≤ 0.2× reference", 10_000: "≤ 12× own 1,000"},
}


def target_of(row: Row) -> str:
    for prefix, target in TARGETS.items():
        if row.case.startswith(prefix):
            if isinstance(target, str):
                return target
            return target.get(row.size, "")
    return ""


def judge(results: Results) -> None:
    """Fill in `met?` for every row with a target, from the figures of this same run: met
    when every clause of its target holds, unjudged when one cannot be judged (no reference
    timed, or no run of 1,000 to grow from)."""
    for row in results.rows:
        row.target = target_of(row)
        verdicts = list(_verdicts(row, results))
        row.met = None if not verdicts or None in verdicts else all(verdicts)


def _verdicts(row: Row, results: Results) -> Iterator[bool | None]:
    """Whether the row holds each clause of its target (None: not judged)."""
    own = row.mortem.seconds
    if (bound := ratio_bound(row.target)) is not None:
        yield own <= bound * row.reference.seconds if row.reference else None
    if (limit := seconds_bound(row.target)) is not None:
        yield own < limit
    if (most := growth_bound(row.target)) is not None:
        growth = own_growth(row, results)
        yield growth <= most if growth is not None else None
    if (memory := memory_bound(row.target)) is not None:
        yield row.mortem.peak_mb < memory


def own_growth(row: Row, results: Results) -> float | None:
    """The row's time over its case's own time at 1,000 postmortems in this run, if timed."""
    base = results.find(row.case, 1_000)
    return row.mortem.seconds / base.mortem.seconds if base is not None else None


def _clause(target: str, before: str, after: str) -> float | None:
    """The number of the target's clause written `before`N`after` (clauses: ", "), else None."""
    for clause in target.split(", "):
        if clause.startswith(before) and clause.endswith(after):
            return float(clause.removeprefix(before).removesuffix(after))
    return None


def seconds_bound(target: str) -> float | None:
    """The time a target holds a case under, in seconds (TARGETS: 10 for "< 10 s"), else None."""
    return _clause(target, "< ", " s")


def ratio_bound(target: str) -> float | None:
    """The bound of a target held to the reference (TARGETS: 0.25 for at most a quarter), else None."""
    return _clause(target, "≤ ", "× reference")


def growth_bound(target: str) -> float | None:
    """How many times its own 1,000's time a target allows (TARGETS: 11), else None."""
    return _clause(target, "≤ ", "× own 1,000")


def memory_bound(target: str) -> float | None:
    """The peak memory a target holds a case under, in MB (TARGETS: 300), else None."""
    return _clause(target, "< ", " MB")


def ratio_text(ratio: float, bound: float | None) -> str:
    """A ratio to its reference, to two decimals, or three when two would round it onto its
    target's `bound` and hide which side it falls on (0.203 is not met by "at most 0.2")."""
    shown = round(ratio, 2)
    return f"{ratio:.3f}×" if shown == bound and shown != ratio else f"{shown:.2f}×"


def seconds_cell(row: Row) -> str:
    """The median, and for a case held to a time in seconds (10 s, which a machine's spell
    moves as it moves any time) the fastest and slowest of its runs."""
    median = f"{row.mortem.seconds:.2f}"
    if seconds_bound(row.target) is None or len(row.mortem.runs) < 2:
        return median
    return f"{median} ({min(row.mortem.runs):.2f}-{max(row.mortem.runs):.2f})"


def table(results: Results, runs: int, cold_runs: int) -> str:
    cold = f' ({cold_runs} for "no cache")' if cold_runs != runs else ""
    lines = [
        f"Whole processes, median of {runs} run{'s' if runs != 1 else ''}{cold}; "
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}. A ratio is of the medians; in "
        "brackets, the lowest and highest of its rounds, where the case and its reference took turns; "
        "for a case held to a time in seconds, its fastest and slowest run.",
        "",
        "| case | size | mortem median s | reference median s | ratio | target | met? | peak MB |",
        "|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for row in results.rows:
        ref = f"{row.reference.seconds:.2f}" if row.reference else "—"
        ratio = "—"
        if row.reference:
            ratio = ratio_cell(row.mortem, row.reference, ratio_bound(row.target))
        growth = own_growth(row, results) if growth_bound(row.target) is not None else None
        if growth is not None:
            ratio = f"{growth:.1f}× own 1,000"
        met = {None: "", True: "yes", False: "**no**"}[row.met]
        lines.append(
            f"| {row.case} | {row.size:,} | {seconds_cell(row)} | {ref} | {ratio} | "
            f"{row.target or '—'} | {met} | {row.mortem.peak_mb:.0f} |"
        )
    lines.append("")
    lines.append(
        "References: `check-jsonschema --schemafile schema/postmortem.schema.json` on the same "
        "front matter as YAML files; a plain mkdocs-material site listing every postmortem in "
        '`nav` (no hooks). Rows without "no cache" run as a developer\'s clone does, after a first '
        'run filled .mortem-cache/; "no cache": MORTEM_NO_CACHE=1, every file parsed every run.'
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--measure"]:
        return measure_child(args[1:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 1 and 100, one run each")
    parser.add_argument("--sizes", help="comma-separated archive sizes (default 1,100,1000,10000)")
    parser.add_argument("--runs", type=int, help="runs per case, the median reported (default 5)")
    parser.add_argument("--cold-runs", type=int, help="runs of the no-cache cases (default: --runs)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate into DIR and keep it")
    options = parser.parse_args(args)
    sizes = (
        [int(s.replace("_", "")) for s in options.sizes.split(",")]
        if options.sizes
        else (list(QUICK_SIZES) if options.quick else list(DEFAULT_SIZES))
    )
    runs = options.runs or (1 if options.quick else 5)
    cold_runs = options.cold_runs or runs
    results = Results()
    with tempfile.TemporaryDirectory(prefix="mortem-bench-") as scratch:
        base = options.keep or Path(scratch)
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
        for size in sorted(sizes):
            folder = base / f"size-{size}"
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            print(f"{size:,} postmortems: generating", file=sys.stderr, flush=True)
            archive = make_archive(folder, size, naive=100 <= size <= 1_000)
            bench_size(archive, size, runs, cold_runs, results, folder)
    judge(results)
    print(table(results, runs, cold_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
