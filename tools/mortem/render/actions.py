"""`mortem actions` output: the list (text, JSON), the weekly-sync agenda (Markdown), the
tracker sync report, the issues `--file-issues` opens, and the git history. Data comes from
analysis/actions.py, analysis/history.py and integrations/trackers.py; nothing here decides
what is open, late or drifted."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

from mortem.analysis.actions import (
    BUCKETS,
    UPCOMING_DAYS,
    ActionRow,
    bucket_counts,
    by_owner,
    due_soon,
    overdue,
)
from mortem.analysis.history import History
from mortem.integrations.trackers import DRIFT, MISSING, UNCHECKED, WRITABLE, Checked
from mortem.render import markup as md

Where = Callable[[ActionRow, str], str]  # row, field -> "path:line:column" for messages


def label(row: ActionRow) -> str:
    title = " ".join((row.item.title or "").split())
    short = title if len(title) <= 50 else title[:47] + "..."
    return f"action item {row.item.index + 1}" + (f" ({short!r})" if short else "")


def _state(row: ActionRow) -> str:
    if row.overdue_days is not None:
        return f"{row.overdue_days}d late"
    status = row.item.status or "open"
    if status == "done" and row.item.closed:
        return f"done {row.item.closed.isoformat()}"
    return status


# The list ----------------------------------------------------------------------------------


def text_list(rows: Sequence[ActionRow], today: date, which: str) -> str:
    """One line per item (due, state, owner, bucket, title), its postmortem and link below."""
    heading = _count_line(rows, today, which)
    if not rows:
        return heading + "\n"
    owners = max(len(r.item.owner or "-") for r in rows)
    states = max(len(_state(r)) for r in rows)
    lines = [heading, ""]
    for row in rows:
        due = row.item.due.isoformat() if row.item.due else "no date   "
        owner = (row.item.owner or "-").ljust(owners)
        bucket = (row.item.bucket or "-").ljust(10)
        lines.append(
            f"{due}  {_state(row).ljust(states)}  {owner}  {bucket}  {row.item.title or '(untitled)'}"
        )
        lines.append(f"{' ' * 12}{row.postmortem}  {row.item.link or '(no link)'}")
    return "\n".join(lines) + "\n"


def _count_line(rows: Sequence[ActionRow], today: date, which: str) -> str:
    late = len(overdue(rows))
    if which == "all":
        still = sum(1 for r in rows if r.is_open)
        return (
            f"{md.plural(len(rows), 'action item')} as of {today.isoformat()}: {still} open, {late} overdue."
        )
    if which == "overdue":
        return f"{md.plural(len(rows), 'overdue action item')} as of {today.isoformat()}."
    return f"{md.plural(len(rows), 'open action item')} as of {today.isoformat()}, {late} overdue."


def json_record(row: ActionRow) -> dict[str, Any]:
    item = row.item
    return {
        "postmortem": row.postmortem,
        "title": item.title,
        "owner": item.owner,
        "bucket": item.bucket,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status or "open",
        "link": item.link,
        "overdue_days": row.overdue_days or 0,
    }


def json_list(rows: Sequence[ActionRow]) -> str:
    return json.dumps([json_record(r) for r in rows], indent=2, ensure_ascii=False) + "\n"


# The weekly-sync agenda ----------------------------------------------------------------------


def agenda(rows: Sequence[ActionRow], today: date) -> str:
    """Markdown for the first five minutes of the weekly sync, ready to paste into an issue:
    overdue items by owner (each re-owned or dropped out loud), what falls due this week,
    then the open items per bucket."""
    late = overdue(rows)
    soon = due_soon(rows, today)
    still = [r for r in rows if r.is_open]
    lines = [
        f"## Action items for the weekly sync, {today.isoformat()}",
        "",
        f"{md.plural(len(still), 'open item')}, {len(late)} overdue. Each overdue item is re-owned "
        "or de-prioritised out loud, never silently dropped.",
        "",
        "### Overdue",
        "",
    ]
    if not late:
        lines += ["Nothing is overdue.", ""]
    for owner, owned in by_owner(late):
        lines += [f"**{md.text(owner)}**", "", _table(owned, overdue_table=True)]
    lines += [f"### Due in the next {UPCOMING_DAYS} days", ""]
    lines += [_table(soon, overdue_table=False)] if soon else ["Nothing falls due this week.", ""]
    lines += ["### Open items per bucket", ""]
    counts = [
        (name, total, behind) for name, total, behind in bucket_counts(still) if total or name in BUCKETS
    ]
    lines.append(
        md.table(("Bucket", "Open", "Overdue"), [(md.text(n), str(t), str(b)) for n, t, b in counts])
    )
    return "\n".join(lines)


def _table(rows: Sequence[ActionRow], overdue_table: bool) -> str:
    """Overdue items sit under their owner's name, so they show how late instead."""
    headers = ("Due", "Late" if overdue_table else "Owner", "Action item", "Bucket", "Postmortem", "Issue")
    cells = []
    for row in rows:
        late = md.plural(row.overdue_days or 0, "day")
        cells.append(
            (
                md.day(row.item.due),
                late if overdue_table else md.text(row.item.owner or ""),
                md.text(row.item.title or ""),
                md.text(row.item.bucket or ""),
                md.text(row.postmortem),
                md.external_link(row.item.link),
            )
        )
    return md.table(headers, cells)


# Tracker sync --------------------------------------------------------------------------------


