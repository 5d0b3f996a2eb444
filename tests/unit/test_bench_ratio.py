"""The benchmark's ratios: two decimals, or three where two would hide a target's verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench import ratio_text


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (0.41, "0.41×"),
        (0.2034, "0.203×"),  # not met by a target of 0.2: the table must not read 0.20
        (0.1962, "0.196×"),  # met
        (0.2, "0.20×"),
        (0.2489, "0.249×"),
        (0.5049, "0.505×"),
        (3.1796, "3.18×"),
        (0.0213, "0.02×"),
    ],
)
def test_a_ratio_is_shown_to_the_decimal_that_decides_it(ratio: float, shown: str) -> None:
    assert ratio_text(ratio) == shown
