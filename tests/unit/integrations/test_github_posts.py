"""What mortem posts to GitHub, against a recording server: the review and how it replaces
its earlier one, the sticky similar-incidents comment, the weekly issue. Every request body
is checked against GitHub's published request schema for its endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from fake_api import FakeApi, Request, github_schema_errors, serve

from mortem.ci import ChangedFile, NewPostmortem, Report, SimilarIncident
from mortem.findings import Finding, Severity
from mortem.integrations import github, markdown
from mortem.integrations.rest import ApiError

REPO = "/repos/fernhill/platform"
PATH = "postmortems/2026-10-07-checkout.md"
BOT = "github-actions[bot]"
SHA = "a" * 40


def finding(line: int, code: str = "PM030", severity: Severity = Severity.ERROR, path: str = PATH) -> Finding:
    return Finding(path, line, 12, code, "one-named-owner", severity, f"owner problem on line {line}")


def report(*findings: Finding, new: tuple[NewPostmortem, ...] = ()) -> Report:
    changed = (ChangedFile(PATH, "added", tuple(range(1, 60))),)
    return Report(tuple(findings), 1, changed, new, 7, SHA)


@pytest.fixture
def api() -> Iterator[FakeApi]:
    yield from serve()


def client(api: FakeApi) -> github.GitHub:
    return github.GitHub("fernhill/platform", "t0ken", api.url)


def assert_schema_valid(api: FakeApi) -> None:
    for request in api.requests:
        if request.body is not None:
            assert github_schema_errors(request) == [], (request.method, request.path, request.body)


def test_review_payload_puts_lines_in_the_diff_on_lines_and_the_rest_in_the_body() -> None:
    outside = finding(80, "PM040", Severity.WARNING)
    other_file = finding(3, path="postmortems/2025-01-01-old.md")
    payload = github.review_payload(
        report(finding(39), finding(39, "PM033"), finding(12), outside, other_file), SHA
    )
    assert payload["event"] == "COMMENT" and payload["commit_id"] == SHA
    assert [(c["path"], c["line"], c["side"]) for c in payload["comments"]] == [
        (PATH, 12, "RIGHT"),
        (PATH, 39, "RIGHT"),
    ]
    assert payload["comments"][1]["body"].count("owner problem on line 39") == 2  # one comment per line
    assert payload["body"].startswith(markdown.REVIEW_MARKER)
    assert (
        "owner problem on line 80" in payload["body"] and "postmortems/2025-01-01-old.md:3" in payload["body"]
    )
    assert "owner problem on line 39" not in payload["body"]
    assert github_schema_errors(Request("POST", f"{REPO}/pulls/7/reviews", {}, {}, payload)) == []


def test_schema_check_catches_a_field_github_does_not_know() -> None:
    bad = {
        "body": "x",
        "event": "COMMENT",
        "comments": [{"path": PATH, "line": 1, "body": "x", "sides": "RIGHT"}],
    }
    assert github_schema_errors(Request("POST", f"{REPO}/pulls/7/reviews", {}, {}, bad))
    assert github_schema_errors(Request("POST", f"{REPO}/pulls/7/reviews", {}, {}, {"event": "NITPICK"}))


def earlier_reviews(api: FakeApi, *reviews: dict[str, object]) -> None:
    api.answer("GET", f"{REPO}/pulls/7/reviews", 200, list(reviews))


def test_first_review_is_created_and_nothing_else_touched(api: FakeApi) -> None:
    earlier_reviews(api, {"id": 5, "body": "LGTM", "user": {"login": "mei"}})
    api.answer("POST", f"{REPO}/pulls/7/reviews", 200, {"id": 11, "user": {"login": BOT}})
    said: list[str] = []
    github.post_review(client(api), 7, report(finding(39)), BOT, SHA, said.append)
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", f"{REPO}/pulls/7/reviews"),
        ("POST", f"{REPO}/pulls/7/reviews"),
    ]
    assert api.sent("POST")[0].body["comments"][0]["line"] == 39
    assert said == ["posted review 11 with 1 finding(s)"]
    assert_schema_valid(api)


def test_rerun_supersedes_the_earlier_review_after_creating_the_new_one(api: FakeApi) -> None:
    earlier_reviews(
        api,
        {"id": 5, "body": f"{markdown.REVIEW_MARKER}\nold", "user": {"login": BOT}},
        {"id": 6, "body": f"{markdown.REVIEW_MARKER}\nquoted by a person", "user": {"login": "mei"}},
        {"id": 4, "body": f"{markdown.SUPERSEDED_MARKER}\nalready done", "user": {"login": BOT}},
    )
    api.answer("POST", f"{REPO}/pulls/7/reviews", 200, {"id": 12})
    api.answer("GET", f"{REPO}/pulls/7/reviews/5/comments", 200, [{"id": 901}, {"id": 902}])
    api.answer("DELETE", f"{REPO}/pulls/comments/901", 204)
    api.answer("DELETE", f"{REPO}/pulls/comments/902", 204)
    api.answer("PUT", f"{REPO}/pulls/7/reviews/5", 200, {"id": 5})
    github.post_review(client(api), 7, report(finding(39)), BOT, SHA, lambda _: None)
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", f"{REPO}/pulls/7/reviews"),
        ("POST", f"{REPO}/pulls/7/reviews"),
        ("GET", f"{REPO}/pulls/7/reviews/5/comments"),
        ("DELETE", f"{REPO}/pulls/comments/901"),
        ("DELETE", f"{REPO}/pulls/comments/902"),
        ("PUT", f"{REPO}/pulls/7/reviews/5"),
    ]
    superseded = api.sent("PUT")[0].body["body"]
    assert superseded.startswith(markdown.SUPERSEDED_MARKER) and markdown.REVIEW_MARKER not in superseded
    assert "newer mortem review" in superseded
    assert_schema_valid(api)


def test_all_clear_with_no_earlier_review_posts_nothing(api: FakeApi) -> None:
    earlier_reviews(api)
    said: list[str] = []
    github.post_review(client(api), 7, report(), BOT, SHA, said.append)
    assert [r.method for r in api.requests] == ["GET"]
    assert said == ["all clear and no earlier mortem review: nothing to post"]


def test_all_clear_after_findings_replaces_the_old_review(api: FakeApi) -> None:
    earlier_reviews(api, {"id": 5, "body": f"{markdown.REVIEW_MARKER}\nold", "user": {"login": BOT}})
    api.answer("POST", f"{REPO}/pulls/7/reviews", 200, {"id": 13})
    api.answer("GET", f"{REPO}/pulls/7/reviews/5/comments", 200, [])
    api.answer("PUT", f"{REPO}/pulls/7/reviews/5", 200, {"id": 5})
    github.post_review(client(api), 7, report(), BOT, SHA, lambda _: None)
    assert api.sent("POST")[0].body["comments"] == []
    assert "All clear" in api.sent("POST")[0].body["body"]
    assert "check now passes" in api.sent("PUT")[0].body["body"]
    assert_schema_valid(api)


def test_a_refused_review_leaves_the_earlier_one_whole(api: FakeApi) -> None:
    earlier_reviews(api, {"id": 5, "body": f"{markdown.REVIEW_MARKER}\nold", "user": {"login": BOT}})
    api.answer(
        "POST",
        f"{REPO}/pulls/7/reviews",
        422,
        {
            "message": "Unprocessable Entity",
            "errors": ["Pull request review thread line must be part of the diff"],
        },
    )
    with pytest.raises(
        ApiError,
        match="422 to POST /pulls/7/reviews: Unprocessable Entity - Pull request review thread line must be part of the diff",
    ):
        github.post_review(client(api), 7, report(finding(39)), BOT, SHA, lambda _: None)
    assert [r.method for r in api.requests] == ["GET", "POST"]


SIMILAR = (
    NewPostmortem(
        PATH,
        "2026-10-07-checkout",
        "Checkout <b>failed</b> @mei",
        (SimilarIncident("2025-09-16-api-deploy", "Deploy | env var", 0.66, ("same category x",)),),
    ),
)


def test_similar_comment_is_created_once_then_edited_in_place(api: FakeApi) -> None:
    body = markdown.similar_comment(report(new=SIMILAR))
    api.answer(
        "GET", f"{REPO}/issues/7/comments", 200, [{"id": 3, "body": "thanks", "user": {"login": "mei"}}]
    )
    api.answer("POST", f"{REPO}/issues/7/comments", 201, {"id": 44})
    assert github.upsert_comment(client(api), 7, body, BOT, markdown.SIMILAR_MARKER) == "created comment 44"
    api.answer("GET", f"{REPO}/issues/7/comments", 200, [{"id": 44, "body": body, "user": {"login": BOT}}])
    api.answer("PATCH", f"{REPO}/issues/comments/44", 200, {"id": 44})
    assert github.upsert_comment(client(api), 7, body, BOT, markdown.SIMILAR_MARKER) == "updated comment 44"
    assert [(r.method, r.path) for r in api.requests if r.method != "GET"] == [
        ("POST", f"{REPO}/issues/7/comments"),
        ("PATCH", f"{REPO}/issues/comments/44"),
    ]
    sent = api.sent("POST")[0].body["body"]
    assert "<b>" not in sent and "@mei" not in sent and "Deploy &#124; env var" in sent
    assert_schema_valid(api)


def test_weekly_issue_is_created_then_updated(api: FakeApi) -> None:
    body = markdown.weekly_issue_body([], date(2026, 11, 30), "postmortems")
    api.answer(
        "GET",
        f"{REPO}/issues",
        200,
        [
            {"number": 2, "body": markdown.WEEKLY_MARKER, "user": {"login": BOT}, "pull_request": {}},
            {"number": 3, "body": markdown.WEEKLY_MARKER, "user": {"login": "mei"}},
        ],
    )
    api.answer("POST", f"{REPO}/issues", 201, {"number": 40})
    assert github.upsert_weekly_issue(client(api), markdown.WEEKLY_TITLE, body, BOT) == "created issue #40"
    api.answer("GET", f"{REPO}/issues", 200, [{"number": 40, "body": body, "user": {"login": BOT}}])
    api.answer("PATCH", f"{REPO}/issues/40", 200, {"number": 40})
    assert github.upsert_weekly_issue(client(api), markdown.WEEKLY_TITLE, body, BOT) == "updated issue #40"
    assert api.sent("GET")[0].query == {"state": "open", "per_page": "100", "page": "1"}
    assert api.sent("PATCH")[0].body == {"title": markdown.WEEKLY_TITLE, "body": body}
    assert_schema_valid(api)


def test_actions_environment_reads_the_pull_request_event(tmp_path: object) -> None:
    from pathlib import Path

    event = Path(str(tmp_path)) / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": SHA}}}))
    actions = github.Actions.from_env({"GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "o/r"})
    assert (actions.pull_request, actions.head_sha, actions.api_url) == (7, SHA, "https://api.github.com")
    link = actions.blob_link(SHA)
    assert (
        link is not None
        and link("postmortems/a b.md") == f"https://github.com/o/r/blob/{SHA}/postmortems/a%20b.md"
    )
    assert github.Actions.from_env({}).pull_request is None
