"""Grafana alerting webhook payloads: the Alertmanager shape, as version "1".

Follows https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/:
the Alertmanager fields plus `orgId`, `title`, `state` and `message`, with `"version": "1"`.
Each alert's `startsAt`, `endsAt` (`0001-01-01T00:00:00Z` while firing) and `status` mean
what they mean in Alertmanager, so the parsing is shared.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from mortem.integrations.monitoring.alertmanager import parse_payloads
from mortem.integrations.monitoring.events import Event

SOURCE = "grafana"


def parse(docs: list[Any], naive_zone: tzinfo | None) -> list[Event]:
    return parse_payloads(docs, naive_zone, source=SOURCE, version="1", label="Grafana")
