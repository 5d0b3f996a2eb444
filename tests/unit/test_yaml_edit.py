"""The one-line front matter edits shared by `timeline import --into` and `mortem actions`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mortem.action_write import ItemChange, edited_text
from mortem.config import Config
from mortem.errors import MortemError
from mortem.loader import load
from mortem.model import Postmortem
from mortem.yaml_edit import set_value, yaml_text


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        ("    status: open\n", 12, "    status: done\n"),
        ("    status: open   # why\n", 12, "    status: done   # why\n"),
        ('    status: "open"\n', 12, '    status: "done"\n'),
        ("    status: 'open'  # c\n", 12, "    status: 'done'  # c\n"),
        ('    status: ""\n', 12, "    status: done\n"),
        ("    status: ~\n", 12, "    status: done\n"),
        ("    status:\n", 4, "    status: done\n"),  # PyYAML places an empty value at its key
        ("    status:   # later\n", 11, "    status: done   # later\n"),  # libyaml, after the colon
        ("  - status: open\r\n", 12, "  - status: done\r\n"),
    ],
)
def test_set_value_keeps_quoting_comments_and_line_endings(line: str, column: int, expected: str) -> None:
    assert set_value(line, column, "status", "done", "\n") == expected


def test_a_url_with_a_fragment_is_one_plain_value() -> None:
    line = "    link: https://example.org/issues/1#note  # the issue\n"
    assert set_value(line, 10, "link", "https://example.org/issues/2", "\n") == (
        "    link: https://example.org/issues/2  # the issue\n"
    )


def test_block_scalars_and_flow_values_are_left_to_people() -> None:
    with pytest.raises(MortemError, match="cannot find the value of status on its line"):
        set_value("    status: [open]\n", 12, "status", "done", "\n")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("done", "done"),
        ("2026-03-02", "2026-03-02"),
        ("https://x.example/i/1", "https://x.example/i/1"),
        ("yes", '"yes"'),
        ("a: b", '"a: b"'),
        ("#1", '"#1"'),
        (" padded", '" padded"'),
    ],
)
def test_yaml_text_is_plain_only_when_it_reads_back_the_same(value: str, written: str) -> None:
    assert yaml_text(value) == written


def doc(tmp_path: Path, text: str) -> Postmortem:
    path = tmp_path / "2026-03-01-x.md"
    path.write_text(text)
    loaded = load(path, Config(root=tmp_path))
    assert isinstance(loaded, Postmortem)
    return loaded


def test_a_missing_status_goes_after_the_items_last_field(tmp_path: Path) -> None:
    text = "---\naction_items:\n  - title: A\n    link: >-\n      https://x.example/1\n---\nbody\n"
    changed = edited_text(doc(tmp_path, text), [ItemChange(0, status="done", closed=date(2026, 3, 2))])
    assert changed == text.replace("---\nbody", "    status: done\n    closed: 2026-03-02\n---\nbody")


def test_a_value_on_several_lines_is_refused(tmp_path: Path) -> None:
    text = "---\naction_items:\n  - title: A\n    status:\n      open\n---\n"
    with pytest.raises(MortemError):
        edited_text(doc(tmp_path, text), [ItemChange(0, status="done")])
