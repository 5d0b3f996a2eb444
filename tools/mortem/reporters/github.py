"""GitHub Actions workflow commands: `::error file=...,line=...::message` on the exact line."""

from __future__ import annotations

from mortem.checker import CheckResult
from mortem.findings import Finding
from mortem.reporters.text import summary


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", finding.path),
            ("line", finding.line),
            ("col", finding.column),
            ("title", f"{finding.code} {finding.name}"),
        )
    )
    return f"::{finding.severity} {properties}::{_escape_data(finding.message)}"


def render(result: CheckResult, colour: bool = False) -> str:
    lines = [command(f) for f in result.findings]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
