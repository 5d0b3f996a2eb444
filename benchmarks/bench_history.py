"""Time `mortem actions --history` on a generated git repository of 1,000 postmortems.

Not part of the test run: `python benchmarks/bench_history.py [SIZE] [--per-file]`. The
repository is generated deterministically with `git fast-import` into a temporary folder,
shaped like a real archive's history: each postmortem is committed as a draft with
placeholder links, then made final with its issue links a few days later, then its action
items are marked done one commit at a time over the following weeks (about four versions
per file, so some 4,000 versions in all).

It prints the median of three in-process runs of `read_history` (one `git log` pass plus
one long-running `git cat-file`), the same for the whole `mortem actions --history` process,
and with `--per-file` the time of the approach it replaces: one `git log` per file.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SIZE = 1_000
RUNS = 3
BUCKETS = ("prevention", "detection", "mitigation")


def postmortem(day: date, slug: str, status: str, items: list[tuple[str, str, str, str]]) -> str:
    lines = [
        "---",
        f"title: Incident {slug}",
        f"date: {day.isoformat()}",
        f"status: {status}",
        "severity: SEV3",
    ]
    lines += [
        "services: [api]",
        "why: [customer-visible]",
        "times:",
        f"  started: {day.isoformat()}T12:00:00+00:00",
    ]
    lines.append("action_items:")
    for title, bucket, link, state in items:
        lines += [f"  - title: {title}", f"    bucket: {bucket}", "    owner: Sam Okafor"]
        lines += [
            f"    due: {(day + timedelta(days=7)).isoformat()}",
            f"    link: {link}",
            f"    status: {state}",
        ]
    lines += ["---", "", "## Summary", f"Incident {slug} in a few sentences.", ""]
    return "\n".join(lines)


def commits(size: int, rng: random.Random) -> list[tuple[datetime, str, str]]:
    """(when, path, content) for every version of every postmortem, in time order."""
    versions = []
    start = date(2023, 1, 2)
    for number in range(size):
        day = start + timedelta(days=number * 1095 // size)
        slug = f"incident-{number:04d}"
        path = f"postmortems/{day.isoformat()}-{slug}.md"
        titles = [(f"Fix {number}-{k}", BUCKETS[k % 3]) for k in range(rng.randint(2, 4))]
        written = datetime(day.year, day.month, day.day, 16, tzinfo=UTC) + timedelta(days=rng.randint(0, 3))
        draft = [(t, b, '""', "open") for t, b in titles]
        versions.append((written, path, postmortem(day, slug, "draft", draft)))
        linked = [
            (t, b, f"https://github.com/fernhill/platform/issues/{number * 10 + k}", "open")
            for k, (t, b) in enumerate(titles)
        ]
        when = written + timedelta(days=rng.randint(1, 6))
        versions.append((when, path, postmortem(day, slug, "final", linked)))
        for k in range(len(linked)):
            if rng.random() < 0.8:  # most items ship; the rest stay open
                when += timedelta(days=rng.randint(2, 20))
                linked[k] = (*linked[k][:3], "done")
                versions.append((when, path, postmortem(day, slug, "final", linked)))
    return sorted(versions, key=lambda v: v[0])


def build(root: Path, size: int) -> int:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = []
    versions = commits(size, random.Random(7))
    for number, (when, path, text) in enumerate(versions):
        data = text.encode()
        stamp = f"{int(when.timestamp())} +0000"
        message = f"Update {path}".encode()
        stream.append(f"commit refs/heads/main\nmark :{number + 1}\n".encode())
        person = f"Ada Nwosu <ada@example.com> {stamp}"
        stream.append(f"author {person}\ncommitter {person}\n".encode())
        stream.append(f"data {len(message)}\n".encode() + message + b"\n")
        if number:
            stream.append(f"from :{number}\n".encode())
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)
    return len(versions)


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    size = int(next((a for a in argv if a.isdigit()), SIZE))
    from mortem.analysis.history import read_history
    from mortem.config import Config

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        started = time.perf_counter()
        versions = build(root, size)
        print(f"built {size} postmortems, {versions} commits in {time.perf_counter() - started:.1f} s")
        config = Config(root=root)
        history = read_history(config, date(2026, 1, 1))
        counts = (len(history.postmortems), len(history.items), history.commits)
        print("history: {} postmortems, {} items, {} commits".format(*counts))
        in_process = median_seconds(lambda: read_history(config, date(2026, 1, 1)))
        print(f"one pass (read_history, in process): {in_process:.2f} s (median of {RUNS})")
        command = [str(Path(sys.executable).parent / "mortem"), "actions", "--history", "--format", "json"]
        whole = median_seconds(lambda: subprocess.run(command, cwd=root, capture_output=True, check=True))
        print(f"`mortem actions --history --format json` as a process: {whole:.2f} s (median of {RUNS})")
        if "--per-file" in argv:
            files = sorted((root / "postmortems").iterdir())
            per_file = median_seconds(
                lambda: [
                    subprocess.run(
                        ["git", "log", "-p", "--format=%H %aI", "--", f"postmortems/{f.name}"],
                        cwd=root,
                        capture_output=True,
                        check=True,
                    )
                    for f in files
                ],
                runs=1,
            )
            print(f"one `git log -p` per file ({len(files)} calls): {per_file:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
