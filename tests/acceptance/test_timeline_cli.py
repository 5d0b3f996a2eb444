"""`mortem timeline import`: printed bullets and times, and `--into` written safely or not at all."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from io import BytesIO, TextIOWrapper
from pathlib import Path

import pytest

from mortem.cli.main import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
IMPORTS = FIXTURES / "imports"
GOOD = FIXTURES / "rules" / "good" / "2026-10-07-checkout-deploy-before-migration.md"


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "postmortems"
    folder.mkdir()
    for path in GOOD.parent.iterdir():  # the postmortem and the one it is related to
        shutil.copy(path, folder / path.name)
    monkeypatch.chdir(tmp_path)
    return folder / GOOD.name


def test_prints_times_and_bullets_in_the_zone_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["timeline", "import", str(IMPORTS / "csv" / "checks-berlin.csv"), "--tz", "Europe/Berlin"]) == 0
    )
    assert capsys.readouterr().out == (
        "times:\n"
        "  started: 2026-10-07T14:02:00+02:00\n"
        "  detected: 2026-10-07T14:09:00+02:00\n"
        "  acknowledged: 2026-10-07T14:12:00+02:00\n"
        "  mitigated: 2026-10-07T14:51:00+02:00\n"
        "  resolved: 2026-10-07T14:52:00+02:00\n"
        "\n"
        "## Timeline\n"
        "All times Europe/Berlin.\n"
        "\n"
        "- 14:02 Check failed: HTTP 502 on /checkout\n"
        "- 14:09 Alert fired: checkout 5xx > 2% paged on-call\n"
        "- 14:12 Alert acknowledged: Sam Okafor, from the train, on mobile\n"
        "- 14:51 Mitigated: migration finished\n"
        "- 14:52 Check recovered: 200 in 190 ms\n"
    )


def test_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["timeline", "import", str(IMPORTS / "alertmanager" / "still-firing.json"), "--format", "json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {
        "times": {
            "started": None,
            "detected": "2026-07-22T03:40:00+00:00",
            "acknowledged": None,
            "mitigated": None,
            "resolved": None,
        },
        "events": [
            {
                "at": "2026-07-22T03:40:00+00:00",
                "kind": "alert",
                "text": 'Alert "DiskAlmostFull" on pg-1:9100 fired: WAL volume on pg-1 above 90%',
                "source": "alertmanager",
            },
            {
                "at": "2026-07-22T03:44:00+00:00",
                "kind": "alert",
                "text": 'Alert "DiskAlmostFull" on pg-2:9100 fired: WAL volume on pg-2 above 90%',
                "source": "alertmanager",
            },
            {
                "at": "2026-07-22T04:05:00+00:00",
                "kind": "recovery",
                "text": 'Alert "DiskAlmostFull" on pg-1:9100 resolved',
                "source": "alertmanager",
            },
        ],
    }


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (IMPORTS / "csv" / "checks-utc.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(data)))
    assert main(["timeline", "import", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["times"]["started"] == "2026-07-22T03:38:00+00:00"


def test_into_fills_interleaves_and_keeps_the_rest(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = archive.read_bytes()
    export = str(IMPORTS / "pagerduty" / "checkout-incident.json")
    assert main(["timeline", "import", export, "--into", str(archive)]) == 0
    shown = "postmortems/2026-10-07-checkout-deploy-before-migration.md"
    assert capsys.readouterr().out == (
        f"{shown}: kept times.detected as written (2026-10-07T12:09:00+00:00; the export says 2026-10-07T12:09:11+00:00)\n"
        f"{shown}: kept times.acknowledged as written (2026-10-07T12:12:00+00:00; the export says 2026-10-07T12:12:40+00:00)\n"
        f"{shown}: kept times.mitigated as written (2026-10-07T12:51:00+00:00; the export says 2026-10-07T13:20:05+00:00)\n"
        f"{shown}: kept times.resolved as written (2026-10-07T13:20:00+00:00; the export says 2026-10-07T13:20:05+00:00)\n"
        f"{shown}: added 7 timeline bullets\n"
    )
    text = archive.read_text()
    kept = re.sub(r"(?m)^.*<!-- imported: pagerduty -->\n", "", text)
    assert kept.encode() == original  # every byte outside the added lines as it was
    assert main(["check", str(archive)]) == 0
    capsys.readouterr()
    assert main(["timeline", "import", export, "--into", str(archive)]) == 0
    assert capsys.readouterr().out == (
        f"{shown}: kept times.detected as written (2026-10-07T12:09:00+00:00; the export says 2026-10-07T12:09:11+00:00)\n"
        f"{shown}: kept times.acknowledged as written (2026-10-07T12:12:00+00:00; the export says 2026-10-07T12:12:40+00:00)\n"
        f"{shown}: kept times.mitigated as written (2026-10-07T12:51:00+00:00; the export says 2026-10-07T13:20:05+00:00)\n"
        f"{shown}: kept times.resolved as written (2026-10-07T13:20:00+00:00; the export says 2026-10-07T13:20:05+00:00)\n"
        f"{shown}: added 0 timeline bullets, 7 already imported\n"
        f"{shown}: nothing to change; the file is as it was\n"
    )
    assert archive.read_text() == text
    assert not list(archive.parent.glob(".*.tmp"))  # no temporary files left


def test_into_fills_blank_times_and_keeps_a_byte_order_mark(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.read_text().replace("  detected: 2026-10-07T12:09:00+00:00", '  detected: ""')
    archive.write_bytes(b"\xef\xbb\xbf" + text.encode())
    export = str(IMPORTS / "alertmanager" / "checkout-incident.json")
    assert main(["timeline", "import", export, "--into", str(archive)]) == 0
    assert "filled times.detected\n" in capsys.readouterr().out
    written = archive.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert b"  detected: 2026-10-07T12:09:07+00:00\n" in written


@pytest.mark.parametrize(
    ("export", "message"),
    [
        (
            "malformed/truncated-alertmanager.json",
            "truncated-alertmanager.json: line 17, column 17: the JSON ends early",
        ),
        (
            "malformed/bad-timestamp.csv",
            "bad-timestamp.csv: line 4, timestamp: '2026-13-07T12:12:00Z' is not a valid time",
        ),
        ("grafana/menu-import.json --from pagerduty", "this looks like a grafana export; use --from grafana"),
    ],
)
def test_a_broken_export_writes_nothing(
    archive: Path, capsys: pytest.CaptureFixture[str], export: str, message: str
) -> None:
    original = archive.read_bytes()
    name, *extra = export.split()
    assert main(["timeline", "import", str(IMPORTS / name), *extra, "--into", str(archive)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mortem: ") and message in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert archive.read_bytes() == original


@pytest.mark.parametrize("fails", ["fsync", "replace"])
def test_a_failure_mid_write_leaves_the_original(
    archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    original = archive.read_bytes()

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fails, broken)
    export = str(IMPORTS / "pagerduty" / "checkout-incident.json")
    assert main(["timeline", "import", export, "--into", str(archive)]) == 1
    assert "No space left on device; the file is unchanged" in capsys.readouterr().err
    assert archive.read_bytes() == original
    assert not list(archive.parent.glob(".*.tmp"))


def test_a_file_changed_meanwhile_is_not_overwritten(
    archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mortem.timeline_merge as timeline_merge

    real_merge = timeline_merge.merge

    def merge_while_someone_saves(*args: object, **kwargs: object) -> timeline_merge.Merge:
        result = real_merge(*args, **kwargs)  # type: ignore[arg-type]
        archive.write_text(archive.read_text() + "\nEdited in another window.\n")
        return result

    monkeypatch.setattr(timeline_merge, "merge", merge_while_someone_saves)
    export = str(IMPORTS / "pagerduty" / "checkout-incident.json")
    assert main(["timeline", "import", export, "--into", str(archive)]) == 1
    assert "changed on disk since mortem read it; nothing written" in capsys.readouterr().err
    assert archive.read_text().endswith("Edited in another window.\n")
    assert "imported" not in archive.read_text()


def test_an_export_from_another_day_is_refused_with_the_file_named(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = archive.read_bytes()
    assert main(["timeline", "import", str(IMPORTS / "csv" / "checks-utc.csv"), "--into", str(archive)]) == 1
    assert capsys.readouterr().err == (
        "mortem: postmortems/2026-10-07-checkout-deploy-before-migration.md: line 64: an imported bullet on "
        "another day would change the day this bullet is read on; write its date (2026-10-07 12:02) and import again\n"
    )
    assert archive.read_bytes() == original


def test_bad_zone_and_missing_file_are_usage_errors(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = str(IMPORTS / "csv" / "checks-utc.csv")
    assert main(["timeline", "import", export, "--tz", "Mars/Olympus"]) == 2
    assert "--tz 'Mars/Olympus' is not a time zone" in capsys.readouterr().err
    assert main(["timeline", "import", "nowhere.json"]) == 2
    assert "nowhere.json: cannot read" in capsys.readouterr().err
    assert main(["timeline", "import", export, "--into", "postmortems/missing.md"]) == 2
    assert "postmortems/missing.md: cannot read" in capsys.readouterr().err
