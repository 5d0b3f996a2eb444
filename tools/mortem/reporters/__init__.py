"""Reporters turn a CheckResult into text; they only format. Chosen by name for --format.

Each reporter's module is imported when it is chosen: the pre-commit hook prints text, and
importing the JSON and Code Quality reporters (json, hashing) cost it on every commit."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mortem.checker import CheckResult

Reporter = Callable[["CheckResult", bool], str]

_MODULES = {"text": "text", "json": "json_report", "github": "github", "codeclimate": "codeclimate"}
NAMES = tuple(_MODULES)


def reporter(name: str) -> Reporter:
    """The reporter of --format `name` (one of NAMES)."""
    render: Reporter = importlib.import_module(f"mortem.reporters.{_MODULES[name]}").render
    return render
