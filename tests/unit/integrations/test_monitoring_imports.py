"""Each monitoring format, from fixtures written to its published documentation, gives exactly
these events and times; broken exports give one error naming the entry or line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mortem.cli.timeline import SOURCES
from mortem.errors import MortemError
from mortem.integrations.monitoring import FORMATS, Import, read_export

IMPORTS = Path(__file__).parents[2] / "fixtures" / "imports"
BERLIN = ZoneInfo("Europe/Berlin")

Row = tuple[str, str, str]  # (UTC time, kind, text)

EXPECTED: dict[str, tuple[list[Row], dict[str, str | None]]] = {
    "alertmanager/checkout-incident.json": (
        [
            (
                "2026-10-07T12:09:07",
                "alert",
                'Alert "CheckoutHighErrorRate" fired: checkout 5xx above 2% for 5 minutes',
            ),
            ("2026-10-07T12:11:30", "alert", 'Alert "CheckoutLatencyHigh" on checkout-2:8080 fired'),
            ("2026-10-07T12:51:40", "recovery", 'Alert "CheckoutHighErrorRate" resolved'),
            ("2026-10-07T12:53:10", "recovery", 'Alert "CheckoutLatencyHigh" on checkout-2:8080 resolved'),
        ],
        {
            "started": None,
            "detected": "12:09:07",
            "acknowledged": None,
            "mitigated": "12:53:10",
            "resolved": "12:53:10",
        },
    ),
    "alertmanager/still-firing.json": (
        [
            (
                "2026-07-22T03:40:00",
                "alert",
                'Alert "DiskAlmostFull" on pg-1:9100 fired: WAL volume on pg-1 above 90%',
            ),
            (
                "2026-07-22T03:44:00",
                "alert",
                'Alert "DiskAlmostFull" on pg-2:9100 fired: WAL volume on pg-2 above 90%',
            ),
            ("2026-07-22T04:05:00", "recovery", 'Alert "DiskAlmostFull" on pg-1:9100 resolved'),
        ],
        # pg-2 is still firing at the end of the export: no all-clear yet
        {"started": None, "detected": "03:40:00", "acknowledged": None, "mitigated": None, "resolved": None},
    ),
    "grafana/menu-import.json": (
        [
            (
                "2026-09-05T07:14:03",
                "alert",
                'Alert "Menu import queue depth" fired: menu-import queue above 5000 jobs',
            ),
            (
                "2026-09-05T07:20:03",
                "alert",
                'Alert "Order confirmation latency" fired: order confirmations p95 above 30 seconds',
            ),
            ("2026-09-05T07:58:33", "recovery", 'Alert "Order confirmation latency" resolved'),
            ("2026-09-05T08:02:03", "recovery", 'Alert "Menu import queue depth" resolved'),
        ],
        {
            "started": None,
            "detected": "07:14:03",
            "acknowledged": None,
            "mitigated": "08:02:03",
            "resolved": "08:02:03",
        },
    ),
    "pagerduty/checkout-incident.json": (
        [
            (
                "2026-10-07T12:09:11",
                "alert",
                "Triggered through the API: checkout 5xx above 2% for 5 minutes",
            ),
            ("2026-10-07T12:09:15", "notify", "Notified Sam Okafor by SMS."),
            ("2026-10-07T12:12:40", "acknowledge", "Acknowledged by Sam Okafor."),
            ("2026-10-07T12:15:30", "acknowledge", "Acknowledged by Priya Raman"),
            (
                "2026-10-07T12:20:02",
                "note",
                "Note added: Error logs: column orders.pickup_slot_id does not exist",
            ),
            ("2026-10-07T12:40:00", "note", "Escalated to level 2 (Database on-call)."),
            ("2026-10-07T13:20:05", "recovery", "Resolved by Sam Okafor"),
        ],
        {
            "started": None,
            "detected": "12:09:11",
            "acknowledged": "12:12:40",
            "mitigated": "13:20:05",
            "resolved": "13:20:05",
        },
    ),
    "opsgenie/worker-queue.json": (
        [
            (
                "2025-12-03T06:38:04",
                "alert",
                "Alert created via API[Prometheus] with message: worker-3 /var/log above 95%",
            ),
            ("2025-12-03T06:38:30", "notify", "Notification sent via [SMS] to the on-call engineer"),
            ("2025-12-03T06:44:05", "acknowledge", "Alert acknowledged via mobile"),
            (
                "2025-12-03T07:02:47",
                "note",
                "Log volume on worker-3 back under 70% after rotating the debug logs",
            ),
            ("2025-12-03T07:31:12", "recovery", "Alert closed via web"),
        ],
        {
            "started": None,
            "detected": "06:38:04",
            "acknowledged": "06:44:05",
            "mitigated": "07:31:12",
            "resolved": "07:31:12",
        },
    ),
    "uptime-kuma/notifications.json": (
        [
            (
                "2026-10-07T12:02:05",
                "failure",
                'Monitor "checkout-http" check failed: Request failed with status code 502',
            ),
            (
                "2026-10-07T12:02:05",
                "alert",
                "Uptime Kuma alerted: [checkout-http] [🔴 Down] Request failed with status code 502",
            ),
            ("2026-10-07T12:04:10", "failure", "Monitor #9 check failed: timeout of 48000ms exceeded"),
            (
                "2026-10-07T12:04:10",
                "alert",
                "Uptime Kuma alerted: [menu-api] [🔴 Down] timeout of 48000ms exceeded",
            ),
            ("2026-10-07T12:30:10", "recovery", "Monitor #9 up: 200 - OK"),
            ("2026-10-07T12:51:45", "recovery", 'Monitor "checkout-http" up: 200 - OK'),
        ],
        {
            "started": "12:02:05",
            "detected": "12:02:05",
            "acknowledged": None,
            "mitigated": "12:51:45",
            "resolved": "12:51:45",
        },
    ),
    "csv/checks-berlin.csv": (
        [
            ("2026-10-07T12:02:00", "failure", "Check failed: HTTP 502 on /checkout"),
            ("2026-10-07T12:09:00", "alert", "Alert fired: checkout 5xx > 2% paged on-call"),
            (
                "2026-10-07T12:12:00",
                "acknowledge",
                "Alert acknowledged: Sam Okafor, from the train, on mobile",
            ),
            ("2026-10-07T12:51:00", "mitigate", "Mitigated: migration finished"),
            ("2026-10-07T12:52:00", "recovery", "Check recovered: 200 in 190 ms"),
        ],
        {
            "started": "12:02:00",
            "detected": "12:09:00",
            "acknowledged": "12:12:00",
            "mitigated": "12:51:00",
            "resolved": "12:52:00",
        },
    ),
    "csv/checks-utc.csv": (
        [
            ("2026-07-22T03:38:00", "failure", "Check failed"),
            ("2026-07-22T04:05:00", "recovery", "Check recovered"),
        ],
        {
            "started": "03:38:00",
            "detected": None,
            "acknowledged": None,
            "mitigated": "04:05:00",
            "resolved": "04:05:00",
        },
    ),
}


def read(name: str, fmt: str | None = None) -> Import:
    path = IMPORTS / name
    zone = BERLIN if "berlin" in name else None
    return read_export(path.read_text(encoding="utf-8"), name, fmt, zone)


def rows(imported: Import) -> list[Row]:
    return [(f"{e.at.astimezone(UTC):%Y-%m-%dT%H:%M:%S}", e.kind, e.text) for e in imported.events]


def clock(moment: datetime | None) -> str | None:
    return f"{moment.astimezone(UTC):%H:%M:%S}" if moment else None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exact_events_and_times(name: str) -> None:
    events, times = EXPECTED[name]
    imported = read(name)
    assert rows(imported) == events
    assert {field: clock(getattr(imported.times, field)) for field in times} == times
    assert {e.source for e in imported.events} == {name.split("/")[0]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_is_detected_from_the_content(name: str) -> None:
    fmt = name.split("/")[0]
    assert read(name).source == fmt
    assert rows(read(name, fmt)) == rows(read(name))


def test_every_documented_format_has_a_fixture_and_a_cli_choice() -> None:
    assert set(SOURCES) == set(FORMATS) == {name.split("/")[0] for name in EXPECTED}
    for fmt in FORMATS:
        readme = (IMPORTS / fmt / "README.md").read_text()
        assert "http" in readme or "docstring" in readme, f"{fmt}/README.md must name its documentation"


def test_times_without_an_offset_need_a_zone() -> None:
    text = (IMPORTS / "csv" / "checks-berlin.csv").read_text()
    with pytest.raises(MortemError, match=r"checks\.csv: line 3, timestamp: .* has no UTC offset; pass --tz"):
        read_export(text, "checks.csv")
    in_utc = read_export(text, "checks.csv", None, UTC)
    assert clock(in_utc.times.started) == "14:02:00"  # the same clock, read as UTC instead


def test_uptime_kuma_time_is_utc_whatever_the_zone_given() -> None:
    text = (IMPORTS / "uptime-kuma" / "notifications.json").read_text()
    assert rows(read_export(text, "x", None, BERLIN)) == rows(read("uptime-kuma/notifications.json"))


def test_a_firing_alert_end_is_not_a_recovery() -> None:
    payload = """{"version": "4", "status": "firing", "alerts": [{"status": "firing",
      "labels": {"alertname": "QueueDepth"}, "startsAt": "2026-01-01T10:00:00Z",
      "endsAt": "2026-01-01T10:20:00Z"}]}"""  # Prometheus sets a provisional end in the future
    imported = read_export(payload, "x")
    assert [e.kind for e in imported.events] == ["alert"]
    assert imported.times.resolved is None


def test_payloads_one_per_line_are_read_too() -> None:
    first = '{"version": "4", "alerts": [{"status": "firing", "labels": {"alertname": "A"}, "startsAt": "2026-01-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}]}'
    second = first.replace('"firing"', '"resolved"').replace("0001-01-01T00:00:00Z", "2026-01-01T10:30:00Z")
    imported = read_export(f"{first}\n{second}\n", "x")
    assert [(e.kind, clock(e.at)) for e in imported.events] == [
        ("alert", "10:00:00"),
        ("recovery", "10:30:00"),
    ]


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        (
            "malformed/truncated-alertmanager.json",
            None,
            "line 17, column 17: the JSON ends early (a truncated file?)",
        ),
        (
            "malformed/bad-timestamp.csv",
            None,
            "line 4, timestamp: '2026-13-07T12:12:00Z' is not a valid time",
        ),
        ("malformed/unknown-event.csv", None, "line 3, event: 'exploded' is not an event word"),
        (
            "malformed/not-monitoring.json",
            None,
            "cannot tell which monitoring tool wrote this JSON; pass --from",
        ),
        ("malformed/pagerduty-missing-created-at.json", None, "log_entries[1].created_at: missing"),
        (
            "malformed/alertmanager-resolved-without-end.json",
            None,
            "alerts[0].endsAt: a resolved alert needs",
        ),
        ("malformed/uptime-kuma-bad-status.json", None, "heartbeat.status: 'down'; expected 0 (down)"),
        (
            "grafana/menu-import.json",
            "alertmanager",
            "--from alertmanager, but this looks like a grafana export",
        ),
        (
            "pagerduty/checkout-incident.json",
            "opsgenie",
            "looks like a pagerduty export; use --from pagerduty",
        ),
        ("csv/checks-utc.csv", "pagerduty", "line 1: not JSON: an export is JSON objects or arrays"),
        ("alertmanager/still-firing.json", "csv", "line 1: 1 columns; expected timestamp,event,detail"),
    ],
)
def test_broken_exports_name_the_entry_or_line(name: str, fmt: str | None, message: str) -> None:
    with pytest.raises(MortemError) as caught:
        read(name, fmt)
    assert str(caught.value).startswith(f"{name}: ")
    assert message in str(caught.value)


def test_a_version_1_payload_under_alertmanager_says_grafana() -> None:
    payload = '{"version": "1", "alerts": []}'  # no orgId: detection reads it as Grafana by version
    with pytest.raises(MortemError, match="looks like a grafana export"):
        read_export(payload, "x", "alertmanager")
    assert read_export(payload, "x").source == "grafana"


def test_several_payloads_index_the_document() -> None:
    good = (
        '{"version": "4", "alerts": [{"status": "firing", "labels": {}, "startsAt": "2026-01-01T10:00:00Z"}]}'
    )
    bad = good.replace("2026-01-01T10:00:00Z", "yesterday")
    with pytest.raises(
        MortemError, match=r"x: document 2, alerts\[0\]\.startsAt: 'yesterday' is not an ISO 8601"
    ):
        read_export(f"{good}\n{bad}", "x")
    with pytest.raises(MortemError, match=r"x: \[1\]\.alerts\[0\]\.startsAt"):
        read_export(f"[{good}, {bad}]", "x")


def test_pagerduty_accepts_both_spellings_of_acknowledgement() -> None:
    entries = """{"log_entries": [
      {"type": "acknowledgement_log_entry", "created_at": "2026-01-01T10:05:00Z"},
      {"type": "acknowledge_log_entry", "created_at": "2026-01-01T10:03:00Z"},
      {"type": "snooze_log_entry", "created_at": "2026-01-01T10:04:00Z"}]}"""
    imported = read_export(entries, "x")
    assert [(e.kind, clock(e.at)) for e in imported.events] == [
        ("acknowledge", "10:03:00"),
        ("acknowledge", "10:05:00"),
    ]
    assert clock(imported.times.acknowledged) == "10:03:00"


def test_event_text_cannot_break_the_bullet_or_its_marker() -> None:
    csv_text = 'timestamp,event,detail\n2026-01-01T10:00:00Z,note,"two\nlines --> and <!-- a comment"\n'
    (event,) = read_export(csv_text, "x").events
    assert event.text == "two lines -- > and <! -- a comment"


def test_empty_and_unknown_text_are_clear_errors() -> None:
    with pytest.raises(MortemError, match="x: the file is empty"):
        read_export("  \n", "x", "alertmanager")
    with pytest.raises(MortemError, match="x: cannot tell the format: not JSON, nor a CSV"):
        read_export("hello there\n", "x")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(
        ["2026-10-07T12:02:00Z", "0001-01-01T00:00:00Z", "2026-10-07 12:02:00", "firing", "resolved"]
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "alerts",
        "version",
        "status",
        "startsAt",
        "endsAt",
        "labels",
        "log_entries",
        "type",
        "created_at",
        "data",
        "log",
        "createdAt",
        "heartbeat",
        "monitor",
        "msg",
        "time",
        "orgId",
    ]
)
SHAPED = st.recursive(
    JSON, lambda inner: st.dictionaries(KEYS, inner, max_size=5) | st.lists(inner, max_size=3), max_leaves=30
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=SHAPED, fmt=st.sampled_from([None, *FORMATS]))
def test_any_json_gives_events_or_one_clear_error(doc: object, fmt: str | None) -> None:
    try:
        read_export(json.dumps(doc), "x", fmt, UTC)
    except MortemError as exc:
        assert str(exc).startswith("x: ") and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('0123456789-:TZ ,"\nupdownalert#x\x00')), max_size=120))
def test_any_csv_gives_events_or_one_clear_error(text: str) -> None:
    try:
        read_export(text, "x", "csv", UTC)
    except MortemError as exc:
        assert str(exc).startswith("x: ")
