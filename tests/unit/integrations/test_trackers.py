"""GitHub, GitLab and Jira issue state against a recording server on 127.0.0.1 that answers
with each API's documented response shapes, and every way a call fails: one clear message
for that item, and the run goes on."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fake_api import FakeApi, github_schema_errors, serve

from mortem.analysis.actions import ActionRow, action_rows
from mortem.archive import load_archive
from mortem.config import Config
from mortem.integrations import trackers
from mortem.integrations.trackers import (
    CLOSED_DAY,
    CLOSED_THERE,
    IN_STEP,
    MISSING,
    OPEN_THERE,
    UNCHECKED,
    IssueState,
    Settings,
    parse_link,
)

FIXTURE = Path(__file__).parents[2] / "fixtures" / "actions"
AS_OF = date(2026, 3, 10)
GH = "/repos/fernhill/platform/issues"
GL = "/api/v4/projects/fernhill%2Fops%2Fplatform/issues"  # the project path, URL-encoded
JIRA = "/rest/api/2/issue"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    yield from serve()


@pytest.fixture
def rows(tmp_path: Path) -> list[ActionRow]:
    shutil.copytree(FIXTURE, tmp_path / "postmortems")
    return action_rows(load_archive(Config(root=tmp_path)), AS_OF)


def settings(api: FakeApi, timeout: float = 5.0, **extra: object) -> Settings:
    values: dict[str, object] = {
        "jira_hosts": frozenset({"fernhill.atlassian.net"}),
        "api_overrides": {"github": api.url, "gitlab": f"{api.url}/api/v4", "jira": api.url},
        "tokens": {"github": "gh-t0ken", "gitlab": "gl-t0ken", "jira": "jira-t0ken"},
        "jira_user": "ops@fernhill.example",
        "timeout": timeout,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def github_issue(number: int, state: str, closed_at: str | None = None) -> dict[str, object]:
    """The fields of GET /repos/{owner}/{repo}/issues/{issue_number} that matter here."""
    return {
        "id": 9_000 + number,
        "number": number,
        "html_url": f"https://github.com/fernhill/platform/issues/{number}",
        "title": "an issue",
        "state": state,
        "state_reason": "completed" if state == "closed" else None,
        "closed_at": closed_at,
    }


def answer_all(api: FakeApi) -> None:
    api.answer("GET", f"{GH}/401", body=github_issue(401, "closed", "2026-03-01T10:00:00Z"))
    api.answer("GET", f"{GH}/402", body=github_issue(402, "open"))
    api.answer("GET", f"{GH}/403", body=github_issue(403, "open"))
    api.answer(
        "GET",
        f"{GL}/12",
        body={
            "id": 84,
            "iid": 12,
            "project_id": 7,
            "state": "closed",
            "closed_at": "2026-03-02T08:00:00.000Z",
        },
    )
    api.answer(
        "GET",
        f"{JIRA}/OPS-7",
        body={
            "id": "10007",
            "key": "OPS-7",
            "fields": {
                "status": {"name": "Done", "statusCategory": {"id": 3, "key": "done", "name": "Done"}},
                "resolutiondate": "2026-03-03T17:30:00.000+0100",
            },
        },
    )
    api.answer("GET", f"{GH}/410", status=404, body={"message": "Not Found"})
    api.answer("GET", f"{GH}/411", body=github_issue(411, "open"))
    api.answer("GET", f"{GH}/412", body=github_issue(412, "open"))


def run(rows: list[ActionRow], config: Settings) -> list[tuple[str, int, str, str]]:
    pairs, skipped = trackers.trackable(rows, config)
    assert skipped == 1  # the dropped item
    return [
        (c.row.postmortem[11:], c.row.item.index, c.verdict, c.message) for c in trackers.sync(pairs, config)
    ]


def test_each_tracker_is_read_from_its_documented_shape(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    assert run(rows, settings(api)) == [
        (
            "api-cache-stampede",
            0,
            CLOSED_THERE,
            "open here, but the issue was closed on 2026-03-01; mark it done",
        ),
        (
            "api-cache-stampede",
            1,
            OPEN_THERE,
            "done here, but the issue is still open; close the issue, or set the item back to open",
        ),
        ("api-cache-stampede", 2, IN_STEP, ""),
        (
            "worker-disk-full",
            0,
            CLOSED_THERE,
            "open here, but the issue was closed on 2026-03-02; mark it done",
        ),
        (
            "worker-disk-full",
            1,
            CLOSED_THERE,
            "open here, but the issue was closed on 2026-03-03; mark it done",
        ),
        (
            "payments-webhook-timeout",
            0,
            MISSING,
            "the link does not resolve: GitHub answered 404 to GET /repos/fernhill/platform/issues/410: "
            "Not Found; no such issue, or GITHUB_TOKEN cannot see the repository",
        ),
        ("payments-webhook-timeout", 1, IN_STEP, ""),
        ("payments-webhook-timeout", 2, IN_STEP, ""),
    ]
    sent = {r.path: r for r in api.sent()}
    assert sent[f"{GH}/401"].headers["authorization"] == "Bearer gh-t0ken"
    assert sent[f"{GH}/401"].headers["accept"] == "application/vnd.github+json"
    assert sent[f"{GL}/12"].headers["private-token"] == "gl-t0ken"
    assert "authorization" not in sent[f"{GL}/12"].headers
    basic = base64.b64encode(b"ops@fernhill.example:jira-t0ken").decode()
    assert sent[f"{JIRA}/OPS-7"].headers["authorization"] == f"Basic {basic}"
    assert sent[f"{JIRA}/OPS-7"].query == {"fields": "status,resolutiondate"}


def test_unauthorised_is_one_line_for_that_item_and_the_run_goes_on(
    api: FakeApi, rows: list[ActionRow]
) -> None:
    answer_all(api)
    api.answer("GET", f"{GL}/12", status=401, body={"message": "401 Unauthorized"})
    found = {(name, index): (verdict, message) for name, index, verdict, message in run(rows, settings(api))}
    assert found[("worker-disk-full", 0)] == (
        UNCHECKED,
        "not checked: GitLab answered 401 to GET /projects/fernhill%2Fops%2Fplatform/issues/12: "
        "401 Unauthorized; the token was refused; check GITLAB_TOKEN (expired, revoked, or without the api scope?)",
    )
    assert found[("worker-disk-full", 1)][0] == CLOSED_THERE  # Jira, after the GitLab failure
    assert found[("payments-webhook-timeout", 2)][0] == IN_STEP


def test_github_rate_limit_403_stops_github_calls_only(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    api.answer(
        "GET",
        f"{GH}/401",
        status=403,
        body={"message": "API rate limit exceeded for user ID 1."},
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "1893456000",
        },
    )
    result = run(rows, settings(api))
    verdicts = [verdict for _, _, verdict, _ in result]
    assert verdicts == [
        UNCHECKED,
        UNCHECKED,
        UNCHECKED,
        CLOSED_THERE,
        CLOSED_THERE,
        UNCHECKED,
        UNCHECKED,
        UNCHECKED,
    ]
    first = result[0][3]
    assert first.startswith(
        "not checked: GitHub's rate limit is used up (GET /repos/fernhill/platform/issues/401); "
    )
    assert "it resets at" in first
    assert result[1][3] == f"not checked: {first.removeprefix('not checked: ')} (earlier in this run)"
    github_calls = [r.path for r in api.sent() if r.path.startswith(GH)]
    assert github_calls == [f"{GH}/401"]  # no call after the limit was reached


def test_jira_429_says_when_to_retry(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    api.answer(
        "GET",
        f"{JIRA}/OPS-7",
        status=429,
        body={"errorMessages": ["Rate limit exceeded."]},
        headers={"Retry-After": "30"},
    )
    found = {(n, i): (v, m) for n, i, v, m in run(rows, settings(api))}
    assert found[("worker-disk-full", 1)] == (
        UNCHECKED,
        "not checked: Jira's rate limit is used up (GET /rest/api/2/issue/OPS-7); retry in 30 s",
    )
    assert found[("payments-webhook-timeout", 0)][0] == MISSING


def test_a_timeout_is_that_items_message(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    api.answer("GET", f"{GH}/403", body=github_issue(403, "open"), delay=1.0)
    found = {(n, i): (v, m) for n, i, v, m in run(rows, settings(api, timeout=0.2))}
    assert found[("api-cache-stampede", 2)] == (
        UNCHECKED,
        "not checked: GitHub did not answer GET /repos/fernhill/platform/issues/403 within 0.2 s "
        "(network timeout); try again",
    )
    assert found[("worker-disk-full", 0)][0] == CLOSED_THERE
    assert found[("payments-webhook-timeout", 2)][0] == IN_STEP


def test_an_answer_without_a_state_is_reported(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    api.answer("GET", f"{GH}/411", body={"message": "moved"})
    found = {(n, i): (v, m) for n, i, v, m in run(rows, settings(api))}
    assert found[("payments-webhook-timeout", 1)] == (
        UNCHECKED,
        "not checked: GitHub answered for https://github.com/fernhill/platform/issues/411 without an issue `state`",
    )


def test_one_call_per_issue_even_when_two_items_share_it(api: FakeApi, rows: list[ActionRow]) -> None:
    answer_all(api)
    twice = [rows[0], rows[0]]
    pairs, _ = trackers.trackable(twice, settings(api))
    assert [c.verdict for c in trackers.sync(pairs, settings(api))] == [CLOSED_THERE, CLOSED_THERE]
    assert len(api.sent()) == 1


def test_no_token_goes_to_a_host_the_team_did_not_name(api: FakeApi) -> None:
    config = settings(api)
    jira = parse_link("https://tracker.elsewhere.example/browse/OPS-7", config)
    gitlab = parse_link("https://git.elsewhere.example/ops/platform/-/issues/12", config)
    assert jira is not None and not jira.trusted and gitlab is not None and not gitlab.trusted
    api.answer(
        "GET",
        f"{JIRA}/OPS-7",
        body={"key": "OPS-7", "fields": {"status": {"statusCategory": {"key": "new"}}}},
    )
    api.answer(
        "GET",
        "/api/v4/projects/ops%2Fplatform/issues/12",
        body={"iid": 12, "state": "opened", "closed_at": None},
    )
    rows = [
        _row("https://tracker.elsewhere.example/browse/OPS-7"),
        _row("https://git.elsewhere.example/ops/platform/-/issues/12"),
    ]
    pairs = [(rows[0], jira), (rows[1], gitlab)]
    assert [c.verdict for c in trackers.sync(pairs, config)] == [IN_STEP, IN_STEP]
    for request in api.sent():
        assert "authorization" not in request.headers and "private-token" not in request.headers


def _row(link: str, status: str = "open", closed: date | None = None) -> ActionRow:
    from mortem.model import ActionItem

    item = ActionItem(0, "t", "detection", "Sam Okafor", date(2026, 3, 1), link, status, closed, None)
    return ActionRow("2026-02-01-x", "x", date(2026, 2, 1), item, None)


def test_a_done_item_without_closed_takes_the_trackers_day() -> None:
    row = _row("https://github.com/o/r/issues/1", status="done")
    assert trackers.verdict(row, IssueState(True, date(2026, 3, 4)))[0] == CLOSED_DAY
    with_day = _row("https://github.com/o/r/issues/1", status="done", closed=date(2026, 3, 4))
    assert trackers.verdict(with_day, IssueState(True, date(2026, 3, 4)))[0] == IN_STEP


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://github.com/fernhill/platform/issues/481",
            ("github", "https://api.github.com", "fernhill/platform", "481"),
        ),
        (
            "https://github.com/fernhill/platform/pull/12#issuecomment-1",
            ("github", "https://api.github.com", "fernhill/platform", "12"),
        ),
        (
            "https://ghe.fernhill.example/ops/platform/issues/9",
            ("github", "https://ghe.fernhill.example/api/v3", "ops/platform", "9"),
        ),
        (
            "https://gitlab.com/fernhill/ops/platform/-/issues/12",
            ("gitlab", "https://gitlab.com/api/v4", "fernhill/ops/platform", "12"),
        ),
        (
            "https://gitlab.com/fernhill/platform/issues/3",
            ("gitlab", "https://gitlab.com/api/v4", "fernhill/platform", "3"),
        ),
        (
            "https://git.example.org/a/b/-/work_items/5",
            ("gitlab", "https://git.example.org/api/v4", "a/b", "5"),
        ),
        (
            "https://fernhill.atlassian.net/browse/OPS-7",
            ("jira", "https://fernhill.atlassian.net", "", "OPS-7"),
        ),
        (
            "https://jira.example.org/jira/browse/PLAT-1234",
            ("jira", "https://jira.example.org/jira", "", "PLAT-1234"),
        ),
        ("https://docs.google.com/document/d/1abc", None),
        ("https://ghe.other.example/ops/platform/issues/9", None),  # not the configured host
        ("TBD", None),
        ("", None),
        ("ftp://github.com/a/b/issues/1", None),
    ],
)
def test_the_tracker_is_recognised_from_the_link(
    url: str, expected: tuple[str, str, str, str] | None
) -> None:
    config = Settings.from_env(Config(tracker="github", tracker_url="https://ghe.fernhill.example"), {})
    ref = parse_link(url, config)
    assert (ref and (ref.tracker, ref.api, ref.project, ref.number)) == expected


def test_settings_from_the_environment() -> None:
    env = {
        "GITHUB_TOKEN": "a",
        "MORTEM_GITLAB_TOKEN": "b",
        "JIRA_TOKEN": "c",
        "JIRA_USER": "ops@fernhill.example",
        "JIRA_URL": "https://Fernhill.atlassian.net",
        "MORTEM_GITHUB_API_URL": "http://127.0.0.1:9/",
    }
    config = Settings.from_env(Config(tracker="gitlab", tracker_url="https://git.fernhill.example"), env)
    assert config.tokens == {"github": "a", "gitlab": "b", "jira": "c"}
    assert config.gitlab_hosts == {"gitlab.com", "git.fernhill.example"}
    assert config.github_hosts == {"github.com"}
    assert config.jira_hosts == {"fernhill.atlassian.net"}
    assert config.api_overrides == {"github": "http://127.0.0.1:9"}
    assert Settings.from_env(Config(), {"GITLAB_TOKEN": "x", "MORTEM_GITLAB_TOKEN": "y"}).tokens == {
        "gitlab": "x"
    }


def test_a_github_issue_is_opened_with_a_body_github_accepts(api: FakeApi) -> None:
    api.answer(
        "POST", GH, 201, {"number": 413, "html_url": "https://github.com/fernhill/platform/issues/413"}
    )
    client = trackers.client("github", api.url, settings(api))
    issue = trackers.NewIssue("Alert on checkout", "Action item from ...", date(2026, 3, 12))
    assert (
        trackers.open_issue("github", client, "fernhill/platform", issue)
        == "https://github.com/fernhill/platform/issues/413"
    )
    (request,) = api.sent()
    assert request.body == {"title": "Alert on checkout", "body": "Action item from ..."}
    assert github_schema_errors(request) == []


def test_a_gitlab_issue_carries_its_due_date(api: FakeApi) -> None:
    api.answer(
        "POST", GL, 201, {"iid": 13, "web_url": "https://gitlab.com/fernhill/ops/platform/-/issues/13"}
    )
    client = trackers.client("gitlab", f"{api.url}/api/v4", settings(api))
    issue = trackers.NewIssue("Alert on checkout", "body", date(2026, 3, 12))
    url = trackers.open_issue("gitlab", client, "fernhill/ops/platform", issue)
    assert url == "https://gitlab.com/fernhill/ops/platform/-/issues/13"
    (request,) = api.sent()
    assert request.body == {"title": "Alert on checkout", "description": "body", "due_date": "2026-03-12"}
    assert request.headers["private-token"] == "gl-t0ken"
