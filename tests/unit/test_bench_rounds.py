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


def _fake_run(events: list[str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """subprocess.run for the wrapper process: notes the command and reports a quick run."""

    def run(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        events.append(argv[3])  # [python, bench.py, --measure, command...]
        output = json.dumps({"seconds": 1.0, "peak_kb": 1024, "code": 0, "stderr": ""})
        return subprocess.CompletedProcess(argv, 0, output, "")

    return run
