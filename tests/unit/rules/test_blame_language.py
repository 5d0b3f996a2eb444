"""PM040 looks line by line only for the blame phrases the whole body holds: what it finds
is what a search of every phrase on every line finds."""

from __future__ import annotations

from pathlib import Path

from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem
from mortem.rules import Context
from mortem.rules.blameless import blame_language

# The good fixture that tests/unit/rules/test_detection.py also edits.
GOOD = Path(__file__).parents[2] / "fixtures/rules/good/2026-10-07-checkout-deploy-before-migration.md"


def blamed_lines(tmp_path: Path, hard: str) -> list[tuple[int, str]]:
    """The line (from the first added) and phrase (spaces collapsed) of each PM040 finding
    once `hard` is added to What was hard."""
    text = GOOD.read_text()
    assert "## What was hard\n" in text
    path = tmp_path / GOOD.name
    path.write_text(text.replace("## What was hard\n", "## What was hard\n\n" + hard + "\n", 1))
    doc = load(path, Config(root=tmp_path))
    assert isinstance(doc, Postmortem)
    first = text.splitlines().index("## What was hard") + 3  # the added lines' first number
    return [
        (issue.line - first, " ".join(issue.message.split(" reads")[0].split()))
        for issue in blame_language.check(doc, Context(Config(root=tmp_path)))
    ]


def test_the_good_fixture_has_no_blame(tmp_path: Path) -> None:
    assert blamed_lines(tmp_path, "") == []


def test_a_phrase_around_a_comment_is_found_on_its_line(tmp_path: Path) -> None:
    # The comment is taken out of the line before the phrases are looked for.
    assert blamed_lines(tmp_path, "It was the on-call's <!-- an aside --> fault.") == [(0, '"\'s fault"')]


def test_each_phrase_is_found_on_each_line_it_is_on(tmp_path: Path) -> None:
    hard = "Nobody was careless.\n\nThe rollout was not careless either, and no one forgot to page."
    assert blamed_lines(tmp_path, hard) == [(0, "'careless'"), (2, "'careless'"), (2, "'forgot to'")]


def test_a_phrase_split_over_two_lines_is_not_one(tmp_path: Path) -> None:
    # Line by line, as before: "forgot" ends one line and "to" starts the next.
    assert blamed_lines(tmp_path, "- The deploy step was forgot\n  to run by the script.") == []


def test_a_phrase_in_a_code_block_is_not_blame(tmp_path: Path) -> None:
    assert blamed_lines(tmp_path, "```\nhuman error\n```") == []
