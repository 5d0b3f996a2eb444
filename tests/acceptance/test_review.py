"""`mortem review` and `mortem weekly-issue` as the workflows run them, against a recording
GitHub on 127.0.0.1: what they send (checked against GitHub's request schemas), and a clear
one-line error with a non-zero exit for each way the API can fail."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_api import Answer, FakeApi, Request, github_schema_errors, serve

from mortem.ci import ChangedFile, NewPostmortem, Report, SimilarIncident
from mortem.cli.main import main
from mortem.findings import Finding, Severity
from mortem.integrations import markdown

REPO = "/repos/fernhill/platform"
NEW = "postmortems/2026-10-07-checkout-deploy-before-migration.md"
SHA = "c" * 40
FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules" / "good"


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    for name in ("GITHUB_EVENT_PATH", "GITHUB_BASE_REF", "MORTEM_GITHUB_LOGIN", "GITHUB_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    for server in serve():
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", "fernhill/platform")
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        yield server


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    finding = Finding(
        NEW,
        39,
        12,
        "PM030",
        "one-named-owner",
        Severity.ERROR,
        "action item 2: owner 'the team' is a group, not a person",
    )
    outside = Finding(NEW, 90, 1, "PM040", "blame-language", Severity.WARNING, "'careless' reads as blame")
    similar = (
        SimilarIncident(
            "2025-09-16-api-deploy-missing-env-var",
            "Booking confirmations failed",
            0.66,
            ("same category manual-deploy-ordering",),
        ),
    )
    report = Report(
        (finding, outside),
        1,
        (ChangedFile(NEW, "added", tuple(range(1, 70))),),
        (NewPostmortem(NEW, Path(NEW).stem, "Checkout failed", similar),),
        7,
        SHA,
    )
    path = tmp_path / "report.json"
    path.write_text(report.to_json())
    return path


def happy_github(api: FakeApi) -> None:
    api.answer("GET", f"{REPO}/pulls/7", 200, {"number": 7, "head": {"sha": SHA}})
    api.answer("GET", f"{REPO}/pulls/7/reviews", 200, [])
    api.answer("POST", f"{REPO}/pulls/7/reviews", 200, {"id": 100, "user": {"login": "github-actions[bot]"}})
    api.answer("GET", f"{REPO}/issues/7/comments", 200, [])
    api.answer("POST", f"{REPO}/issues/7/comments", 201, {"id": 200})


def test_review_and_similar_comment_are_posted_with_valid_bodies(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    happy_github(api)
    assert main(["review", "--report", str(report_file), "--head-sha", SHA]) == 0
    assert capsys.readouterr().out == "posted review 100 with 2 finding(s)\ncreated comment 200\n"
    posted = [r for r in api.requests if r.body is not None]
    assert [(r.method, r.path) for r in posted] == [
        ("POST", f"{REPO}/pulls/7/reviews"),
        ("POST", f"{REPO}/issues/7/comments"),
    ]
    for request in posted:
        assert github_schema_errors(request) == []
        assert request.headers["authorization"] == "Bearer t0ken"
    review = posted[0].body
    assert review["commit_id"] == SHA
    assert [(c["path"], c["line"]) for c in review["comments"]] == [(NEW, 39)]
    assert "careless" in review["body"]  # line 90 is outside the diff: in the body
    assert posted[1].body["body"].startswith(markdown.SIMILAR_MARKER)
    assert (
        f"https://github.com/fernhill/platform/blob/{SHA}/postmortems/2025-09-16-api-deploy-missing-env-var.md"
        in posted[1].body["body"]
    )


def test_pull_request_moved_on_means_nothing_posted(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answer("GET", f"{REPO}/pulls/7", 200, {"number": 7, "head": {"sha": "d" * 40}})
    assert main(["review", "--report", str(report_file), "--head-sha", SHA]) == 0
    assert "not posting" in capsys.readouterr().err
    assert [r.method for r in api.requests] == ["GET"]


def test_pull_request_number_from_the_event_payload(
    api: FakeApi, report_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(report_file.read_text())
    data["pull_request"] = None
    report_file.write_text(json.dumps(data))
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": SHA}}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    happy_github(api)
    assert main(["review", "--report", str(report_file), "--no-similar"]) == 0
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", f"{REPO}/pulls/7/reviews"),
        ("POST", f"{REPO}/pulls/7/reviews"),
    ]


def test_pr_option_wins(api: FakeApi, report_file: Path) -> None:
    api.answer("GET", f"{REPO}/pulls/8/reviews", 200, [])
    api.answer("POST", f"{REPO}/pulls/8/reviews", 200, {"id": 1})
    assert main(["review", "--report", str(report_file), "--pr", "8", "--no-similar"]) == 0
    assert api.sent("POST")[0].path == f"{REPO}/pulls/8/reviews"


def test_dry_run_sends_nothing(api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--report", str(report_file), "--dry-run"]) == 0
    requests = json.loads(capsys.readouterr().out)
    assert [r["url"] for r in requests] == [f"{REPO}/pulls/7/reviews", f"{REPO}/issues/7/comments"]
    for request in requests:
        assert github_schema_errors(Request(request["method"], request["url"], {}, {}, request["body"])) == []
    assert api.requests == []


ERRORS = [
    (
        401,
        {"message": "Bad credentials"},
        {},
        "mortem: GitHub answered 401 to GET /pulls/7/reviews: Bad credentials; the token was refused",
    ),
    (
        403,
        {"message": "API rate limit exceeded for installation"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "{reset}"},
        "mortem: GitHub's rate limit is used up (GET /pulls/7/reviews); it resets at",
    ),
    (
        403,
        {"message": "Resource not accessible by integration"},
        {},
        "mortem: GitHub answered 403 to GET /pulls/7/reviews: Resource not accessible by integration; the token may not do this",
    ),
    (
        404,
        {"message": "Not Found"},
        {},
        "mortem: GitHub answered 404 to GET /pulls/7/reviews: Not Found; check GITHUB_REPOSITORY",
    ),
]


@pytest.mark.parametrize(("status", "body", "headers", "expected"), ERRORS)
def test_api_errors_exit_1_with_one_line(
    api: FakeApi,
    report_file: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: dict[str, str],
    headers: dict[str, str],
    expected: str,
) -> None:
    headers = {k: v.replace("{reset}", str(int(time.time()) + 120)) for k, v in headers.items()}
    api.answer("GET", f"{REPO}/pulls/7/reviews", status, body, headers)
    assert main(["review", "--report", str(report_file)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(expected)
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err and "t0ken" not in captured.err


def test_line_outside_the_diff_422(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    happy_github(api)
    api.answer(
        "POST",
        f"{REPO}/pulls/7/reviews",
        422,
        {
            "message": "Unprocessable Entity",
            "errors": [
                "Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank"
            ],
            "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
        },
    )
    assert main(["review", "--report", str(report_file)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "mortem: GitHub answered 422 to POST /pulls/7/reviews: Unprocessable Entity - Pull request review "
        "thread line must be part of the diff and Pull request review thread diff hunk can't be blank; "
        "GitHub could not accept it; for a review, a line comment probably sits outside the pull "
        "request's diff\n"
    )


def test_network_timeout(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mortem.integrations.rest.TIMEOUT", 0.3)
    api.answer("GET", f"{REPO}/pulls/7/reviews", 200, [], delay=2.0)
    assert main(["review", "--report", str(report_file)]) == 1
    assert capsys.readouterr().err == (
        "mortem: GitHub did not answer GET /pulls/7/reviews within 0.3 s (network timeout); try again\n"
    )


def test_missing_token_is_a_usage_error(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["review", "--report", str(report_file)]) == 2
    assert (
        capsys.readouterr().err == "mortem: GITHUB_TOKEN is not set; pass the job's token in the step's env\n"
    )


def test_tampered_report_is_refused(
    api: FakeApi, report_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(report_file.read_text())
    data["findings"][0]["path"] = "../../.github/workflows/x.yml"
    report_file.write_text(json.dumps(data))
    assert main(["review", "--report", str(report_file)]) == 1
    assert "unsafe path" in capsys.readouterr().err
    assert api.requests == []


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive with one open item overdue on 2026-11-30 and one done."""
    root = tmp_path / "ops"
    (root / "postmortems").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "mortem.toml").write_text('archive = "postmortems"\n')
    text = (
        (FIXTURES / Path(NEW).name)
        .read_text()
        .replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    )
    (root / NEW).write_text(text)
    monkeypatch.chdir(root)
    return root


