"""Response metrics and the cost of downtime, with exact medians and nearest-rank percentiles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from response_archive import INCIDENTS, write_archive

from mortem.analysis.response import cost_usd, median, percentile, response_report
from mortem.config import Config, config_from_table
from mortem.errors import ConfigError
from mortem.model import Postmortem

RATES = {"cost_per_minute": 5, "service_cost_per_minute": {"checkout": 40, "search": 10}}


@pytest.fixture
def docs(tmp_path: Path) -> list[Postmortem]:
    return write_archive(tmp_path / "postmortems")


def config(**table: object) -> Config:
    return config_from_table(table, root=Path("."))


def test_median_and_nearest_rank_percentile() -> None:
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([None]) is None and percentile([None, None], 90) is None
    tens = [float(v) for v in range(1, 11)]
    assert percentile(tens, 90) == 9.0  # rank ceil(0.9 * 10) = 9, not an interpolated 9.1
    assert percentile([float(v) for v in range(1, 21)], 90) == 18.0
    assert percentile([float(v) for v in range(1, 10)], 90) == 9.0  # under ten: the slowest
    assert percentile([7.0], 90) == 7.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0


def test_cost_prefers_what_a_person_wrote_then_service_rates_then_the_overall_rate(
    docs: list[Postmortem],
) -> None:
    costs = {doc.id: cost_usd(doc, config(**RATES)) for doc in docs}
    assert costs == {
        "2025-12-30-late-night": None,  # no end time, so no duration
        "2026-01-10-a": 1000.0,  # impact.cost_usd
        "2026-01-20-b": 90 * (40 + 10),  # both services have a rate: their sum
        "2026-02-03-c": 45 * 10.0,
        "2026-02-14-d": 70 * 5.0,  # billing has no rate: the overall one; to mitigation, as Times.duration
        "2026-02-20-g": 30 * 40.0,
        "2026-04-02-e": None,
    }
    assert cost_usd(docs[2], config()) is None  # no rates configured, no cost written
    assert cost_usd(docs[1], config()) == 1000.0


def test_periods_by_month_with_exact_medians_and_p90(docs: list[Postmortem]) -> None:
    report = response_report(docs, config(**RATES))
    assert [i.id for i in report.incidents] == list(INCIDENTS)
    by_id = {i.id: i for i in report.incidents}
    assert by_id["2026-02-03-c"].minutes == {"ttd": 2.5, "tta": None, "ttm": None, "ttr": 45.0}
    assert by_id["2026-02-20-g"].minutes["ttd"] is None  # detected before started: not a duration
    table = {
        p.period: (p.count, {k: (s.median, s.p90) for k, s in p.spreads.items()}, p.cost_usd)
        for p in report.periods
    }
    assert table == {
        "2025-12": (
            1,
            {"ttd": (5.0, 5.0), "tta": (None, None), "ttm": (None, None), "ttr": (None, None)},
            None,
        ),
        "2026-01": (
            2,
            {"ttd": (12.5, 20.0), "tta": (1.5, 2.0), "ttm": (35.0, 40.0), "ttr": (75.0, 90.0)},
            5500.0,
        ),
        "2026-02": (
            3,
            {"ttd": (21.25, 40.0), "tta": (15.0, 15.0), "ttm": (70.0, 70.0), "ttr": (37.5, 45.0)},
            2000.0,
        ),
        "2026-04": (
            1,
            {"ttd": (None, None), "tta": (None, None), "ttm": (None, None), "ttr": (None, None)},
            None,
        ),
    }


def test_quarters_and_since(docs: list[Postmortem]) -> None:
    report = response_report(docs, config(**RATES), since=date(2026, 1, 1), by="quarter")
    assert [p.period for p in report.periods] == ["2026-Q1", "2026-Q2"]
    q1 = report.periods[0]
    assert q1.count == 5
    assert {k: (s.median, s.p90) for k, s in q1.spreads.items()} == {
        "ttd": (12.5, 40.0),  # [2.5, 5, 20, 40]: rank ceil(3.6) = 4
        "tta": (2.0, 15.0),
        "ttm": (40.0, 70.0),
        "ttr": (52.5, 90.0),
    }
    assert q1.cost_usd == 7500.0


def test_cost_keys_are_validated_like_the_others() -> None:
    assert config(**RATES).service_cost_per_minute == {"checkout": 40.0, "search": 10.0}
    assert config().cost_per_minute is None and config().detect_minutes == 10
    for table, words in [
        ({"cost_per_minute": "lots"}, "cost_per_minute must be a number >= 0"),
        ({"cost_per_minute": -1}, "cost_per_minute must be a number >= 0"),
        ({"cost_per_minute": True}, "cost_per_minute must be a number >= 0"),
        ({"service_cost_per_minute": 40}, "service_cost_per_minute must be a table"),
        (
            {"service_cost_per_minute": {"checkout": "40"}},
            "service_cost_per_minute.checkout must be a number",
        ),
        ({"detect_minutes": 0}, "detect_minutes must be a whole number >= 1"),
        ({"acknowledge_minutes": 2.5}, "acknowledge_minutes must be a whole number >= 1"),
    ]:
        with pytest.raises(ConfigError, match=words):
            config(**table)
