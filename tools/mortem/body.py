"""The Markdown body read once: H2 sections with line numbers.

markdown-it-py is the reading of record. A plain body (headings, paragraphs, one-line list
items and HTML comments, every line at the first column: what `mortem new` writes) has
only one block structure, which is read line by line in a fifth of markdown-it's time;
tests/unit/test_body_parser.py holds the two readings to the same sections."""

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
# Markup blanked out of the prose: a link's target (bounded: linear on hostile lines), then
# each mark left.
_LINK = re.compile(r"\]\([^)\]\n]{0,500}\)")
_MARKS_BLANKED = "*_`#>|[]"


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
    """Split the body at its H2 headings. Returns the sections and every H2 heading line.

    A plain body (see _plain_blocks) is read line by line; any other is parsed by
    markdown-it-py. Both give the same blocks (tests/unit/test_body_parser.py holds them to
    each other), from which the sections are made one way."""
    lines = body.splitlines()
    blocks = _plain_blocks(body, lines)
    if blocks is None:
        blocks = _token_blocks(parser_for(body).parse(body))
    return _sections(blocks, lines, first_line)


# What sections are made of, in the order of the body: (kind, line, end, content), lines
# counted from 0 within the body.
H2 = 0  # an H2 heading at `line`, its section's lines from `end`; content: its text
ITEM = 1  # a top-level list item begins at `line`
TEXT = 2  # an inline text a reader sees (a paragraph, a heading not an H2): content
Block = tuple[int, int, int, str]


def _token_blocks(tokens: Sequence[Token]) -> list[Block]:
    """The blocks of markdown-it's tokens: a list item is top-level at depth 1, wherever
    the H2 it follows stands (an H2 inside a list item heads the items after it too)."""
    blocks: list[Block] = []
    depth = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            opener = tokens[index - 1]
            if opener.type == "heading_open" and opener.tag == "h2" and opener.map:
                blocks.append((H2, opener.map[0], opener.map[1], token.content))
            else:
                blocks.append((TEXT, 0, 0, token.content))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif kind == "list_item_open" and depth == 1 and token.map:
            blocks.append((ITEM, token.map[0], 0, ""))
    return blocks


def _sections(
    blocks: list[Block], lines: list[str], first_line: int
) -> tuple[tuple[Section, ...], tuple[SourceLine, ...]]:
    heads = [position for position, block in enumerate(blocks) if block[0] == H2]
    sections = []
    for number, position in enumerate(heads):
        _, line0, start0, content = blocks[position]
        following = heads[number + 1] if number + 1 < len(heads) else len(blocks)
        end0 = blocks[following][1] if following < len(blocks) else len(lines)
        texts, items = [], []
        for kind, line, _, text in blocks[position + 1 : following]:
            if kind == ITEM:
                items.append(ListItem(first_line + line, _BULLET.sub("", lines[line], count=1).strip()))
            else:
                texts.append(text)
        numbers = range(start0, min(end0, len(lines)))
        sections.append(
            Section(
                title=strip_comments(content).strip(),
                line=first_line + line0,
                lines=tuple(SourceLine(first_line + i, lines[i]) for i in numbers),
                items=tuple(items),
                prose=_prose(texts),
            )
        )
    headings = tuple(SourceLine(section.line, section.title) for section in sections)
    return tuple(sections), headings


def _prose(texts: Sequence[str]) -> str:
    """The words a reader sees: inline text, without HTML comments, code blocks or markup.

    The texts are cleaned of markup together, each part apart from the next by "\\n\\0": no
    text holds a NUL (markdown-it replaces it, a plain body has none), and a link's match
    never crosses a line. A link is blanked first, then each mark left: what one regular
    expression over both did, in a third of its time."""
    joined = "\n\0".join([strip_comments(text) if "<!--" in text else text for text in texts])
    if "](" in joined:
        joined = _LINK.sub(" ", joined)
    for mark in _MARKS_BLANKED:
        joined = joined.replace(mark, " ")
    return "\n".join([part for part in joined.split("\n\0") if part.strip()])


# --- a plain body, read line by line ---------------------------------------------------

# A line of a plain body: an ATX heading with no "#" in its text, a list item (the marker,
# one space, then text that starts no block of its own), a paragraph line, or a blank one.
_HEADING = re.compile(r"(#{1,6}) +([^#\s](?:[^#]*[^#\s])?) *")
_ORDERED = re.compile(r"([0-9]{1,9})[.)]")  # ASCII digits only, as markdown-it reads a marker
# A thematic break (three or more of one of - * _, spaces between) or a setext underline
# (only -): blocks a plain body has none of.
_BREAK = re.compile(r"([-*_])(?: *\1){2,} *|-+ *")
# The characters a line may start with that begin something other than a paragraph line.
_BLOCK_STARTS = frozenset("#>< =-*+_`~0123456789")
_BLANK, _PARAGRAPH, _HEADING_LINE, _ITEM_LINE, _COMMENT = range(5)


