"""`--into`: fill missing times, interleave marked bullets, keep every other byte."""

from __future__ import annotations

import re
from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mortem import scaffold
from mortem.checker import check_documents
from mortem.config import Config
from mortem.errors import MortemError
from mortem.integrations.monitoring import Import, read_export
from mortem.loader import load
from mortem.model import Postmortem
from mortem.rules import Context
from mortem.timeline_merge import merge

FIXTURES = Path(__file__).parents[2] / "fixtures"
GOOD = FIXTURES / "rules" / "good" / "2026-10-07-checkout-deploy-before-migration.md"
IMPORTED_LINE = re.compile(r".*<!-- imported: [a-z-]+ -->(\r?\n)?")


def write_doc(tmp_path: Path, text: str, name: str = "2026-10-07-checkout.md") -> Postmortem:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    doc = load(path, Config(root=tmp_path))
    assert isinstance(doc, Postmortem), doc
    return doc


def fixture_import(name: str, zone: ZoneInfo | None = None) -> Import:
    return read_export((FIXTURES / "imports" / name).read_text(encoding="utf-8"), name, None, zone)


CHECKS = "2026-10-07T12:01:30Z,down,HTTP 502\n2026-10-07T12:55:00Z,up\n"


def csv_import(text: str) -> Import:
    return read_export("timestamp,event,detail\n" + text, "x.csv")


def without_imported(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not IMPORTED_LINE.fullmatch(line))


def timeline(text: str) -> str:
    return text[text.index("## Timeline") : text.index("## Root cause")]


def findings(tmp_path: Path, text: str) -> set[str]:
    doc = write_doc(tmp_path, text)
    ids = frozenset({doc.id, *doc.related})
    result = check_documents([doc], Context(Config(root=tmp_path), archive_ids=ids, today=date(2026, 11, 28)))
    return {f.code for f in result.findings}


def test_hand_written_lines_stay_and_imported_ones_interleave(tmp_path: Path) -> None:
    original = GOOD.read_text()
    result = merge(write_doc(tmp_path, original), fixture_import("alertmanager/checkout-incident.json"), UTC)
    assert without_imported(result.text) == original  # not one byte of the person's file moved
    assert (result.filled, result.added, result.already) == ((), 4, 0)
    assert [(k.field, k.written, k.imported) for k in result.kept] == [
        ("detected", "2026-10-07T12:09:00+00:00", "2026-10-07T12:09:07+00:00"),
        ("mitigated", "2026-10-07T12:51:00+00:00", "2026-10-07T12:53:10+00:00"),
        ("resolved", "2026-10-07T13:20:00+00:00", "2026-10-07T12:53:10+00:00"),
    ]
    bullets = [line for line in timeline(result.text).splitlines() if line.startswith("- ")]
    assert [b[:50] for b in bullets] == [
        "- 12:02 Release 2026.10.07-1 finished deploying; f",
        '- 12:09 Alert "checkout 5xx > 2%" fired in #ops.',
        '- 12:09 Alert "CheckoutHighErrorRate" fired: check',
        '- 12:11 Alert "CheckoutLatencyHigh" on checkout-2:',
        "- 12:12 Sam Okafor acknowledged the page.",
        '- 12:20 Error logs showed "column orders.pickup_sl',
        "- 12:31 Rollback considered and rejected; the migr",
        "- 12:44 Migration started on postgres-main and wai",
        "- 12:51 Migration finished; checkout requests succ",
        '- 12:51 Alert "CheckoutHighErrorRate" resolved <!-',
        '- 12:53 Alert "CheckoutLatencyHigh" on checkout-2:',
        "- 13:20 Error rate at baseline and retry links ema",
    ]
    assert bullets[3].endswith(" <!-- imported: alertmanager -->")
    assert findings(tmp_path, result.text) == set()


def test_reimport_adds_nothing_twice(tmp_path: Path) -> None:
    imported = fixture_import("pagerduty/checkout-incident.json")
    first = merge(write_doc(tmp_path, GOOD.read_text()), imported, UTC)
    again = merge(write_doc(tmp_path, first.text), imported, UTC)
    assert (first.added, again.added, again.already) == (7, 0, 7)
    assert again.text == first.text


