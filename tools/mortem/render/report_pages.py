"""The cross-postmortem reports as Markdown: the pattern report and the metrics page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from mortem.analysis.actions import BUCKETS
from mortem.analysis.metrics import (
    IncidentTimes,
    MonthActions,
    per_quarter,
    rolling_median,
)
from mortem.analysis.periods import quarter_key
from mortem.analysis.response import PeriodResponse
from mortem.model import Postmortem
from mortem.render import markup as md
from mortem.render import paths
from mortem.render.charts import PRIMARY, SECONDARY, Series, bar_chart, point_chart
from mortem.render.postmortem_page import number, title_of

if TYPE_CHECKING:
    from mortem.analysis.patterns import Pattern


def pattern_headline(pattern: Pattern, today: date) -> str:
    """The way a team says it: "manual-deploy-ordering: 2 incidents this quarter, 2 open
    prevention items"."""
    this_quarter = pattern.by_quarter.get(quarter_key(today), 0)
    if this_quarter == pattern.count:
        incidents = md.plural(this_quarter, "incident") + " this quarter"
    elif this_quarter == 0:
        incidents = md.plural(pattern.count, "incident") + ", none this quarter"
    else:
        incidents = f"{md.plural(this_quarter, 'incident')} this quarter ({pattern.count} in all)"
    prevention = pattern.open_by_bucket["prevention"]
    items = md.plural(prevention, "open prevention item") if prevention else "no open prevention items"
    return f"{pattern.name}: {incidents}, {items}"


# The weekly sync reads the leading patterns in full: a chart, every incident and every
# item. The long tail is one line per pattern after them: its incidents as links and its open
# items counted per bucket; the items themselves are on each postmortem's page and on
# Follow-through. A section per pattern made the page megabytes at 1,000
# postmortems, too long to read and the slowest page of the site to build.
DETAILED_PATTERNS = 10


def patterns_page(patterns: Sequence[Pattern], by_id: Mapping[str, Postmortem], today: date) -> str:
    here = paths.PATTERNS
    lines = [
        "# Patterns",
        "",
        "Root causes that recur across postmortems, most frequent first. A cause that "
        "keeps coming back is the evidence for a bigger prevention investment.",
        "",
    ]
    if not patterns:
        lines.append("No recurring root causes found yet.")
        return "\n".join(lines) + "\n"
    lines += [_summary(patterns, today), ""]
    for pattern in patterns[:DETAILED_PATTERNS]:
        lines += [f"## {md.text(pattern_headline(pattern, today))}", ""]
        lines.append(_quarter_chart(pattern, today))
        lines += [_quarters(pattern), "", "Incidents:", ""]
        for pm_id, day in zip(pattern.postmortems, pattern.dates, strict=False):
            doc = by_id.get(pm_id)
            label = title_of(doc) if doc else pm_id
            lines.append(f"- {md.day(day)} {md.link(label, paths.postmortem_path(pm_id), here)}")
        lines += ["", _items(pattern), ""]
    rest = patterns[DETAILED_PATTERNS:]
    if rest:
        lines += [
            "## Other recurring causes",
            "",
            f"{md.plural(len(rest), 'more pattern')}, each with its incidents by date and its "
            "open action items.",
            "",
        ]
        lines += [_tail_line(pattern) for pattern in rest]
        lines.append("")
    return "\n".join(lines) + "\n"


def _tail_line(pattern: Pattern) -> str:
    here = paths.PATTERNS
    incidents = ", ".join(
        md.link(md.day(day), paths.postmortem_path(pm_id), here)
        for pm_id, day in zip(pattern.postmortems, pattern.dates, strict=False)
    )
    still_open = pattern.open_by_bucket
    counts = ", ".join(f"{still_open[b]} {b}" for b in (*BUCKETS, "other") if still_open[b])
    items = f"open items: {counts}" if counts else "no open items"
    return f"- **{md.text(pattern.name)}**: {incidents}; {items}"


def _summary(patterns: Sequence[Pattern], today: date) -> str:
    """One row per pattern, so the whole list is seen before any detail."""
    quarter = quarter_key(today)
    rows = [
        (
            md.text(pattern.name),
            str(pattern.count),
            str(pattern.by_quarter.get(quarter, 0)),
            md.day(pattern.dates[-1]) if pattern.dates else "",
            str(pattern.open_by_bucket["prevention"]),
        )
        for pattern in patterns
    ]
    return md.table(("Pattern", "Incidents", "This quarter", "Latest", "Open prevention items"), rows)


def _quarter_chart(pattern: Pattern, today: date) -> str:
    counts = per_quarter(pattern.dates, today)
    return bar_chart(
        f"{pattern.name}: incidents per quarter",
        "Incidents with this root cause, by the quarter they started in.",
        [q for q, _ in counts],
        [Series("incidents", [float(n) for _, n in counts], PRIMARY)],
        "incidents",
        "pattern-per-quarter",
    )


def _quarters(pattern: Pattern) -> str:
    counts = " · ".join(f"{md.text(q)}: {n}" for q, n in sorted(pattern.by_quarter.items()))
    return f"Per quarter: {counts}" if counts else ""


