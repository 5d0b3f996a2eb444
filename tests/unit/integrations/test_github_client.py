"""The REST client against a recording server on 127.0.0.1: headers, pagination, and one
clear line (never a traceback) for each way a call can fail."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fake_api import Answer, FakeApi, Request, serve

from mortem.errors import UsageError
from mortem.integrations.github import GitHub
from mortem.integrations.rest import ApiError

REPO = "/repos/fernhill/platform"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    yield from serve()


def client(api: FakeApi, timeout: float | None = None) -> GitHub:
    github = GitHub("fernhill/platform", "t0ken", api.url)
    if timeout:
        github.timeout = timeout
    return github


def test_call_sends_token_version_and_json(api: FakeApi) -> None:
    api.answer("POST", f"{REPO}/issues", 201, {"id": 1, "number": 9})
    assert client(api).call("POST", "/issues", {"title": "x"}) == {"id": 1, "number": 9}
    (request,) = api.sent()
    assert request.headers["authorization"] == "Bearer t0ken"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("mortem/")
    assert request.body == {"title": "x"}


def test_paginate_reads_pages_until_a_short_one(api: FakeApi) -> None:
    def pages(request: Request) -> Answer:
        size = 100 if request.query["page"] == "1" else 3
        return Answer(200, [{"page": request.query["page"], "n": i} for i in range(size)])

    api.handle("GET", f"{REPO}/issues", pages)
    items = client(api).paginate("/issues", {"state": "open"})
    assert len(items) == 103
    assert [r.query for r in api.sent()] == [
        {"state": "open", "per_page": "100", "page": "1"},
        {"state": "open", "per_page": "100", "page": "2"},
    ]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            401,
            {"message": "Bad credentials"},
            "GitHub answered 401 to GET /pulls/7: Bad credentials; the token was refused; check GITHUB_TOKEN",
        ),
        (
            403,
            {"message": "Resource not accessible by integration"},
            "GitHub answered 403 to GET /pulls/7: Resource not accessible by integration; the token may not do this; the job needs `pull-requests: write`",
        ),
        (
            404,
            {"message": "Not Found"},
            "GitHub answered 404 to GET /pulls/7: Not Found; check GITHUB_REPOSITORY, the pull request or issue number",
        ),
        (
            422,
            {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]},
            "GitHub answered 422 to GET /pulls/7: Unprocessable Entity - Line could not be resolved; GitHub could not accept it; for a review, a line comment probably sits outside the pull request's diff",
        ),
        (
            500,
            b"<html>oops</html>",
            "GitHub answered 500 to GET /pulls/7: <html>oops</html>; GitHub failed; try again later",
        ),
    ],
)
def test_http_errors_become_one_line(api: FakeApi, status: int, body: object, expected: str) -> None:
    api.answer("GET", f"{REPO}/pulls/7", status, body)
    with pytest.raises(ApiError) as caught:
        client(api).get("/pulls/7")
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message and "t0ken" not in message


def test_rate_limit_says_when_it_resets(api: FakeApi) -> None:
    reset = int(time.time()) + 600
    api.answer(
        "GET",
        f"{REPO}/pulls/7",
        403,
        {"message": "API rate limit exceeded"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    with pytest.raises(ApiError) as caught:
        client(api).get("/pulls/7")
    clock = time.strftime("%H:%M UTC", time.gmtime(reset))
    assert str(caught.value) == (
        f"GitHub's rate limit is used up (GET /pulls/7); it resets at {clock} (in about 10 min)"
    )


def test_secondary_rate_limit_says_retry_after(api: FakeApi) -> None:
    api.answer("POST", f"{REPO}/issues", 429, {"message": "slow down"}, {"retry-after": "60"})
    with pytest.raises(ApiError, match=r"rate limit is used up \(POST /issues\); retry in 60 s$"):
        client(api).call("POST", "/issues", {"title": "x"})


def test_timeout_is_a_clear_error(api: FakeApi) -> None:
    api.answer("GET", f"{REPO}/pulls/7", 200, {}, delay=2.0)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client(api, timeout=0.3).get("/pulls/7")
    assert time.monotonic() - started < 1.8
    assert str(caught.value) == "GitHub did not answer GET /pulls/7 within 0.3 s (network timeout); try again"


def test_connection_refused_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        ApiError, match=r"^cannot reach GitHub at http://127\.0\.0\.1:\d+/repos/o/r for GET /pulls/1: "
    ):
        GitHub("o/r", "t", f"http://127.0.0.1:{port}").get("/pulls/1")


def test_token_is_not_sent_on_a_redirect_to_another_host(api: FakeApi) -> None:
    other = FakeApi()
    other.thread.start()
    try:
        other.answer("GET", "/elsewhere", 200, {"ok": True})
        api.answer("GET", f"{REPO}/pulls/7", 302, None, {"Location": f"{other.url}/elsewhere"})
        assert client(api).get("/pulls/7") == {"ok": True}
        assert "authorization" not in other.sent()[0].headers
    finally:
        other.server.shutdown()
        other.server.server_close()


def test_not_json_is_a_clear_error(api: FakeApi) -> None:
    api.answer("GET", f"{REPO}/pulls/7", 200, b"<html>proxy login</html>")
    with pytest.raises(ApiError, match=r"^GitHub answered GET /pulls/7 with something other than JSON$"):
        client(api).get("/pulls/7")


@pytest.mark.parametrize("repository", ["fernhill", "a/b/c", "/b", "a/"])
def test_bad_repository_is_a_usage_error(repository: str) -> None:
    with pytest.raises(UsageError, match="OWNER/REPO"):
        GitHub(repository, "t")


def test_api_url_must_be_http() -> None:
    with pytest.raises(UsageError, match="http"):
        GitHub("o/r", "t", "file:///etc")
