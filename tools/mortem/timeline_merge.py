"""An import rendered (text or JSON), or merged into a postmortem's `times` and Timeline.

The merge keeps everything a person wrote. Imported bullets end with an `imported` marker
and go between the hand-written ones by time; a bullet already imported is not added again.
Clock times are written the way timeline.py reads them: in the offset of `times.started`,
with the date only when the day changes. Every other byte of the file stays as it was,
which the merge proves by reading the result back before anyone writes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from mortem.errors import MortemError
from mortem.frontmatter import parse_yaml, split
from mortem.integrations.monitoring.events import Event, Import
from mortem.model import SECTION_TITLES, TIME_FIELDS, Postmortem, Section, TimelineEntry
from mortem.timeline import entries, leading_time
from mortem.times_merge import Edits, Kept, fill_times, is_blank

MARKER = re.compile(r"\s*<!-- imported: (?P<source>[a-z0-9-]+) -->\s*$")
_GENERATED_TIME = re.compile(r"^(?:\d{4}-\d{2}-\d{2} )?\d{1,2}:\d{2}\s+")


def marker(source: str) -> str:
    return f" <!-- imported: {source} -->"


# -- Rendering an import on its own ------------------------------------------------------


def render_json(imported: Import, zone: tzinfo) -> str:
    times = {name: _iso(getattr(imported.times, name), zone) for name in TIME_FIELDS}
    events = [
        {"at": _iso(e.at, zone), "kind": e.kind, "text": e.text, "source": e.source} for e in imported.events
    ]
    return json.dumps({"times": times, "events": events}, indent=2, ensure_ascii=False) + "\n"


def render_text(imported: Import, zone: tzinfo, zone_name: str) -> str:
    lines = ["times:"]
    for name in TIME_FIELDS:
        value = _iso(getattr(imported.times, name), zone)
        lines.append(f"  {name}: {value}" if value else f'  {name}: ""  # not in this export')
    lines += ["", "## Timeline", f"All times {zone_name}.", ""]
    started = imported.times.started
    day = started.astimezone(zone).date() if started else None
    for prefix, event in zip(clock_prefixes(imported.events, zone, day), imported.events, strict=True):
        lines.append(f"- {prefix} {event.text}")
    if not imported.events:
        lines.append("<!-- the export has no events -->")
    return "\n".join(lines) + "\n"


def clock_prefixes(events: tuple[Event, ...], zone: tzinfo, day: date | None) -> list[str]:
    """`HH:MM`, or `YYYY-MM-DD HH:MM` when the day differs from the one before."""
    result = []
    for event in events:
        local = event.at.astimezone(zone)
        result.append(f"{local:%H:%M}" if local.date() == day else f"{local:%Y-%m-%d %H:%M}")
        day = local.date()
    return result


def _iso(moment: datetime | None, zone: tzinfo) -> str | None:
    return moment.astimezone(zone).replace(microsecond=0).isoformat() if moment else None


# -- Merging into a postmortem -----------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    text: str
    filled: tuple[str, ...]  # such as "times.detected"
    kept: tuple[Kept, ...]  # times a person wrote, left as they are
    added: int  # timeline bullets added
    already: int  # imported bullets that were there from an earlier import


def merge(doc: Postmortem, imported: Import, zone: tzinfo) -> Merge:
    """The postmortem's new text. `zone` is for the times when the postmortem has no
    `times.started` yet; once it has one, its offset rules (that is how clocks are read)."""
    lines = doc.text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in doc.text else "\n"
    if doc.times.started:
        zone = _fixed(doc.times.started)  # a written start sets the offset its clocks are read in
    started = _merged_started(doc, imported)
    values = {name: _in(getattr(imported.times, name), zone) for name in TIME_FIELDS}
    edits = Edits()
    filled, kept = fill_times(doc, lines, {k: v for k, v in values.items() if v}, edits, newline)
    reading_zone = _fixed(started.astimezone(zone)) if started else zone
    added, already = _merge_bullets(doc, lines, imported.events, edits, reading_zone, started, newline)
    text = edits.apply(lines, newline)
    _prove_untouched(doc, text, filled)
    return Merge(text, tuple(f"times.{name}" for name in filled), tuple(kept), added, already)


def _merged_started(doc: Postmortem, imported: Import) -> datetime | None:
    raw = doc.front.get("times")
    written = raw.get("started") if isinstance(raw, dict) else None
    if doc.times.started or not is_blank(written):
        return doc.times.started  # a person's value, even one mortem cannot read, wins
    return imported.times.started


def _fixed(moment: datetime) -> timezone:
    """The fixed offset timeline.py reads clocks in: that of `times.started` as written."""
    return timezone(moment.utcoffset() or timedelta(0))


def _in(moment: datetime | None, zone: tzinfo) -> datetime | None:
    return moment.astimezone(zone) if moment else None


def _merge_bullets(
    doc: Postmortem,
    lines: list[str],
    events: tuple[Event, ...],
    edits: Edits,
    zone: tzinfo,
    started: datetime | None,
    newline: str,
) -> tuple[int, int]:
    section = doc.section("Timeline")
    first_day = doc.date or (started.astimezone(zone).date() if started else None)
    if first_day is None and events:
        first_day = events[0].at.astimezone(zone).date()
    carrier = started.astimezone(zone) if started else datetime.combine(first_day or date.min, time(), zone)
    existing = entries(section, first_day, carrier) if section else ()
    done = {_imported_key(entry) for entry in existing} - {None}
    new = [e for e in events if (_minute(e.at, zone), e.text, e.source) not in done]
    if not new:
        return 0, len(events)
    if section is None:
        _new_section(doc, lines, new, edits, zone, first_day, newline)
        return len(new), len(events) - len(new)
    bullet = _bullet_start(lines, existing)
    places = _places(lines, section, existing, new, zone)
    texts = _prefixed(lines, existing, places, first_day, zone)
    after = lines[places[0][0] - 1].strip() if not existing else ""
    if after and not after.startswith(("<!--", "#")):
        edits.insert(places[0][0], newline)  # a new list after a paragraph reads better apart
    for index, event in places:
        edits.insert(index, f"{bullet}{texts[id(event)]} {event.text}{marker(event.source)}{newline}")
    return len(new), len(events) - len(new)


def _imported_key(entry: TimelineEntry) -> tuple[datetime, str, str] | None:
    found = MARKER.search(entry.text)
    if found is None or entry.at is None:
        return None
    body = _GENERATED_TIME.sub("", entry.text[: found.start()], count=1).strip()
    return (entry.at, body, found["source"])


def _minute(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(zone).replace(second=0, microsecond=0)


def _bullet_start(lines: list[str], existing: tuple[TimelineEntry, ...]) -> str:
    """The first bullet's indent and marker (`- `, `* `), so new lines match the list."""
    if existing:
        found = re.match(r"^(\s*[-*+]\s)", lines[existing[0].line - 1])
        if found:
            return found[1]
    return "- "


