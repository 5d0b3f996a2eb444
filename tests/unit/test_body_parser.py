"""body.parser_for leaves out the block rules whose mark (or shape) a body lacks: it must give the very
tokens the full parser gives, for any body, or a section, list item or paragraph would move.

Property-based (the fixed-seed profile in tests/conftest.py) over Markdown built from the
marks and the constructs that nest them (list items, blockquotes, indented code), then over
every postmortem in the repository's fixtures and sample archive.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from mortem.body import _MARKS, _SHAPES, _parser, parser_for

REPO = Path(__file__).resolve().parents[2]
PROPERTY = settings(max_examples=600)  # (the rest: the "mortem" profile, tests/conftest.py)

# Line starts and pieces that make (or nearly make) each block the rules read.
STARTS = ["", "", "  ", "   ", "    ", "- ", "* ", "1. ", "2) ", "> ", "- > ", "> - ", "## ", "# ", "\t"]
PIECES = [
    "text",
    "more words",
    "|",
    "a | b",
    "| a | b |",
    "|---|---|",
    "x|y",
    "-|-",
    "--- | ---",
    "```",
    "```python",
    "~~~",
    "``",
    ">",
    "<div>",
    "</div>",
    "<!-- note -->",
    "<!--",
    "-->",
    "<http://x.example>",
    "a < b",
    "[ref]: /url",
    "[ref]:",
    "]: /u",
    "/url",
    "[x]",
    "[link](http://x.example)",
    "---",
    "===",
    "***",
    "- - -",
    "* * *",
    "_\t_ _",
    "--",
    "==",
    "-",
    "=",
    "a -",
    "b =",
    "- -",
    "",
]
lines = st.builds(
    lambda start, pieces: start + " ".join(pieces),
    st.sampled_from(STARTS),
    st.lists(st.sampled_from(PIECES), max_size=4),
)
bodies = st.lists(lines, max_size=14).map("\n".join)


def _tokens(tokens: list[Token]) -> list[tuple[object, ...]]:
    return [
        (t.type, t.tag, t.nesting, t.level, t.map, t.content, t.markup, t.info, t.block, t.hidden)
        for t in tokens
    ]


def _same_as_full(body: str) -> None:
    assert _tokens(parser_for(body).parse(body)) == _tokens(_parser().parse(body))


@PROPERTY
@given(bodies)
def test_leaving_out_rules_without_their_mark_gives_the_same_tokens(body: str) -> None:
    _same_as_full(body)


# Each mark where the generator above rarely puts it: tight tables, a reference whose
# destination is on the next line, and every rule nested in a list item or a blockquote.
TRICKY = [
    "a|b\n-|-\nc|d",
    "x\n\n|a|\n|-|",
    "[ref]:\n/url\n\n[ref]",
    "[a\nb]: /u",
    "- ```\n  code\n  ```",
    "1. ~~~\n   x\n   ~~~",
    "- > quoted\n- item",
    ">> deep",
    "- <div>\n  x\n  </div>",
    "text\n<div>\nhtml</div>",
    "para\n> lazy\ncontinued",
    "> [r]: /u\n> [r]",
    "- a\n\n  | b | c |\n  |---|---|\n  | 1 | 2 |",
    "    ```\n    indented, not a fence",
    "text\n```\nends the paragraph",
    "para\n===",
    "para\n---",
    "para\n  -  \nafter",
    "- item\n  ===",
    "> para\n> ---",
    "- ***\n- _ _ _",
    "para\r\n===\r\n",
    "text\n\n    ---\n",
]


def test_the_same_tokens_for_marks_in_every_place() -> None:
    for body in TRICKY:
        _same_as_full(body)


def test_the_same_tokens_for_every_postmortem_in_the_repository() -> None:
    files = [*(REPO / "tests").rglob("*.md"), *(REPO / "postmortems").glob("*.md")]
    assert len(files) > 100
    for path in files:
        _same_as_full(path.read_text(encoding="utf-8", errors="replace"))


def test_a_body_without_marks_is_parsed_without_those_rules() -> None:
    """The property above would hold vacuously if parser_for always kept every rule."""
    plain = "## Summary\n\nWords only.\n\n- an item\n"
    left_out = set(parser_for(plain).get_all_rules()["block"]) - set(
        parser_for(plain).get_active_rules()["block"]
    )
    assert left_out == {rule for rule, _ in _MARKS} | {rule for rule, _ in _SHAPES}
    full = "| a |\n|---|\n\n```\ncode\n```\n\n> q\n\n<div>x</div>\n\n[r]: /u\n\n***\n\nt\n=\n"
    assert set(parser_for(full).get_active_rules()["block"]) == set(_parser().get_active_rules()["block"])
