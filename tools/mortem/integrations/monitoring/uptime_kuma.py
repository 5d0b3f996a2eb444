"""Uptime Kuma webhook notifications (the JSON body of its "Webhook" notification type).

Follows Uptime Kuma's webhook provider (server/notification-providers/webhook.js and
server/model/heartbeat.js, https://github.com/louislam/uptime-kuma): `{"heartbeat":
{"monitorID", "status", "time", "msg", "ping", "important", "duration", "timezone",
"timezoneOffset", "localDateTime"}, "monitor": {"id", "name", "url", ...}, "msg"}`, where
status 0 is down, 1 up, 2 pending and 3 maintenance. `time` is UTC without an offset
(`localDateTime` is the server's zone), so it is read as UTC whatever --tz says.

A down notification is both the first failed check it reports and the alert it sends, so it
gives a failure and an alert at the same moment. With retries configured, the earlier pending
checks are not notified: add the first failed check by hand, or import the check history as
CSV. A resent "still down" notification and test notifications (no heartbeat) add nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any, NamedTuple

from mortem.integrations.monitoring.events import BadExport, Event, clean_text, parse_time, text_field
from mortem.integrations.monitoring.jsondocs import items, join

SOURCE = "uptime-kuma"
DOWN, UP, PENDING, MAINTENANCE = 0, 1, 2, 3


class _Beat(NamedTuple):
    at: datetime
    status: int
    name: str
    subject: str
    detail: str | None  # the check's own message, such as "connect ECONNREFUSED"
    message: str | None  # the notification's text


def parse(docs: list[Any], naive_zone: tzinfo | None) -> list[Event]:
    beats = []
    for where, doc in items(docs):
        if not isinstance(doc, dict) or not ({"heartbeat", "msg"} <= doc.keys() or "monitor" in doc):
            raise BadExport(where or "the file", "not an Uptime Kuma notification: no `heartbeat` and `msg`")
        if doc.get("heartbeat") is None:
            continue  # a test notification
        beats.append(_beat(doc, where))
    return _events(beats)


def _beat(doc: dict[str, Any], where: str) -> _Beat:
    beat = doc["heartbeat"]
    here = join(where, "heartbeat")
    if not isinstance(beat, dict):
        raise BadExport(here, "must be a JSON object")
    status = beat.get("status")
    if status not in (DOWN, UP, PENDING, MAINTENANCE) or isinstance(status, bool):
        raise BadExport(f"{here}.status", f"{status!r}; expected 0 (down), 1 (up), 2 (pending) or 3")
    at = parse_time(beat.get("time"), f"{here}.time", UTC)  # documented as UTC
    monitor = doc.get("monitor")
    named = text_field(monitor, "name")
    name = f'"{named}"' if named else f"#{beat.get('monitorID', '?')}"
    monitor_id = monitor.get("id") if isinstance(monitor, dict) else None
    subject = str(monitor_id or beat.get("monitorID") or name)
    return _Beat(at, status, name, subject, text_field(beat, "msg"), text_field(doc, "msg"))


def _events(beats: list[_Beat]) -> list[Event]:
    events: list[Event] = []
    down: set[str] = set()
    for at, status, name, subject, detail, message in sorted(beats, key=lambda b: b.at):
        why = f": {detail}" if detail else ""
        if status == DOWN and subject not in down:
            down.add(subject)
            events.append(
                Event(at, "failure", clean_text(f"Monitor {name} check failed{why}"), SOURCE, subject)
            )
            sent = message or f"{name} is down"
            events.append(Event(at, "alert", clean_text(f"Uptime Kuma alerted: {sent}"), SOURCE, subject))
        elif status == UP:
            down.discard(subject)
            events.append(Event(at, "recovery", clean_text(f"Monitor {name} up{why}"), SOURCE, subject))
        elif status in (PENDING, MAINTENANCE):
            state = "pending" if status == PENDING else "in maintenance"
            events.append(Event(at, "note", clean_text(f"Monitor {name} {state}{why}"), SOURCE, subject))
    return events
