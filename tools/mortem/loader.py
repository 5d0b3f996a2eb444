"""path -> Postmortem or LoadFailure. The only place a postmortem file is read."""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from mortem.body import read_sections
from mortem.config import Config
from mortem.findings import Issue
from mortem.frontmatter import FrontMatter, parse_yaml, split
from mortem.model import Postmortem, Suppressions

# Codes of the problems found while reading; their rule entries live in rules/reading.py.
UNREADABLE = "PM001"
NO_FRONT_MATTER = "PM002"
BAD_YAML = "PM003"

_DIRECTIVE = re.compile(
    r"mortem:\s*(disable|disable-line|disable-next-line)\s+([A-Za-z0-9_, -]+?)\s*(?:-->|$)"
)


@dataclass(frozen=True)
class LoadFailure:
    """A file that could not be read as a postmortem, with the one problem that stopped it."""

    path: Path
    display_path: str
    code: str
    issue: Issue


@dataclass(frozen=True)
class Source:
    """A file's bytes as read, and their text (a byte-order mark is dropped and remembered)."""

    data: bytes
    text: str
    bom: bool


def load(path: Path, config: Config, display_path: str | None = None) -> Postmortem | LoadFailure:
    shown = display_path or str(path)
    source = read_source(path, config, shown)
    if isinstance(source, LoadFailure):
        return source
    return parse(path, shown, source, config)


ReadFront = Callable[[str, int], FrontMatter]  # (front matter text, its first line) -> data


def parse(
    path: Path, shown: str, source: Source, config: Config, read_front: ReadFront | None = None
) -> Postmortem | LoadFailure:
    """The postmortem in a file's text. Depends on nothing but the text and the YAML limits
    in `config`, so its result can be cached by content (mortem.archive does). `read_front`
    reads the front matter as `front_matter` does (mortem.archive's keeps each reading)."""
    text, bom = source.text, source.bom
    parts = split(text)
    if parts.front_matter is None:
        return LoadFailure(
            path,
            shown,
            NO_FRONT_MATTER,
            Issue(
                1,
                1,
                (
                    "no front matter: a postmortem starts with a `---` line, its YAML fields, and "
                    "another `---` line (run `mortem new` for a template)"
                ),
            ),
        )
    if not parts.closed:
        return LoadFailure(
            path,
            shown,
            NO_FRONT_MATTER,
            Issue(1, 1, ("front matter is never closed: add a `---` line after the last field")),
        )
    front = (read_front or partial(front_matter, config))(parts.front_matter, parts.front_matter_line)
    if front.fatal:
        return LoadFailure(path, shown, BAD_YAML, front.problems[0])
    if not isinstance(front.data, dict):
        return LoadFailure(
            path,
            shown,
            BAD_YAML,
            Issue(
                parts.front_matter_line,
                1,
                (
                    "front matter must be a mapping of fields such as `title: ...`, not "
                    f"{type(front.data).__name__}"
                ),
            ),
        )
    issues = [(BAD_YAML, issue) for issue in front.problems]
    if bom:
        issues.append(
            (UNREADABLE, Issue(1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM"))
        )
    sections, headings = read_sections(parts.body, parts.body_line)
    return Postmortem(
        path=path,
        display_path=shown,
        text=text,
        front=front.data,
        positions=front.positions,
        front_matter_line=parts.front_matter_line,
        body_line=parts.body_line,
        sections=sections,
        headings=headings,
        suppressions=_suppressions(text),
        load_issues=tuple(issues),
    )


def text_only(path: Path, shown: str, source: Source) -> Postmortem:
    """The file as the rules that read only its text see it (Rule.text_only): its text and
    its suppression comments, nothing parsed, so a check can run those rules without the
    parse (mortem.text_checks). Those rules find the same in it as in `parse`'s reading
    (tests/unit/test_text_checks.py)."""
    return Postmortem(
        path=path,
        display_path=shown,
        text=source.text,
        front={},
        positions={},
        front_matter_line=1,
        body_line=1,
        sections=(),
        headings=(),
        suppressions=_suppressions(source.text),
    )


def front_matter(config: Config, text: str, first_line: int) -> FrontMatter:
    """The front matter's data with positions, read within `config`'s YAML limits."""
    return parse_yaml(text, first_line, config.max_yaml_depth, config.max_yaml_nodes)


def read_source(path: Path, config: Config, shown: str) -> Source | LoadFailure:
    """The file's bytes and text, or the reason it is not a readable text file (PM001)."""
    data = read_bytes(path, config, shown)
    return data if isinstance(data, LoadFailure) else decode(data, path, shown)


def read_bytes(path: Path, config: Config, shown: str) -> bytes | LoadFailure:
    """The file's bytes, or why mortem does not read them: a symlink out of the repository,
    not a regular file, over `max_file_bytes`, or unreadable. The one gate every read of a
    postmortem goes through (hashing the archive for the cache included)."""

    def fail(message: str) -> LoadFailure:
        return LoadFailure(path, shown, UNREADABLE, Issue(1, 1, message))

    try:
        try:
            info: os.stat_result | None = os.lstat(path)  # a file is one stat; a symlink two
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISLNK(info.st_mode):
            if not _inside(path.resolve(), config.root.resolve()):
                return fail(
                    "symlink points outside the repository; mortem does not follow it, "
                    "so nothing outside the archive gets published"
                )
            try:
                info = path.stat()
            except FileNotFoundError:  # a dangling symlink
                info = None
        if info is None or not stat.S_ISREG(info.st_mode):
            return fail("not a regular file; a postmortem is one Markdown file")
        size = info.st_size
        if size > config.max_file_bytes:
            return fail(
                f"file is {size:,} bytes, over the {config.max_file_bytes:,}-byte limit "
                "(max_file_bytes); a one-page postmortem is a few kilobytes"
            )
        return path.read_bytes()
    except OSError as exc:
        return fail(f"cannot read the file: {exc.strerror or exc}")


def decode(data: bytes, path: Path, shown: str) -> Source | LoadFailure:
    """The text of a postmortem's bytes, or why they are not UTF-8 text."""

    def fail(message: str, line: int = 1, column: int = 1) -> LoadFailure:
        return LoadFailure(path, shown, UNREADABLE, Issue(line, column, message))

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return fail("file is UTF-16; save it as UTF-8")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return fail(
            "file contains a NUL byte (binary data?); a postmortem is UTF-8 text", *_position(data, offset)
        )
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(
            f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8", *_position(data, exc.start)
        )
    if not text.strip():
        return fail("file is empty; run `mortem new` for a template")
    return Source(data, text, bom)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _suppressions(text: str) -> Suppressions:
    whole_file: set[str] = set()
    per_line: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "mortem:" not in line:
            continue
        for kind, names in _DIRECTIVE.findall(line):
            codes = {n for n in re.split(r"[,\s]+", names.strip()) if n}
            if kind == "disable":
                whole_file |= codes
            else:
                target = number if kind == "disable-line" else number + 1
                per_line.setdefault(target, set()).update(codes)
    if not whole_file and not per_line:
        return _NONE  # most files: one shared object, sent once per worker's chunk of copies
    return Suppressions(frozenset(whole_file), {k: frozenset(v) for k, v in per_line.items()})


_NONE = Suppressions()
