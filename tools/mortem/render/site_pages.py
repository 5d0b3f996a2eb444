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


# The archive table shows the latest postmortems; older ones follow as one line each with
# the same facts. A table row costs twice a line to build, and a decade of postmortems in
# one table is more scrolling than comparing.
ARCHIVE_TABLE_ROWS = 100


def archive_table(docs: Sequence[Postmortem], here: str) -> str:
    """The postmortems newest first, one row each. Only the title is a link: the pages of the
    services and severities are linked from the top of the page and from every postmortem's
    card, and a link per cell made every row cost twice as much to build."""
    if not docs:
        return "No postmortems here yet.\n"
    rows = [
        (
            md.day(doc.date),
            md.link(title_of(doc), paths.postmortem_path(doc.id), here),
            md.text(doc.severity or ""),
            md.text(", ".join(doc.services)),
            md.duration(doc.times.duration),
            md.duration(doc.times.time_to_detect),
            md.duration(doc.times.time_to_acknowledge),
            md.text(doc.status or ""),
        )
        for doc in newest_first(docs)
    ]
    return md.table(
        ("Date", "Title", "Severity", "Services", "Duration", "Detect", "Acknowledge", "Status"), rows
    )


def archive_lines(docs: Sequence[Postmortem], here: str) -> str:
    """The archive table's facts as one line per postmortem: the archive's older
    postmortems, and the pages of a service or a severity. Each postmortem is listed in the
    archive and on the page of its severity and of each of its services: lines instead of
    table rows halve what those lists cost to build."""
    if not docs:
        return "No postmortems here yet.\n"
    lines = []
    for doc in newest_first(docs):
        times = doc.times
        fields = [
            f"{md.day(doc.date)} {md.link(title_of(doc), paths.postmortem_path(doc.id), here)}",
            md.text(doc.severity or "") or "no severity",
            md.text(", ".join(doc.services)) or "no services",
            f"duration {md.duration(times.duration)}",
            f"detect {md.duration(times.time_to_detect)}",
            f"acknowledge {md.duration(times.time_to_acknowledge)}",
            md.text(doc.status or "") or "no status",
        ]
        lines.append("- " + " · ".join(fields))
    return "\n".join(lines) + "\n"


def archive_index(docs: Sequence[Postmortem], services: Sequence[str], severities: Sequence[str]) -> str:
    """The archive page: links to the pages of `services` and `severities` (those the site
    makes), then every postmortem, newest first."""
    here = paths.ARCHIVE
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
    ordered = newest_first(docs)
    recent, earlier = ordered[:ARCHIVE_TABLE_ROWS], ordered[ARCHIVE_TABLE_ROWS:]
    text = "\n".join(lines) + "\n" + archive_table(recent, here)
    if earlier:
        text += f"\n## Earlier postmortems\n\n{md.plural(len(earlier), 'more')}, newest first.\n\n"
        text += archive_lines(earlier, here)
    return text


def filtered_index(kind: str, name: str, docs: Sequence[Postmortem], here: str) -> str:
    back = md.link("the whole archive", paths.ARCHIVE, here)
    return (
        f"# {md.text(kind)}: {md.text(name)}\n\n"
        f"{md.plural(len(docs), 'postmortem')}, newest first; see also {back}.\n\n"
        + archive_lines(docs, here)
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
            _owner_items(rows, here),
        ]
    return "\n".join(lines) + "\n"


def _owner_items(rows: Sequence[ActionRow], here: str) -> str:
    """One line per item, most overdue first: lateness and due date, action, bucket, the
    postmortem it came from (the context the sync reads before deciding) and its issue (the
    link it acts on: re-own, close, drop). One line, not a table row: this page lists every
    open item of the archive."""
    lines = []
    for row in rows:
        due = f"due {row.item.due.isoformat()}" if row.item.due else "no due date"
        if row.overdue_days is not None:
            due = f"**overdue by {md.plural(row.overdue_days, 'day')}** ({due})"
        fields = (
            due,
            md.text(row.item.title or "") or "untitled",
            md.text(row.item.bucket or "") or "no bucket",
            "from "
            + md.link(row.postmortem_title or row.postmortem, paths.postmortem_path(row.postmortem), here),
            md.external_link(row.item.link) if row.item.link else "no tracking link",
        )
        lines.append("- " + " · ".join(fields))
    return "\n".join(lines) + "\n"


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
