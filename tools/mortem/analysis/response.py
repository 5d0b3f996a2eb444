"""How fast the team responds, and what downtime costs: per incident, and per month or quarter.

Pure functions from postmortems and the configuration to plain dataclasses; the durations
are the model's (`Times.time_to_detect` and friends), never recomputed here.

Median and 90th percentile
--------------------------
The median is the middle value (the mean of the two middle values for an even count), as
`statistics.median`. The 90th percentile is nearest-rank: sort the n known values and take
the one at rank ceil(0.9 * n), counting from 1. A small team has a handful of incidents a
quarter, and nearest-rank always answers with a time that really happened ("9 in 10
incidents were detected within this"), where interpolation invents one between two
incidents. With fewer than 10 values it is the slowest one, which is the one to look at.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from mortem.analysis.periods import month_key, quarter_key
from mortem.config import Config
from mortem.model import Postmortem, Times

PERIODS = ("month", "quarter")
MEASURES: dict[str, Callable[[Times], timedelta | None]] = {
    "ttd": lambda t: t.time_to_detect,
    "tta": lambda t: t.time_to_acknowledge,
    "ttm": lambda t: t.time_to_mitigate,
    "ttr": lambda t: t.time_to_resolve,
}


@dataclass(frozen=True)
class IncidentResponse:
    id: str
    date: date
    minutes: dict[str, float | None]  # by MEASURES key; None when a time is missing
    cost_usd: float | None


@dataclass(frozen=True)
class Spread:
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class PeriodResponse:
    period: str  # 2026-03, or 2026-Q1
    count: int
    spreads: dict[str, Spread]  # by MEASURES key
    cost_usd: float | None  # the sum of the known costs


@dataclass(frozen=True)
class ResponseReport:
    by: str
    incidents: tuple[IncidentResponse, ...]
    periods: tuple[PeriodResponse, ...]


def cost_usd(doc: Postmortem, config: Config) -> float | None:
    """What the incident cost: `impact.cost_usd` when a person wrote it, else its duration
    (started to the all-clear, as `Times.duration`) times the cost per minute of its
    services: the sum of the rates of the services that have one, else the overall rate."""
    written = doc.impact.get("cost_usd")
    if written is not None:
        return float(written)
    minutes = _minutes(doc.times.duration)
    rates = [config.service_cost_per_minute[s] for s in doc.services if s in config.service_cost_per_minute]
    rate = sum(rates) if rates else config.cost_per_minute
    if minutes is None or rate is None:
        return None
    return minutes * rate


def incident_response(doc: Postmortem, config: Config) -> IncidentResponse | None:
    """None for an undated postmortem: it cannot be put in a period."""
    day = doc.date or (doc.times.started.date() if doc.times.started else None)
    if day is None:
        return None
    times = doc.times
    minutes = {key: _minutes(measure(times)) for key, measure in MEASURES.items()}
    return IncidentResponse(doc.id, day, minutes, cost_usd(doc, config))


def response_report(
    docs: Iterable[Postmortem], config: Config, since: date | None = None, by: str = "month"
) -> ResponseReport:
    if by not in PERIODS:
        raise ValueError(f"by must be one of {PERIODS}, not {by!r}")
    found = (incident_response(doc, config) for doc in docs)
    incidents = sorted(
        (i for i in found if i is not None and (since is None or i.date >= since)),
        key=lambda i: (i.date, i.id),
    )
    groups: dict[str, list[IncidentResponse]] = {}
    for incident in incidents:
        groups.setdefault(period_of(incident.date, by), []).append(incident)
    periods = tuple(_period(name, members) for name, members in groups.items())
    return ResponseReport(by, tuple(incidents), periods)


def _period(name: str, members: Sequence[IncidentResponse]) -> PeriodResponse:
    spreads = {}
    for key in MEASURES:
        values = [m.minutes[key] for m in members]
        spreads[key] = Spread(median(values), percentile(values, 90))
    costs = [m.cost_usd for m in members if m.cost_usd is not None]
    return PeriodResponse(name, len(members), spreads, sum(costs) if costs else None)


def period_of(day: date, by: str) -> str:
    return quarter_key(day) if by == "quarter" else month_key(day)


def median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def percentile(values: Iterable[float | None], p: int) -> float | None:
    """Nearest-rank percentile of the known values (see the module docstring)."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return None
    rank = max(1, math.ceil(Fraction(p * len(known), 100)))  # exact: no 9.000000001 -> 10
    return known[rank - 1]


def _minutes(span: timedelta | None) -> float | None:
    """Minutes, or None when unknown or negative: times out of order are PM005's finding,
    and a negative duration would drag a median the wrong way."""
    if span is None or span < timedelta(0):
        return None
    return span.total_seconds() / 60
