"""Opsgenie alert logs from the Alert API (`GET /v2/alerts/{identifier}/logs`).

Follows https://docs.opsgenie.com/docs/alert-api-continued (List Alert Logs):
`{"data": [{"log", "type", "owner", "createdAt", "offset"}], "paging", "took", "requestId"}`,
newest first by default. Several pages (one response per document) are read too.

The log is a sentence ("Alert created via API", "Alert acknowledged via web", "Alert closed
via web"), so the kind is read from its words. Recipient entries that only record someone
viewing the alert are left out; everything else unrecognised is kept as a note. Owners are
left out of the text: they are e-mail addresses, and the archive may be published.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from mortem.integrations.monitoring.events import BadExport, Event, clean_text, parse_time, text_field
from mortem.integrations.monitoring.jsondocs import items, join

SOURCE = "opsgenie"

_KIND_BY_WORDS = (
    (re.compile(r"^\s*(?:alert\s+)?(?:created|triggered)\b|\bcreated alert\b", re.I), "alert"),
    (re.compile(r"\bunacknowledged\b", re.I), "note"),
    (re.compile(r"\backnowledged\b", re.I), "acknowledge"),
    (re.compile(r"\bclosed\b", re.I), "recovery"),
    (re.compile(r"\b(?:notified|notification|sent)\b", re.I), "notify"),
)


def parse(docs: list[Any], naive_zone: tzinfo | None) -> list[Event]:
    events: list[Event] = []
    for where, doc in items(docs):
        if isinstance(doc, dict) and isinstance(doc.get("data"), list):
            logs = [(join(where, f"data[{i}]"), log) for i, log in enumerate(doc["data"])]
        elif isinstance(doc, dict) and "log" in doc and "createdAt" in doc:
            logs = [(where, doc)]  # one log of a bare array of logs
        else:
            raise BadExport(where or "the file", "not Opsgenie alert logs: no `data` list of logs")
        for log_where, log in logs:
            event = _log(log, log_where, naive_zone)
            if event is not None:
                events.append(event)
    return events


def _log(log: Any, where: str, naive_zone: tzinfo | None) -> Event | None:
    if not isinstance(log, dict):
        raise BadExport(where, "a log must be a JSON object")
    text = text_field(log, "log")
    if text is None:
        raise BadExport(f"{where}.log", "missing; the log text says what happened")
    kind = next((k for pattern, k in _KIND_BY_WORDS if pattern.search(text)), None)
    if kind is None and log.get("type") == "alertRecipient":
        return None  # "Viewed on [web]" and the like: not a fact about the incident
    at = parse_time(log.get("createdAt"), f"{where}.createdAt", naive_zone)
    return Event(at, kind or "note", clean_text(text), SOURCE, "alert")
