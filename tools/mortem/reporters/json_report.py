"""A JSON array of findings: path, line, column, code, name, severity, message."""

from __future__ import annotations

import json

from mortem.checker import CheckResult


def render(result: CheckResult, colour: bool = False) -> str:
    records = [
        {
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "code": f.code,
            "name": f.name,
            "severity": str(f.severity),
            "message": f.message,
        }
        for f in result.findings
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
