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

from mortem.body import (
    _MARKS,
    _SHAPES,
    _parser,
    _plain_blocks,
    _sections,
    _token_blocks,
    parser_for,
    read_sections,
)
from mortem.frontmatter import split

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
    "<!",
    "- <!-- a comment in an item -->",
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


# --- a plain body, read line by line (body._plain_blocks) ---------------------------------

# Lines a plain body is made of, and lines that look nearly so: each must be read as
# markdown-it reads it, or make the body not plain.
PLAIN_LINES = [
    "",
    " ",
    "Words of a paragraph.",
    "more words, with `code` and **bold**",
    "a [link](http://x.example) and <!-- a note --> here",
    "a comment <!-- left open",
    "-->",
    "closed -->",
    "<!-- Two or three sentences a non-engineer can read. -->",
    "<!-- a guidance comment left open",
    "<!-->",
    "<!-- - 14:02 a bullet --> and text after it",
    "- an item",
    "* an item",
    "+ an item",
    "1. a step",
    "2. a step",
    "1) a step",
    "10. a step",
    "01. a step",
    "1234567890. not a step",
    "1\u0663. not a step either",
    "## Summary",
    "## Root cause",
    "##  Two spaces",
    "## Trailing spaces  ",
    "# Title",
    "### Detail",
    "####### seven",
    "## Closed ##",
    "##Tight",
    "#5 is an issue",
    "-x",
    "-5% errors",
    "+1",
    "**bold** start",
    "_emphasis_ start",
    "`code` start",
    "```",
    "~~~",
    "~ tilde",
    "3.5% of requests",
    "59676 requests",
    "1.",
    "1. ",
    "-",
    "+",
    "*",
    "- ",
    "-  two spaces",
    "--",
    "---",
    "***",
    "* * *",
    "___",
    "- ## heading in an item",
    "- 1. nested",
    "- - nested",
    "- > quoted",
    "- ```",
    "- -5% in an item",
    "1. - nested",
    "  indented",
    "    code",
    "> quote",
    "<div>",
    "<!",
    "- <!-- a comment in an item -->",
    "===",
    "text =",
    "a | b",
    "[ref]: /url",
    "\\- escaped",
    "\u00a0nbsp start",
    "it’s typographic",
]
plain_bodies = st.lists(st.sampled_from(PLAIN_LINES), max_size=16).map("\n".join)
# Only the lines that are plain on their own, so that most bodies are read line by line and
# what one line means after another (a paragraph going on, a list interrupting it) is met.
ALONE = [line for line in PLAIN_LINES if _plain_blocks(line, line.splitlines()) is not None]
mostly_plain_bodies = st.lists(st.sampled_from(ALONE), max_size=16).map("\n".join)


def _sections_by_tokens(body: str) -> tuple[object, ...]:
    """read_sections as markdown-it-py's full parser gives it."""
    return _sections(_token_blocks(_parser().parse(body)), body.splitlines(), 7)


def _same_sections(body: str) -> None:
    assert read_sections(body, 7) == _sections_by_tokens(body), body


@PROPERTY
@given(plain_bodies)
def test_a_body_read_line_by_line_has_the_sections_markdown_it_gives(body: str) -> None:
    _same_sections(body)


@PROPERTY
@given(mostly_plain_bodies)
def test_a_body_of_plain_lines_has_the_sections_markdown_it_gives(body: str) -> None:
    _same_sections(body)


@PROPERTY
@given(bodies)
def test_any_body_has_the_sections_markdown_it_gives(body: str) -> None:
    _same_sections(body)


def test_every_postmortem_in_the_repository_has_the_sections_markdown_it_gives() -> None:
    files = [*(REPO / "tests").rglob("*.md"), *(REPO / "postmortems").glob("*.md")]
    plain = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        body = split(text).body if text.startswith("---\n") else text
        _same_sections(body)
        plain += _plain_blocks(body, body.splitlines()) is not None
    # The properties above would hold vacuously if no body were read line by line.
    assert plain > 0.9 * len(files)


def test_plain_bodies_are_read_line_by_line_and_others_are_not() -> None:
    plain = [
        "## Summary\nWords.\n\n- an item\n- another\n\n1. a step\n2. a step\n",
        "Before.\n## Impact\n- 59676 requests failed.\n\nA paragraph\nof two lines.\n### Detail\n",
        "## Timeline\n\n- 14:20 Retried.\n\n- 14:31 Fixed, 3.5% failed <!-- a note -->.\n",
        "## Summary\n<!-- Guidance\n\n## not a heading -->\nWords.\n- an item\n<!-- x -->\ntext\n",
    ]
    for body in plain:
        assert _plain_blocks(body, body.splitlines()) is not None, body
        _same_sections(body)
    others = [
        "## Summary\n- an item\n  continued\n",  # indented
        "## Summary\n- an item\ncontinued lazily\n",  # a lazy continuation line
        "## Summary\nA paragraph\n2. continues it\n",  # not a list in markdown-it
        "## Summary\n| a | b |\n|---|---|\n",
        "## Summary\n```\n## not a heading\n```\n",
        "## Summary\nText\n---\n",
        "## Summary\n\tTabbed\n",
        "## Summary\r\nWindows lines\r\n",
        "## Summary\nA line\x0bbreak\n",
        "## Summary\n- ## a heading in an item\n",
        "## Closed ##\n",
    ]
    for body in others:
        assert _plain_blocks(body, body.splitlines()) is None, body
        _same_sections(body)


def test_an_h2_inside_a_list_item_heads_the_items_after_it() -> None:
    body = "- ## Timeline\n- 14:00 Paged.\n\nText.\n\n- 14:05 Rolled back.\n"
    sections, _ = read_sections(body, 1)
    assert [item.text for item in sections[0].items] == ["14:00 Paged.", "14:05 Rolled back."]