def _plain_blocks(body: str, lines: list[str]) -> list[Block] | None:
    """The blocks of a plain body, read line by line; None for any other body.

    A plain body has no tab, no carriage return nor any line break but the line feed
    (where markdown-it and str.splitlines would count lines differently), no "|" (a table)
    and no "]:" (a link reference), and each of its lines starts at the first column and
    is one of: blank, an ATX heading, a list item whose text would be a paragraph line, a
    paragraph line (see _line_kind), or in an HTML comment's block (from a line that
    starts "<!--" to the line holding "-->", which markdown-it keeps out of the text). A
    paragraph's lines are joined, as markdown-it joins them; a list item's text is its one
    line (a line after it that would continue it lazily, and an ordered item other than
    1. right after a paragraph, which markdown-it reads as part of that paragraph, make a
    body not plain). Reading one so takes a fifth of markdown-it's time."""
    if "\t" in body or "\r" in body or "\0" in body or "|" in body or "]:" in body:
        return None
    split = body.split("\n")
    if len(split) - (split[-1] == "") != len(lines):  # another line break in the body
        return None
    blocks: list[Block] = []
    paragraph = -1  # the first line of the paragraph being read
    previous = _BLANK
    in_comment = False
    for index, line in enumerate(lines):
        if in_comment:  # an HTML comment's block runs to the line that closes it, whatever is on it
            in_comment = "-->" not in line
            continue
        kind, start = _line_kind(line, previous)
        if kind is None:
            return None
        if previous == _PARAGRAPH and kind != _PARAGRAPH:
            blocks.append((TEXT, 0, 0, "\n".join(lines[paragraph:index]).strip()))
        if kind == _PARAGRAPH:
            if previous == _ITEM_LINE:
                return None
            if previous != _PARAGRAPH:
                paragraph = index
        elif kind == _HEADING_LINE:
            text = line[start:].rstrip(" ")
            is_h2 = line.startswith("## ")  # (a heading of any other level starts "# " or "###")
            blocks.append((H2, index, index + 1, text) if is_h2 else (TEXT, 0, 0, text))
        elif kind == _ITEM_LINE:
            blocks.append((ITEM, index, 0, ""))
            blocks.append((TEXT, 0, 0, line[start:].strip()))
        elif kind == _COMMENT:
            in_comment = "-->" not in line
            kind = _BLANK  # a block of its own: what follows it starts afresh
        previous = kind
    if previous == _PARAGRAPH:
        blocks.append((TEXT, 0, 0, "\n".join(lines[paragraph:]).strip()))
    return blocks


def _line_kind(line: str, previous: int) -> tuple[int | None, int]:
    """A plain line's kind and where its text starts; None when the line is not plain."""
    if not line:
        return _BLANK, 0
    first = line[0]
    if first not in _BLOCK_STARTS:
        return _PARAGRAPH, 0
    if first == " ":
        return (_BLANK, 0) if not line.strip(" ") else (None, 0)
    if first == "#":
        heading = _HEADING.fullmatch(line)
        return (_HEADING_LINE, heading.start(2)) if heading else (None, 0)
    if first in "-*+_" and _BREAK.fullmatch(line):
        return None, 0
    if first in "-*+":
        if len(line) == 1:
            return None, 0  # an empty list item
        if line[1] != " ":
            return _PARAGRAPH, 0  # "-5%", "**bold**"
        return (_ITEM_LINE, 2) if _starts_paragraph(line[2:]) else (None, 0)
    if first.isdigit():
        marker = _ORDERED.match(line)
        if marker is None or line[marker.end() : marker.end() + 1] not in ("", " "):
            return _PARAGRAPH, 0  # "59676 requests", "3.5%"
        start = marker.end() + 1
        if not _starts_paragraph(line[start:]):
            return None, 0
        if previous == _PARAGRAPH and int(marker.group(1)) != 1:
            return None, 0  # markdown-it continues the paragraph with it
        return _ITEM_LINE, start
    if first in "`~" and not line.startswith(first * 3):
        return _PARAGRAPH, 0
    if first == "_":
        return _PARAGRAPH, 0
    if line.startswith("<!--"):
        return _COMMENT, 0  # a template's guidance, kept or not yet deleted
    return None, 0  # a quote, other HTML, a fence, a setext underline


def _starts_paragraph(text: str) -> bool:
    """Whether a list item's text (after its marker and one space) is a plain paragraph
    line: not empty, not indented, not a block of its own (a heading, a nested list, ...)."""
    return bool(text) and _line_kind(text, _BLANK)[0] == _PARAGRAPH