def _places(
    lines: list[str],
    section: Section,
    existing: tuple[TimelineEntry, ...],
    new: list[Event],
    zone: tzinfo,
) -> list[tuple[int, Event]]:
    """(line index to insert before, event): after the last bullet at or before its time."""
    last_line = section.lines[-1].number if section.lines else section.line
    ends = [
        _item_end(lines, entry.line, (existing[i + 1].line - 1) if i + 1 < len(existing) else last_line)
        for i, entry in enumerate(existing)
    ]
    timed = [i for i, entry in enumerate(existing) if entry.at is not None]
    places = []
    for event in new:
        moment = _minute(event.at, zone)
        before = [i for i in timed if existing[i].at <= moment]  # type: ignore[operator]  # timed
        if before:
            index = ends[before[-1]]  # 1-based end line == 0-based index of the line after
        elif timed:
            index = existing[timed[0]].line - 1
        elif existing:
            index = ends[-1]
        else:
            index = _last_text_line(lines, section)
        places.append((index, event))
    return places


def _item_end(lines: list[str], start: int, limit: int) -> int:
    """The last line (1-based) of the list item starting at `start`: its lazy or indented
    continuation lines, but not blank lines or a paragraph after the list."""
    end = start
    for number in range(start + 1, limit + 1):
        text = lines[number - 1]
        if not text.strip():
            continue
        indented = text[:1] in (" ", "\t")
        if indented or number == end + 1:
            end = number
        else:
            break
    return end


