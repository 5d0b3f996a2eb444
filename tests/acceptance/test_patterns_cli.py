"""`mortem patterns` and `mortem related` end to end through main(), on a copy of the sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mortem.cli.main import main

REPO = Path(__file__).resolve().parents[2]
NEW = """---
title: Orders failed after a release went out before its migration
date: 2027-01-20
trigger: "Release 2027.01.20 went live before its migration had run."
root_causes:
  - category: release-steps-by-hand
    kind: prevention
    summary: "Migrations are run by hand after the deploy script, so nothing enforces migration-before-deploy."
---

## Root cause
1. Why? The code read a column the migration had not created yet.
"""


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "postmortems", tmp_path / "postmortems")
    (tmp_path / "mortem.toml").write_text('archive = "postmortems"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_patterns_json_has_the_documented_shape(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["patterns", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["patterns"]
    first = data["patterns"][0]
    assert list(first) == ["name", "postmortems", "count", "by_quarter", "open_action_items"]
    assert first["name"] == "manual-deploy-ordering"
    assert first["count"] == len(first["postmortems"]) == 3
    assert first["by_quarter"] == {"2025-Q3": 1, "2026-Q4": 2}
    assert isinstance(first["open_action_items"], int)
    names = {p["name"]: p["postmortems"] for p in data["patterns"]}
    assert names["cert-expiry-unmonitored"] == [
        "2025-08-02-edge-proxy-tls-cert-expired",
        "2026-04-14-payments-webhook-client-cert-expired",
        "2026-05-19-notifications-alert-routed-to-archived-channel",
    ]
    assert names["disk-growth-unmonitored"] == [
        "2025-12-03-worker-queue-log-volume-full",
        "2026-07-22-postgres-wal-volume-near-full",
    ]


def test_patterns_since_keeps_patterns_that_recurred_lately(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["patterns", "--since", "2026-10-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in data["patterns"]] == ["manual-deploy-ordering"]


def test_patterns_text_and_markdown(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["patterns"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("manual-deploy-ordering: 3 postmortems, ")
    assert "  2025-09-16  2025-09-16-api-deploy-missing-env-var" in text
    assert "[open] " in text and "by quarter: 2025-Q3 1, 2026-Q4 2" in text
    assert main(["patterns", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## manual-deploy-ordering\n")
    assert "| Action item | Status | From |" in markdown


def test_patterns_bad_date_is_a_usage_error(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["patterns", "--since", "last week"]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_patterns_without_an_archive_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mortem.toml").write_text('archive = "nowhere"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["patterns"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_related_by_id(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["related", "2026-10-07-checkout-deploy-before-migration", "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Postmortems related to 2026-10-07-checkout-deploy-before-migration:"
    assert out[1].endswith("2025-09-16-api-deploy-missing-env-var")
    assert "same category manual-deploy-ordering" in out[2]
    assert len(out) == 5  # a heading and two links of two lines each; earlier ones only


def test_related_all_includes_later_postmortems(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["related", "2025-09-16-api-deploy-missing-env-var", "--format", "json"]) == 0
    earlier = json.loads(capsys.readouterr().out)["related"]
    assert all(link["id"] < "2025-09-16" for link in earlier)
    assert main(["related", "2025-09-16-api-deploy-missing-env-var", "--all", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["related"][0]["id"] in (
        "2026-10-07-checkout-deploy-before-migration",
        "2026-11-18-payments-rollback-needed-manual-down-migration",
    )
    assert "linked in related" in data["related"][0]["reasons"]


def test_related_on_a_new_file_outside_the_archive(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    branch = tmp_path / "branch"
    branch.mkdir()
    new = branch / "2027-01-20-orders-deploy-before-migration.md"
    new.write_text(NEW)
    assert main(["related", str(new), "--format", "json", "--limit", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["postmortem"] == "2027-01-20-orders-deploy-before-migration"
    ids = [link["id"] for link in data["related"]]
    assert ids[0] in (
        "2025-09-16-api-deploy-missing-env-var",
        "2026-10-07-checkout-deploy-before-migration",
        "2026-11-18-payments-rollback-needed-manual-down-migration",
    )
    assert all(0 <= link["score"] <= 1 and link["reasons"] for link in data["related"])


def test_related_unknown_id_suggests_the_closest(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["related", "2026-10-07-checkout-deploy-before-migratoin"]) == 2
    err = capsys.readouterr().err
    assert "did you mean '2026-10-07-checkout-deploy-before-migration'" in err


def test_related_missing_path_and_bad_limit(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["related", "drafts/nope.md"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["related", "x", "--limit", "0"]) == 2


def test_related_unreadable_file_is_a_user_error(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "2027-01-20-broken.md"
    broken.write_text("no front matter here\n")
    assert main(["related", str(broken)]) == 1
    assert "front matter" in capsys.readouterr().err
