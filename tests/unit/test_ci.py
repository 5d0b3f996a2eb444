"""The CI report: which findings are annotated first, and reading the report back safely."""

from __future__ import annotations

import json

import pytest

from mortem.ci import REPORT_FORMAT, ChangedFile, NewPostmortem, Report, SimilarIncident, annotated, priority
from mortem.errors import MortemError
from mortem.findings import Finding, Severity
from mortem.integrations import markdown

P = "postmortems/2026-10-07-checkout.md"


def f(line: int, code: str, severity: Severity = Severity.ERROR, message: str = "m") -> Finding:
    return Finding(P, line, 1, code, "rule", severity, message)


def test_errors_first_then_owner_and_due_problems_first() -> None:
    findings = [
        f(5, "PM020"),
        f(50, "PM004", message="action_items[2] is missing `owner`: one named person"),
        f(3, "PM040", Severity.WARNING),
        f(40, "PM033", Severity.WARNING),
        f(45, "PM030"),
        f(9, "PM004", message="severity must be one of SEV1..SEV4"),
    ]
    ordered = sorted(findings, key=priority)
    assert [(x.code, x.line) for x in ordered] == [
        ("PM030", 45),
        ("PM004", 50),
        ("PM020", 5),
        ("PM004", 9),
        ("PM033", 40),
        ("PM040", 3),
    ]


def test_at_most_ten_of_each_severity_are_annotated() -> None:
    errors = [f(n, "PM020") for n in range(1, 14)] + [f(99, "PM030")]
    warnings = [f(n, "PM040", Severity.WARNING) for n in range(1, 12)]
    shown, left = annotated(errors + warnings)
    assert left == 4 + 1
    assert sum(x.is_error for x in shown) == 10 and sum(not x.is_error for x in shown) == 10
    assert shown[0] == f(99, "PM030")  # the unowned item makes the cut although it sits lowest


def sample() -> Report:
    similar = (SimilarIncident("2025-09-16-api-deploy", "Deploy", 0.66, ("same category x",)),)
    return Report(
        (f(39, "PM030"),),
        1,
        (ChangedFile(P, "added", (1, 2, 39)),),
        (NewPostmortem(P, "2026-10-07-checkout", "Checkout", similar),),
        7,
        "b" * 40,
    )


def test_report_round_trip() -> None:
    assert Report.from_json(sample().to_json()) == sample()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(format="other"), "format is not"),
        (lambda d: d.update(pull_request=True), "pull_request must be"),
        (lambda d: d.update(pull_request="7; rm -rf /"), "pull_request must be"),
        (lambda d: d.update(head_sha="main"), "head_sha must be"),
        (lambda d: d["findings"][0].update(path="../../etc/passwd"), "unsafe path"),
        (lambda d: d["findings"][0].update(path="/etc/passwd"), "unsafe path"),
        (lambda d: d["findings"][0].update(line="39"), "whole number"),
        (lambda d: d["findings"][0].update(severity="fatal"), "fatal"),
        (lambda d: d["changed"][0].update(lines=list(range(6000))), "at most"),
        (lambda d: d.pop("findings"), "findings"),
        (lambda d: d["new"][0]["similar"][0].update(score="high"), "number"),
    ],
)
def test_a_tampered_report_is_refused(change: object, why: str) -> None:
    data = json.loads(sample().to_json())
    change(data)  # type: ignore[operator]
    with pytest.raises(MortemError, match=f"^artifact: not a mortem ci report .*{why}"):
        Report.from_json(json.dumps(data), "artifact")
    assert data.get("format", REPORT_FORMAT)


def test_not_json_is_refused() -> None:
    with pytest.raises(MortemError, match=r"^report: not JSON"):
        Report.from_json("{", "report")


def test_job_summary_lists_every_finding_and_escapes_text() -> None:
    report = Report((f(39, "PM030", message="owner '<img src=x>' | @team"),), 1, (), (), None, None)
    summary = markdown.job_summary(report, 1)
    assert "| error | postmortems/2026-10-07-checkout.md:39 | `PM030` rule |" in summary
    assert "<img" not in summary and "&#60;img src=x&#62;" in summary and "&#124;" in summary
    assert "@\u2060team" in summary
    assert "This pull request adds no new postmortem." in summary
