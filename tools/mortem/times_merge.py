"""Fill the missing `times` of a postmortem's front matter by editing its text in place.

Re-dumping the YAML would lose the comments, quoting and key order a person chose, so each
change is a one-line edit at the position frontmatter.py recorded: a blank value (`""`,
`null`, `~` or nothing) gets the time, a missing key gets a line among its siblings, a
missing `times` block goes at the end of the front matter. A value a person wrote is never
touched, even one mortem cannot read. The caller re-parses the result to prove nothing else
moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mortem.errors import MortemError
from mortem.model import TIME_FIELDS, Postmortem

# The line edits live in yaml_edit.py, shared with `mortem actions --sync --write` and
# `--file-issues`.
from mortem.yaml_edit import Edits, set_value
from mortem.yaml_edit import content as _content
from mortem.yaml_edit import deeper as _deeper
from mortem.yaml_edit import ending as _ending

__all__ = ["Edits", "Kept", "fill_times", "is_blank"]

_TIMES_LINE = re.compile(r"^(?P<indent>\s*)times\s*:\s*(?P<value>[^#]*?)\s*(?P<comment>#.*)?$")


@dataclass(frozen=True)
class Kept:
    field: str
    written: str  # as the person wrote it
    imported: str


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def fill_times(
    doc: Postmortem, lines: list[str], values: dict[str, datetime], edits: Edits, newline: str
) -> tuple[dict[str, str], list[Kept]]:
    """Schedule edits that fill each missing time from `values`; returns (filled, kept)."""
    raw = doc.front.get("times")
    present = raw if isinstance(raw, dict) else {}
    wanted = {name: _iso(values[name]) for name in TIME_FIELDS if values.get(name) is not None}
    kept = [
        Kept(name, str(present[name]), value)
        for name, value in wanted.items()
        if name in present and not is_blank(present[name])
    ]
    todo = {name: value for name, value in wanted.items() if name not in present or is_blank(present[name])}
    if not todo:
        return {}, kept
    if "times" not in doc.front:
        _add_block(doc, todo, edits, newline)
    elif not present:
        _fill_empty_block(doc, lines, raw, todo, edits, newline)
    else:
        _fill_block(doc, lines, present, todo, edits, newline)
    return todo, kept


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _add_block(doc: Postmortem, todo: dict[str, str], edits: Edits, newline: str) -> None:
    closing = doc.body_line - 2  # the `---` line that ends the front matter
    edits.insert(closing, f"times:{newline}")
    for name, value in todo.items():
        edits.insert(closing, f"  {name}: {value}{newline}")


def _fill_empty_block(
    doc: Postmortem, lines: list[str], raw: Any, todo: dict[str, str], edits: Edits, newline: str
) -> None:
    index = doc.positions[("times",)][0] - 1
    match = _TIMES_LINE.match(_content(lines[index]))
    if raw not in (None, {}) or match is None or match["value"] not in ("", "{}", "null", "~"):
        raise MortemError("`times` is not a mapping of started, detected, ...; fix it by hand, then import")
    comment = f"  {match['comment']}" if match["comment"] else ""
    edits.replace[index] = f"{match['indent']}times:{comment}{_ending(lines[index], newline)}"
    for name, value in todo.items():
        edits.insert(index + 1, f"{match['indent']}  {name}: {value}{newline}")


def _fill_block(
    doc: Postmortem,
    lines: list[str],
    present: dict[str, Any],
    todo: dict[str, str],
    edits: Edits,
    newline: str,
) -> None:
    index = doc.positions[("times",)][0] - 1
    match = _TIMES_LINE.match(_content(lines[index]))
    if match is None or match["value"]:
        raise MortemError(
            "`times` is written in flow style ({...}); write one field per line to let mortem fill it"
        )
    sibling = doc.positions[("times", next(iter(present)))][0] - 1
    indent = re.match(r"\s*", lines[sibling])[0]  # type: ignore[index]  # always matches
    for name, value in todo.items():
        if name in present:
            line, column = doc.positions[("times", name)]
            edits.replace[line - 1] = _set_value(lines[line - 1], column - 1, name, value, newline)
        else:
            edits.insert(_slot(doc, lines, present, name), f"{indent}{name}: {value}{newline}")


def _set_value(line: str, column: int, name: str, value: str, newline: str) -> str:
    """Put `value` where the blank one is (only blank times are ever filled)."""
    return set_value(line, column, name, value, newline, what=f"times.{name}")


def _slot(doc: Postmortem, lines: list[str], present: dict[str, Any], name: str) -> int:
    """Where a missing key goes: after the time before it, else before the time after it."""
    order = TIME_FIELDS.index(name)
    before = [f for f in TIME_FIELDS[:order] if f in present]
    if before:
        index = doc.positions[("times", before[-1])][0] - 1
        indent = len(lines[index]) - len(lines[index].lstrip())
        while index + 1 < len(lines) and _deeper(lines[index + 1], indent):
            index += 1  # a value continued on the next lines
        return index + 1
    after = [f for f in TIME_FIELDS[order + 1 :] if f in present]
    if after:
        return doc.positions[("times", after[0])][0] - 1
    return doc.positions[("times",)][0]  # only unknown keys: first in the block
