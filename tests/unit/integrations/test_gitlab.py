"""The GitLab merge-request note, against a recording server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_api import FakeApi, serve

from mortem.errors import UsageError
from mortem.integrations import gitlab, markdown
from mortem.integrations.rest import ApiError

NOTES = "/api/v4/projects/fernhill%2Fplatform/merge_requests/12/notes"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    yield from serve()


def client(api: FakeApi) -> gitlab.GitLab:
    return gitlab.GitLab(f"{api.url}/api/v4", "fernhill/platform", "glpat-secret")


def test_note_is_created_then_edited_in_place_and_only_its_own(api: FakeApi) -> None:
    api.answer("GET", "/api/v4/user", 200, {"id": 77, "username": "project_1_bot"})
    api.answer("GET", NOTES, 200, [{"id": 1, "body": markdown.SIMILAR_MARKER, "author": {"id": 5}}])
    api.answer("POST", NOTES, 201, {"id": 2})
    assert (
        gitlab.upsert_note(client(api), 12, f"{markdown.SIMILAR_MARKER}\nnew", markdown.SIMILAR_MARKER)
        == "created note 2"
    )
    api.answer(
        "GET", NOTES, 200, [{"id": 2, "body": f"{markdown.SIMILAR_MARKER}\nnew", "author": {"id": 77}}]
    )
    api.answer("PUT", f"{NOTES}/2", 200, {"id": 2})
    assert (
        gitlab.upsert_note(client(api), 12, f"{markdown.SIMILAR_MARKER}\nnewer", markdown.SIMILAR_MARKER)
        == "updated note 2"
    )
    assert api.sent("PUT")[0].body == {"body": f"{markdown.SIMILAR_MARKER}\nnewer"}
    assert all(r.headers["private-token"] == "glpat-secret" for r in api.requests)


def test_refused_token_is_one_clear_line(api: FakeApi) -> None:
    api.answer("GET", "/api/v4/user", 401, {"message": "401 Unauthorized"})
    with pytest.raises(
        ApiError,
        match=r"^GitLab answered 401 to GET /user: 401 Unauthorized; the token was refused; check MORTEM_GITLAB_TOKEN",
    ):
        gitlab.upsert_note(client(api), 12, "x", markdown.SIMILAR_MARKER)


def test_pipeline_environment() -> None:
    pipeline = gitlab.Pipeline.from_env(
        {"CI_API_V4_URL": "https://gitlab.example/api/v4", "CI_PROJECT_ID": "9", "CI_MERGE_REQUEST_IID": "12"}
    )
    assert pipeline.merge_request == 12
    with pytest.raises(UsageError, match="MORTEM_GITLAB_TOKEN not set"):
        pipeline.client()
