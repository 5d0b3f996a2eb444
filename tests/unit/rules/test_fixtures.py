"""Every rule fires exactly where a fixture marks it, and nowhere in the clean corpus.

A bad fixture marks each expected finding on its line: `<!-- expect: PM030 -->` in the
body, `# expect: PM030` in the front matter, or `expect: PM010@1` for another line.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from mortem.checker import check_paths
from mortem.config import load_config
from mortem.rules import ALL_RULES

RULE_FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"
BAD = sorted((RULE_FIXTURES / "bad").iterdir())
GOOD = sorted((RULE_FIXTURES / "good").iterdir())
_MARKER = re.compile(r"expect:((?:\s*PM\d{3}(?:@\d+)?)+)")


def expected(path: Path) -> set[tuple[int, str]]:
    marks = set()
    text = path.read_bytes().decode("utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        for group in _MARKER.findall(line):
            for mark in group.split():
                code, _, at = mark.partition("@")
                marks.add((int(at) if at else number, code))
    return marks


def found(path: Path) -> set[tuple[int, str]]:
    config = load_config(RULE_FIXTURES / "mortem.toml")
    result = check_paths([path], config, today=date(2026, 11, 28))
    return {(f.line, f.code) for f in result.findings}


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_fixture_findings_are_exactly_the_marked_ones(path: Path) -> None:
    marks = expected(path)
    assert marks, f"{path.name} marks no expected finding"
    assert found(path) == marks


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_fixture_is_clean(path: Path) -> None:
    assert found(path) == set()


def test_every_rule_has_a_firing_fixture() -> None:
    fired = {code for path in BAD for _, code in expected(path)}
    missing = [rule.code for rule in ALL_RULES if rule.code not in fired]
    assert missing == [], f"rules without a bad fixture: {missing}"
