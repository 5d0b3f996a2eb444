"""The one typed reading of a postmortem that every rule, report and page works from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from mortem.findings import Issue

FieldPath = tuple[str | int, ...]

SECTION_TITLES = (
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "What went well",
    "What was hard",
)
TIME_FIELDS = ("started", "detected", "acknowledged", "mitigated", "resolved")
ID_PATTERN = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass(frozen=True)
class Times:
    """The incident's clock from the front matter `times` (None where absent or unreadable)."""

    started: datetime | None = None
    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None

    @property
    def time_to_detect(self) -> timedelta | None:
        return _between(self.started, self.detected)

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return _between(self.detected, self.acknowledged)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return _between(self.started, self.mitigated)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return _between(self.started, self.resolved)

    @property
    def duration(self) -> timedelta | None:
        """How long it lasted: to the all-clear, or to mitigation when that is all we know."""
        return _between(self.started, self.resolved or self.mitigated)


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None:
        return None
    return end - start


@dataclass(frozen=True)
class RootCause:
    """One entry of `root_causes`, by its position in the list."""

    index: int
    category: str | None
    kind: str | None
    summary: str | None


@dataclass(frozen=True)
class ActionItem:
    """One entry of `action_items`, by its position in the list."""

    index: int
    title: str | None
    bucket: str | None
    owner: str | None
    due: date | None
    link: str | None
    status: str | None
    closed: date | None
    reason: str | None

    @property
    def is_open(self) -> bool:
        return self.status in (None, "open")


# What a draft may hold in `link` until the issue is filed: the same set as the schema's
# `link` pattern (schema/postmortem.schema.json), which a test keeps in step.
_PLACEHOLDER = re.compile(r"#|[Tt][Bb][Dd]|[Tt][Oo][Dd][Oo]|\s*")


def is_placeholder_link(link: str | None) -> bool:
    """True for a link that stands for "no issue filed yet": empty, `TBD`, `TODO` or `#`."""
    return link is None or _PLACEHOLDER.fullmatch(link) is not None


def owner_key(owner: str) -> str:
    """One person however their name is spaced or capitalised, so their items add up."""
    return " ".join(owner.split()).casefold()


@dataclass(frozen=True)
class SourceLine:
    """A line of the file and its 1-based number, as findings report it."""

    number: int
    text: str


@dataclass(frozen=True)
class ListItem:
    """A top-level list item: its first line's number and its text without the marker."""

    line: int
    text: str


@dataclass(frozen=True)
class Section:
    """An H2 section of the body: its lines, top-level list items and readable prose."""

    title: str
    line: int
    lines: tuple[SourceLine, ...]
    items: tuple[ListItem, ...]
    prose: str  # the section's text without comments, code and Markdown punctuation

    @property
    def is_empty(self) -> bool:
        return not self.prose.strip()

    @property
    def words(self) -> int:
        return len(re.findall(r"[\w’'-]+", self.prose))


@dataclass(frozen=True)
class TimelineEntry:
    """One bullet of the Timeline, with the moment it begins with when it has one."""

    line: int
    text: str
    at: datetime | None  # None when the bullet does not begin with a time


@dataclass(frozen=True)
class Suppressions:
    """`<!-- mortem: disable CODE -->` for the file, `disable-line`/`disable-next-line` for lines."""

    file: frozenset[str] = frozenset()
    lines: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def hides(self, code: str, name: str, line: int) -> bool:
        here = self.lines.get(line, frozenset())
        return bool({code, name, "all"} & (self.file | here))


@dataclass(frozen=True)
class Postmortem:
    """One postmortem read once: front matter with positions, sections, and typed views."""

    path: Path
    display_path: str
    text: str
    front: Mapping[str, Any]
    positions: Mapping[FieldPath, tuple[int, int]]
    front_matter_line: int
    body_line: int
    sections: tuple[Section, ...]
    headings: tuple[SourceLine, ...]  # every H2, including unknown ones, in order
    suppressions: Suppressions
    load_issues: tuple[tuple[str, Issue], ...] = ()  # (rule code, issue) found while loading

    @cached_property
    def id(self) -> str:
        return self.path.stem  # asked for per pair by the archive-wide analyses: kept

    # Typed views of the front matter. They are lenient (None when a value has the wrong
    # type) because the schema rule reports types; other rules then skip what is missing.
    @cached_property
    def title(self) -> str | None:
        return _text(self.front.get("title"))

    @cached_property
    def date(self) -> date | None:
        return parse_day(self.front.get("date"))

    @cached_property
    def status(self) -> str | None:
        return _text(self.front.get("status"))

    @cached_property
    def severity(self) -> str | None:
        return _text(self.front.get("severity"))

    @cached_property
    def services(self) -> tuple[str, ...]:
        return _texts(self.front.get("services"))

    @cached_property
    def authors(self) -> tuple[str, ...]:
        return _texts(self.front.get("authors"))

    @cached_property
    def why(self) -> tuple[str, ...]:
        return _texts(self.front.get("why"))

    @cached_property
    def trigger(self) -> str | None:
        return _text(self.front.get("trigger"))

    @cached_property
    def related(self) -> tuple[str, ...]:
        return _texts(self.front.get("related"))

    @cached_property
    def impact(self) -> dict[str, float]:
        raw = self.front.get("impact")
        if not isinstance(raw, dict):
            return {}
        return {k: v for k, v in raw.items() if _is_number(v)}

    @cached_property
    def times(self) -> Times:
        raw = self.front.get("times")
        raw = raw if isinstance(raw, dict) else {}
        return Times(**{name: parse_instant(raw.get(name)) for name in TIME_FIELDS})

    @cached_property
    def root_causes(self) -> tuple[RootCause, ...]:
        return tuple(
            RootCause(i, _text(rc.get("category")), _text(rc.get("kind")), _text(rc.get("summary")))
            for i, rc in _mappings(self.front.get("root_causes"))
        )

    @cached_property
    def action_items(self) -> tuple[ActionItem, ...]:
        return tuple(
            ActionItem(
                index=i,
                title=_text(item.get("title")),
                bucket=_text(item.get("bucket")),
                owner=_text(item.get("owner")),
                due=parse_day(item.get("due")),
                link=_text(item.get("link")),
                status=_text(item.get("status")),
                closed=parse_day(item.get("closed")),
                reason=_text(item.get("reason")),
            )
            for i, item in _mappings(self.front.get("action_items"))
        )

    def section(self, title: str) -> Section | None:
        for section in self.sections:
            if section.title.casefold() == title.casefold():
                return section
        return None

    @cached_property
    def timeline(self) -> tuple[TimelineEntry, ...]:
        from mortem.timeline import entries

        section = self.section("Timeline")
        return entries(section, self.date, self.times.started) if section else ()

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """The line and column of a front matter field, or of its nearest present parent."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return (max(self.front_matter_line - 1, 1), 1)

    def at(self, path: FieldPath, message: str) -> Issue:
        line, column = self.locate(path)
        return Issue(line, column, message)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_instant(value: Any) -> datetime | None:
    """A timezone-aware ISO 8601 time, or None (naive times are ambiguous, so rejected)."""
    if not isinstance(value, str) or not _INSTANT.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _mappings(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
