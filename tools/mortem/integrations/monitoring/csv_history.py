"""A plain CSV of `timestamp,event,detail`: any uptime monitor's check history fits it.

The format (RFC 4180 CSV, an optional header row, `#` comment lines) is mortem's own, so any
tool's export can be turned into it with a spreadsheet or one line of awk:

    timestamp,event,detail
    2026-10-07T12:02:00Z,down,HTTP 502 on /checkout
    2026-10-07T12:09:00Z,alert,checkout 5xx > 2% paged on-call
    2026-10-07T12:51:00Z,up,

`timestamp` is ISO 8601; one without an offset is read in --tz. `event` is one word from
EVENT_WORDS (down/up, alert, ack, mitigated, note, ...). A check history repeats its state on
every check, so only changes count: the first `down` of an outage and the `up` that ends it.
"""

from __future__ import annotations

import csv
import io
from datetime import tzinfo

from mortem.integrations.monitoring.events import BadExport, Event, clean_text, keep_transitions, parse_time

SOURCE = "csv"
HEADER = ("timestamp", "event", "detail")

EVENT_WORDS = {
    "failure": ("down", "fail", "failed", "failure", "error", "critical"),
    "alert": ("alert", "alerted", "alerting", "fired", "firing", "trigger", "triggered", "page", "paged"),
    "notify": ("notify", "notified", "notification"),
    "acknowledge": ("ack", "acked", "acknowledge", "acknowledged"),
    "note": ("note", "info", "comment"),
    "mitigate": ("mitigate", "mitigated", "mitigation"),
    "recovery": ("up", "ok", "recovered", "recovery", "resolve", "resolved"),
}
_KIND_OF = {word: kind for kind, words in EVENT_WORDS.items() for word in words}
_LABEL = {
    "failure": "Check failed",
    "alert": "Alert fired",
    "notify": "On-call notified",
    "acknowledge": "Alert acknowledged",
    "note": "Note",
    "mitigate": "Mitigated",
    "recovery": "Check recovered",
}


def parse(text: str, naive_zone: tzinfo | None) -> list[Event]:
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""))  # a quoted detail may hold a line break
    events: list[Event] = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if reader.line_num == _first_row(lines) and row[0].strip().casefold() == HEADER[0]:
                _check_header(row, where)
                continue
            events.append(_row(row, where, naive_zone))
    except csv.Error as exc:
        raise BadExport(f"line {reader.line_num}", f"not valid CSV: {exc}") from None
    return keep_transitions(events)


def _first_row(lines: list[str]) -> int:
    return next(
        (n for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")), 0
    )


def _check_header(row: list[str], where: str) -> None:
    names = tuple(cell.strip().casefold() for cell in row)
    if names not in (HEADER, HEADER[:2]):
        raise BadExport(where, f"the header is {','.join(row)!r}; expected {','.join(HEADER)!r}")


def _row(row: list[str], where: str, naive_zone: tzinfo | None) -> Event:
    if len(row) not in (2, 3):
        raise BadExport(
            where, f"{len(row)} columns; expected timestamp,event,detail (quote a detail that has commas)"
        )
    at = parse_time(row[0].strip(), f"{where}, timestamp", naive_zone)
    word = row[1].strip().casefold()
    kind = _KIND_OF.get(word)
    if kind is None:
        known = ", ".join(words[0] for words in EVENT_WORDS.values())
        raise BadExport(
            f"{where}, event", f"{row[1]!r} is not an event word; use one of {known} (or a synonym)"
        )
    detail = row[2].strip() if len(row) == 3 else ""
    if kind == "note":
        text = detail or _LABEL[kind]
    else:
        text = f"{_LABEL[kind]}: {detail}" if detail else _LABEL[kind]
    return Event(at, kind, clean_text(text), SOURCE, "check")
