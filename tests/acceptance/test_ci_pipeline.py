"""The whole pull-request path on a real temporary repository: a branch adds a postmortem
with an unowned action item; the changed-files check finds exactly that file and fails on the
right line; `mortem ci` annotates it and writes the summary and report; `mortem review
--dry-run` puts the comment on that line; after the fix everything passes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mortem.cli.main import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules" / "good"
EARLIER = "2025-09-16-api-deploy-missing-env-var.md"
NEW = "postmortems/2026-10-07-checkout-deploy-before-migration.md"
ENV = {
    "GIT_AUTHOR_NAME": "Mei Chen",
    "GIT_AUTHOR_EMAIL": "mei@example.com",
    "GIT_COMMITTER_NAME": "Mei Chen",
    "GIT_COMMITTER_EMAIL": "mei@example.com",
}
UNOWNED_LINE = 37  # the `- title:` line of the item whose owner line was removed


def git(work: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=work, env={**os.environ, **ENV}, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main holds one earlier postmortem; the branch adds the checkout one, its second action
    item without an owner."""
    for name in (
        "GITHUB_BASE_REF",
        "GITHUB_EVENT_PATH",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_REPOSITORY",
        "GITHUB_TOKEN",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    ):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "ops"
    (work / "postmortems").mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    (work / "mortem.toml").write_text('archive = "postmortems"\n')
    (work / "postmortems" / EARLIER).write_text((FIXTURES / EARLIER).read_text())
    git(work, "add", "-A")
    git(work, "commit", "-qm", "The archive so far")
    git(work, "checkout", "-qb", "postmortem/checkout")
    text = (FIXTURES / Path(NEW).name).read_text()
    assert "    owner: Mei Chen\n" in text
    (work / NEW).write_text(text.replace("    owner: Mei Chen\n", ""))
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Add the checkout postmortem")
    monkeypatch.chdir(work)
    return work


def fix(work: Path) -> None:
    (work / NEW).write_text((FIXTURES / Path(NEW).name).read_text())
    git(work, "commit", "-qam", "Name the owner")


def test_changed_files_check_fails_on_the_unowned_item_then_passes(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--changed-from", "main"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{NEW}:{UNOWNED_LINE}:5: PM004 action_items[2] is missing `owner`: one named person who owns it "
        "(never a team) (error, schema)",
        "1 error, 0 warnings in 1 file checked.",
    ]
    assert main(["check", "--changed-from", "main", "--format", "json"]) == 1
    assert {f["path"] for f in json.loads(capsys.readouterr().out)} == {NEW}

    fix(work)
    assert main(["check", "--changed-from", "main"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked, no findings.\n"


def test_check_changed_from_refuses_paths_too(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--changed-from", "main", NEW]) == 2
    assert "not both" in capsys.readouterr().err


def test_ci_then_review_dry_run_put_the_finding_on_its_line(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, summary = tmp_path / "out" / "report.json", tmp_path / "summary.md"
    assert main(["ci", "--base", "main", "--report", str(report), "--summary", str(summary)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        f"::error file={NEW},line={UNOWNED_LINE},col=5,title=PM004 schema::action_items[2]"
    )
    assert out[-1] == "1 error, 0 warnings in 1 changed postmortem."
    written = summary.read_text()
    assert f"| error | {NEW}:{UNOWNED_LINE} | `PM004` schema |" in written
    assert "### Similar past incidents" in written and "Booking confirmations failed" in written

    for source in (["--report", str(report)], ["--base", "main"]):
        assert main(["review", "--dry-run", *source]) == 0
        requests = json.loads(capsys.readouterr().out)
        review = requests[0]
        assert (review["method"], review["url"]) == ("POST", "/repos/OWNER/REPO/pulls/PULL_NUMBER/reviews")
        assert [(c["path"], c["line"], c["side"]) for c in review["body"]["comments"]] == [
            (NEW, UNOWNED_LINE, "RIGHT")
        ]
        assert "missing `owner`" in review["body"]["comments"][0]["body"]
        assert requests[1]["url"].endswith("/issues/PULL_NUMBER/comments")
        assert (
            "2025-09-16-api-deploy-missing-env-var" in requests[1]["body"]["body"]
            or "Booking confirmations failed" in requests[1]["body"]["body"]
        )

    fix(work)
    assert main(["ci", "--base", "main", "--report", str(report)]) == 0
    assert capsys.readouterr().out == "All clear: 1 changed postmortem checked, no findings.\n"
    assert main(["review", "--dry-run", "--report", str(report)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["body"]["comments"] == []


def test_ci_as_in_the_github_check_job(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As actions/checkout leaves it: a clone whose base branch is origin/main, the head commit
    checked out, and the pull request in GITHUB_EVENT_PATH."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(work), str(clone))
    head = git(clone, "rev-parse", "origin/postmortem/checkout").strip()
    git(clone, "checkout", "-q", head)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42, "head": {"sha": head}}}))
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "fernhill/platform")
    monkeypatch.chdir(clone)
    report = tmp_path / "report.json"
    assert main(["ci", "--report", str(report)]) == 1
    assert capsys.readouterr().out.startswith(f"::error file={NEW},line={UNOWNED_LINE},")
    data = json.loads(report.read_text())
    assert (data["pull_request"], data["head_sha"]) == (42, head)
    assert summary.read_text().startswith("earlier step\n## mortem check\n")  # appended, as GitHub expects
    assert f"(https://github.com/fernhill/platform/blob/{head}/{NEW})" in summary.read_text()


def test_no_base_outside_a_pull_request_build(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ci"]) == 2
    assert "pass --base REF" in capsys.readouterr().err


def test_only_an_older_postmortem_edited_means_no_similar_section_entries(
    work: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    git(work, "checkout", "-q", "main")
    git(work, "checkout", "-qb", "edit-old")
    old = work / "postmortems" / EARLIER
    old.write_text(old.read_text().replace("## What was hard\n", "## What was hard\nThe runbook was old.\n"))
    summary = tmp_path / "summary.md"
    assert main(["ci", "--base", "main", "--summary", str(summary)]) == 0
    assert "This pull request adds no new postmortem." in summary.read_text()
