"""The benchmark's ratios: two decimals, or three where two would hide a target's verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench import (
    TARGETS,
    Results,
    Row,
    Timing,
    growth_bound,
    judge,
    memory_bound,
    ratio_bound,
    ratio_text,
    seconds_bound,
    seconds_cell,
    table,
)


@pytest.mark.parametrize(
    ("ratio", "bound", "shown"),
    [
        (0.41, 0.5, "0.41×"),
        (0.2034, 0.2, "0.203×"),  # not met by a target of 0.2: the table must not read 0.20
        (0.1962, 0.2, "0.196×"),  # met
        (0.2, 0.2, "0.20×"),
        (0.2489, 0.25, "0.249×"),
        (0.5049, 0.5, "0.505×"),
        (0.5049, None, "0.50×"),  # no target held to the reference: nothing to decide
        (0.2034, 0.25, "0.20×"),  # far from its own bound
        (3.1796, None, "3.18×"),
        (0.0213, 0.25, "0.02×"),
    ],
)
def test_a_ratio_is_shown_to_the_decimal_that_decides_it(
    ratio: float, bound: float | None, shown: str
) -> None:
    assert ratio_text(ratio, bound) == shown


def test_the_bounds_are_read_from_the_targets_the_table_judges_by() -> None:
    bounds = {
        ratio_bound(t)
        for target in TARGETS.values()
        for t in ([target] if isinstance(target, str) else target.values())
    }
    assert bounds == {0.5, 0.25, 0.2, None}
    limits = {
        seconds_bound(t)
        for target in TARGETS.values()
        for t in ([target] if isinstance(target, str) else target.values())
    }
    assert limits == {10.0, None}
    every = [
        t for target in TARGETS.values() for t in ([target] if isinstance(target, str) else target.values())
    ]
    assert {growth_bound(t) for t in every} == {11.0, 12.0, None}
    assert {memory_bound(t) for t in every} == {300.0, None}


def test_every_clause_of_a_target_is_judged_and_an_unknown_one_left_unjudged() -> None:
    """The cold check of 10,000 (under 10 s, at most 11 times its own 1,000, under 300 MB)
    is met only when all three hold; growth needs this run's 1,000 (a run of 10,000 alone
    cannot say), as a ratio needs its reference."""

    def checked(seconds: float, peak: float, base: float | None) -> Row:
        rows = [Row("check all files, no cache", 10_000, Timing(seconds, peak, (seconds,)))]
        if base is not None:
            rows.append(Row("check all files, no cache", 1_000, Timing(base, 60, (base,))))
        judge(Results(rows))
        return rows[0]

    assert checked(9.0, 280, 1.0).met is True
    assert checked(9.0, 280, 0.8).met is False  # 11.25 times its own 1,000
    assert checked(9.0, 310, 1.0).met is False  # over its memory
    assert checked(10.2, 280, 1.0).met is False  # over 10 s
    assert checked(9.0, 280, None).met is None  # no 1,000 in this run
    site = Row("site build, no cache", 10_000, Timing(80.0, 1300, (80.0,)))
    results = Results([site, Row("site build, no cache", 1_000, Timing(6.5, 180, (6.5,)))])
    judge(results)
    assert site.met is False  # 12.3 times its own 1,000
    assert "12.3× own 1,000" in table(results, 5, 5)


def test_growth_is_shown_only_where_a_target_holds_it() -> None:
    rows = [
        Row("patterns, no cache", 10_000, Timing(6.6, 312, (6.6,))),
        Row("patterns, no cache", 1_000, Timing(0.7, 41, (0.7,))),
        Row("check all files, unchanged", 10_000, Timing(0.65, 39, (0.65,))),
        Row("check all files, unchanged", 1_000, Timing(0.13, 18, (0.13,))),
    ]
    results = Results(rows)
    judge(results)
    shown = table(results, 5, 5)
    assert "9.4× own 1,000" not in shown and "5.0× own 1,000" in shown


def test_a_time_in_seconds_is_judged_and_shown_from_one_reading_of_its_target() -> None:
    runs = (9.2, 9.9, 10.4)
    base = Row("check all files, no cache", 1_000, Timing(0.9, 60, (0.9,)), target="≤ 0.25× reference")
    over = Row("check all files, no cache", 10_000, Timing(10.4, 250, runs))
    under = Row("patterns, no cache", 10_000, Timing(9.9, 250, runs))
    results = Results([base, over, under])
    judge(results)
    assert (over.target, over.met) == ("< 10 s, ≤ 11× own 1,000, < 300 MB", False)
    assert (under.target, under.met) == ("< 10 s", True)
    assert seconds_cell(over) == "10.40 (9.20-10.40)" and seconds_cell(under) == "9.90 (9.20-10.40)"


def test_a_time_in_seconds_shows_its_fastest_and_slowest_run() -> None:
    runs = (11.6, 10.91, 12.3, 11.2, 11.65)
    held = Row("check all files, no cache", 10_000, Timing(11.6, 245, runs), target="< 10 s, ≤ 11× own 1,000")
    assert seconds_cell(held) == "11.60 (10.91-12.30)"
    ratio = Row("check all files, no cache", 1_000, Timing(1.13, 67, runs), target="≤ 0.25× reference")
    assert seconds_cell(ratio) == "1.13"  # its rounds are in the ratio's brackets
    assert seconds_cell(Row("patterns", 10_000, Timing(7.94, 309, (7.94,)), target="< 10 s")) == "7.94"
