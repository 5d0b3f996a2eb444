"""GitHub: the Actions environment, a REST client for one repository, and what mortem posts.

What mortem posts, and how it avoids piling up on re-runs:

- **The review.** GitHub cannot delete a submitted review, so `post_review` first creates
  the new one (line comments on findings inside the diff, the rest in its body), then, for
  each earlier review of the same author that carries the hidden `REVIEW_MARKER`, deletes
  its line comments and rewrites its body to a one-line "superseded" note. Creating first
  means a failed run (a 422, a timeout) leaves the earlier review whole. When the check is
  all clear and mortem never reviewed this pull request, nothing is posted; when it had, an
  all-clear review replaces the old one the same way. The review's event is always COMMENT:
  the failing check is what blocks the merge, and a bot's REQUEST_CHANGES would need a
  human to dismiss it.
- **"Similar past incidents"**: one issue comment per pull request, found by its marker and
  edited in place (PATCH).
- **The weekly follow-through issue**: one open issue found by its marker, its title and
  body replaced each week; a new one when someone closed the last.

"Same author" is the login in MORTEM_GITHUB_LOGIN, by default `github-actions[bot]`, the
author of everything posted with the job's GITHUB_TOKEN; a review or comment by anyone else
that happens to hold a marker is never touched.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mortem.ci import Report
from mortem.errors import UsageError
from mortem.integrations import markdown
from mortem.integrations.rest import ApiError, RestClient

DEFAULT_API = "https://api.github.com"
DEFAULT_LOGIN = "github-actions[bot]"
_MAX_COMMENT = 60_000  # GitHub refuses bodies over 65,536 characters


@dataclass(frozen=True)
class Actions:
    """What a GitHub Actions job tells a step through its environment."""

    repository: str | None
    token: str | None
    api_url: str
    server_url: str
    login: str
    event: Mapping[str, Any]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Actions:
        env = os.environ if environ is None else environ
        return cls(
            repository=env.get("GITHUB_REPOSITORY") or None,
            token=env.get("GITHUB_TOKEN") or None,
            api_url=(env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/"),
            server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            login=env.get("MORTEM_GITHUB_LOGIN") or DEFAULT_LOGIN,
            event=_event(env.get("GITHUB_EVENT_PATH")),
        )

    @property
    def pull_request(self) -> int | None:
        number = _dig(self.event, "pull_request", "number")
        return number if isinstance(number, int) and not isinstance(number, bool) else None

    @property
    def head_sha(self) -> str | None:
        sha = _dig(self.event, "pull_request", "head", "sha")
        return sha if isinstance(sha, str) else None

    def blob_link(self, ref: str) -> markdown.Link | None:
        """Repository path -> its page on GitHub; None outside Actions (plain text instead)."""
        if not self.repository:
            return None
        base = f"{self.server_url}/{self.repository}/blob/{urllib.parse.quote(ref)}/"
        return lambda path: base + urllib.parse.quote(path)

    def client(self) -> GitHub:
        if not self.repository:
            raise UsageError("GITHUB_REPOSITORY is not set; it names the repository as OWNER/REPO")
        if not self.token:
            raise UsageError("GITHUB_TOKEN is not set; pass the job's token in the step's env")
        return GitHub(self.repository, self.token, self.api_url)


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _event(path: str | None) -> Mapping[str, Any]:
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the GitHub event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


class GitHub(RestClient):
    """The REST API of one repository; paths are relative to /repos/OWNER/REPO."""

    name = "GitHub"
    hints: ClassVar[Mapping[int, str]] = {
        401: "the token was refused; check GITHUB_TOKEN (expired, revoked or empty?)",
        403: "the token may not do this; the job needs `pull-requests: write` for reviews and "
        "comments, `issues: write` for the weekly issue",
        404: "check GITHUB_REPOSITORY, the pull request or issue number, and that the token can "
        "see the repository",
        422: "GitHub could not accept it; for a review, a line comment probably sits outside the "
        "pull request's diff",
    }

    def __init__(self, repository: str, token: str, api_url: str = DEFAULT_API):
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise UsageError(f"GITHUB_REPOSITORY must be OWNER/REPO, not {repository!r}")
        super().__init__(
            f"{api_url.rstrip('/')}/repos/{urllib.parse.quote(owner)}/{urllib.parse.quote(name)}",
            {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
            {"Authorization": f"Bearer {token}"},
        )


# The review ------------------------------------------------------------------------------


def review_payload(report: Report, commit_id: str | None = None) -> dict[str, Any]:
    """The request body of "create a review": a line comment for each line of the diff that
    has findings, every other finding in the body."""
    commentable = {c.path: set(c.lines) for c in report.changed}
    on_lines: dict[tuple[str, int], list[Any]] = {}
    outside = []
    for finding in report.findings:
        if finding.line in commentable.get(finding.path, ()):
            on_lines.setdefault((finding.path, finding.line), []).append(finding)
        else:
            outside.append(finding)
    payload: dict[str, Any] = {
        "body": markdown.review_body(report, outside)[:_MAX_COMMENT],
        "event": "COMMENT",
        "comments": [
            {
                "path": path,
                "line": line,
                "side": "RIGHT",
                "body": markdown.review_comment(found)[:_MAX_COMMENT],
            }
            for (path, line), found in sorted(on_lines.items())
        ],
    }
    if commit_id:
        payload["commit_id"] = commit_id
    return payload


def post_review(
    github: GitHub, pull: int, report: Report, login: str, commit_id: str | None, say: Callable[[str], None]
) -> None:
    earlier = [
        r for r in github.paginate(f"/pulls/{pull}/reviews") if _ours(r, login, markdown.REVIEW_MARKER)
    ]
    if not report.findings and not earlier:
        say("all clear and no earlier mortem review: nothing to post")
        return
    created = github.call("POST", f"/pulls/{pull}/reviews", review_payload(report, commit_id))
    say(f"posted review {_id(created)} with {len(report.findings)} finding(s)")
    for review in earlier:
        if review.get("id") == _id(created):
            continue
        for comment in github.paginate(f"/pulls/{pull}/reviews/{_id(review)}/comments"):
            github.call("DELETE", f"/pulls/comments/{_id(comment)}")
        body = {"body": markdown.superseded_body(all_clear=not report.findings)}
        github.call("PUT", f"/pulls/{pull}/reviews/{_id(review)}", body)
        say(f"superseded earlier review {_id(review)}")


def _ours(item: Any, login: str, marker: str) -> bool:
    if not isinstance(item, dict):
        return False
    author = item.get("user")
    return marker in str(item.get("body") or "") and isinstance(author, dict) and author.get("login") == login


def _id(item: Any) -> int:
    value = item.get("id") if isinstance(item, dict) else None
    if not isinstance(value, int):
        raise ApiError("GitHub answered without an id; is GITHUB_API_URL the REST API?")
    return value


# Sticky comment and weekly issue -----------------------------------------------------------


def upsert_comment(github: GitHub, pull: int, body: str, login: str, marker: str) -> str:
    """Edit mortem's comment holding `marker` in place, or create it; return what it did."""
    for comment in github.paginate(f"/issues/{pull}/comments"):
        if _ours(comment, login, marker):
            github.call("PATCH", f"/issues/comments/{_id(comment)}", {"body": body[:_MAX_COMMENT]})
            return f"updated comment {_id(comment)}"
    created = github.call("POST", f"/issues/{pull}/comments", {"body": body[:_MAX_COMMENT]})
    return f"created comment {_id(created)}"


def upsert_weekly_issue(github: GitHub, title: str, body: str, login: str) -> str:
    for issue in github.paginate("/issues", {"state": "open"}):
        if _ours(issue, login, markdown.WEEKLY_MARKER) and "pull_request" not in issue:
            number = issue.get("number")
            github.call("PATCH", f"/issues/{number}", {"title": title, "body": body[:_MAX_COMMENT]})
            return f"updated issue #{number}"
    created = github.call("POST", "/issues", {"title": title, "body": body[:_MAX_COMMENT]})
    return f"created issue #{created.get('number') if isinstance(created, dict) else '?'}"
