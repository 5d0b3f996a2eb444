"""`path:line:col: CODE message`, one per line, then a count. Colour only on a terminal."""

from __future__ import annotations

from mortem.checker import CheckResult
from mortem.findings import Finding, Severity

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _line(finding: Finding, colour: bool) -> str:
    place = f"{finding.path}:{finding.line}:{finding.column}:"
    message = " ".join(finding.message.split())  # one finding, one line: editors parse these
    if not colour:
        return f"{place} {finding.code} {message} ({finding.severity}, {finding.name})"
    tint = _COLOURS[finding.severity]
    return (
        f"{_BOLD}{place}{_RESET} {tint}{finding.code}{_RESET} {message} "
        f"{_DIM}({finding.severity}, {finding.name}){_RESET}"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: CheckResult) -> str:
    files = _plural(result.files, "file")
    if not result.findings:
        return f"All clear: {files} checked, no findings."
    return f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} in {files} checked."


def render(result: CheckResult, colour: bool = False) -> str:
    lines = [_line(f, colour) for f in result.findings]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
