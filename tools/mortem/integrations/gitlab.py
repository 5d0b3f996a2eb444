"""GitLab: the "Similar past incidents" note on a merge request, kept as one note edited in place.

Findings reach GitLab merge requests through the Code Quality report
(`mortem check --format codeclimate`), so the only thing posted through the API is this
note. CI_JOB_TOKEN cannot write notes, so the job needs a project access token with the
`api` scope in a masked CI/CD variable, MORTEM_GITLAB_TOKEN. The note is mortem's when it
holds the marker and its author is the token's own user (GET /user).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mortem.errors import UsageError
from mortem.integrations.markdown import Link
from mortem.integrations.rest import ApiError, RestClient


@dataclass(frozen=True)
class Pipeline:
    """What a GitLab CI merge-request pipeline tells a job through its environment."""

    api_url: str | None
    project: str | None
    merge_request: int | None
    token: str | None
    project_url: str | None = None
    sha: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Pipeline:
        env = os.environ if environ is None else environ
        iid = env.get("CI_MERGE_REQUEST_IID", "")
        return cls(
            api_url=env.get("CI_API_V4_URL") or None,
            project=env.get("CI_PROJECT_ID") or None,
            merge_request=int(iid) if iid.isdigit() else None,
            token=env.get("MORTEM_GITLAB_TOKEN") or None,
            project_url=env.get("CI_PROJECT_URL") or None,
            sha=env.get("CI_COMMIT_SHA") or None,
        )

    def blob_link(self) -> Link | None:
        """Repository path -> its page on GitLab at the pipeline's commit; None outside CI."""
        if not self.project_url or not self.sha:
            return None
        base = f"{self.project_url.rstrip('/')}/-/blob/{self.sha}/"
        return lambda path: base + urllib.parse.quote(path)

    def client(self) -> GitLab:
        missing = [
            name
            for name, value in (
                ("CI_API_V4_URL", self.api_url),
                ("CI_PROJECT_ID", self.project),
                ("MORTEM_GITLAB_TOKEN", self.token),
            )
            if not value
        ]
        if missing:
            raise UsageError(
                f"{', '.join(missing)} not set; run in a GitLab merge-request pipeline "
                "with a project access token (api scope) in MORTEM_GITLAB_TOKEN"
            )
        assert self.api_url and self.project and self.token  # narrowed by the check above
        return GitLab(self.api_url, self.project, self.token)


class GitLab(RestClient):
    """The REST API (v4) of one GitLab instance, for one project."""

    name = "GitLab"
    hints: ClassVar[Mapping[int, str]] = {
        401: "the token was refused; check MORTEM_GITLAB_TOKEN (expired, revoked, or not api scope?)",
        403: "the token may not write notes; give the project access token the api scope and at "
        "least the Reporter role",
        404: "check CI_PROJECT_ID and the merge request number, and that the token can see the project",
    }

    def __init__(self, api_url: str, project: str, token: str):
        super().__init__(api_url, {"Accept": "application/json"}, {"PRIVATE-TOKEN": token})
        self.project = f"/projects/{urllib.parse.quote(project, safe='')}"


def upsert_note(gitlab: GitLab, merge_request: int, body: str, marker: str) -> str:
    """Edit mortem's note holding `marker` in place, or create it; return what it did."""
    me = _user_id(gitlab.get("/user"))
    if me is None:
        raise ApiError(
            "GitLab did not say whose MORTEM_GITLAB_TOKEN this is (GET /user); is CI_API_V4_URL right?"
        )
    path = f"{gitlab.project}/merge_requests/{merge_request}/notes"
    for note in gitlab.paginate(path, {"sort": "asc"}):
        if not isinstance(note, dict):
            continue
        if marker in str(note.get("body") or "") and _user_id(note.get("author")) == me:
            gitlab.call("PUT", f"{path}/{note.get('id')}", {"body": body})
            return f"updated note {note.get('id')}"
    created = gitlab.call("POST", path, {"body": body})
    return f"created note {created.get('id') if isinstance(created, dict) else '?'}"


def _user_id(user: Any) -> Any:
    return user.get("id") if isinstance(user, dict) else None
