"""The Markdown body read once with markdown-it-py: H2 sections with line numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from mortem.model import ListItem, Section, SourceLine

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_MARKUP = re.compile(r"\]\([^)\]\n]{0,500}\)|[*_`#>|\[\]]")  # bounded: linear on hostile lines


def strip_comments(text: str) -> str:
    """Remove HTML comments in one pass (a lazy regex is quadratic on many unclosed `<!--`)."""
    parts = []
    position = 0
    while True:
        start = text.find("<!--", position)
        if start < 0:
            parts.append(text[position:])
            return " ".join(parts)
        parts.append(text[position:start])
        end = text.find("-->", start + 4)
        if end < 0:
            return " ".join(parts)
        position = end + 3


# Block rules that cannot match without a mark the whole body may lack: a table needs a "|",
# a fence "```" or "~~~", a blockquote ">", an HTML block "<", a link reference "]:". With
# the mark absent, the rule neither starts a block nor ends a paragraph anywhere, so leaving
# it out gives the same tokens; most postmortems lack three or more, and trying each rule
# at each line of each container was a quarter of the parse.
_MARKS = (
    ("table", ("|",)),
    ("fence", ("```", "~~~")),
    ("blockquote", (">",)),
    ("html_block", ("<",)),
    ("reference", ("]:",)),
)


# Block rules whose mark is a shape rather than a string: a thematic break is three of one
# of - * _ with only spaces or tabs between them; a setext underline ends its line with - or
# = (then spaces). Most bodies have neither, and these two were tried at every line too.
_SHAPES = (
    ("hr", re.compile(r"([-*_])(?:[ \t]*\1){2,}")),
    ("lheading", re.compile(r"[-=][ \t\r]*$", re.MULTILINE)),
)


def parser_for(body: str) -> MarkdownIt:
    """The parser for this body: every block rule whose mark it holds (see _MARKS, _SHAPES)."""
    unused = {rule for rule, marks in _MARKS if not any(mark in body for mark in marks)}
    unused.update(rule for rule, shape in _SHAPES if shape.search(body) is None)
    return _parser(frozenset(unused))


@cache
def _parser(unused: frozenset[str] = frozenset()) -> MarkdownIt:
    from markdown_it import MarkdownIt

    # commonmark plus tables, so a table row is not mistaken for a paragraph line. Only the
    # block structure is read (token maps, and inline tokens' source `content`), never the
    # parsed inline children, so the inline pass (a fifth of the parse) is switched off.
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join", *sorted(unused)])


def read_sections(body: str, first_line: int) -> tuple[tuple[Section, ...], tuple[SourceLine, ...]]:
    """Split the body at its H2 headings. Returns the sections and every H2 heading line."""
    tokens = parser_for(body).parse(body)
    lines = body.splitlines()
    heads: list[tuple[int, int, str]] = []  # (index of heading token, 0-based line, title)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            title = strip_comments(tokens[index + 1].content).strip()
            heads.append((index, token.map[0], title))
    sections = []
    for number, (token_index, line0, title) in enumerate(heads):
        end_token = heads[number + 1][0] if number + 1 < len(heads) else len(tokens)
        end_line0 = heads[number + 1][1] if number + 1 < len(heads) else len(lines)
        content_start = (tokens[token_index].map or [line0, line0 + 1])[1]
        sections.append(
            _section(
                title, line0, content_start, end_line0, lines, tokens[token_index + 3 : end_token], first_line
            )
        )
    headings = tuple(SourceLine(first_line + line0, title) for _, line0, title in heads)
    return tuple(sections), headings


def _section(
    title: str,
    line0: int,
    start0: int,
    end0: int,
    lines: list[str],
    tokens: Sequence[Token],
    first_line: int,
) -> Section:
    source = tuple(SourceLine(first_line + i, lines[i]) for i in range(start0, min(end0, len(lines))))
    return Section(
        title=title,
        line=first_line + line0,
        lines=source,
        items=_top_level_items(tokens, lines, first_line),
        prose=_prose(tokens),
    )


def _top_level_items(tokens: Sequence[Token], lines: list[str], first_line: int) -> tuple[ListItem, ...]:
    items = []
    depth = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open" and depth == 1 and token.map:
            line0 = token.map[0]
            text = _BULLET.sub("", lines[line0], count=1).strip()
            items.append(ListItem(first_line + line0, text))
    return tuple(items)


def _prose(tokens: Sequence[Token]) -> str:
    """The words a reader sees: inline text, without HTML comments, code blocks or markup."""
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts.append(_MARKUP.sub(" ", strip_comments(token.content)))
    return "\n".join(p for p in parts if p.strip())
