"""Timeline bullets: the time each one starts with, resolved to a datetime for ordering."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

from mortem.model import Section, TimelineEntry

# `14:02`, `14:02:30`, `2026-03-05 00:10`, `2026-03-05T00:10:00+01:00`, optionally in bold
# or code, optionally followed by a zone word (UTC, Z) that the heading usually states.
_LEADING_TIME = re.compile(
    r"""^[*_`]{0,2}
    (?:(?P<day>\d{4}-\d{2}-\d{2})[T\s])?
    (?P<clock>\d{1,2}:\d{2}(?::\d{2})?)
    (?P<offset>Z|[+-]\d{2}:?\d{2})?
    [*_`]{0,2}
    (?:\s|$|[:.,;)\]-])""",
    re.VERBOSE,
)


def leading_time(text: str, current_day: date | None, zone: tzinfo | None) -> datetime | None:
    """The moment a bullet starts with; a clock alone is read on `current_day`."""
    match = _LEADING_TIME.match(text)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["day"]) if match["day"] else current_day
        clock = time.fromisoformat(match["clock"].zfill(5) if len(match["clock"]) == 4 else match["clock"])
    except ValueError:
        return None
    if day is None:
        day = date(1970, 1, 1)  # no date known: the order of clocks still counts
    moment = datetime.combine(day, clock)
    if match["offset"]:
        offset = match["offset"].replace("Z", "+00:00")
        if ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        moment = datetime.fromisoformat(moment.isoformat() + offset)
        return moment.astimezone(zone) if zone else moment.replace(tzinfo=None)
    return moment.replace(tzinfo=zone) if zone else moment


def entries(section: Section, day: date | None, started: datetime | None) -> tuple[TimelineEntry, ...]:
    """Read each top-level bullet; a bullet with a full date moves the day for later clocks."""
    zone = started.tzinfo if started else None
    current_day = day or (started.date() if started else None)
    result = []
    for item in section.items:
        at = leading_time(item.text, current_day, zone)
        if at is not None:
            current_day = at.date()
        result.append(TimelineEntry(item.line, item.text, at))
    return tuple(result)
