"""Property-based fuzzing: whatever the bytes, reading and checking never raise.

Fixed seed (derandomize) and a bounded example count, so CI is repeatable and quick.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mortem.body import read_sections
from mortem.checker import check_documents
from mortem.config import Config
from mortem.frontmatter import parse_yaml, split
from mortem.loader import load
from mortem.rules.base import Context

FUZZ = settings(max_examples=300)  # (the rest: the "mortem" profile, tests/conftest.py)
NAME = "2026-10-07-fuzzed.md"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-10-07",
            "2026-02-30",
            "2026-10-07T12:02:00+00:00",
            "25:00",
            "the team",
            "SEV2",
            "prevention",
            "open",
            "https://x.example/1",
            "",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "owner",
                    "due",
                    "link",
                    "status",
                    "bucket",
                    "kind",
                    "summary",
                    "category",
                    "started",
                    "detected",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
front_matter = st.dictionaries(
    st.sampled_from(
        [
            "title",
            "date",
            "status",
            "severity",
            "services",
            "authors",
            "why",
            "times",
            "impact",
            "trigger",
            "root_causes",
            "action_items",
            "related",
            "extra",
        ]
    ),
    values,
    max_size=12,
)
markdown = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "## Summary",
                "## Impact",
                "## Timeline",
                "## Root cause",
                "## What went well",
                "## What was hard",
                "- 12:02 start",
                "- 2026-10-08 00:10 next",
                "- 25:99 bad",
                "1. Why? because",
                "```",
                "<!--",
                "-->",
                "<!-- mortem: disable PM040 -->",
                "| a | b |",
                "> quote",
                "***",
                "Sam's fault",
                "<script>x</script>",
                "",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=30,
).map("\n".join)


def check(doc: Any) -> None:
    result = check_documents(
        [doc], Context(Config(root=Path(tempfile.gettempdir())), today=date(2026, 11, 28))
    )
    assert all(f.line >= 1 and f.column >= 1 for f in result.findings)


@FUZZ
@given(st.text(max_size=400))
def test_front_matter_parser_never_raises(text: str) -> None:
    parts = split(text)
    if parts.front_matter is not None:
        result = parse_yaml(parts.front_matter, parts.front_matter_line, 32, 20_000)
        assert all(p.line >= 1 for p in result.problems)
    read_sections(parts.body, parts.body_line)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_load_and_check_without_raising(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAME
        path.write_bytes(b"---\n" + data if data[:1] != b"-" else data)
        check(load(path, Config(root=Path(folder))))


@FUZZ
@given(front_matter, markdown)
def test_structured_postmortems_check_without_raising(front: dict[str, Any], body: str) -> None:
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAME
        path.write_text(text, encoding="utf-8")
        check(load(path, Config(root=Path(folder))))


# Import formats: arbitrary documents shaped like each format's payload, and arbitrary text.
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "status",
                    "alerts",
                    "labels",
                    "annotations",
                    "startsAt",
                    "endsAt",
                    "fingerprint",
                    "log_entries",
                    "type",
                    "created_at",
                    "agent",
                    "heartbeat",
                    "monitor",
                    "msg",
                    "time",
                    "data",
                    "log",
                    "createdAt",
                    "owner",
                    "summary",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@FUZZ
@given(
    json_values, st.sampled_from([None, "alertmanager", "grafana", "pagerduty", "opsgenie", "uptime-kuma"])
)
def test_import_formats_raise_only_mortem_errors(document: Any, fmt: str | None) -> None:
    import json

    from mortem.errors import MortemError
    from mortem.integrations.monitoring import read_export

    with contextlib.suppress(MortemError):
        read_export(json.dumps(document), "export.json", fmt)


@FUZZ
@given(st.text(max_size=300), st.sampled_from([None, "csv"]))
def test_import_text_raises_only_mortem_errors(text: str, fmt: str | None) -> None:
    from zoneinfo import ZoneInfo

    from mortem.errors import MortemError
    from mortem.integrations.monitoring import read_export

    with contextlib.suppress(MortemError):
        read_export("timestamp,event,detail\n" + text if fmt else text, "export.csv", fmt, ZoneInfo("UTC"))
