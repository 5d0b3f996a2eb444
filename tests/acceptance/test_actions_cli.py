"""`mortem actions`: the list in each format, tracker sync and `--write` (only the status
lines change, byte for byte, and a failed write leaves the file as it was), `--file-issues`,
`--history`, and the usage errors."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_api import Answer, FakeApi, Request, github_schema_errors, serve

from mortem.cli.main import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "actions"
GH = "/repos/fernhill/platform/issues"
GL = "/api/v4/projects/fernhill%2Fops%2Fplatform/issues"
CACHE = "postmortems/2026-02-01-api-cache-stampede.md"


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the repository root, for config discovery
    shutil.copytree(FIXTURE, tmp_path / "postmortems")
    (tmp_path / "mortem.toml").write_text('archive = "postmortems"\n')
    monkeypatch.chdir(tmp_path)
    for name in (
        "GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "MORTEM_GITLAB_TOKEN",
        "JIRA_TOKEN",
        "JIRA_USER",
        "JIRA_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    for server in serve():
        monkeypatch.setenv("MORTEM_GITHUB_API_URL", server.url)
        monkeypatch.setenv("MORTEM_GITLAB_API_URL", f"{server.url}/api/v4")
        monkeypatch.setenv("MORTEM_JIRA_API_URL", server.url)
        monkeypatch.setenv("GITHUB_TOKEN", "gh-t0ken")
        yield server


def issue(state: str, closed_at: str | None = None) -> dict[str, object]:
    return {"state": state, "closed_at": closed_at}


# The list ---------------------------------------------------------------------------------


def test_text_lists_open_items_overdue_first(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--as-of", "2026-03-10"]) == 0
    assert capsys.readouterr().out == (
        "7 open action items as of 2026-03-10, 2 overdue.\n"
        "\n"
        "2026-02-08  30d late  Sam Okafor    prevention  Add request coalescing to the product cache\n"
        "            2026-02-01-api-cache-stampede  https://github.com/fernhill/platform/issues/401\n"
        "2026-02-27  11d late  Ada Nwosu     prevention  Rotate worker logs by size with logrotate\n"
        "            2026-02-20-worker-disk-full  https://gitlab.com/fernhill/ops/platform/-/issues/12\n"
        "2026-03-10  open      Sam Okafor    detection   Alert at 80% disk usage on every worker volume\n"
        "            2026-02-20-worker-disk-full  https://fernhill.atlassian.net/browse/OPS-7\n"
        "2026-03-12  open      Sam Okafor    mitigation  Write the runbook for a staged cache flush\n"
        "            2026-02-01-api-cache-stampede  https://github.com/fernhill/platform/issues/403\n"
        "2026-03-17  open      Mei Chen      prevention  Retry webhook deliveries with exponential backoff\n"
        "            2026-03-05-payments-webhook-timeout  https://github.com/fernhill/platform/issues/410\n"
        "2026-03-18  open      Lena Fischer  detection   Page when the oldest undelivered webhook is older than 5 minutes\n"
        "            2026-03-05-payments-webhook-timeout  https://github.com/fernhill/platform/issues/411\n"
        "no date     open      Lena Fischer  mitigation  Add a feature flag that pauses webhook sends\n"
        "            2026-03-05-payments-webhook-timeout  https://github.com/fernhill/platform/issues/412\n"
    )


def test_json_is_an_array_of_the_documented_records(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "--overdue", "--as-of", "2026-03-10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "postmortem": "2026-02-01-api-cache-stampede",
            "title": "Add request coalescing to the product cache",
            "owner": "Sam Okafor",
            "bucket": "prevention",
            "due": "2026-02-08",
            "status": "open",
            "link": "https://github.com/fernhill/platform/issues/401",
            "overdue_days": 30,
        },
        {
            "postmortem": "2026-02-20-worker-disk-full",
            "title": "Rotate worker logs by size with logrotate",
            "owner": "Ada Nwosu",
            "bucket": "prevention",
            "due": "2026-02-27",
            "status": "open",
            "link": "https://gitlab.com/fernhill/ops/platform/-/issues/12",
            "overdue_days": 11,
        },
    ]


def test_json_all_with_filters(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["actions", "--all", "--owner", "ada nwosu", "--service", "worker", "--as-of", "2026-03-10"]
    assert main([*args, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["title"], r["status"], r["overdue_days"]) for r in records] == [
        ("Rotate worker logs by size with logrotate", "open", 11),
        ("Script that frees log space and restarts workers one by one", "dropped", 0),
    ]
    assert (
        main(
            [
                "actions",
                "--bucket",
                "detection",
                "--service",
                "payments",
                "--as-of",
                "2026-03-10",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert [r["link"] for r in json.loads(capsys.readouterr().out)] == [
        "https://github.com/fernhill/platform/issues/411"
    ]


def test_markdown_is_the_weekly_sync_agenda(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--as-of", "2026-03-10", "--format", "markdown"]) == 0
    link = '<a href="https://github.com/fernhill/platform/issues/{0}">#{0}</a>'.format
    assert capsys.readouterr().out == "\n".join(
        [
            "## Action items for the weekly sync, 2026-03-10",
            "",
            "7 open items, 2 overdue. Each overdue item is re-owned or de-prioritised out loud, never silently dropped.",
            "",
            "### Overdue",
            "",
            "**Sam Okafor**",
            "",
            "| Due | Late | Action item | Bucket | Postmortem | Issue |",
            "|---|---|---|---|---|---|",
            f"| 2026-02-08 | 30 days | Add request coalescing to the product cache | prevention | 2026-02-01-api-cache-stampede | {link(401)} |",
            "",
            "**Ada Nwosu**",
            "",
            "| Due | Late | Action item | Bucket | Postmortem | Issue |",
            "|---|---|---|---|---|---|",
            "| 2026-02-27 | 11 days | Rotate worker logs by size with logrotate | prevention | 2026-02-20-worker-disk-full | "
            '<a href="https://gitlab.com/fernhill/ops/platform/-/issues/12">#12</a> |',
            "",
            "### Due in the next 7 days",
            "",
            "| Due | Owner | Action item | Bucket | Postmortem | Issue |",
            "|---|---|---|---|---|---|",
            "| 2026-03-10 | Sam Okafor | Alert at 80% disk usage on every worker volume | detection | 2026-02-20-worker-disk-full | "
            '<a href="https://fernhill.atlassian.net/browse/OPS-7">fernhill.atlassian.net/browse/OPS-7</a> |',
            f"| 2026-03-12 | Sam Okafor | Write the runbook for a staged cache flush | mitigation | 2026-02-01-api-cache-stampede | {link(403)} |",
            f"| 2026-03-17 | Mei Chen | Retry webhook deliveries with exponential backoff | prevention | 2026-03-05-payments-webhook-timeout | {link(410)} |",
            "",
            "### Open items per bucket",
            "",
            "| Bucket | Open | Overdue |",
            "|---|---|---|",
            "| prevention | 3 | 2 |",
            "| detection | 2 | 0 |",
            "| mitigation | 2 | 0 |",
            "",
        ]
    )


def test_nothing_open(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--owner", "Nobody", "--as-of", "2026-03-10"]) == 0
    assert capsys.readouterr().out == "0 open action items as of 2026-03-10, 0 overdue.\n"
    assert main(["actions", "--owner", "Nobody", "--as-of", "2026-03-10", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "Nothing is overdue." in out and "Nothing falls due this week." in out


# --sync -----------------------------------------------------------------------------------


def answer_fixture(api: FakeApi) -> None:
    api.answer("GET", f"{GH}/401", body=issue("closed", "2026-03-01T10:00:00Z"))
    api.answer("GET", f"{GH}/402", body=issue("open"))
    api.answer("GET", f"{GH}/403", body=issue("open"))
    api.answer("GET", f"{GL}/12", status=401, body={"message": "401 Unauthorized"})
    api.answer(
        "GET",
        "/rest/api/2/issue/OPS-7",
        body={
            "key": "OPS-7",
            "fields": {
                "status": {"statusCategory": {"key": "done"}},
                "resolutiondate": "2026-03-03T17:30:00.000+0100",
            },
        },
    )
    api.answer("GET", f"{GH}/411", body=issue("open"))
    api.answer("GET", f"{GH}/412", body=issue("open"))  # and 410 is not found


def test_sync_reports_drift_per_item_and_exits_1(
    archive: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_fixture(api)
    before = {p: p.read_bytes() for p in (archive / "postmortems").iterdir()}
    assert main(["actions", "--sync", "--as-of", "2026-03-10"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "postmortems/2026-02-01-api-cache-stampede.md:19:13: action item 1 ('Add request coalescing to the product cache'): "
        "open here, but the issue was closed on 2026-03-01; mark it done [https://github.com/fernhill/platform/issues/401]; "
        "run with --write to update the file",
        "postmortems/2026-02-20-worker-disk-full.md:18:11: action item 1 ('Rotate worker logs by size with logrotate'): "
        "not checked: GitLab answered 401 to GET /projects/fernhill%2Fops%2Fplatform/issues/12: 401 Unauthorized; the token "
        "was refused; check GITLAB_TOKEN (expired, revoked, or without the api scope?) [https://gitlab.com/fernhill/ops/platform/-/issues/12]",
        "postmortems/2026-02-01-api-cache-stampede.md:24:11: action item 2 ('Alert when the redis hit rate drops below 80% f...'): "
        "done here, but the issue is still open; close the issue, or set the item back to open [https://github.com/fernhill/platform/issues/402]",
        "postmortems/2026-02-20-worker-disk-full.md:25:13: action item 2 ('Alert at 80% disk usage on every worker volume'): "
        "open here, but the issue was closed on 2026-03-03; mark it done [https://fernhill.atlassian.net/browse/OPS-7]; "
        "run with --write to update the file",
        "postmortems/2026-03-05-payments-webhook-timeout.md:18:11: action item 1 ('Retry webhook deliveries with exponential backoff'): "
        "the link does not resolve: GitHub answered 404 to GET /repos/fernhill/platform/issues/410: Not Found; no such issue, "
        "or GITHUB_TOKEN cannot see the repository [https://github.com/fernhill/platform/issues/410]",
        "Checked 8 linked action items: 3 drifted, 1 link does not resolve, 1 not checked; "
        "1 item without an issue link (or dropped) skipped.",
    ]
    assert {p: p.read_bytes() for p in (archive / "postmortems").iterdir()} == before  # no --write


def test_sync_in_step_exits_0(archive: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.answer("GET", f"{GH}/411", body=issue("open"))
    assert (
        main(
            ["actions", "--sync", "--owner", "Lena Fischer", "--bucket", "detection", "--as-of", "2026-03-10"]
        )
        == 0
    )
    assert (
        capsys.readouterr().out
        == "Checked 1 linked action item: 0 drifted, 0 links do not resolve, 0 not checked.\n"
    )


# A postmortem as people write them: comments, quoting, keys in their own order.
HAND_WRITTEN = """---
# Written during the review on 2026-02-21; keep the comments.
status: final
title:   "Workers stopped when the log volume filled"   # quoted, spaced
date: 2026-02-20
action_items:
  - link: https://github.com/fernhill/platform/issues/601   # the issue
    status: open        # becomes done when the issue closes
    title: Rotate worker logs by size with logrotate
    owner: Ada Nwosu
    due: 2026-02-27
    bucket: prevention
  -   title: 'Alert at 80% disk usage'
      status: "open"
      link: "https://github.com/fernhill/platform/issues/602"
      bucket: detection
      owner: Sam Okafor
      due: 2026-03-10
  - title: Script that frees log space
    bucket: mitigation
    owner: Ada Nwosu
    due: 2026-03-20
    link: https://github.com/fernhill/platform/issues/603
    status: done
    closed: 2026-03-01
