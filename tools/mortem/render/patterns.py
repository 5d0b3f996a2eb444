"""Recurring patterns and related postmortems as text, Markdown or JSON.

`mortem patterns`, `mortem related` and the site share these, so the terminal and the
site always agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from mortem.analysis.patterns import Link, Pattern

FORMATS = ("text", "markdown", "json")


def pattern_record(pattern: Pattern) -> dict[str, Any]:
    """The JSON shape of one pattern, as `mortem patterns --format json` prints it."""
    return {
        "name": pattern.name,
        "postmortems": list(pattern.postmortems),
        "count": pattern.count,
        "by_quarter": dict(pattern.by_quarter),
        "open_action_items": pattern.open_action_items,
    }


def patterns_json(patterns: Sequence[Pattern]) -> str:
    return (
        json.dumps({"patterns": [pattern_record(p) for p in patterns]}, indent=2, ensure_ascii=False) + "\n"
    )


def patterns_text(patterns: Sequence[Pattern]) -> str:
    if not patterns:
        return "No recurring root causes: no cause is shared by two or more postmortems.\n"
    blocks = []
    for pattern in patterns:
        lines = [
            f"{pattern.name}: {pattern.count} postmortems, "
            f"{_plural(pattern.open_action_items, 'open action item')}"
        ]
        lines += [f"  {day.isoformat()}  {pid}" for day, pid in _incidents(pattern)]
        lines.append("  by quarter: " + ", ".join(f"{q} {n}" for q, n in pattern.by_quarter.items()))
        lines += [
            f"  [{item.status or 'open'}] {item.title or '(untitled)'} ({pid})"
            for pid, item in pattern.action_items
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def patterns_markdown(
    patterns: Sequence[Pattern], link: Callable[[str], str] | None = None, heading: str = "##"
) -> str:
    """One section per pattern; `link` turns an id into a URL (the site passes its own)."""
    if not patterns:
        return "No recurring root causes yet: no cause is shared by two or more postmortems.\n"

    def ref(pid: str) -> str:
        return f"[{pid}]({link(pid)})" if link else f"`{pid}`"

    blocks = []
    for pattern in patterns:
        lines = [
            f"{heading} {_escape(pattern.name)}",
            "",
            f"{pattern.count} postmortems, {_plural(pattern.open_action_items, 'open action item')}."
            f" By quarter: {', '.join(f'{q}: {n}' for q, n in pattern.by_quarter.items())}.",
            "",
        ]
        lines += [f"- {day.isoformat()} {ref(pid)}" for day, pid in _incidents(pattern)]
        if pattern.action_items:
            lines += ["", "| Action item | Status | From |", "|---|---|---|"]
            lines += [
                f"| {_cell(item.title or '(untitled)')} | {item.status or 'open'} | {ref(pid)} |"
                for pid, item in pattern.action_items
            ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_patterns(patterns: Sequence[Pattern], fmt: str) -> str:
    if fmt == "json":
        return patterns_json(patterns)
    if fmt == "markdown":
        return patterns_markdown(patterns)
    return patterns_text(patterns)


def related_json(doc_id: str, links: Sequence[Link]) -> str:
    records = [{"id": link.other, "score": link.score, "reasons": list(link.reasons)} for link in links]
    return json.dumps({"postmortem": doc_id, "related": records}, indent=2, ensure_ascii=False) + "\n"


def related_text(doc_id: str, links: Sequence[Link]) -> str:
    if not links:
        return f"No postmortem looks related to {doc_id}.\n"
    lines = [f"Postmortems related to {doc_id}:"]
    for link in links:
        lines.append(f"  {link.score:.2f}  {link.other}")
        lines.append(f"        {'; '.join(link.reasons) or 'similar root cause text'}")
    return "\n".join(lines) + "\n"


def render_related(doc_id: str, links: Sequence[Link], fmt: str) -> str:
    return related_json(doc_id, links) if fmt == "json" else related_text(doc_id, links)


def _incidents(pattern: Pattern) -> list[tuple[date, str]]:
    return list(zip(pattern.dates, pattern.postmortems, strict=True))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _escape(text: str) -> str:
    return text.replace("<", "&lt;")


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")
