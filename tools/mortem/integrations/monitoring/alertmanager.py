"""Prometheus Alertmanager webhook payloads (version "4"), one or several per file.

Follows https://prometheus.io/docs/alerting/latest/configuration/#webhook_config:
`{"version": "4", "status", "receiver", "groupKey", "alerts": [{"status": "firing" |
"resolved", "labels", "annotations", "startsAt", "endsAt", "fingerprint", ...}], ...}`.

An alert's `startsAt` is when it fired (detection). Only a resolved alert's `endsAt` is a
recovery: a firing alert carries the Go zero time `0001-01-01T00:00:00Z` ("not ended"), or a
provisional end Prometheus sets in the future, and neither is an all-clear. The same alert
repeats across payloads (repeat notifications, then the resolved one): it is kept once, by
its fingerprint (or labels) and start.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from mortem.integrations.monitoring.events import BadExport, Event, clean_text, parse_time, text_field
from mortem.integrations.monitoring.jsondocs import items, join

NOT_ENDED = "0001-01-01T00:00:00Z"
SOURCE = "alertmanager"


def parse(docs: list[Any], naive_zone: tzinfo | None) -> list[Event]:
    return parse_payloads(docs, naive_zone, source=SOURCE, version="4", label="Alertmanager")


def parse_payloads(
    docs: list[Any], naive_zone: tzinfo | None, *, source: str, version: str, label: str
) -> list[Event]:
    """Shared with Grafana, whose alerting webhook has the same shape as version "1"."""
    events: list[Event] = []
    for where, payload in items(docs):
        if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
            raise BadExport(where or "the file", f"not a {label} webhook payload: it has no `alerts` list")
        got = payload.get("version")
        if got is not None and str(got) != version:
            other = "Grafana (--from grafana)" if str(got) == "1" else "Alertmanager (--from alertmanager)"
            raise BadExport(
                join(where, "version"),
                f"version {got!r}, but a {label} payload is version {version!r}; "
                f"version {got!r} looks like {other}",
            )
        for index, alert in enumerate(payload["alerts"]):
            events.extend(_alert(alert, join(where, f"alerts[{index}]"), naive_zone, source))
    return events


def _alert(alert: Any, where: str, naive_zone: tzinfo | None, source: str) -> list[Event]:
    if not isinstance(alert, dict):
        raise BadExport(where, "an alert must be a JSON object")
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        raise BadExport(f"{where}.status", f'{status!r}; expected "firing" or "resolved"')
    labels = alert.get("labels") or {}
    if not isinstance(labels, dict):
        raise BadExport(f"{where}.labels", "must be an object of label names and values")
    name = f'"{text_field(labels, "alertname") or "unnamed alert"}"'
    instance = text_field(labels, "instance")  # tells apart one rule firing on several targets
    name += f" on {instance}" if instance else ""
    subject = text_field(alert, "fingerprint") or json.dumps(labels, sort_keys=True)
    annotations = alert.get("annotations")
    summary = text_field(annotations, "summary") or text_field(annotations, "description")
    fired = f"Alert {name} fired" + (f": {summary}" if summary else "")
    started = parse_time(alert.get("startsAt"), f"{where}.startsAt", naive_zone)
    events = [Event(started, "alert", clean_text(fired), source, subject)]
    if status == "resolved":
        ends = alert.get("endsAt")
        if ends in (None, "", NOT_ENDED):
            raise BadExport(f"{where}.endsAt", "a resolved alert needs the time it ended")
        ended = parse_time(ends, f"{where}.endsAt", naive_zone)
        events.append(Event(ended, "recovery", clean_text(f"Alert {name} resolved"), source, subject))
    return events