services: [worker]
---

## Summary
"""
HAND_WRITTEN += "Background jobs stopped for three hours.   \n"  # trailing spaces stay too

WRITTEN = HAND_WRITTEN.replace(
    "    status: open        # becomes done when the issue closes\n",
    "    status: done        # becomes done when the issue closes\n    closed: 2026-03-02\n",
).replace('      status: "open"\n', '      status: "done"\n      closed: 2026-03-04\n')


@pytest.fixture
def hand_written(archive: Path, api: FakeApi) -> Path:
    for path in (archive / "postmortems").iterdir():
        path.unlink()
    api.answer("GET", f"{GH}/601", body=issue("closed", "2026-03-02T23:59:59Z"))
    api.answer("GET", f"{GH}/602", body=issue("closed", "2026-03-04T06:00:00Z"))
    api.answer("GET", f"{GH}/603", body=issue("closed", "2026-03-01T12:00:00Z"))
    return archive / "postmortems" / "2026-02-20-worker-disk-full.md"


@pytest.mark.parametrize(("newline", "bom"), [("\n", ""), ("\r\n", "\ufeff")], ids=["lf", "crlf-bom"])
def test_write_changes_only_the_status_lines(
    hand_written: Path, capsys: pytest.CaptureFixture[str], newline: str, bom: str
) -> None:
    hand_written.write_bytes((bom + HAND_WRITTEN.replace("\n", newline)).encode())
    assert main(["actions", "--sync", "--write", "--as-of", "2026-03-10"]) == 0
    assert hand_written.read_bytes() == (bom + WRITTEN.replace("\n", newline)).encode()
    out = capsys.readouterr().out
    assert out.count("; written") == 2 and "(2 written)" in out
    assert main(["actions", "--sync", "--as-of", "2026-03-10"]) == 0  # in step now
    assert [p.name for p in hand_written.parent.iterdir()] == [hand_written.name]  # no temporary files


@pytest.mark.parametrize("fails", ["fsync", "replace"])
def test_a_failure_mid_write_leaves_the_original(
    hand_written: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    hand_written.write_text(HAND_WRITTEN)
    original = hand_written.read_bytes()

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fails, broken)
    assert main(["actions", "--sync", "--write", "--as-of", "2026-03-10"]) == 1
    captured = capsys.readouterr()
    assert f"cannot write {hand_written}: No space left on device; the file is unchanged" in captured.err
    assert captured.out.count("; not written") == 2 and "; written" not in captured.out
    assert hand_written.read_bytes() == original
    assert [p.name for p in hand_written.parent.iterdir()] == [hand_written.name]


def test_a_file_saved_during_the_sync_is_not_overwritten(
    hand_written: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_written.write_text(HAND_WRITTEN)
    theirs = HAND_WRITTEN.replace("Background jobs stopped", "Jobs stopped")

    def save_meanwhile(request: Request) -> Answer:
        hand_written.write_text(theirs)  # someone saves in their editor while mortem waits
        return Answer(200, issue("closed", "2026-03-02T10:00:00Z"))

    api.handle("GET", f"{GH}/601", save_meanwhile)
    assert main(["actions", "--sync", "--write", "--as-of", "2026-03-10"]) == 1
    assert "changed since mortem read it; nothing written, run it again" in capsys.readouterr().err
    assert hand_written.read_text() == theirs


def test_a_flow_style_item_is_left_to_a_person(
    hand_written: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HAND_WRITTEN.replace(
        '  -   title: \'Alert at 80% disk usage\'\n      status: "open"\n      link: "https://github.com/fernhill/platform/issues/602"\n'
        "      bucket: detection\n      owner: Sam Okafor\n      due: 2026-03-10\n",
        "  - {title: Alert at 80% disk usage, status: open, link: 'https://github.com/fernhill/platform/issues/602', "
        "bucket: detection, owner: Sam Okafor, due: 2026-03-10}\n",
    )
    hand_written.write_text(text)
    assert main(["actions", "--sync", "--write", "--as-of", "2026-03-10"]) == 1
    assert (
        "could not make the change without touching other fields; edit the file by hand"
        in capsys.readouterr().err
    )
    assert hand_written.read_text() == text


# --file-issues ------------------------------------------------------------------------------

DRAFT = """---
title: Checkout failed after a deploy ran ahead of its migration
date: 2026-03-08
status: draft
action_items:
  - title: Run migrations as a required CI job
    bucket: prevention
    owner: Priya Raman
    due: 2026-03-15
    link: ""   # filled by --file-issues
    status: open
  - title: Synthetic check that places a test order every minute
    bucket: detection
    owner: Mei Chen
    due: 2026-03-16
    link: TBD
    status: open
  - title: Document the one-command rollback
    bucket: mitigation
    owner: Sam Okafor
    due: 2026-03-17
    link: https://github.com/fernhill/platform/issues/700
    status: open
