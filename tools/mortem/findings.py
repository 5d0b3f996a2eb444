"""Findings: the only channel from checks to output."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place in one file. Ordered by place so output is deterministic."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class Issue:
    """What a rule (or the loader) reports before the checker stamps code, name and severity."""

    line: int
    column: int
    message: str
