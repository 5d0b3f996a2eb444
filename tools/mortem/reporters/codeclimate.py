"""GitLab's Code Quality report (a subset of the Code Climate spec) for merge requests."""

from __future__ import annotations

import json

from mortem.checker import CheckResult
from mortem.findings import Finding, Severity

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def _fingerprint(finding: Finding, occurrence: int) -> str:
    # No line number: a finding keeps its identity when lines above it move. The
    # occurrence count keeps two identical findings in one file apart.
    key = "\0".join((finding.path, finding.code, finding.message, str(occurrence)))
    import hashlib  # here, not at the top: `mortem check` imports every reporter

    return hashlib.sha256(key.encode()).hexdigest()[:32]


def render(result: CheckResult, colour: bool = False) -> str:
    seen: dict[tuple[str, str, str], int] = {}
    occurrences = []
    for f in result.findings:
        key = (f.path, f.code, f.message)
        seen[key] = seen.get(key, 0) + 1
        occurrences.append(seen[key])
    issues = [
        {
            "type": "issue",
            "check_name": f"{f.code} {f.name}",
            "description": f.message,
            "categories": ["Style"],
            "severity": _SEVERITY[f.severity],
            "fingerprint": _fingerprint(f, occurrence),
            "location": {"path": f.path, "lines": {"begin": f.line}},
        }
        for f, occurrence in zip(result.findings, occurrences, strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
