"""Reporters turn a CheckResult into text; they only format. Chosen by name for --format."""

from __future__ import annotations

from collections.abc import Callable

from mortem.checker import CheckResult
from mortem.reporters import codeclimate, github, json_report, text

Reporter = Callable[[CheckResult, bool], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "github": github.render,
    "codeclimate": codeclimate.render,
}
