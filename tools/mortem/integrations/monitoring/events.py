"""What every monitoring export becomes: timestamped events, and the times they imply.

A parser knows one format and returns Events; this module knows no format. The times follow
the practice's definitions: started is the first failure, detected the first alert,
acknowledged the first human acknowledgement, resolved the all-clear (the last recovery, once
everything that went down is back up), and mitigated an explicit mitigation or else the
all-clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from mortem.errors import MortemError
from mortem.model import Times

# In the order a timeline reads them when two share a moment.
KINDS = ("failure", "alert", "notify", "acknowledge", "note", "mitigate", "recovery")
_OPENS = frozenset({"failure", "alert"})

_ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_TEXT_LIMIT = 200


class BadExport(MortemError):
    """An export that cannot be read; the message names the entry or line."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


@dataclass(frozen=True)
class Event:
    at: datetime  # timezone-aware
    kind: str  # one of KINDS
    text: str
    source: str  # the format's name, such as "alertmanager"
    subject: str = ""  # which alert, incident or monitor: tells when all of them recovered


@dataclass(frozen=True)
class Import:
    source: str
    events: tuple[Event, ...]  # in time order
    times: Times


def make_import(source: str, events: Iterable[Event]) -> Import:
    unique = sorted(set(events), key=_order)
    return Import(source, tuple(unique), derive_times(unique))


def _order(event: Event) -> tuple[datetime, int, str, str]:
    return (event.at, KINDS.index(event.kind), event.subject, event.text)


def derive_times(events: Iterable[Event]) -> Times:
    ordered = sorted(events, key=_order)

    def first(kind: str) -> datetime | None:
        return next((e.at for e in ordered if e.kind == kind), None)

    resolved = _all_clear(ordered)
    return Times(
        started=first("failure"),
        detected=first("alert"),
        acknowledged=first("acknowledge"),
        mitigated=first("mitigate") or resolved,
        resolved=resolved,
    )


def _all_clear(ordered: list[Event]) -> datetime | None:
    """The last recovery, but only when no alert or monitor is still down at the end:
    an export that ends mid-outage has no all-clear yet."""
    down: dict[str, bool] = {}
    last = None
    for event in ordered:
        if event.kind in _OPENS:
            down[event.subject] = True
        elif event.kind == "recovery":
            down[event.subject] = False
            last = event.at
    if last is None or any(down.values()):
        return None
    return last


def parse_time(value: object, where: str, naive_zone: tzinfo | None) -> datetime:
    """An ISO 8601 / RFC 3339 time; one without an offset is read in `naive_zone` (--tz)."""
    if not isinstance(value, str) or not _ISO_TIME.fullmatch(value.strip()):
        shown = "missing" if value is None else f"{value!r} is not an ISO 8601 time"
        raise BadExport(where, f"{shown} (expected a time such as 2026-03-04T14:02:00Z)")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadExport(where, f"{value!r} is not a valid time ({exc})") from None
    if not 1970 <= parsed.year <= 2999:  # the Go zero time, or a typo; and out of range for zones
        raise BadExport(where, f"{value!r} is not a plausible time for an incident")
    if parsed.tzinfo is None:
        if naive_zone is None:
            raise BadExport(
                where, f"{value!r} has no UTC offset; pass --tz ZONE (such as Europe/Berlin) to say its zone"
            )
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed


def clean_text(value: object) -> str:
    """One line of Markdown-safe text: a bullet must not break the list or the marker."""
    text = " ".join(str(value).split())
    text = text.replace("<!--", "<! --").replace("-->", "-- >")
    if len(text) > _TEXT_LIMIT:
        text = text[: _TEXT_LIMIT - 1].rstrip() + "…"
    return text


def text_field(mapping: object, key: str) -> str | None:
    """A non-empty string field of a JSON object, or None (missing fields are common)."""
    if not isinstance(mapping, dict):
        return None
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def keep_transitions(events: list[Event]) -> list[Event]:
    """Check histories repeat the state on every check: keep a failure only when the subject
    was up, and a recovery only when it was down, so each outage reads as two lines."""
    result: list[Event] = []
    failing: set[str] = set()
    open_: set[str] = set()  # failing or alerting: a recovery then ends something
    for event in sorted(events, key=_order):
        if event.kind == "failure":
            if event.subject in failing:
                continue
            failing.add(event.subject)
        elif event.kind == "recovery":
            if event.subject not in open_:
                continue
            failing.discard(event.subject)
            open_.discard(event.subject)
        if event.kind in _OPENS:
            open_.add(event.subject)
        result.append(event)
    return result
