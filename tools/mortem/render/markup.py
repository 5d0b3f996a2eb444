"""Small Markdown and HTML helpers for the site's pages: escaping, tables, links, durations.

Every value that comes from a postmortem's front matter goes through `text()` (Markdown
context) or `html_text()` (raw HTML or SVG context), so a title holding `<script>` or
`**` renders as those characters, never as markup.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache

DASH = "—"

# Characters Python-Markdown (and any CommonMark reader) may treat as syntax anywhere in a
# line. They become numeric character references, which every Markdown renderer passes
# through untouched and every browser shows as the character itself.
_INLINE_SYNTAX = frozenset("\\`*_{}[]()#!|~<>&\"'$^")
# Characters that are syntax only at the start of a line or list item (bullets, quotes,
# setext underlines, definition lists).
_LEADING_SYNTAX = frozenset("-+=.:>")
_ORDERED_MARKER = re.compile(r"^(\d+)([.)])")


def _entity(ch: str) -> str:
    return f"&#{ord(ch)};"


_INLINE_ENTITIES = {ord(ch): _entity(ch) for ch in _INLINE_SYNTAX}


def text(value: object) -> str:
    """Plain text made safe to drop into a Markdown line or table cell."""
    raw = " ".join(str(value).split())  # newlines would end a table row or a list item
    out = raw.translate(_INLINE_ENTITIES)
    if raw and raw[0] in _LEADING_SYNTAX and raw[0] not in _INLINE_SYNTAX:
        out = _entity(raw[0]) + out[1:]
    ordered = _ORDERED_MARKER.match(raw)
    if ordered and ordered.group(2) not in _INLINE_SYNTAX:
        # The digits before the marker are never escaped, so it sits at the same place.
        position = len(ordered.group(1))
        out = out[:position] + _entity(ordered.group(2)) + out[position + 1 :]
    return out


def html_text(value: object) -> str:
    """Plain text made safe for raw HTML and SVG (element content and attribute values)."""
    return html.escape(str(value), quote=True)


def html_line(value: object) -> str:
    """`html_text` on one line: a blank line would end a raw HTML block early."""
    return html_text(" ".join(str(value).split()))


def link(label: str, target: str, here: str) -> str:
    """A Markdown link from page `here` to page `target` (both relative to the docs folder),
    so MkDocs checks it and any other Markdown site generator resolves it the same way."""
    return f"[{text(label)}]({relative(target, here)})"


def relative(target: str, here: str) -> str:
    return _relative(target, posixpath.dirname(here) or ".")


# The list pages link the same few hundred targets from a handful of folders thousands of
# times, and relpath normalises both paths on every call.
@lru_cache(maxsize=65536)
def _relative(target: str, folder: str) -> str:
    """posixpath.relpath(target, folder). For the plain paths the site links (relative,
    with no `.`, `..` or empty parts), without making both absolute first: relpath asks the
    system for the working folder twice a call, which was half of what the archive lists
    cost at 10,000 postmortems. Both paths sit under the same working folder, which drops
    out of the comparison, so the result is the same."""
    to, start = _plain_parts(target), _plain_parts(folder)
    if to is None or start is None:
        return posixpath.relpath(target, folder)
    shared = 0
    for mine, theirs in zip(start, to, strict=False):
        if mine != theirs:
            break
        shared += 1
    return "/".join([".."] * (len(start) - shared) + to[shared:]) or "."


def _plain_parts(path: str) -> list[str] | None:
    """The folders and name of a plain relative path ("." has none), or None."""
    if path == ".":
        return []
    parts = path.split("/")
    return None if any(part in ("", ".", "..") for part in parts) else parts


def external_link(url: str | None, label: str | None = None) -> str:
    """A link to a tracker or other site; only http(s) URLs become links. The result is
    safe in Markdown and in raw HTML alike."""
    if not url:
        return DASH
    if not re.match(r"^https?://", url):
        return text(url)
    shown = label or _short_url(url)
    return f'<a href="{html_text(url)}">{html_text(shown)}</a>'


def _short_url(url: str) -> str:
    number = re.search(r"/(\d+)/?$", url)
    return f"#{number.group(1)}" if number else re.sub(r"^https?://", "", url)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped (they may hold links)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(cell or DASH for cell in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def duration(value: timedelta | None) -> str:
    if value is None:
        return DASH
    minutes = round(value.total_seconds() / 60)
    if minutes < 0:
        return f"-{duration(-value)}"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def day(value: date | None) -> str:
    return value.isoformat() if value else DASH


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def hide(parts: Sequence[str], markdown: str, searchable: bool = True) -> str:
    """Front matter asking the theme to hide parts of the page chrome (Material's and
    Zensical's `hide`): the sections are single pages, so their sidebar only takes room
    from wide tables. With `searchable` false, the page is also left out of the search index
    (`search.exclude`). Other generators ignore both keys."""
    listed = "".join(f"  - {part}\n" for part in parts)
    search = "" if searchable else "search:\n  exclude: true\n"
    return f"---\nhide:\n{listed}{search}---\n\n{markdown}"


def slug(value: str) -> str:
    """A file-name-safe form of a service or severity name."""
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-") or "unnamed"
