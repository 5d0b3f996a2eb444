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


def text(value: object) -> str:
    """Plain text made safe to drop into a Markdown line or table cell."""
    raw = " ".join(str(value).split())  # newlines would end a table row or a list item
    out = [_entity(ch) if ch in _INLINE_SYNTAX else ch for ch in raw]
    if out and raw[0] in _LEADING_SYNTAX:
        out[0] = _entity(raw[0])
    ordered = _ORDERED_MARKER.match(raw)
    if ordered:
        position = len(ordered.group(1))
        out[position] = _entity(ordered.group(2))
    return "".join(out)


def html_text(value: object) -> str:
    """Plain text made safe for raw HTML and SVG (element content and attribute values)."""
    return html.escape(str(value), quote=True)


def link(label: str, target: str, here: str) -> str:
    """A Markdown link from page `here` to page `target` (both relative to the docs folder),
    so MkDocs checks it and any other Markdown site generator resolves it the same way."""
    return f"[{text(label)}]({relative(target, here)})"


def relative(target: str, here: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def external_link(url: str | None, label: str | None = None) -> str:
    """A link to a tracker or other site; only http(s) URLs become links."""
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


def hide(parts: Sequence[str], markdown: str) -> str:
    """Front matter asking the theme to hide parts of the page chrome (Material's and
    Zensical's `hide`): the sections are single pages, so their sidebar only takes room
    from wide tables. Other generators ignore the key."""
    listed = "".join(f"  - {part}\n" for part in parts)
    return f"---\nhide:\n{listed}---\n\n{markdown}"


def slug(value: str) -> str:
    """A file-name-safe form of a service or severity name."""
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-") or "unnamed"
