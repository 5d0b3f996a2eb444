"""Exports for other tools: incidents.json, actions.json and actions.ics (RFC 5545).

The JSON shapes are documented on the site's exports page (`EXPORTS_DOC`) and carry a
`version`; add fields freely, but renaming or removing one means a new version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from mortem.analysis.actions import ActionRow
from mortem.model import Postmortem

VERSION = 1


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def incident_record(doc: Postmortem) -> dict[str, Any]:
    times = doc.times
    return {
        "id": doc.id,
        "title": doc.title,
        "date": _day(doc.date),
        "status": doc.status,
        "severity": doc.severity,
        "services": list(doc.services),
        "why": list(doc.why),
        "trigger": doc.trigger,
        "times": {
            name: _instant(getattr(times, name))
            for name in ("started", "detected", "acknowledged", "mitigated", "resolved")
        },
        "time_to_detect_minutes": _minutes(times.time_to_detect),
        "time_to_acknowledge_minutes": _minutes(times.time_to_acknowledge),
        "duration_minutes": _minutes(times.duration),
        "impact": dict(doc.impact),
        "root_causes": [
            {"category": c.category, "kind": c.kind, "summary": c.summary} for c in doc.root_causes
        ],
        "related": list(doc.related),
        "action_items": len(doc.action_items),
        "open_action_items": sum(1 for item in doc.action_items if item.is_open),
        "page": f"{doc.id}/",
    }


def incidents_json(docs: Sequence[Postmortem]) -> str:
    records = [incident_record(d) for d in sorted(docs, key=lambda d: d.id)]
    return _dump({"version": VERSION, "incidents": records})


def action_record(row: ActionRow) -> dict[str, Any]:
    item = row.item
    return {
        "id": row.key,
        "postmortem": row.postmortem,
        "postmortem_title": row.postmortem_title,
        "index": item.index,
        "title": item.title,
        "bucket": item.bucket,
        "owner": item.owner,
        "due": _day(item.due),
        "status": item.status or "open",
        "closed": _day(item.closed),
        "reason": item.reason,
        "link": item.link,
        "open": item.is_open,
        "overdue": row.is_overdue,
        "overdue_days": row.overdue_days,
    }


def actions_json(rows: Sequence[ActionRow], today: date) -> str:
    return _dump(
        {"version": VERSION, "as_of": today.isoformat(), "action_items": [action_record(r) for r in rows]}
    )


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# iCalendar (RFC 5545) -------------------------------------------------------------------


def ics_text(value: str) -> str:
    """A TEXT value (3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (3.1), never inside a UTF-8
    character; each continuation starts with one space, which counts toward its 75."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line  # most lines
    pieces: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: back off
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(pieces)


def actions_ics(rows: Sequence[ActionRow], today: date) -> str:
    """One all-day event on the due date of each open action item that has one. The UID is
    the item's postmortem and its place in the list, so re-importing updates, not duplicates."""
    stamp = f"{today:%Y%m%d}T000000Z"  # the build day: reproducible within a day
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mortem//postmortem action items//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Postmortem action items",
    ]
    for row in rows:
        item = row.item
        if not item.is_open or item.due is None:
            continue
        details = [
            f"Owner: {item.owner or 'none'}",
            f"Bucket: {item.bucket or 'none'}",
            f"Postmortem: {row.postmortem_title or row.postmortem} ({row.postmortem})",
        ]
        if item.link:
            details.append(f"Tracking: {item.link}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{row.postmortem}-{item.index}@mortem",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{item.due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_text(item.title or 'Action item')}",
            f"DESCRIPTION:{ics_text(chr(10).join(details))}",
        ]
        if item.bucket:
            lines.append(f"CATEGORIES:{ics_text(item.bucket)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def exports_page() -> str:
    """The exports' documentation, published beside them so a consumer finds both at once."""
    return EXPORTS_DOC


EXPORTS_DOC = """\
# Exports

Regenerated at every build, for other tools: [incidents.json](incidents.json),
[actions.json](actions.json) and [actions.ics](actions.ics). Both JSON files carry a
`version` (now 1): fields may be added within a version, never renamed or removed.

## incidents.json

One record per postmortem, oldest first (by id).

```json
{
  "version": 1,
  "incidents": [
    {
      "id": "2026-10-07-checkout-deploy-before-migration",
      "title": "Checkout failed after a deploy ran ahead of its migration",
      "date": "2026-10-07",
      "status": "final",
      "severity": "SEV2",
      "services": ["checkout", "postgres-main"],
      "why": ["customer-visible"],
      "trigger": "Release 2026.10.07-1 was deployed before its database migration had run.",
      "times": {"started": "2026-10-07T12:02:00+00:00", "detected": "...",
                "acknowledged": "...", "mitigated": "...", "resolved": "..."},
      "time_to_detect_minutes": 7.0,
      "time_to_acknowledge_minutes": 3.0,
      "duration_minutes": 78.0,
      "impact": {"users": 1240, "orders_lost": 96},
      "root_causes": [{"category": "manual-deploy-ordering", "kind": "prevention",
                       "summary": "..."}],
      "related": ["2025-09-16-api-deploy-missing-env-var"],
      "action_items": 3,
      "open_action_items": 1,
      "page": "2026-10-07-checkout-deploy-before-migration/"
    }
  ]
}
```

Missing values are `null` (a time never recorded, a severity not given); `page` is the
postmortem's address relative to the site root. Durations are minutes, from the recorded
times: detect is started to detected, acknowledge is detected to acknowledged, duration is
started to resolved (or mitigated when there is no resolved time).

## actions.json

Every action item of the archive (open and closed), in archive order, with its state as of
the build day `as_of`.

```json
{
  "version": 1,
  "as_of": "2026-11-28",
  "action_items": [
    {
      "id": "2026-10-07-checkout-deploy-before-migration#2",
      "postmortem": "2026-10-07-checkout-deploy-before-migration",
      "postmortem_title": "Checkout failed after a deploy ran ahead of its migration",
      "index": 2,
      "title": "Make the rollback script check migration state ...",
      "bucket": "mitigation",
      "owner": "Sam Okafor",
      "due": "2026-10-21",
      "status": "open",
      "closed": null,
      "reason": null,
      "link": "https://github.com/fernhill/platform/issues/338",
      "open": true,
      "overdue": true,
      "overdue_days": 38
    }
  ]
}
```

`id` is the postmortem's id and the item's zero-based `index` in its list; `status` is
`open`, `done` or `dropped`; `overdue_days` is a number only for an open item past its
due date.

## actions.ics

An iCalendar feed (RFC 5545) with one all-day event on the due date of each open action
item. Subscribe to it from any calendar to get reminders without a SaaS. Each event's UID
is `<postmortem id>-<index>@mortem`, so an updated feed moves an event instead of
duplicating it, as long as items keep their place in the list.
"""
