"""The archive's list pages as Markdown: home, the archive table and its filtered views,
follow-through, and the rule index. Data comes in from `analysis/`; nothing is computed here
beyond layout."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mortem.analysis.actions import ActionRow
from mortem.analysis.metrics import Summary
from mortem.model import Postmortem
from mortem.render import markup as md
from mortem.render import paths
from mortem.render.postmortem_page import title_of
from mortem.rules.base import Rule

LATEST = 5


def newest_first(docs: Sequence[Postmortem]) -> list[Postmortem]:
    return sorted(docs, key=lambda d: (d.date or date.min, d.id), reverse=True)


def home(
    docs: Sequence[Postmortem],
    summary: Summary,
    open_rows: Sequence[ActionRow],
    overdue_rows: Sequence[ActionRow],
    notes: bool = False,
) -> str:
    here = paths.HOME
    lines = [
        "# Postmortem archive",
        "",
        "Every blameless postmortem this team has written, in one searchable place. When an "
        "incident feels familiar, search for it here: the old write-up, its root causes and "
        "its fixes are seconds away. Each postmortem is one page that ends in a few tracked "
        "action items; the pages below follow those items until they ship.",
        "",
        "## At a glance",
        "",
        md.table(
            ("Measure", "Now"),
            [
                (f"Incidents this quarter ({summary.quarter})", str(summary.incidents_this_quarter)),
                ("Incidents in the archive", str(summary.incidents)),
                ("Open action items", str(len(open_rows))),
                ("Overdue action items", str(len(overdue_rows))),
                ("Median time to detect", md.duration(summary.median_time_to_detect)),
                ("Median time to acknowledge", md.duration(summary.median_time_to_acknowledge)),
            ],
        ),
        "## Latest postmortems",
        "",
    ]
    latest = newest_first(docs)[:LATEST]
    lines.extend(
        f"- {md.day(d.date)} {md.link(title_of(d), paths.postmortem_path(d.id), here)}" for d in latest
    )
    if not latest:
        lines.append("No postmortems yet. `mortem new` starts one.")
    lines += [
        "",
        "## Sections",
        "",
        f"- {md.link('Archive', paths.ARCHIVE, here)}: every postmortem, newest first",
        f"- {md.link('Patterns', paths.PATTERNS, here)}: root causes that recur",
        f"- {md.link('Metrics', paths.METRICS, here)}: time to detect and acknowledge, "
        "incidents and action items over time",
        f"- {md.link('Follow-through', paths.FOLLOW_THROUGH, here)}: open action items for the weekly sync",
        f"- {md.link('Rules', paths.RULES, here)}: what `mortem check` asks of a postmortem",
        f"- {md.link('Exports', paths.EXPORTS, here)}: JSON and a calendar feed",
    ]
    if notes:
        lines.append(
            f"- {md.link('Small events', paths.NOTES, here)}: one-line notes of events "
            "that did not need a postmortem"
        )
    lines.append("")
    return "\n".join(lines)


def archive_table(docs: Sequence[Postmortem], here: str) -> str:
    if not docs:
        return "No postmortems here yet.\n"
    rows = []
    for doc in newest_first(docs):
        times = doc.times
        rows.append(
            (
                md.day(doc.date),
                md.link(title_of(doc), paths.postmortem_path(doc.id), here),
                md.link(doc.severity, paths.severity_path(doc.severity), here) if doc.severity else "",
                ", ".join(md.link(s, paths.service_path(s), here) for s in doc.services),
                md.duration(times.duration),
                md.duration(times.time_to_detect),
                md.duration(times.time_to_acknowledge),
                md.text(doc.status or ""),
            )
        )
    return md.table(
        ("Date", "Title", "Severity", "Services", "Duration", "Detect", "Acknowledge", "Status"), rows
    )


def archive_index(docs: Sequence[Postmortem]) -> str:
    here = paths.ARCHIVE
    services = sorted({s for d in docs for s in d.services})
    severities = sorted({d.severity for d in docs if d.severity})
    lines = [
        "# Archive",
        "",
        f"{md.plural(len(docs), 'postmortem')}, newest first. Detect is "
        "the time from the start to the first alert; acknowledge, from the alert to the "
        "first human response.",
        "",
    ]
    if services:
        lines += ["By service: " + " · ".join(md.link(s, paths.service_path(s), here) for s in services), ""]
    if severities:
        lines += [
            "By severity: " + " · ".join(md.link(s, paths.severity_path(s), here) for s in severities),
            "",
        ]
    return "\n".join(lines) + "\n" + archive_table(docs, here)


def filtered_index(kind: str, name: str, docs: Sequence[Postmortem], here: str) -> str:
    back = md.link("the whole archive", paths.ARCHIVE, here)
    return (
        f"# {md.text(kind)}: {md.text(name)}\n\n"
        f"{md.plural(len(docs), 'postmortem')}, newest first; see also {back}.\n\n"
        + archive_table(docs, here)
    )


def follow_through(groups: Sequence[tuple[str, Sequence[ActionRow]]], overdue_count: int, today: date) -> str:
    here = paths.FOLLOW_THROUGH
    total = sum(len(rows) for _, rows in groups)
    lines = [
        "# Follow-through",
        "",
        f"As of {today.isoformat()}: {md.plural(total, 'open action item')}, "
        f"{overdue_count} overdue. Spend five minutes on this page at the start of the "
        "weekly sync: re-own or drop each overdue item out loud, never silently.",
        "",
        f"The same items as a calendar feed: {md.link('actions.ics', paths.ACTIONS_ICS, here)}.",
        "",
    ]
    if not groups:
        lines.append("Nothing open. Every action item has shipped or was dropped on purpose.")
    for owner, rows in groups:
        late = sum(1 for r in rows if r.is_overdue)
        lines += [
            f"## {md.text(owner)}",
            "",
            f"{md.plural(len(rows), 'open item')}, {late} overdue.",
            "",
            _owner_table(rows, here),
        ]
    return "\n".join(lines) + "\n"


def _owner_table(rows: Sequence[ActionRow], here: str) -> str:
    cells = []
    for row in rows:
        due = md.day(row.item.due)
        if row.overdue_days is not None:
            due = f"**{due} (overdue by {md.plural(row.overdue_days, 'day')})**"
        cells.append(
            (
                due,
                md.text(row.item.title or ""),
                md.text(row.item.bucket or ""),
                md.link(row.postmortem_title or row.postmortem, paths.postmortem_path(row.postmortem), here),
                md.external_link(row.item.link),
            )
        )
    return md.table(("Due", "Action", "Bucket", "Postmortem", "Tracking"), cells)


def rules_index(rules: Sequence[Rule]) -> str:
    here = paths.RULES
    rows = [
        (
            md.link(r.code, paths.rule_path(r.code), here),
            md.text(r.name),
            md.text(str(r.severity)),
            md.text(r.family),
            md.text(r.summary),
        )
        for r in rules
    ]
    return (
        "# Rules\n\nWhat `mortem check` asks of a postmortem, and why. The same entries "
        "as `mortem rules`.\n\n" + md.table(("Code", "Name", "Severity", "Family", "Checks"), rows)
    )
