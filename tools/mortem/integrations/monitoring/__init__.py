"""Monitoring exports -> timeline events: one parser module per format, detected by content.

`read_export` is the one entry point: it picks the parser (from --from, or by looking at the
content), runs it, and returns an Import (events in time order and the times they imply).
Parsers raise BadExport naming the entry (JSON path) or line (CSV); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from mortem.errors import MortemError
from mortem.integrations.monitoring import (
    alertmanager,
    csv_history,
    grafana,
    jsondocs,
    opsgenie,
    pagerduty,
    uptime_kuma,
)
from mortem.integrations.monitoring.events import BadExport, Event, Import, make_import

JsonParser = Callable[[list[Any], tzinfo | None], list[Event]]

JSON_PARSERS: dict[str, JsonParser] = {
    alertmanager.SOURCE: alertmanager.parse,
    grafana.SOURCE: grafana.parse,
    pagerduty.SOURCE: pagerduty.parse,
    opsgenie.SOURCE: opsgenie.parse,
    uptime_kuma.SOURCE: uptime_kuma.parse,
}
FORMATS = (*JSON_PARSERS, csv_history.SOURCE)

__all__ = ["FORMATS", "BadExport", "Event", "Import", "detect", "read_export"]


def read_export(text: str, name: str, fmt: str | None = None, naive_zone: tzinfo | None = None) -> Import:
    """Parse an export; errors name the file and the entry or line, and say what was expected."""
    try:
        return _read(text, fmt, naive_zone)
    except BadExport as exc:
        raise MortemError(f"{name}: {exc}") from None


def _read(text: str, fmt: str | None, naive_zone: tzinfo | None) -> Import:
    if fmt == csv_history.SOURCE:
        return make_import(fmt, csv_history.parse(text, naive_zone))
    if fmt is None and not text.lstrip().startswith(("{", "[")):
        if _looks_like_csv(text):
            return make_import(csv_history.SOURCE, csv_history.parse(text, naive_zone))
        raise BadExport(
            "",
            f"cannot tell the format: not JSON, nor a CSV of timestamp,event,detail; "
            f"pass --from ({', '.join(FORMATS)})",
        )
    docs = jsondocs.documents(text)
    found = detect(docs)
    if fmt is not None and found not in (None, fmt):
        raise BadExport("", f"--from {fmt}, but this looks like a {found} export; use --from {found}")
    chosen = fmt or found
    if chosen is None:
        raise BadExport(
            "", f"cannot tell which monitoring tool wrote this JSON; pass --from ({', '.join(FORMATS)})"
        )
    return make_import(chosen, JSON_PARSERS[chosen](docs, naive_zone))


def _looks_like_csv(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    head = first.split(",", 1)[0].strip().casefold()
    return head == "timestamp" or (len(head) >= 10 and head[:4].isdigit() and head[4:5] == "-")


def detect(docs: list[Any]) -> str | None:
    """The format every document agrees on, or None."""
    found = {_sniff(doc) for _, doc in jsondocs.items(docs)}
    return found.pop() if len(found) == 1 else None


def _sniff(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("alerts"), list):
        grafana_like = str(doc.get("version")) == "1" or "orgId" in doc
        return grafana.SOURCE if grafana_like else alertmanager.SOURCE
    if isinstance(doc.get("log_entries"), list) or str(doc.get("type", "")).endswith("_log_entry"):
        return pagerduty.SOURCE
    if "heartbeat" in doc and ("monitor" in doc or "msg" in doc):
        return uptime_kuma.SOURCE
    data = doc.get("data")
    if isinstance(data, list) and data and all(isinstance(d, dict) and "createdAt" in d for d in data):
        return opsgenie.SOURCE
    if "log" in doc and "createdAt" in doc:
        return opsgenie.SOURCE
    return None