def _items(pattern: Pattern) -> str:
    """Per bucket: items raised, still open, and their titles."""
    if not pattern.action_items:
        return "No action items raised against it yet."
    rows = []
    for bucket in BUCKETS:
        items = [item for _, item in pattern.action_items if item.bucket == bucket]
        still_open = sum(1 for item in items if item.is_open)
        titles = "<br>".join(md.text(i.title or "") + ("" if not i.is_open else " (open)") for i in items)
        rows.append((bucket, str(len(items)), str(still_open), titles))
    return md.table(("Bucket", "Raised", "Open", "Items"), rows)


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _cost_table(quarters: Sequence[PeriodResponse]) -> list[str]:
    """What downtime cost per quarter: the figure that sizes the prevention investment."""
    known = [q for q in quarters if q.cost_usd is not None]
    if not known:
        return []
    rows = [(md.text(q.period), str(q.count), f"${number(round(q.cost_usd or 0, 2))}") for q in quarters]
    return [
        "## Cost of downtime",
        "",
        "Per quarter: `impact.cost_usd` where the postmortem states it, else its duration times "
        "the configured cost per minute of its services.",
        "",
        md.table(("Quarter", "Incidents", "Cost"), rows),
        "",
    ]


def metrics_page(
    times: Sequence[IncidentTimes],
    per_month: Sequence[tuple[str, int]],
    actions: Sequence[MonthActions],
    quarters: Sequence[PeriodResponse] = (),
) -> str:
    lines = [
        "# Metrics",
        "",
        "Time to detect (start to first alert) long means a monitoring gap; time to "
        "acknowledge (alert to first human response) long means an alert-routing or "
        "on-call gap. Both come from the times recorded in each postmortem.",
        "",
    ]
    lines += ["## Incidents per month", ""]
    if per_month:
        labels = [m for m, _ in per_month]
        lines.append(
            bar_chart(
                "Incidents per month",
                "Postmortems by the month the incident started.",
                labels,
                [Series("incidents", [float(n) for _, n in per_month], PRIMARY)],
                "incidents",
                "incidents-per-month",
            )
        )
    else:
        lines.append("No incidents recorded yet.\n")
    lines += [
        _time_chart(times, "detect", "Time to detect"),
        _time_chart(times, "acknowledge", "Time to acknowledge"),
    ]
    lines += _response_table(quarters)
    lines += _cost_table(quarters)
    lines += ["## Action items opened and closed", ""]
    if actions:
        labels = [a.month for a in actions]
        lines.append(
            bar_chart(
                "Action items opened and closed per month",
                "Opened: the month of the postmortem. Closed: the day an item was done or dropped.",
                labels,
                [
                    Series("opened", [float(a.opened) for a in actions], PRIMARY),
                    Series("closed", [float(a.closed) for a in actions], SECONDARY),
                ],
                "action items",
                "actions-per-month",
            )
        )
        lines.append(
            md.table(
                ("Month", "Opened", "Closed"), [(a.month, str(a.opened), str(a.closed)) for a in actions]
            )
        )
    else:
        lines.append("No action items recorded yet.\n")
    return "\n".join(lines)


# The per-incident charts show the latest incidents: a dot per incident of a long history is
# a smear at chart width (and was most of the page's weight). The long view is the table of
# medians per quarter; every incident's own times are in the archive table.
RECENT_INCIDENTS = 50


def _time_chart(times: Sequence[IncidentTimes], which: str, title: str) -> str:
    values = [t.time_to_detect if which == "detect" else t.time_to_acknowledge for t in times]
    heading = f"## {title}\n\n"
    if not any(v is not None for v in values):
        return heading + f"No incident records its {title.lower()} yet.\n"
    trend = rolling_median(values)[-RECENT_INCIDENTS:]  # over the whole history, then cut
    shown, values = times[-RECENT_INCIDENTS:], values[-RECENT_INCIDENTS:]
    dots = "one incident" if len(shown) == len(times) else f"one of the latest {len(shown)} incidents"
    chart = point_chart(
        f"{title} per incident (minutes) and rolling median",
        f"Each dot is {dots}; the line is the median of the last five.",
        [t.date.isoformat() for t in shown],
        Series(f"{title.lower()}", [_minutes(v) for v in values], PRIMARY),
        Series("rolling median", [_minutes(v) for v in trend], SECONDARY),
        "minutes",
        f"time-to-{which}",
    )
    archive = md.link("archive", paths.ARCHIVE, paths.METRICS)
    return (
        heading + chart + f"\nEvery incident's {title.lower()} is in the {archive} table; the medians per "
        "quarter are below.\n"
    )


def _response_table(quarters: Sequence[PeriodResponse]) -> list[str]:
    """Median and 90th percentile (nearest rank, as `mortem metrics`) per quarter."""
    if not any(q.spreads["ttd"].median is not None or q.spreads["tta"].median is not None for q in quarters):
        return []

    def shown(value: float | None) -> str:
        return md.duration(None if value is None else timedelta(minutes=value))

    rows = [
        (
            md.text(q.period),
            str(q.count),
            shown(q.spreads["ttd"].median),
            shown(q.spreads["ttd"].p90),
            shown(q.spreads["tta"].median),
            shown(q.spreads["tta"].p90),
        )
        for q in quarters
    ]
    headers = (
        "Quarter",
        "Incidents",
        "Detect, median",
        "Detect, 90th",
        "Acknowledge, median",
        "Acknowledge, 90th",
    )
    return ["## Response per quarter", "", md.table(headers, rows), ""]
