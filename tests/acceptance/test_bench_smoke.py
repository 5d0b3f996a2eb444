"""The benchmark runs end to end (`--quick`: archives of 1 and 100, one run each).

No time is asserted here or anywhere in the tests: the figures belong to the benchmark's
table (README, Performance), measured side by side on one machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_benchmark_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    assert "| case | size | mortem median s | reference median s | ratio | target | met? | peak MB |" in table
    for case in (
        "check one file (pre-commit)",
        "check one file, root cause edited",
        "check one file, no cache",
        "check all files, unchanged",
        "check all files, one edited",
        "check all files, no cache",
        "check all files, first run",
        "patterns",
        "actions",
        "site build",
    ):
        assert f"| {case} | " in table, case
    assert "| 100 |" in table and "| 1 |" in table
    # Every row with a target is judged from this run's figures.
    judged = [line for line in table.splitlines() if "≤ 0.5× reference" in line]
    assert judged and all(line.rstrip().split("|")[-3].strip() in ("yes", "**no**") for line in judged)
    assert not (REPO / "benchmarks" / ".mortem-cache").exists()