def test_scaffold_times_are_filled_where_they_stand(tmp_path: Path) -> None:
    original = scaffold.render("Checkout down", date(2026, 10, 7), "SEV2", ["checkout"])
    berlin = ZoneInfo("Europe/Berlin")
    result = merge(write_doc(tmp_path, original), fixture_import("csv/checks-berlin.csv", berlin), berlin)
    assert result.filled == tuple(
        f"times.{n}" for n in ("started", "detected", "acknowledged", "mitigated", "resolved")
    )
    assert (
        "times:\n  started: 2026-10-07T14:02:00+02:00\n  detected: 2026-10-07T14:09:00+02:00\n" in result.text
    )
    blanked = re.sub(
        r"(?m)^(  (?:started|detected|acknowledged|mitigated|resolved)): .*$", r'\1: ""', result.text
    )
    assert without_imported(blanked) == original  # comments, quoting and key order all kept
    assert "- 14:02 Check failed: HTTP 502 on /checkout <!-- imported: csv -->\n" in result.text
    assert timeline(result.text).index("<!-- Timestamped facts") < timeline(result.text).index("- 14:02")


def test_missing_keys_go_between_their_neighbours(tmp_path: Path) -> None:
    original = GOOD.read_text().replace(
        "  detected: 2026-10-07T12:09:00+00:00\n  acknowledged: 2026-10-07T12:12:00+00:00\n"
        "  mitigated: 2026-10-07T12:51:00+00:00\n  resolved: 2026-10-07T13:20:00+00:00\n",
        "  resolved: ~   # all-clear still to come\n",
    )
    result = merge(write_doc(tmp_path, original), fixture_import("pagerduty/checkout-incident.json"), UTC)
    assert result.filled == ("times.detected", "times.acknowledged", "times.mitigated", "times.resolved")
    assert (
        "times:\n  started: 2026-10-07T12:02:00+00:00\n  detected: 2026-10-07T12:09:11+00:00\n"
        "  acknowledged: 2026-10-07T12:12:40+00:00\n  mitigated: 2026-10-07T13:20:05+00:00\n"
        "  resolved: 2026-10-07T13:20:05+00:00   # all-clear still to come\nimpact:\n"
    ) in result.text


@pytest.mark.parametrize("times", ["", "times:\n", "times: {}\n", "times: null  # later\n"])
def test_no_or_empty_times_gets_a_block(tmp_path: Path, times: str) -> None:
    block = re.search(r"(?ms)^times:\n(?:  .*?\n)+", GOOD.read_text())
    assert block is not None
    original = GOOD.read_text().replace(block[0], times)
    result = merge(write_doc(tmp_path, original), csv_import(CHECKS), UTC)
    assert result.filled == ("times.started", "times.mitigated", "times.resolved")
    expected = (
        "  started: 2026-10-07T12:01:30+00:00\n  mitigated: 2026-10-07T12:55:00+00:00\n"
        "  resolved: 2026-10-07T12:55:00+00:00\n"
    )
    head = "times:  # later\n" if "later" in times else "times:\n"
    assert head + expected in result.text
    if not times:
        assert result.text.index("times:") > result.text.index("related:")  # at the end of the front matter


def test_flow_style_times_are_left_to_a_person(tmp_path: Path) -> None:
    block = re.search(r"(?ms)^times:\n(?:  .*?\n)+", GOOD.read_text())
    assert block is not None
    original = GOOD.read_text().replace(block[0], 'times: {started: "2026-10-07T12:02:00+00:00"}\n')
    with pytest.raises(MortemError, match="flow style"):
        merge(write_doc(tmp_path, original), fixture_import("pagerduty/checkout-incident.json"), UTC)


def test_a_value_mortem_cannot_read_is_still_kept(tmp_path: Path) -> None:
    original = GOOD.read_text().replace("  started: 2026-10-07T12:02:00+00:00", "  started: around noon")
    result = merge(write_doc(tmp_path, original), csv_import(CHECKS), UTC)
    assert [(k.field, k.written) for k in result.kept] == [
        ("started", "around noon"),
        ("mitigated", "2026-10-07T12:51:00+00:00"),
        ("resolved", "2026-10-07T13:20:00+00:00"),
    ]
    assert "  started: around noon\n" in result.text


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    original = scaffold.render("Checkout down", date(2026, 7, 22), None, []).replace("\n", "\r\n")
    result = merge(
        write_doc(tmp_path, original, "2026-07-22-checkout.md"), fixture_import("csv/checks-utc.csv"), UTC
    )
    assert "\n" not in result.text.replace("\r\n", "")
    assert "  started: 2026-07-22T03:38:00+00:00\r\n" in result.text
    assert "- 03:38 Check failed <!-- imported: csv -->\r\n" in result.text


