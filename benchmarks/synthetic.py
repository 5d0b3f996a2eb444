"""Deterministic synthetic archives for the benchmarks: valid, varied postmortems.

Shaped like a real archive so that every command does its real work: root causes drawn from
recurring families (a few large, many small, as incident causes are), each postmortem in its
own words with a prevention and a detection cause, a why-chain, a trigger, a timeline, and
three to five action items across buckets and statuses. Every file passes `mortem check`
with no finding, so the check measures rules that run to the end rather than stop early.
`generate(folder, size)` writes one archive; the same seed always gives the same bytes.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

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
SERVICES = [
    "checkout",
    "payments",
    "search",
    "api",
    "web",
    "worker",
    "notifications",
    "bookings",
    "orders",
    "postgres-main",
    "redis",
    "edge-proxy",
    "auth",
    "billing",
    "reports",
    "images",
    "email",
    "sms",
    "scheduler",
    "inventory",
    "pricing",
    "reviews",
    "maps",
    "analytics",
    "admin",
    "exports",
    "cdn",
    "gateway",
    "ledger",
    "catalog",
]
SEVERITIES = (("SEV1", 1), ("SEV2", 3), ("SEV3", 5), ("SEV4", 3))  # (level, weight)
WHY = (("customer-visible", 6), ("near-miss", 2), ("long-resolution", 2))
# How teams name a detection gap in a category slug.
GAPS = (
    "unmonitored",
    "unobserved",
    "no-alert",
    "alert-missing",
    "not-paged",
    "blind-spot",
    "silent",
    "no-dashboard",
    "unwatched",
    "late-alert",
)
FIRST = (
    "Priya",
    "Sam",
    "Lena",
    "Tomás",
    "Mei",
    "Jonah",
    "Ada",
    "Ravi",
    "Noor",
    "Elif",
    "Kofi",
    "Ines",
    "Marta",
    "Yuki",
    "Oskar",
    "Zara",
    "Bruno",
    "Hana",
    "Leo",
    "Amara",
)


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def zipf(rng: random.Random, count: int) -> int:
    """An index in [0, count) with probability proportional to 1 / (index + 10)."""
    # inverse of the continuous approximation of the cumulative sum of 1 / (k + 10)
    total = math.log((count + 10) / 10)
    return min(int(10 * math.exp(rng.random() * total) - 10), count - 1)


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


@dataclass
class Family:
    """One recurring cause: its own vocabulary and the category slug its postmortems share."""

    vocab: list[str]  # what went wrong
    watch: list[str]  # how it went unnoticed: its own words, so detection causes group apart
    category: str
    detection_category: str
    latest: str | None = None  # the newest postmortem of this family so far, for `related`


@dataclass
class World:
    rng: random.Random
    families: list[Family]
    noise: list[str]
    owners: list[str]
    open_load: dict[str, int] = field(default_factory=dict)


def sentence(rng: random.Random, topic: list[str], noise: list[str], length: int) -> str:
    words = rng.sample(topic, min(len(topic), length // 2)) + rng.sample(noise, length - length // 2)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def make_world(size: int, seed: int) -> World:
    rng = random.Random(seed * 1_000_003 + size)
    families = []
    for _ in range(max(size // 6, 10)):
        vocab = [word(rng) for _ in range(10)] + rng.sample(COMMON, 3)
        watch = [word(rng) for _ in range(8)] + rng.sample(COMMON, 3)
        gap = rng.choice(GAPS)
        families.append(Family(vocab, watch, "-".join(vocab[:2]), "-".join([*watch[:2], gap])))
    noise = [word(rng) for _ in range(3_000)] + COMMON
    # Enough people that nobody holds more open items than PM039 allows (five).
    surnames = [word(rng).capitalize() for _ in range(size // 2 + 8)]
    owners = [f"{rng.choice(FIRST)} {surname}" for surname in surnames]
    return World(rng, families, noise, owners)


def _owner(world: World, opened: bool) -> str:
    name = world.rng.choice(world.owners)
    start = world.owners.index(name)
    for step in range(len(world.owners)):  # the next person with room, if this one has none
        name = world.owners[(start + step) % len(world.owners)]
        if not opened or world.open_load.get(name, 0) < 5:
            break
    if opened:
        world.open_load[name] = world.open_load.get(name, 0) + 1
    return name


def _clock(start: datetime.datetime, minutes: int) -> datetime.datetime:
    return start + datetime.timedelta(minutes=minutes)


def _items(world: World, index: int, day: datetime.date, topic: list[str], other: list[str]) -> str:
    rng, noise = world.rng, world.noise
    extra = rng.sample(["prevention", "mitigation"], rng.randint(0, 2))
    buckets = ["prevention", "detection", "mitigation", *extra]
    lines = []
    for number, bucket in enumerate(buckets):
        status = rng.choices(["open", "done", "dropped"], [5, 4, 1])[0]
        due = day + datetime.timedelta(days=rng.randint(3, 13))
        vocab = other if bucket == "detection" else topic
        lines += [
            f'  - title: "Add {sentence(rng, vocab, noise, 8)[:-1].lower()}"',
            f"    bucket: {bucket}",
            f"    owner: {_owner(world, status == 'open')}",
            f"    due: {due.isoformat()}",
            f"    link: https://tracker.example.com/issues/{index * 10 + number}",
            f"    status: {status}",
        ]
        if status == "done":
            lines.append(f"    closed: {(due - datetime.timedelta(days=rng.randint(0, 2))).isoformat()}")
        elif status == "dropped":
            lines.append('    reason: "Superseded by the platform migration planned for next quarter"')
    return "\n".join(lines)


def postmortem(world: World, index: int, size: int) -> tuple[str, str]:
    """(id, text) of the index-th postmortem of an archive of `size`, oldest first."""
    rng, noise = world.rng, world.noise
    family = world.families[zipf(rng, len(world.families))]
    detect = world.families[rng.randrange(len(world.families))]
    topic, other = family.vocab, detect.watch
    span = max(size, 1)
    day = datetime.date(2014, 1, 1) + datetime.timedelta(days=index * 4_000 // span)
    pid = f"{day.isoformat()}-{'-'.join(rng.sample(topic[:10], 2))}-{index:05d}"
    started = datetime.datetime.combine(
        day, datetime.time(rng.randint(0, 20), rng.randint(0, 59)), datetime.UTC
    )
    detected = rng.randint(1, 9)
    acknowledged = detected + rng.randint(1, 9)
    mitigated = acknowledged + rng.randint(5, 40)
    resolved = mitigated + rng.randint(5, 60)
    services = sorted(set(rng.sample(SERVICES, rng.randint(1, 3))))
    why_lines = "\n".join(
        f"{n}. Why {sentence(rng, topic, noise, 14)[:-1].lower()}? {sentence(rng, topic, noise, 12)}"
        for n in range(1, rng.randint(4, 6))
    )
    timeline = "\n".join(
        f"- {_clock(started, minute).strftime('%H:%M')} {sentence(rng, topic, noise, 9)}"
        for minute in (0, detected, acknowledged, mitigated, resolved)
    )
    # Some authors link the previous incident of the same cause, as the archive asks.
    related = f"related: [{family.latest}]\n" if family.latest and rng.random() < 0.3 else ""
    family.latest = pid
    text = f"""---