---

## Summary
Checkout failed for 50 minutes.
"""


@pytest.fixture
def draft(archive: Path) -> Path:
    with (archive / "mortem.toml").open("a") as config:
        config.write('tracker = "github"\ntracker_repo = "fernhill/platform"\n')
    path = archive / "postmortems" / "2026-03-08-checkout-deploy-before-migration.md"
    path.write_text(DRAFT)
    return path


def test_file_issues_opens_one_per_placeholder_and_writes_the_links(
    draft: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = iter([701, 702])

    def create(request: Request) -> Answer:
        number = next(numbers)
        return Answer(
            201, {"number": number, "html_url": f"https://github.com/fernhill/platform/issues/{number}"}
        )

    api.handle("POST", GH, create)
    assert main(["actions", "--file-issues", str(draft)]) == 0
    assert draft.read_text() == DRAFT.replace(
        'link: ""   # filled', "link: https://github.com/fernhill/platform/issues/701   # filled"
    ).replace("link: TBD", "link: https://github.com/fernhill/platform/issues/702")
    first, second = api.sent("POST")
    assert [github_schema_errors(r) for r in (first, second)] == [[], []]
    assert first.body["title"] == "Run migrations as a required CI job"
    assert first.body["body"].splitlines()[:5] == [
        "Action item from the postmortem [Checkout failed after a deploy ran ahead of its migration]"
        "(https://github.com/fernhill/platform/blob/HEAD/postmortems/2026-03-08-checkout-deploy-before-migration.md).",
        "",
        "- **Owner:** Priya Raman",
        "- **Due:** 2026-03-15",
        "- **Bucket:** prevention",
    ]
    assert first.headers["authorization"] == "Bearer gh-t0ken"
    assert capsys.readouterr().out.splitlines()[-1] == f"postmortems/{draft.name}: wrote 2 links"
    assert main(["actions", "--file-issues", str(draft)]) == 0  # nothing left to file
    assert len(api.sent("POST")) == 2


def test_file_issues_dry_run_sends_and_writes_nothing(
    draft: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "--file-issues", str(draft), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("would open in GitHub fernhill/platform: ") == 2
    assert "would open in GitHub fernhill/platform: Run migrations as a required CI job\n" in out
    assert "  - **Owner:** Mei Chen\n" in out
    assert api.sent() == [] and draft.read_text() == DRAFT


def test_file_issues_on_gitlab_with_a_postmortem_url(
    archive: Path, draft: Path, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    (archive / "mortem.toml").write_text(
        'archive = "postmortems"\ntracker = "gitlab"\ntracker_repo = "fernhill/ops/platform"\n'
        'postmortem_url = "https://ops.fernhill.example/archive/{id}/"\n'
    )
    monkeypatch.setenv("GITLAB_TOKEN", "gl-t0ken")
    iids = iter([21, 22])
    api.handle(
        "POST",
        GL,
        lambda request: Answer(
            201, {"web_url": f"https://gitlab.com/fernhill/ops/platform/-/issues/{next(iids)}"}
        ),
    )
    assert main(["actions", "--file-issues", str(draft)]) == 0
    first, _ = api.sent("POST")
    assert first.body["due_date"] == "2026-03-15"
    assert (
        "(https://ops.fernhill.example/archive/2026-03-08-checkout-deploy-before-migration/)"
        in first.body["description"]
    )
    assert "link: https://gitlab.com/fernhill/ops/platform/-/issues/22\n" in draft.read_text()


def test_file_issues_keeps_the_links_it_got_when_one_create_fails(
    draft: Path, api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(
        [
            Answer(201, {"html_url": "https://github.com/fernhill/platform/issues/703"}),
            Answer(403, {"message": "Resource not accessible by integration"}),
        ]
    )
    api.handle("POST", GH, lambda request: next(answers))
    assert main(["actions", "--file-issues", str(draft)]) == 1
    assert "GitHub answered 403 to POST /repos/fernhill/platform/issues" in capsys.readouterr().err
    text = draft.read_text()
    assert "issues/703" in text and "link: TBD\n" in text


# --history and usage ---------------------------------------------------------------------------


def test_history_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import git

    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "Ada Nwosu")
        writer.set_value("user", "email", "ada@example.com")
    shutil.copytree(FIXTURE, tmp_path / "postmortems")
    repo.index.add([f"postmortems/{p.name}" for p in FIXTURE.iterdir()])
    with repo.git.custom_environment(
        GIT_AUTHOR_DATE="2026-03-06T09:00:00+00:00", GIT_COMMITTER_DATE="2026-03-06T09:00:00+00:00"
    ):
        repo.git.commit("-m", "Import the archive")
    monkeypatch.chdir(tmp_path)
    assert main(["actions", "--history", "--format", "json", "--as-of", "2026-04-10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"as_of", "commits", "items", "buckets", "open_older_than_30_days", "postmortems"}
    assert data["commits"] == 1 and len(data["items"]) == 9
    assert data["open_older_than_30_days"] == 7
    assert data["postmortems"][0] == {
        "postmortem": "2026-02-01-api-cache-stampede",
        "date": "2026-02-01",
        "status": "final",
        "first_commit": "2026-03-06T09:00:00+00:00",
        "final_commit": "2026-03-06T09:00:00+00:00",
        "days_to_first_commit": 33,
        "days_to_final": 33,
    }
    assert main(["actions", "--history", "--as-of", "2026-04-10"]) == 0
    assert "Open items first committed more than 30 days ago: 7" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--write"], "--write goes with --sync"),
        (["--dry-run"], "--dry-run goes with --file-issues"),
        (["--sync", "--format", "markdown"], "--format markdown is the weekly agenda"),
        (["--as-of", "10/03/2026"], "argument --as-of: '10/03/2026' is not a date"),
        (["--file-issues", "postmortems/2026-02-01-api-cache-stampede.md"], "set tracker"),
        (["--file-issues", "postmortems/nope.md"], "postmortems/nope.md: no such postmortem"),
    ],
)
def test_usage_errors_exit_2(
    archive: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(["actions", *args]) == 2
    assert words in capsys.readouterr().err


def test_sync_and_file_issues_are_exclusive(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--sync", "--file-issues", CACHE]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
