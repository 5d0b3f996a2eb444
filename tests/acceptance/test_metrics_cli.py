"""`mortem metrics` on a fixture archive: exact JSON, text, periods and missing times."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mortem.cli.main import main

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "analysis"))
from response_archive import write_archive  # one fixture archive for both layers


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "mortem.toml").write_text(
        "cost_per_minute = 5\n[service_cost_per_minute]\ncheckout = 40\nsearch = 10\n"
    )
    write_archive(tmp_path / "postmortems")
    (tmp_path / "postmortems" / "notes.md").write_text("# Small events\n\n- 2026-01-02 a blip\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_json_has_the_documented_shape_and_nulls(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--since", "2026-02-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "incidents": [
            {
                "id": "2026-02-03-c",
                "ttd_minutes": 2.5,
                "tta_minutes": None,
                "ttm_minutes": None,
                "ttr_minutes": 45.0,
                "cost_usd": 450.0,
            },
            {
                "id": "2026-02-14-d",
                "ttd_minutes": 40.0,
                "tta_minutes": 15.0,
                "ttm_minutes": 70.0,
                "ttr_minutes": None,
                "cost_usd": 350.0,
            },
            {
                "id": "2026-02-20-g",
                "ttd_minutes": None,
                "tta_minutes": None,
                "ttm_minutes": None,
                "ttr_minutes": 30.0,
                "cost_usd": 1200.0,
            },
            {
                "id": "2026-04-02-e",
                "ttd_minutes": None,
                "tta_minutes": None,
                "ttm_minutes": None,
                "ttr_minutes": None,
                "cost_usd": None,
            },
        ],
        "periods": [
            {
                "period": "2026-02",
                "count": 3,
                "ttd_median": 21.25,
                "ttd_p90": 40.0,
                "tta_median": 15.0,
                "tta_p90": 15.0,
                "ttm_median": 70.0,
                "ttm_p90": 70.0,
                "ttr_median": 37.5,
                "ttr_p90": 45.0,
                "cost_usd": 2000.0,
            },
            {
                "period": "2026-04",
                "count": 1,
                "ttd_median": None,
                "ttd_p90": None,
                "tta_median": None,
                "tta_p90": None,
                "ttm_median": None,
                "ttm_p90": None,
                "ttr_median": None,
                "ttr_p90": None,
                "cost_usd": None,
            },
        ],
    }


def test_text_by_quarter(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--by", "quarter"]) == 0
    assert capsys.readouterr().out == (
        "Incident                  TTD    TTA    TTM    TTR       Cost\n"
        "2025-12-30-late-night      5m      -      -      -          -\n"
        "2026-01-10-a               5m     2m    30m    60m     $1,000\n"
        "2026-01-20-b              20m     1m    40m    90m     $4,500\n"
        "2026-02-03-c             2.5m      -      -    45m       $450\n"
        "2026-02-14-d              40m    15m    70m      -       $350\n"
        "2026-02-20-g                -      -      -    30m     $1,200\n"
        "2026-04-02-e                -      -      -      -          -\n"
        "\n"
        "Quarter  Count    TTD med/p90   TTA med/p90   TTM med/p90   TTR med/p90       Cost\n"
        "2025-Q4      1        5m / 5m         - / -         - / -         - / -          -\n"
        "2026-Q1      5    12.5m / 40m      2m / 15m     40m / 70m   52.5m / 90m     $7,500\n"
        "2026-Q2      1          - / -         - / -         - / -         - / -          -\n"
        "\n"
        "Minutes; p90 is the nearest-rank 90th percentile; - where a time is missing.\n"
    )


def test_bad_arguments(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--since", "last week"]) == 2
    assert "'last week' is not a date" in capsys.readouterr().err
    (archive / "mortem.toml").write_text('cost_per_minute = "a lot"\n')
    assert main(["metrics"]) == 2
    assert "cost_per_minute must be a number >= 0" in capsys.readouterr().err


def test_an_empty_archive_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "postmortems").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["metrics"]) == 0
    assert capsys.readouterr().out == "No dated postmortems to measure.\n"
    assert main(["metrics", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"incidents": [], "periods": []}
