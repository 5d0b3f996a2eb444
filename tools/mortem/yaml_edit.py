"""Edit a postmortem's front matter in place: replace one scalar, or add one key after another.

Re-dumping the YAML would lose the comments, quoting and key order a person chose, so every
change is a line edit at the position frontmatter.py recorded, applied all at once, and the
result is read back to prove that nothing but the intended values changed. `timeline import
--into` (times_merge.py) and `mortem actions --sync --write` / `--file-issues` share this;
atomic.py then writes the file.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mortem.errors import MortemError
from mortem.frontmatter import parse_yaml, split
from mortem.model import FieldPath, Postmortem

_BLANK_TOKEN = re.compile(r"""(?:"\s*"|'\s*'|null|Null|NULL|~)(?=\s*(?:#.*)?$)""")
_QUOTED = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'""")
_COMMENT = re.compile(r"\s#")


@dataclass
class Edits:
    """Line edits against the original file, indexed from 0: applied all at once, so no
    edit shifts another's line numbers."""

    replace: dict[int, str] = field(default_factory=dict)
    insert_before: dict[int, list[str]] = field(default_factory=dict)

    def insert(self, index: int, line: str) -> None:
        self.insert_before.setdefault(index, []).append(line)

    def apply(self, lines: list[str], newline: str) -> str:
        out: list[str] = []
        for index in range(len(lines) + 1):
            added = self.insert_before.get(index, [])
            if added and out and not out[-1].endswith(("\n", "\r")):
                out[-1] += newline  # the file ended without a newline; the new line needs one
            out.extend(added)
            if index < len(lines):
                out.append(self.replace.get(index, lines[index]))
        return "".join(out)


def content(line: str) -> str:
    return line.rstrip("\r\n")


def ending(line: str, newline: str) -> str:
    return line[len(line.rstrip("\r\n")) :] or newline


def deeper(line: str, indent: int) -> bool:
    """A line that continues the value above it: text indented past `indent`."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and len(line) - len(line.lstrip()) > indent


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def set_value(line: str, column: int, name: str, value: str, newline: str, what: str | None = None) -> str:
    """`line` with the scalar of key `name` replaced by `value` (already YAML text).

    `column` (0-based) is where frontmatter.py placed the value: at it when it is written
    on the key's line; when it is empty, PyYAML places it at its key and libyaml just after
    the colon. A blank value (`""`, `null`, `~`, nothing) becomes `value` as given; a
    written scalar keeps its quoting style. Comments after the value stay. `what` names the
    field in the error, such as `times.started`.
    """
    text, end = content(line), ending(line, newline)
    key = re.compile(rf"{re.escape(name)}\s*:").match(text, column)
    start = key.end() if key else column
    rest = text[start:]
    value_start = len(text) - len(rest.lstrip())
    token = _BLANK_TOKEN.match(text, value_start)
    if token is not None:
        return f"{text[: token.start()]}{value}{text[token.end() :]}{end}"
    if not rest.strip() or rest.lstrip().startswith("#"):  # nothing after the colon
        if not (key or text[:start].rstrip().endswith(":")):
            raise MortemError(f"cannot find the blank value of {what or name}; fill it by hand")
        return f"{text[:start].rstrip()} {value}{rest if rest.strip() else ''}{end}"
    written = _scalar_end(text, value_start)
    if written is None:
        raise MortemError(f"cannot find the value of {what or name} on its line; edit it by hand")
    old = text[value_start:written]
    return f"{text[:value_start]}{_quoted_like(old, value)}{text[written:]}{end}"


def _scalar_end(text: str, start: int) -> int | None:
    """Where the one-line scalar starting at `start` ends (before spaces and a comment)."""
    quoted = _QUOTED.match(text, start)
    if quoted:
        return quoted.end()
    if start >= len(text) or text[start] in "[{|>&*!":
        return None  # flow collections, block scalars, anchors and tags are left to people
    comment = _COMMENT.search(text, start)
    stop = comment.start() if comment else len(text)
    return start + len(text[start:stop].rstrip())


def _quoted_like(old: str, value: str) -> str:
    """A value written as plain YAML text, re-quoted the way the old value was quoted."""
    plain = json.loads(value) if value.startswith('"') else value
    if old.startswith('"'):
        return json.dumps(plain, ensure_ascii=False)
    if old.startswith("'"):
        return "'" + plain.replace("'", "''") + "'"
    return value


def yaml_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as this exact text: plain when it can be."""
    parsed = parse_yaml(f"k: {value}\n", 1, 4, 16)
    if not parsed.problems and parsed.data == {"k": value} and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def replace_scalar(doc: Postmortem, lines: list[str], path: FieldPath, value: str, edits: Edits) -> None:
    """Schedule the value at `path` (a key of a mapping) to become the text `value`."""
    name = path[-1]
    if not isinstance(name, str) or path not in doc.positions:
        raise MortemError(f"no field {_shown(path)} to edit")
    line, column = doc.positions[path]
    index = line - 1
    key_column = _key_column(lines[index], name, column - 1)
    if key_column is None:
        raise MortemError(f"cannot find the key of {_shown(path)}; edit it by hand")
    if index + 1 < len(lines) and deeper(lines[index + 1], key_column):
        raise MortemError(f"{_shown(path)} spans several lines; edit it by hand")
    edits.replace[index] = set_value(
        edits.replace.get(index, lines[index]), column - 1, name, yaml_text(value), newline_of(doc.text)
    )


def insert_after(
    doc: Postmortem, lines: list[str], path: FieldPath, key: str, value: str, edits: Edits
) -> None:
    """Schedule a new line `key: value` right after the field at `path` (and any lines its
    value continues on), indented like that field's key."""
    if path not in doc.positions or not isinstance(path[-1], str):
        raise MortemError(f"no field {_shown(path)} to add `{key}` after")
    line, position = doc.positions[path]
    index = line - 1
    column = _key_column(lines[index], path[-1], position - 1)
    if column is None:
        raise MortemError(f"cannot find the key of {_shown(path)}; add `{key}` by hand")
    while index + 1 < len(lines) and deeper(lines[index + 1], column):
        index += 1
    edits.insert(index + 1, f"{' ' * column}{key}: {yaml_text(value)}{newline_of(doc.text)}")


def last_field(doc: Postmortem, path: FieldPath) -> FieldPath | None:
    """The path of the mapping's field that is written last, to add a key after it."""
    children = [p for p in doc.positions if len(p) == len(path) + 1 and p[: len(path)] == path]
    return max(children, key=lambda p: doc.positions[p]) if children else None


def with_values(front: Mapping[str, Any], values: Mapping[FieldPath, Any]) -> dict[str, Any]:
    """A copy of the front matter data with each path set, for the proof."""
    result: dict[str, Any] = copy.deepcopy(dict(front))
    for path, value in values.items():
        node: Any = result
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return result


def apply_and_prove(doc: Postmortem, lines: list[str], edits: Edits, expected: Mapping[str, Any]) -> str:
    """The edited text, once its front matter reads back exactly as `expected`."""
    text = edits.apply(lines, newline_of(doc.text))
    parts = split(text)
    after = parse_yaml(parts.front_matter or "", parts.front_matter_line, 64, 100_000)
    if parts.front_matter is None or not parts.closed or after.problems or after.data != expected:
        raise MortemError("could not make the change without touching other fields; edit the file by hand")
    if parts.body != split(doc.text).body:
        raise MortemError("the edit reached past the front matter; nothing written (please report this)")
    return text


def _key_column(line: str, name: str, at: int) -> int | None:
    """The column of key `name` on `line`: the last one at or before `at`, the column
    frontmatter.py recorded (the value's, or the key's own when the value is empty)."""
    keys = re.finditer(rf"(?:^|(?<=[\s\-{{,]))({re.escape(name)})\s*:", content(line))
    columns = [m.start(1) for m in keys if m.start(1) <= at]
    return columns[-1] if columns else None


def _shown(path: FieldPath) -> str:
    from mortem.schema import describe_path

    return describe_path(path)