def sync_text(
    results: Sequence[Checked], where: Where, written: Collection[int], skipped: int, writing: bool = False
) -> str:
    """One line per item that drifted or could not be checked, then the counts. `written`
    holds the positions (in `results`) whose change reached the file; `writing` says that
    --write was asked for, so an unwritten change failed rather than waited."""
    lines = []
    for position, found in enumerate(results):
        if found.verdict not in (*DRIFT, UNCHECKED):
            continue
        place = where(found.row, "status" if found.verdict in WRITABLE else "link")
        done = ""
        if found.verdict in WRITABLE:
            later = "; not written" if writing else "; run with --write to update the file"
            done = "; written" if position in written else later
        lines.append(f"{place}: {label(found.row)}: {found.message} [{found.ref.url}]{done}")
    lines.append(_sync_counts(results, written, skipped))
    return "\n".join(lines) + "\n"


def _sync_counts(results: Sequence[Checked], written: Collection[int], skipped: int) -> str:
    drifted = sum(1 for r in results if r.verdict in DRIFT and r.verdict != MISSING)
    missing = sum(1 for r in results if r.verdict == MISSING)
    unchecked = sum(1 for r in results if r.verdict == UNCHECKED)
    parts = [f"{drifted} drifted" + (f" ({len(written)} written)" if written else "")]
    parts.append(md.plural(missing, "link does not resolve", "links do not resolve"))
    parts.append(f"{unchecked} not checked")
    tail = f"; {md.plural(skipped, 'item')} without an issue link (or dropped) skipped" if skipped else ""
    return f"Checked {md.plural(len(results), 'linked action item')}: {', '.join(parts)}{tail}."


def sync_json(results: Sequence[Checked], written: Collection[int]) -> str:
    records = []
    for position, found in enumerate(results):
        state = found.state
        records.append(
            {
                **json_record(found.row),
                "tracker": found.ref.tracker,
                "issue_state": None if state is None else ("closed" if state.closed else "open"),
                "issue_closed": state.closed_on.isoformat() if state and state.closed_on else None,
                "verdict": found.verdict,
                "message": found.message or None,
                "written": position in written,
            }
        )
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


# Issues for --file-issues ----------------------------------------------------------------------


def issue_body(row: ActionRow, postmortem_link: str | None) -> str:
    """The issue's description: who, when, which bucket, and the postmortem it came from."""
    from mortem.integrations.markdown import plain

    title = plain(row.postmortem_title or row.postmortem)
    source = f"[{title}]({postmortem_link})" if postmortem_link else f"{title} (`{row.postmortem}`)"
    return "\n".join(
        [
            f"Action item from the postmortem {source}.",
            "",
            f"- **Owner:** {plain(row.item.owner or 'not named yet')}",
            f"- **Due:** {row.item.due.isoformat() if row.item.due else 'no date yet'}",
            f"- **Bucket:** {plain(row.item.bucket or 'none')}",
            "",
            "Small enough to ship in about a week. If it will not ship, re-own it or drop it out "
            "loud at the weekly sync, and say why in the postmortem.",
            "",
            f"<!-- mortem:action-item {row.key} -->",
            "",
        ]
    )


# History -------------------------------------------------------------------------------------


def history_json(history: History) -> str:
    data = {
        "as_of": history.as_of.isoformat(),
        "commits": history.commits,
        "items": [
            {
                "postmortem": i.postmortem,
                "index": i.index,
                "title": i.title,
                "bucket": i.bucket,
                "status": i.status or "open",
                "added": i.added.when.isoformat(),
                "done": i.done.when.isoformat() if i.done else None,
                "days_to_done": _round(i.days_to_done),
            }
            for i in history.items
        ],
        "buckets": [
            {
                "bucket": b.bucket,
                "done": b.done,
                "median_days_to_done": _round(b.median_days),
                "done_when_added": b.done_when_added,
            }
            for b in history.buckets
        ],
        "open_older_than_30_days": len(history.stale_open),
        "postmortems": [
            {
                "postmortem": p.postmortem,
                "date": p.date.isoformat() if p.date else None,
                "status": p.status,
                "first_commit": p.first_commit.when.isoformat(),
                "final_commit": p.final_commit.when.isoformat() if p.final_commit else None,
                "days_to_first_commit": p.days_to_first_commit,
                "days_to_final": p.days_to_final,
            }
            for p in history.postmortems
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def history_text(history: History) -> str:
    lines = [
        f"Action items from git history as of {history.as_of.isoformat()} "
        f"({md.plural(history.commits, 'commit')}, {md.plural(len(history.postmortems), 'postmortem')}).",
        "",
        "Days from an item's first commit to the commit that marked it done, per bucket:",
    ]
    for b in history.buckets:
        median = f"median {b.median_days:.1f} days" if b.median_days is not None else "median -"
        extra = f"; {b.done_when_added} done when first committed, not counted" if b.done_when_added else ""
        lines.append(f"  {b.bucket:<11} {md.plural(b.done, 'item')} done, {median}{extra}")
    stale = history.stale_open
    lines += ["", f"Open items first committed more than 30 days ago: {len(stale)}"]
    lines += [
        f"  {i.added.when.date().isoformat()}  {i.postmortem}  {i.title or '(untitled)'}" for i in stale
    ]
    lines += [
        "",
        "Days from the incident to the postmortem's first commit, and to the commit that made it final:",
    ]
    for p in history.postmortems:
        first = "-" if p.days_to_first_commit is None else str(p.days_to_first_commit)
        final = "-" if p.days_to_final is None else str(p.days_to_final)
        lines.append(f"  {p.postmortem}  first {first}, final {final}")
    return "\n".join(lines) + "\n"
