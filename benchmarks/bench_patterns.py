"""Time `mortem patterns` on synthetic archives of 1,000 and 10,000 postmortems.

Not part of the test run: `python benchmarks/bench_patterns.py [SIZE ...]`. Each size is
generated deterministically into a temporary folder, then `mortem patterns --format json`
runs there as a whole process three times; the median wall time and the peak resident
memory of those processes (resource.getrusage of children) are printed.

The archive is shaped like a real one: root causes drawn from recurring families (a few
large, many small, as incident causes are), each postmortem in its own words, with a
prevention and a detection cause, a why-chain, a trigger and shared incident vocabulary.
"""

from __future__ import annotations

import datetime
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 10_000)
RUNS = 3
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "si",
    "pe",
    "da",
    "gu",
    "xo",
    "be",
    "fi",
    "ho",
    "ja",
    "ku",
    "ly",
    "mo",
    "za",
    "ri",
    "te",
    "no",
    "wa",
)
COMMON = [
    "deploy",
    "database",
    "alert",
    "queue",
    "disk",
    "connection",
    "pool",
    "certificate",
    "timeout",
    "provider",
    "cache",
    "config",
    "flag",
    "migration",
    "runbook",
    "manual",
    "monitor",
    "page",
    "on-call",
    "retry",
    "backup",
    "restore",
    "latency",
    "error",
    "worker",
    "job",
    "service",
    "host",
    "volume",
    "network",
    "request",
    "threads",
    "limit",
]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def family_vocab(rng: random.Random, count: int) -> list[list[str]]:
    return [[word(rng) for _ in range(10)] + rng.sample(COMMON, 3) for _ in range(count)]


def zipf(rng: random.Random, count: int) -> int:
    """An index in [0, count) with probability proportional to 1 / (index + 10)."""
    import math

    # inverse of the continuous approximation of the cumulative sum of 1 / (k + 10)
    total = math.log((count + 10) / 10)
    return min(int(10 * math.exp(rng.random() * total) - 10), count - 1)


def sentence(rng: random.Random, topic: list[str], noise: list[str], length: int) -> str:
    words = rng.sample(topic, min(len(topic), length // 2)) + rng.sample(noise, length - length // 2)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def postmortem(
    rng: random.Random, index: int, families: list[list[str]], noise: list[str]
) -> tuple[str, str]:
    # Zipf-like family sizes: a few causes recur often (the largest in ~2% of incidents),
    # most recur rarely.
    fam = zipf(rng, len(families))
    detect = rng.randrange(len(families))
    topic, other = families[fam], families[detect]
    day = datetime.date(2015, 1, 1) + datetime.timedelta(days=index * 3650 // 10_000 + rng.randint(0, 2))
    pid = f"{day.isoformat()}-incident-{index:05d}"
    slug = "-".join(rng.sample(topic[:10], 2)) + ("-" + rng.choice(noise) if rng.random() < 0.5 else "")
    why = "\n".join(f"{n}. Why? {sentence(rng, topic, noise, 14)}" for n in range(1, 5))
    text = f"""---
title: "{sentence(rng, topic, noise, 8)[:-1]}"
date: {day.isoformat()}
status: final
severity: SEV3
services: [{rng.choice(noise)}]
authors: [Sam Okafor]
why: [customer-visible]
trigger: "{sentence(rng, topic, noise, 12)}"
root_causes:
  - category: {slug}
    kind: prevention
    summary: "{sentence(rng, topic, noise, 16)}"
  - category: {"-".join(rng.sample(other[:10], 2))}
    kind: detection
    summary: "{sentence(rng, other, noise, 12)}"
action_items:
  - title: "{sentence(rng, topic, noise, 8)[:-1]}"
    bucket: prevention
    owner: Sam Okafor
    due: {(day + datetime.timedelta(days=7)).isoformat()}
    link: https://example.com/issues/{index}
    status: {rng.choice(("open", "done"))}
---

## Summary
{sentence(rng, topic, noise, 20)}

## Root cause
{why}
"""
    return pid, text


def generate(folder: Path, size: int) -> None:
    rng = random.Random(size)
    families = family_vocab(rng, max(size // 6, 10))
    noise = [word(rng) for _ in range(3_000)] + COMMON
    archive = folder / "postmortems"
    archive.mkdir()
    (folder / "mortem.toml").write_text('archive = "postmortems"\n')
    for index in range(size):
        pid, text = postmortem(rng, index, families, noise)
        (archive / f"{pid}.md").write_text(text)


def bench(size: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, size)
        times = []
        patterns = 0
        for _ in range(RUNS):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mortem", "patterns", "--format", "json"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(time.perf_counter() - start)
            patterns = done.stdout.count('"name"')
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return statistics.median(times), peak_mb, patterns


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    print(f"mortem patterns, median of {RUNS} runs (whole process)")
    for size in sorted(sizes):
        seconds, peak_mb, patterns = bench(size)
        # ru_maxrss of children is the largest child so far, so sizes run smallest first.
        print(f"{size:>7,} postmortems: {seconds:6.2f} s, peak {peak_mb:6.0f} MB, {patterns} patterns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
