"""benchmarks/bench.py's run_rounds: a case and its reference take turns, run by run, and
each gets the median of its own runs. (The whole benchmark runs in
tests/acceptance/test_bench_smoke.py; no time is asserted anywhere.)"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench


class _Everything(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


@pytest.fixture(autouse=True)
def _programs_warmed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every program counts as run before, so the tests see only the timed runs (the
    warm-up has a test of its own)."""
    monkeypatch.setattr(bench, "_WARMED", _Everything())


def test_cases_take_turns_and_each_keeps_its_own_median(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    timings = {"reference": iter([5.0, 9.0, 6.0]), "cached": iter([1.0, 3.0, 2.0]), "cold": iter([4.0, 8.0])}

    def measure(case: bench.Run) -> tuple[float, float]:
        name = case.command[0]
        ran.append(name)
        return next(timings[name]), 10.0 * len(ran)

    monkeypatch.setattr(bench, "_measure", measure)
    cwd = Path(".")
    reference, cached, cold = bench.run_rounds(
        [bench.Run(["reference"], cwd, 3), bench.Run(["cached"], cwd, 3), bench.Run(["cold"], cwd, 2)]
    )
    assert ran == ["reference", "cached", "cold", "reference", "cached", "cold", "reference", "cached"]
    assert (reference.seconds, cached.seconds, cold.seconds) == (6.0, 2.0, 6.0)
    assert (reference.peak_mb, cached.peak_mb, cold.peak_mb) == (70.0, 80.0, 60.0)


def test_a_ratio_shows_its_range_over_the_rounds_its_runs_took_turns_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timings = {"reference": iter([4.0, 2.0, 5.0]), "case": iter([1.0, 1.2, 2.0]), "alone": iter([1.5])}
    monkeypatch.setattr(bench, "_measure", lambda case: (next(timings[case.command[0]]), 1.0))
    cwd = Path(".")
    reference, case = bench.run_rounds([bench.Run(["reference"], cwd, 3), bench.Run(["case"], cwd, 3)])
    assert case.runs == (1.0, 1.2, 2.0)
    # The medians' ratio (1.2 / 4.0) is what the target judges; the rounds were 1/4, 1.2/2, 2/5.
    assert bench.paired_ratios(case, reference) == [0.25, 0.6, 0.4]
    assert bench.ratio_cell(case, reference, 0.5) == "0.30× (0.25-0.60)"
    # A case run on its own, minutes from its reference, has no rounds to show.
    alone = bench.run_case(["alone"], cwd, 1)
    assert bench.paired_ratios(alone, reference) == []
    assert bench.ratio_cell(alone, reference, 0.5) == "0.38×"


def test_a_case_with_fewer_runs_is_paired_with_the_rounds_it_ran_in(monkeypatch: pytest.MonkeyPatch) -> None:
    timings = {"reference": iter([2.0, 4.0, 8.0]), "cold": iter([1.0, 1.0])}
    monkeypatch.setattr(bench, "_measure", lambda case: (next(timings[case.command[0]]), 1.0))
    reference, cold = bench.run_rounds(
        [bench.Run(["reference"], Path("."), 3), bench.Run(["cold"], Path("."), 2)]
    )
    assert bench.paired_ratios(cold, reference) == [0.5, 0.25]


def test_the_edit_before_a_run_is_made_before_each_of_its_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    monkeypatch.setattr(bench.subprocess, "run", _fake_run(events))
    bench.run_rounds(
        [
            bench.Run(["reference"], Path("."), 2),
            bench.Run(["case"], Path("."), 2, before=lambda: events.append("edit")),
        ]
    )
    assert events == ["reference", "edit", "case", "reference", "edit", "case"]


def test_a_programs_first_run_is_a_warm_up_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its first run compiles its modules into the benchmark's bytecode cache: it is made once
    per program and archive, before the rounds, and is in no case's timing."""
    monkeypatch.setattr(bench, "_WARMED", set())
    timings = {"reference": iter([9.0, 1.0, 2.0, 3.0]), "case": iter([8.0, 0.5, 0.5, 0.5, 0.5])}
    monkeypatch.setattr(bench, "_measure", lambda case: (next(timings[case.command[0]]), 1.0))
    reference, case = bench.run_rounds(
        [bench.Run(["reference"], Path("."), 3), bench.Run(["case"], Path("."), 3)]
    )
    assert (reference.runs, case.runs) == ((1.0, 2.0, 3.0), (0.5, 0.5, 0.5))
    (again,) = bench.run_rounds([bench.Run(["case"], Path("."), 1)])  # already warm: no second warm-up
    assert again.runs == (0.5,)
    timings["case"] = iter([7.0, 0.4])
    (elsewhere,) = bench.run_rounds([bench.Run(["case"], Path("other-archive"), 1)])  # warmed there too
    assert elsewhere.runs == (0.4,)


def _fake_run(events: list[str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """subprocess.run for the wrapper process: notes the command and reports a quick run."""

    def run(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        events.append(argv[3])  # [python, bench.py, --measure, command...]
        output = json.dumps({"seconds": 1.0, "peak_kb": 1024, "code": 0, "stderr": ""})
        return subprocess.CompletedProcess(argv, 0, output, "")

    return run


def test_a_folder_is_moved_aside_before_each_run_never_deleted(tmp_path: Path) -> None:
    """The first run's cache and each site build's folder: moved out of the way whole (a
    deletion would slow this machine's next file creations), under a name no other takes."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    site = tmp_path / "site"
    asides = [bench.moved_aside(site, scratch), bench.moved_aside(site, scratch)]  # two cases, one folder
    asides[0]()  # nothing there yet
    for number, aside in enumerate([*asides, asides[0]]):
        (site / "page").mkdir(parents=True)
        (site / "page" / "index.html").write_text(str(number))
        aside()
        assert not site.exists()
    kept = sorted((path / "page" / "index.html").read_text() for path in scratch.iterdir())
    assert kept == ["0", "1", "2"], "every build's folder kept, none over another"