def test_a_missing_timeline_section_is_added_in_its_place(tmp_path: Path) -> None:
    original = GOOD.read_text()
    original = original[: original.index("## Timeline")] + original[original.index("## Root cause") :]
    result = merge(write_doc(tmp_path, original), csv_import(CHECKS), UTC)
    assert (
        result.text.replace(
            "## Timeline\n- 12:01 Check failed: HTTP 502 <!-- imported: csv -->\n"
            "- 12:55 Check recovered <!-- imported: csv -->\n\n",
            "",
        )
        == original
    )


def test_midnight_moves_the_day_in_the_bullet(tmp_path: Path) -> None:
    original = GOOD.read_text()
    imported = csv_import("2026-10-07T23:58:00Z,note,late check\n2026-10-08T00:03:00Z,note,next day\n")
    result = merge(write_doc(tmp_path, original), imported, UTC)
    assert (
        "- 23:58 late check <!-- imported: csv -->\n- 2026-10-08 00:03 next day <!-- imported: csv -->\n"
        in result.text
    )
    assert findings(tmp_path, result.text) == set()


def test_a_dated_bullet_never_changes_how_a_hand_line_reads(tmp_path: Path) -> None:
    original = GOOD.read_text().replace("- 12:02 Release", "- 00:01 Release")  # read on `date`
    imported = csv_import("2026-10-06T23:59:00Z,note,the evening before\n")
    with pytest.raises(
        MortemError,
        match=r"line 64: an imported bullet on another day would change the day this bullet is read on; "
        r"write its date \(2026-10-07 00:01\)",
    ):
        merge(write_doc(tmp_path, original), imported, UTC)


def test_continuation_lines_and_the_bullet_marker_are_respected(tmp_path: Path) -> None:
    original = (
        GOOD.read_text()
        .replace("- 12", "* 12")
        .replace(
            '* 12:09 Alert "checkout 5xx > 2%" fired in #ops.\n',
            '* 12:09 Alert "checkout 5xx > 2%" fired in #ops.\n  It named no endpoint.\n',
        )
    )
    result = merge(write_doc(tmp_path, original), csv_import("2026-10-07T12:10:00Z,note,imported\n"), UTC)
    assert "  It named no endpoint.\n* 12:10 imported <!-- imported: csv -->\n* 12:12 Sam" in result.text


def test_a_timeline_of_prose_only_gets_a_list_after_a_blank_line(tmp_path: Path) -> None:
    text = GOOD.read_text()
    original = text[: text.index("- 12:02")].rstrip("\n")  # the last section, no final newline
    result = merge(write_doc(tmp_path, original), csv_import(CHECKS), UTC)
    assert result.text == (
        original + "\n\n- 12:01 Check failed: HTTP 502 <!-- imported: csv -->\n"
        "- 12:55 Check recovered <!-- imported: csv -->\n"
    )


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "times:\n  # first failure\n  started:\n  # all-clear\n  resolved: ''\n",
            "times:\n  # first failure\n  started: 2026-10-07T12:01:30+00:00\n"
            "  mitigated: 2026-10-07T12:55:00+00:00\n  # all-clear\n  resolved: 2026-10-07T12:55:00+00:00\n",
        ),
        (
            'times:\n  "started":    # the first failed check\n',
            'times:\n  "started": 2026-10-07T12:01:30+00:00    # the first failed check\n'
            "  mitigated: 2026-10-07T12:55:00+00:00\n  resolved: 2026-10-07T12:55:00+00:00\n",
        ),
    ],
)
def test_empty_values_and_comments_between_keys(tmp_path: Path, block: str, expected: str) -> None:
    times = re.search(r"(?ms)^times:\n(?:  .*?\n)+", GOOD.read_text())
    assert times is not None
    result = merge(write_doc(tmp_path, GOOD.read_text().replace(times[0], block)), csv_import(CHECKS), UTC)
    assert expected + "impact:\n" in result.text
