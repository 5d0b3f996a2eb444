"""Time `mortem patterns` on synthetic archives of 1,000 and 10,000 postmortems.

Not part of the test run: `python benchmarks/bench_patterns.py [SIZE ...]`. Each size is
generated deterministically into a temporary folder by the generator the full benchmark
uses (benchmarks/synthetic.py; `benchmarks/bench.py` times every command), then
`mortem patterns --format json` runs there as a whole process three times, without the
cache (MORTEM_NO_CACHE=1), so every run does the whole analysis; the median wall time and
the peak resident memory of those processes (resource.getrusage of children) are printed.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # the generator beside this file

SIZES = (1_000, 10_000)
RUNS = 3


def bench(size: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        synthetic.generate(folder, size)
        env = {**os.environ, "MORTEM_NO_CACHE": "1"}
        times = []
        patterns = 0
        for _ in range(RUNS):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mortem", "patterns", "--format", "json"],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(time.perf_counter() - start)
            patterns = done.stdout.count('"name"')
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return statistics.median(times), peak_mb, patterns


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    print(f"mortem patterns, median of {RUNS} runs (whole process, no cache)")
    for size in sorted(sizes):
        seconds, peak_mb, patterns = bench(size)
        # ru_maxrss of children is the largest child so far, so sizes run smallest first.
        print(f"{size:>7,} postmortems: {seconds:6.2f} s, peak {peak_mb:6.0f} MB, {patterns} patterns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