title: "{sentence(rng, topic, noise, 8)[:-1]}"
date: {day.isoformat()}
status: {rng.choice(("final", "final", "final", "review"))}
severity: {weighted(rng, SEVERITIES)}
services: [{", ".join(services)}]
authors: [{_owner(world, False)}]
why: [{weighted(rng, WHY)}]
times:
  started: {started.isoformat()}
  detected: {_clock(started, detected).isoformat()}
  acknowledged: {_clock(started, acknowledged).isoformat()}
  mitigated: {_clock(started, mitigated).isoformat()}
  resolved: {_clock(started, resolved).isoformat()}
impact: {{users: {rng.randint(10, 9000)}, requests_failed: {rng.randint(100, 90000)}, \
duration_minutes: {resolved}}}
trigger: "{sentence(rng, topic, noise, 12)}"
root_causes:
  - category: {family.category}
    kind: prevention
    summary: "{sentence(rng, topic, noise, 16)}"
  - category: {detect.detection_category}
    kind: detection
    summary: "{sentence(rng, other, noise, 12)}"
action_items:
{_items(world, index, day, topic, other)}
{related}---

## Summary
{sentence(rng, topic, noise, 18)} {sentence(rng, topic, noise, 14)}

## Impact
- {rng.randint(100, 90000)} requests failed across {", ".join(services)}.
- {sentence(rng, topic, noise, 10)}

## Timeline
All times UTC.

{timeline}

## Root cause
{why_lines}

Detection: {sentence(rng, other, noise, 14)}

## What went well
- {sentence(rng, topic, noise, 10)}
- {sentence(rng, noise, noise, 8)}

## What was hard
- {sentence(rng, topic, noise, 12)}
"""
    return pid, text


def generate(root: Path, size: int, seed: int = 1) -> list[Path]:
    """An archive of `size` postmortems at root/postmortems with a mortem.toml; returns the
    files, oldest first. (bench.py adds the repository's mkdocs.yml and hooks.)"""
    world = make_world(size, seed)
    archive = root / "postmortems"
    archive.mkdir(parents=True)
    (root / "mortem.toml").write_text('archive = "postmortems"\n', encoding="utf-8")
    files = []
    for index in range(size):
        pid, text = postmortem(world, index, size)
        path = archive / f"{pid}.md"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def front_matter_copies(files: list[Path], folder: Path) -> list[Path]:
    """Each postmortem's front matter alone as a YAML file: check-jsonschema's input."""
    folder.mkdir(parents=True)
    out = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        front = text.split("\n---\n", 1)[0].removeprefix("---\n") + "\n"
        target = folder / f"{path.stem}.yaml"
        target.write_text(front, encoding="utf-8")
        out.append(target)
    return out


def naive_site(files: list[Path], folder: Path) -> None:
    """The plain mkdocs-material site a team would write first: every postmortem copied as a
    page and listed in `nav`, with no hooks; every page then renders the whole navigation."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Postmortems\n", encoding="utf-8")
    nav = ["nav:", "  - Home: index.md", "  - Postmortems:"]
    for path in files:
        (docs / path.name).write_bytes(path.read_bytes())
        nav.append(f"    - {path.name}")
    (folder / "mkdocs.yml").write_text(
        "site_name: Postmortems\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n"
        + "\n".join(nav)
        + "\n",
        encoding="utf-8",
    )
