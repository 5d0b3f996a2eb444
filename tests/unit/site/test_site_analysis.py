"""analysis/metrics.py and analysis/actions.py: plain data from the model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from archive_builder import TODAY, Writer

from mortem.analysis import actions, metrics
from mortem.model import ActionItem, Postmortem

Load = Callable[[], list[Postmortem]]
MIN = timedelta(minutes=1)


def item(
    title: str, due: str, status: str = "open", owner: str = "Sam Okafor", closed: str | None = None
) -> dict[str, str]:
    data = {
        "title": title,
        "bucket": "prevention",
        "owner": owner,
        "due": due,
        "link": "https://github.com/fernhill/platform/issues/1",
        "status": status,
    }
    if closed:
        data["closed"] = closed
    return data


def test_median_ignores_missing_values_and_is_none_without_any() -> None:
    assert metrics.median([MIN, None, 3 * MIN, 10 * MIN]) == 3 * MIN
    assert metrics.median([MIN, 2 * MIN]) == timedelta(seconds=90)
    assert metrics.median([None, None]) is None
    assert metrics.median([]) is None


def test_rolling_median_uses_a_trailing_window() -> None:
    values = [MIN, 100 * MIN, None, 3 * MIN, 5 * MIN, 7 * MIN, 9 * MIN]
    assert metrics.rolling_median(values, window=3) == [
        MIN,
        timedelta(seconds=50.5 * 60),
        timedelta(seconds=50.5 * 60),
        51.5 * MIN,
        4 * MIN,
        5 * MIN,
        7 * MIN,
    ]
    assert metrics.rolling_median([None, None]) == [None, None]


def test_months_and_quarters_fill_quiet_gaps_across_years() -> None:
    assert metrics.months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert metrics.quarters_between(date(2025, 12, 1), date(2026, 4, 1)) == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert metrics.per_quarter([date(2025, 12, 1), date(2026, 4, 1)], date(2026, 5, 1)) == [
        ("2025-Q4", 1),
        ("2026-Q1", 0),
        ("2026-Q2", 1),
    ]


def test_incidents_per_month_runs_to_today(write: Writer, load: Load) -> None:
    write("2026-08-03", "a")
    write("2026-08-20", "b")
    write("2026-10-07", "c")
    assert metrics.incidents_per_month(load(), TODAY) == [
        ("2026-08", 2),
        ("2026-09", 0),
        ("2026-10", 1),
        ("2026-11", 0),
    ]
    assert metrics.incidents_per_month([], TODAY) == []


def test_times_and_summary(write: Writer, load: Load) -> None:
    write("2026-08-03", "a")
    write(
        "2026-10-07",
        "b",
        times={"started": "2026-10-07T12:00:00+00:00", "detected": "2026-10-07T13:00:00+00:00"},
    )
    times = metrics.incident_times(load())
    assert [t.time_to_detect for t in times] == [7 * MIN, 60 * MIN]
    assert [t.time_to_acknowledge for t in times] == [3 * MIN, None]
    summary = metrics.summary(load(), TODAY)
    assert (summary.quarter, summary.incidents_this_quarter, summary.incidents) == ("2026-Q4", 1, 2)
    assert summary.median_time_to_detect == timedelta(seconds=33.5 * 60)
    assert summary.median_time_to_acknowledge == 3 * MIN


def test_opened_against_closed_counts_done_and_dropped_by_their_closed_month(
    write: Writer, load: Load
) -> None:
    write(
        "2026-09-10",
        "a",
        action_items=[
            item("one", "2026-09-20", "done", closed="2026-09-19"),
            item("two", "2026-09-20", "dropped", closed="2026-11-02"),
            item("three", "2026-09-20", "done"),  # no closed day: in no month's closed column
            item("four", "2026-09-20"),
        ],
    )
    assert metrics.actions_per_month(load(), TODAY) == [
        metrics.MonthActions("2026-09", 4, 1),
        metrics.MonthActions("2026-10", 0, 0),
        metrics.MonthActions("2026-11", 0, 1),
    ]


def test_open_items_sort_by_due_date_so_overdue_come_first(write: Writer, load: Load) -> None:
    write(
        "2026-10-01",
        "a",
        action_items=[
            item("later", "2026-12-10", owner="Mei Chen"),
            item("shipped", "2026-10-05", "done", closed="2026-10-04"),
            item("late", "2026-11-01", owner="Priya Raman"),
            item("due today", "2026-11-28", owner="Mei Chen"),
        ],
    )
    rows = actions.open_actions(load(), TODAY)
    assert [r.item.title for r in rows] == ["late", "due today", "later"]
    assert [r.overdue_days for r in rows] == [27, None, None]
    assert [r.key for r in rows] == ["2026-10-01-a#2", "2026-10-01-a#3", "2026-10-01-a#0"]
    assert actions.overdue(rows) == rows[:1]
    groups = actions.by_owner(rows)
    assert [(owner, [r.item.title for r in owned]) for owner, owned in groups] == [
        ("Priya Raman", ["late"]),
        ("Mei Chen", ["due today", "later"]),
    ]


def test_overdue_days_only_for_open_items_past_due() -> None:
    base = {
        "index": 0,
        "title": "x",
        "bucket": "detection",
        "owner": "A",
        "link": None,
        "closed": None,
        "reason": None,
    }
    assert actions.overdue_days(ActionItem(**base, due=date(2026, 11, 27), status="open"), TODAY) == 1
    assert actions.overdue_days(ActionItem(**base, due=date(2026, 11, 27), status="done"), TODAY) is None
    assert actions.overdue_days(ActionItem(**base, due=None, status=None), TODAY) is None
