"""The README's generated parts stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from mortem.render.rules import rules_table
from mortem.rules import ALL_RULES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_matches_the_registry() -> None:
    text = README.read_text()
    match = re.search(r"<!-- rules:start[^>]*-->\n(.*?)<!-- rules:end -->", text, re.DOTALL)
    assert match, "README.md lost its rules:start/rules:end markers"
    assert match.group(1) == rules_table(ALL_RULES), (
        "README rule table is stale: replace it with `mortem rules --format table`"
    )


def test_readme_opens_with_the_two_fresh_machine_commands() -> None:
    text = README.read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    assert "pip install -e . && mortem check" in blocks[0]
    assert "pip install -e '.[test]' && python -m pytest" in blocks[1]
    ci = (README.parent / ".ci" / "run").read_text()
    test_command = blocks[1].strip().splitlines()[-1]
    assert test_command in ci.splitlines(), ".ci/run must run exactly the README's test command"
