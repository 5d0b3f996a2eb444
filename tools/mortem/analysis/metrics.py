"""The archive's numbers: time to detect and acknowledge, incidents and action items by month.

Plain data only; `render/charts.py` and `render/site_pages.py` draw it. Every number comes
from the model's fields (the monitor's record in `times`), never from re-reading a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mortem.analysis import response
from mortem.analysis.periods import month_key, quarter_key
from mortem.model import Postmortem

# A trailing window: the median of the last five incidents moves with the team's habits
# without one slow night dominating it.
ROLLING_WINDOW = 5


@dataclass(frozen=True)
class IncidentTimes:
    id: str
    title: str | None
    date: date
    time_to_detect: timedelta | None
    time_to_acknowledge: timedelta | None
    duration: timedelta | None


@dataclass(frozen=True)
class MonthActions:
    month: str  # YYYY-MM
    opened: int
    closed: int


@dataclass(frozen=True)
class Summary:
    """The home page's counts at a glance."""

    incidents: int
    incidents_this_quarter: int
    quarter: str
    median_time_to_detect: timedelta | None
    median_time_to_acknowledge: timedelta | None


def dated(docs: Iterable[Postmortem]) -> list[Postmortem]:
    """Postmortems with a date, oldest first (an undated one cannot be placed on a chart)."""
    return sorted((d for d in docs if d.date is not None), key=lambda d: (d.date, d.id))


def incident_times(docs: Iterable[Postmortem]) -> list[IncidentTimes]:
    result = []
    for doc in dated(docs):
        assert doc.date is not None  # dated() keeps only these
        times = doc.times
        result.append(
            IncidentTimes(
                doc.id, doc.title, doc.date, times.time_to_detect, times.time_to_acknowledge, times.duration
            )
        )
    return result


def median(values: Iterable[timedelta | None]) -> timedelta | None:
    """The median duration: the same median `mortem metrics` reports, on durations."""
    seconds = response.median(v.total_seconds() if v is not None else None for v in values)
    return None if seconds is None else timedelta(seconds=seconds)


def rolling_median(
    values: Sequence[timedelta | None], window: int = ROLLING_WINDOW
) -> list[timedelta | None]:
    """For each position, the median of the known values among the last `window` ones."""
    return [median(values[max(0, i + 1 - window) : i + 1]) for i in range(len(values))]


def months_between(first: date, last: date) -> list[str]:
    """Every month from `first` to `last` inclusive, so quiet months show as zero."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter from `first` to `last` inclusive, quiet ones too."""
    quarters = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while (year, quarter) <= (last.year, (last.month - 1) // 3 + 1):
        quarters.append(f"{year:04d}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return quarters


def per_quarter(days: Sequence[date], today: date) -> list[tuple[str, int]]:
    """Counts per quarter from the first day's quarter to today's, so a pattern that went
    quiet shows its quiet quarters (and one that came back shows the gap)."""
    if not days:
        return []
    counts = Counter(quarter_key(day) for day in days)
    return [(q, counts[q]) for q in quarters_between(min(days), max(today, *days))]


def incidents_per_month(docs: Iterable[Postmortem], today: date) -> list[tuple[str, int]]:
    days = [d.date for d in dated(docs) if d.date is not None]
    if not days:
        return []
    counts = Counter(month_key(day) for day in days)
    return [(m, counts[m]) for m in months_between(days[0], max(today, days[-1]))]


def actions_per_month(docs: Iterable[Postmortem], today: date) -> list[MonthActions]:
    """Items opened (the postmortem's month) against items closed (their `closed` month).

    Done and dropped items both count as closed: dropping an item out loud is a decision,
    which is what follow-through asks for. A closed item without a `closed` day is left out
    of the closed column because it has no month.
    """
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    days: list[date] = []
    for doc in dated(docs):
        assert doc.date is not None
        for item in doc.action_items:
            opened[month_key(doc.date)] += 1
            days.append(doc.date)
            if not item.is_open and item.closed is not None:
                closed[month_key(item.closed)] += 1
                days.append(item.closed)
    if not days:
        return []
    months = months_between(min(days), max(today, *days))
    return [MonthActions(m, opened[m], closed[m]) for m in months]


def summary(docs: Sequence[Postmortem], today: date) -> Summary:
    this_quarter = quarter_key(today)
    times = incident_times(docs)
    return Summary(
        incidents=len(docs),
        incidents_this_quarter=sum(1 for t in times if quarter_key(t.date) == this_quarter),
        quarter=this_quarter,
        median_time_to_detect=median(t.time_to_detect for t in times),
        median_time_to_acknowledge=median(t.time_to_acknowledge for t in times),
    )
