"""Tiny postmortems for the recurrence tests."""

from __future__ import annotations

from pathlib import Path


def write(
    folder: Path,
    pid: str,
    category: str,
    summary: str,
    why: str = "",
    related: tuple[str, ...] = (),
    kind: str = "prevention",
) -> Path:
    """A minimal postmortem: enough for the analysis, not for every rule."""
    lines = [
        "---",
        f"title: {pid}",
        f"date: {pid[:10]}",
        f'trigger: "{summary}"',
        "root_causes:",
        f"  - category: {category}",
        f"    kind: {kind}",
        f'    summary: "{summary}"',
    ]
    if related:
        lines.append(f"related: [{', '.join(related)}]")
    lines += [
        "action_items:",
        "  - title: Add a check",
        "    bucket: prevention",
        "    status: open",
        "---",
        "",
        "## Root cause",
        f"1. Why? {why or summary}",
        "",
    ]
    path = folder / f"{pid}.md"
    path.write_text("\n".join(lines))
    return path
