"""Every reporter formats one shared list of findings; each output is pinned by a golden file.

Set MORTEM_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mortem.checker import CheckResult
from mortem.findings import Finding, Severity
from mortem.reporters import NAMES, reporter

GOLDEN = Path(__file__).parents[2] / "golden"

FINDINGS = (
    Finding(
        "postmortems/2026-10-07-checkout.md",
        32,
        12,
        "PM030",
        "one-named-owner",
        Severity.ERROR,
        "action item 1 ('Run migrations'): owner 'the team' is a group, not a person; name the one person",
    ),
    Finding(
        "postmortems/2026-10-07-checkout.md",
        32,
        12,
        "PM030",
        "one-named-owner",
        Severity.ERROR,
        "action item 1 ('Run migrations'): owner 'the team' is a group, not a person; name the one person",
    ),
    Finding(
        "postmortems/2026-10-07-checkout.md",
        68,
        53,
        "PM040",
        "blame-language",
        Severity.WARNING,
        '"\'s fault" reads as blame; describe the condition: 100% of it,\nnot the person',
    ),
    Finding(
        "postmortems/a, b: c.md",
        1,
        1,
        "PM010",
        "file-name",
        Severity.ERROR,
        "file name 'a, b: c.md' is not YYYY-MM-DD-slug",
    ),
)
RESULT = CheckResult(FINDINGS, files=3)


@pytest.mark.parametrize("name", NAMES)
def test_reporter_matches_golden_file(name: str) -> None:
    output = reporter(name)(RESULT, False)
    golden = GOLDEN / f"report.{name}"
    if os.environ.get("MORTEM_UPDATE_GOLDEN"):
        golden.write_text(output)
    assert output == golden.read_text()


def test_json_has_the_documented_keys() -> None:
    records = json.loads(reporter("json")(RESULT, False))
    assert {"path", "line", "column", "code", "severity", "message"} <= set(records[0])
    assert records[2]["severity"] == "warning"


def test_github_commands_escape_properties_and_data() -> None:
    lines = reporter("github")(RESULT, False).splitlines()
    assert lines[0].startswith("::error file=postmortems/2026-10-07-checkout.md,line=32,col=12,")
    assert "100%25 of it,%0Anot the person" in lines[2]
    assert "file=postmortems/a%2C b%3A c.md" in lines[3]


def test_codeclimate_fingerprints_are_unique() -> None:
    issues = json.loads(reporter("codeclimate")(RESULT, False))
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert issues[0]["location"] == {"path": "postmortems/2026-10-07-checkout.md", "lines": {"begin": 32}}
    assert {issue["severity"] for issue in issues} == {"major", "minor"}


def test_text_colour_only_when_asked() -> None:
    assert "\033[" not in reporter("text")(RESULT, False)
    assert "\033[31mPM030" in reporter("text")(RESULT, True)


def test_clean_result_says_so() -> None:
    assert reporter("text")(CheckResult((), files=11), False) == "All clear: 11 files checked, no findings.\n"
