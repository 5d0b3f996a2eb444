"""PagerDuty incident log entries from the REST API (`GET /incidents/{id}/log_entries`).

Follows https://developer.pagerduty.com/api-reference/ (List log entries for an incident):
`{"log_entries": [{"id", "type", "summary", "created_at", "agent": {"summary"},
"channel": {"type", "summary"}, "incident": {"id"}, ...}], "limit", "offset", "more"}`.
Several pages (one response per document) or a bare array of entries are read too.

The published schema spells the acknowledgement type both `acknowledge_log_entry` and
`acknowledgement_log_entry`, so both are accepted. An escalation is kept as a note (it says
why acknowledgement took long); assignments, snoozes and other bookkeeping are left out.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from mortem.integrations.monitoring.events import BadExport, Event, clean_text, parse_time, text_field
from mortem.integrations.monitoring.jsondocs import items, join

SOURCE = "pagerduty"

KINDS = {
    "trigger_log_entry": "alert",
    "notify_log_entry": "notify",
    "acknowledge_log_entry": "acknowledge",
    "acknowledgement_log_entry": "acknowledge",
    "escalate_log_entry": "note",
    "annotate_log_entry": "note",
    "resolve_log_entry": "recovery",
}
_DEFAULT_TEXT = {
    "alert": "Incident triggered",
    "notify": "On-call notified",
    "acknowledge": "Acknowledged",
    "note": "Note added",
    "recovery": "Resolved",
}


def parse(docs: list[Any], naive_zone: tzinfo | None) -> list[Event]:
    events: list[Event] = []
    for where, doc in items(docs):
        for entry_where, entry in _entries(where, doc):
            event = _entry(entry, entry_where, naive_zone)
            if event is not None:
                events.append(event)
    return events


def _entries(where: str, doc: Any) -> list[tuple[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("log_entries"), list):
        return [(join(where, f"log_entries[{i}]"), e) for i, e in enumerate(doc["log_entries"])]
    if isinstance(doc, dict) and str(doc.get("type", "")).endswith("_log_entry"):
        return [(where, doc)]  # one entry, as `GET /log_entries/{id}` returns it inside a list
    raise BadExport(where or "the file", "not PagerDuty log entries: no `log_entries` list")


def _entry(entry: Any, where: str, naive_zone: tzinfo | None) -> Event | None:
    if not isinstance(entry, dict):
        raise BadExport(where, "a log entry must be a JSON object")
    kind_name = entry.get("type")
    if not isinstance(kind_name, str):
        raise BadExport(f"{where}.type", "missing; a log entry's type says what happened")
    kind = KINDS.get(kind_name)
    if kind is None:
        return None
    at = parse_time(entry.get("created_at"), f"{where}.created_at", naive_zone)
    subject = text_field(entry.get("incident"), "id") or "incident"
    return Event(at, kind, clean_text(_text(entry, kind)), SOURCE, subject)


def _text(entry: dict[str, Any], kind: str) -> str:
    summary = text_field(entry, "summary")
    agent = text_field(entry.get("agent"), "summary")
    detail = text_field(entry.get("channel"), "summary")  # the alert title, or a note's text
    text = summary or (_DEFAULT_TEXT[kind] + (f" by {agent}" if agent and kind != "alert" else ""))
    if detail and detail.casefold() not in text.casefold():
        text = f"{text.rstrip('.')}: {detail}"
    return text
