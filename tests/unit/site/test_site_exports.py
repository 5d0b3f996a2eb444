"""incidents.json, actions.json and actions.ics: documented shapes and valid iCalendar."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from archive_builder import TODAY, Writer

from mortem.analysis.actions import action_rows
from mortem.model import Postmortem
from mortem.render import exports

Load = Callable[[], list[Postmortem]]
LONG = (
    "Réécrire le script de rollback; vérifier l'état des migrations, puis arrêter — "
    "avant tout retour en arrière 🚦 au-delà d'un changement de schéma, \\ et c'est tout"
)


def items() -> list[dict[str, str]]:
    base = {
        "bucket": "mitigation",
        "owner": "Sam Okafor",
        "link": "https://github.com/fernhill/platform/issues/9",
    }
    return [
        {**base, "title": LONG, "due": "2026-12-03", "status": "open"},
        {**base, "title": "done already", "due": "2026-10-01", "status": "done", "closed": "2026-10-02"},
        {**base, "title": "late one", "due": "2026-10-21", "status": "open"},
    ]


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_calendar_is_rfc5545_shaped(write: Writer, load: Load) -> None:
    write("2026-10-07", "checkout", action_items=items())
    ics = exports.actions_ics(action_rows(load(), TODAY), TODAY)
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")  # every line ends in CRLF, no bare LF
    for line in ics.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    ics.encode("utf-8").decode("utf-8")  # folding never split a character
    lines = unfold(ics)
    assert lines.count("BEGIN:VEVENT") == 2  # the open items only
    assert "UID:2026-10-07-checkout-0@mortem" in lines
    assert "UID:2026-10-07-checkout-2@mortem" in lines
    assert "DTSTART;VALUE=DATE:20261203" in lines and "DTEND;VALUE=DATE:20261204" in lines
    assert "DTSTAMP:20261128T000000Z" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:") and "Réécrire" in line)
    assert summary == "SUMMARY:" + LONG.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "\\nBucket: mitigation\\n" in description


def test_folding_is_exact_at_the_limit() -> None:
    assert exports.fold("X" * 75) == "X" * 75
    assert exports.fold("X" * 76) == "X" * 75 + "\r\n X"
    folded = exports.fold("é" * 40)  # two octets each: 37 fit on the first line
    assert folded.split("\r\n ")[0] == "é" * 37


def _folded_octet_by_octet(line: str) -> str:
    """RFC 5545 folding read literally: at most 75 octets a line, the continuation's leading
    space among them, never inside a character."""
    lines, current, limit = [], "", 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            lines.append(current)
            current, limit = "", 74
        current += char
    return "\r\n ".join([*lines, current])


def test_folding_is_rfc5545_folding_for_plain_and_other_text() -> None:
    for size in range(0, 320):
        plain = "".join(chr(ord("a") + i % 26) for i in range(size))
        mixed = "".join("é€"[i % 2] if i % 5 == 0 else "x" for i in range(size))
        assert exports.fold(plain) == _folded_octet_by_octet(plain), size
        assert exports.fold(mixed) == _folded_octet_by_octet(mixed), size


def test_text_values_are_escaped() -> None:
    assert exports.ics_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_json_records_have_the_documented_keys(write: Writer, load: Load) -> None:
    write("2026-10-07", "checkout", action_items=items())
    docs = load()
    incidents = json.loads(exports.incidents_json(docs))
    actions = json.loads(exports.actions_json(action_rows(docs, TODAY), TODAY))
    assert set(incidents) == {"version", "incidents"}
    assert set(actions) == {"version", "as_of", "action_items"}
    record = incidents["incidents"][0]
    assert record["time_to_detect_minutes"] == 7.0 and record["open_action_items"] == 2
    late = actions["action_items"][2]
    assert (late["id"], late["overdue"], late["overdue_days"]) == ("2026-10-07-checkout#2", True, 38)
    # The exports page documents every field; a field added without a word there fails here.
    documented = set(re.findall(r'"([a-z_]+)":', exports.EXPORTS_DOC))
    for key in {*incidents, *actions, *record, *late, *record["times"]}:
        assert key in documented, f"{key} is not documented on the exports page"