def _last_text_line(lines: list[str], section: Section) -> int:
    last = section.line
    for source in section.lines:
        if source.text.strip():
            last = source.number
    return last


def _prefixed(
    lines: list[str],
    existing: tuple[TimelineEntry, ...],
    places: list[tuple[int, Event]],
    day: date | None,
    zone: tzinfo,
) -> dict[int, str]:
    """Read the merged list as timeline.py will: choose each new bullet's prefix, and refuse
    if a new dated bullet would move the day a hand-written bullet is read on."""
    starts = {entry.line - 1: entry for entry in existing}
    inserted: dict[int, list[Event]] = {}
    for index, event in places:
        inserted.setdefault(index, []).append(event)
    prefixes: dict[int, str] = {}
    for index in range(len(lines) + 1):
        for event in inserted.get(index, []):
            local = event.at.astimezone(zone)
            prefixes[id(event)] = f"{local:%H:%M}" if local.date() == day else f"{local:%Y-%m-%d %H:%M}"
            day = local.date()
        entry = starts.get(index)
        if entry is not None:
            at = leading_time(entry.text, day, zone)
            if at != entry.at:
                when = f" ({entry.at:%Y-%m-%d %H:%M})" if entry.at else ""
                raise MortemError(
                    f"line {entry.line}: an imported bullet on another day would change the day this "
                    f"bullet is read on; write its date{when} and import again"
                )
            day = at.date() if at else day
    return prefixes


def _new_section(
    doc: Postmortem,
    lines: list[str],
    new: list[Event],
    edits: Edits,
    zone: tzinfo,
    day: date | None,
    newline: str,
) -> None:
    """No Timeline yet: add one where the one-page template has it."""
    later = SECTION_TITLES[SECTION_TITLES.index("Timeline") + 1 :]
    following = [s.line for s in doc.sections if s.title in later]
    bullets = [
        f"- {prefix} {event.text}{marker(event.source)}{newline}"
        for prefix, event in zip(clock_prefixes(tuple(new), zone, day), new, strict=True)
    ]
    if following:  # before the next section's heading, with a blank line to separate them
        block = [f"## Timeline{newline}", *bullets, newline]
        index = min(following) - 1
    else:
        block = ([newline] if lines and lines[-1].strip() else []) + [f"## Timeline{newline}", *bullets]
        index = len(lines)
    for line in block:
        edits.insert(index, line)


def _prove_untouched(doc: Postmortem, text: str, filled: dict[str, str]) -> None:
    """The edited front matter must read as the old one plus the filled times, nothing else."""
    broken = "editing the times broke the front matter; nothing written (please report this)"
    parts = split(text)
    if parts.front_matter is None or not parts.closed:
        raise MortemError(broken)
    after = parse_yaml(parts.front_matter, parts.front_matter_line, 64, 100_000).data
    if not isinstance(after, dict):
        raise MortemError(broken)
    expected = dict(doc.front)
    if filled:
        old_times = doc.front.get("times")
        expected["times"] = {**(old_times if isinstance(old_times, dict) else {}), **filled}
    if after != expected:
        raise MortemError("could not fill `times` without changing other fields; fill them by hand")