def test_weekly_issue_created_then_updated(
    api: FakeApi, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    created: list[Request] = []

    def listing(request: Request) -> Answer:
        return Answer(
            200,
            [{"number": 31, "body": created[-1].body["body"], "user": {"login": "github-actions[bot]"}}]
            if created
            else [],
        )

    def create(request: Request) -> Answer:
        created.append(request)
        return Answer(201, {"number": 31})

    api.handle("GET", f"{REPO}/issues", listing)
    api.handle("POST", f"{REPO}/issues", create)
    api.answer("PATCH", f"{REPO}/issues/31", 200, {"number": 31})
    assert main(["weekly-issue", "--as-of", "2026-11-30"]) == 0
    assert main(["weekly-issue", "--as-of", "2026-12-07"]) == 0
    assert capsys.readouterr().out == "created issue #31\nupdated issue #31\n"
    first, second = created[0].body, api.sent("PATCH")[0].body
    for request in (created[0], api.sent("PATCH")[0]):
        assert github_schema_errors(request) == []
    assert first["title"] == "Weekly review: open and overdue action items"
    assert "Open action items as of 2026-11-30: 1 open, 1 overdue." in first["body"]
    assert "**Sam Okafor**" in first["body"] and "40 days late" in first["body"]
    assert "Open action items as of 2026-12-07" in second["body"]


def test_weekly_issue_dry_run(api: FakeApi, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["weekly-issue", "--as-of", "2026-10-20", "--dry-run"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert "1 open, 0 overdue" in request["body"]["body"] and "Nothing is overdue." in request["body"]["body"]
    assert api.requests == []


def test_gitlab_note_from_the_report(
    api: FakeApi, report_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI_API_V4_URL", f"{api.url}/api/v4")
    monkeypatch.setenv("CI_PROJECT_ID", "9")
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", "12")
    monkeypatch.setenv("CI_PROJECT_URL", "https://gitlab.example/fernhill/platform")
    monkeypatch.setenv("CI_COMMIT_SHA", SHA)
    monkeypatch.setenv("MORTEM_GITLAB_TOKEN", "glpat")
    api.answer("GET", "/api/v4/user", 200, {"id": 3})
    api.answer("GET", "/api/v4/projects/9/merge_requests/12/notes", 200, [])
    api.answer("POST", "/api/v4/projects/9/merge_requests/12/notes", 201, {"id": 8})
    assert main(["review", "--gitlab", "--report", str(report_file)]) == 0
    assert capsys.readouterr().out == "created note 8\n"
    body = api.sent("POST")[0].body["body"]
    assert body.startswith(markdown.SIMILAR_MARKER)
    assert (
        f"(https://gitlab.example/fernhill/platform/-/blob/{SHA}/postmortems/2025-09-16-api-deploy-missing-env-var.md)"
        in body
    )
