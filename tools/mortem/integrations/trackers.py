"""The issue trackers action items link to: GitHub Issues, GitLab issues and Jira.

`mortem actions --sync` reads each linked issue's state and reports drift against the
postmortem; `--file-issues` opens the issues (GitHub or GitLab). The tracker is recognised
from the link:

- GitHub: `https://github.com/OWNER/REPO/issues/N` (or `/pull/N`), or the same on the
  GitHub Enterprise host in `tracker_url` when `tracker = "github"`;
- GitLab: `https://gitlab.com/GROUP/PROJECT/-/issues/N`, any host with `/-/issues/N`, or the
  host in `tracker_url` when `tracker = "gitlab"`;
- Jira: `https://HOST/browse/KEY-123`.

Tokens come from GITHUB_TOKEN, GITLAB_TOKEN (or MORTEM_GITLAB_TOKEN, the CI variable) and
JIRA_TOKEN (with JIRA_USER for Jira Cloud's basic auth; alone, a Data Center personal access
token). A token is sent only to the hosts the team named: github.com and gitlab.com, the
`tracker_url` host, and the host of JIRA_URL; a link on any other host is read without one,
because a link in a file must not choose where a token goes. MORTEM_GITHUB_API_URL,
MORTEM_GITLAB_API_URL and MORTEM_JIRA_API_URL send every call of that tracker to another
API base (a proxy, or a test server).
"""

from __future__ import annotations

import base64
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from email.message import Message
from typing import Any, ClassVar

from mortem.analysis.actions import ActionRow
from mortem.config import Config
from mortem.errors import MortemError, UsageError
from mortem.integrations.rest import TIMEOUT, ApiError, RestClient
from mortem.model import is_placeholder_link

GITHUB, GITLAB, JIRA = "github", "gitlab", "jira"
NAMES = {GITHUB: "GitHub", GITLAB: "GitLab", JIRA: "Jira"}

_GITHUB_PATH = re.compile(r"^/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?:issues|pull)/(?P<number>\d+)/?$")
_GITLAB_PATH = re.compile(
    r"^/(?P<project>[\w.-]+(?:/[\w.-]+)+?)(?:/-)?/(?:issues|work_items)/(?P<number>\d+)/?$"
)
_JIRA_PATH = re.compile(r"^(?P<prefix>(?:/[^/]+)*?)/browse/(?P<key>[A-Z][A-Z0-9_]*-\d+)/?$")


@dataclass(frozen=True)
class Settings:
    """Where the trackers are and how to sign in to them: `[tool.mortem]` and the environment."""

    github_hosts: frozenset[str] = frozenset({"github.com"})
    gitlab_hosts: frozenset[str] = frozenset({"gitlab.com"})
    jira_hosts: frozenset[str] = frozenset()
    api_overrides: Mapping[str, str] | None = None  # tracker -> API base
    tokens: Mapping[str, str] | None = None  # tracker -> token
    jira_user: str | None = None
    timeout: float = TIMEOUT

    @classmethod
    def from_env(cls, config: Config, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        own = {_host(config.tracker_url)} if config.tracker_url else set()
        overrides = {
            kind: value.rstrip("/") for kind in NAMES if (value := env.get(f"MORTEM_{kind.upper()}_API_URL"))
        }
        tokens = {
            GITHUB: env.get("GITHUB_TOKEN"),
            GITLAB: env.get("GITLAB_TOKEN") or env.get("MORTEM_GITLAB_TOKEN"),
            JIRA: env.get("JIRA_TOKEN"),
        }
        return cls(
            github_hosts=frozenset({"github.com", *(own if config.tracker == GITHUB else ())}),
            gitlab_hosts=frozenset({"gitlab.com", *(own if config.tracker == GITLAB else ())}),
            jira_hosts=frozenset({_host(env["JIRA_URL"])} if env.get("JIRA_URL") else ()),
            api_overrides=overrides,
            tokens={kind: token for kind, token in tokens.items() if token},
            jira_user=env.get("JIRA_USER") or None,
        )


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").casefold()


@dataclass(frozen=True)
class IssueRef:
    """One linked issue: which tracker, its API base, and its project and number (or key)."""

    tracker: str
    url: str
    api: str
    project: str  # OWNER/REPO on GitHub, the project path on GitLab, "" for Jira
    number: str  # the issue number, GitLab's iid, or the Jira key
    trusted: bool  # the host is one the team named, so its token may go there

    @property
    def name(self) -> str:
        return NAMES[self.tracker]


def parse_link(url: str | None, settings: Settings) -> IssueRef | None:
    """The issue a link points at, or None for a placeholder or a link to something else."""
    if url is None or is_placeholder_link(url):
        return None
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").casefold()
    if parts.scheme not in ("http", "https") or not host:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    path = urllib.parse.unquote(parts.path)
    jira = _JIRA_PATH.match(path)
    if jira:
        api = _api(settings, JIRA, f"{origin}{jira['prefix']}")
        return IssueRef(JIRA, url, api, "", jira["key"], host in settings.jira_hosts)
    github = _GITHUB_PATH.match(path)
    if github and host in settings.github_hosts:
        default = "https://api.github.com" if host == "github.com" else f"{origin}/api/v3"
        project = f"{github['owner']}/{github['repo']}"
        return IssueRef(GITHUB, url, _api(settings, GITHUB, default), project, github["number"], True)
    gitlab = _GITLAB_PATH.match(path)
    if gitlab and (host in settings.gitlab_hosts or "/-/" in path):
        api = _api(settings, GITLAB, f"{origin}/api/v4")
        return IssueRef(GITLAB, url, api, gitlab["project"], gitlab["number"], host in settings.gitlab_hosts)
    return None


def _api(settings: Settings, tracker: str, default: str) -> str:
    return (settings.api_overrides or {}).get(tracker, default)


# Clients -------------------------------------------------------------------------------


class TrackerError(ApiError):
    """A failed call, with its HTTP status so the sync can tell "no such issue" from the rest."""

    def __init__(self, message: str, status: int | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.status = status
        self.rate_limited = rate_limited


class TrackerClient(RestClient):
    """RestClient's error lines, raised as TrackerError with the status kept."""

    tracker: ClassVar[str] = ""

    def describe(self, status: int, headers: Message | None, raw: bytes, where: str) -> str:
        message = super().describe(status, headers, raw, where)
        # Raised here rather than returned: RestClient.call wraps the line in a plain
        # ApiError, and the sync needs the status (404 is drift, 401 is a setup problem).
        raise TrackerError(message, status, _rate_limited(status, headers))


def _rate_limited(status: int, headers: Message | None) -> bool:
    """The same test RestClient.describe applies: 429, or 403 with the limit used up."""
    if headers is None:
        return status == 429
    return status == 429 or (
        status == 403 and (headers.get("x-ratelimit-remaining") == "0" or bool(headers.get("retry-after")))
    )


class GitHubIssues(TrackerClient):
    name = "GitHub"
    tracker = GITHUB
    hints: ClassVar[Mapping[int, str]] = {
        401: "the token was refused; check GITHUB_TOKEN (expired, revoked or empty?)",
        403: "GITHUB_TOKEN may not read or write this repository's issues (`issues` permission)",
        404: "no such issue, or GITHUB_TOKEN cannot see the repository",
        410: "the issue was deleted",
        422: "GitHub could not accept the issue; check tracker_repo",
    }


class GitLabIssues(TrackerClient):
    name = "GitLab"
    tracker = GITLAB
    hints: ClassVar[Mapping[int, str]] = {
        401: "the token was refused; check GITLAB_TOKEN (expired, revoked, or without the api scope?)",
        403: "GITLAB_TOKEN may not read or write this project's issues (Reporter role and api scope)",
        404: "no such issue, or GITLAB_TOKEN cannot see the project",
    }


class JiraIssues(TrackerClient):
    name = "Jira"
    tracker = JIRA
    hints: ClassVar[Mapping[int, str]] = {
        401: "the credentials were refused; check JIRA_USER and JIRA_TOKEN (an API token on Jira Cloud)",
        403: "JIRA_USER may not browse this project, or Jira wants a CAPTCHA after failed logins",
        404: "no such issue, or JIRA_USER cannot see it",
    }


_CLIENTS: dict[str, type[TrackerClient]] = {GITHUB: GitHubIssues, GITLAB: GitLabIssues, JIRA: JiraIssues}


def client(tracker: str, api: str, settings: Settings, signed_in: bool = True) -> TrackerClient:
    token = (settings.tokens or {}).get(tracker) if signed_in else None
    headers = {"Accept": "application/json"}
    secret: dict[str, str] = {}
    if tracker == GITHUB:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        secret = {"Authorization": f"Bearer {token}"} if token else {}
    elif tracker == GITLAB:
        secret = {"PRIVATE-TOKEN": token} if token else {}
    elif token and settings.jira_user:  # Jira Cloud: email and API token
        pair = base64.b64encode(f"{settings.jira_user}:{token}".encode()).decode()
        secret = {"Authorization": f"Basic {pair}"}
    elif token:  # Jira Data Center: a personal access token
        secret = {"Authorization": f"Bearer {token}"}
    return _CLIENTS[tracker](api, headers, secret, settings.timeout)


# Reading an issue's state ----------------------------------------------------------------


@dataclass(frozen=True)
class IssueState:
    closed: bool
    closed_on: date | None  # the tracker's closed (or resolution) date, when it gives one


def read_state(ref: IssueRef, api: TrackerClient) -> IssueState:
    if ref.tracker == GITHUB:
        owner, repo = ref.project.split("/", 1)
        data = api.get(f"/repos/{_quote(owner)}/{_quote(repo)}/issues/{ref.number}")
        return _state(ref, data, "state", {"closed"}, "closed_at")
    if ref.tracker == GITLAB:
        data = api.get(f"/projects/{_quote(ref.project)}/issues/{ref.number}")
        return _state(ref, data, "state", {"closed"}, "closed_at")
    data = api.get(f"/rest/api/2/issue/{_quote(ref.number)}", {"fields": "status,resolutiondate"})
    fields = data.get("fields") if isinstance(data, dict) else None
    status = fields.get("status") if isinstance(fields, dict) else None
    category = status.get("statusCategory") if isinstance(status, dict) else None
    key = category.get("key") if isinstance(category, dict) else None
    if not isinstance(key, str) or not isinstance(fields, dict):
        raise TrackerError(f"Jira answered for {ref.number} without fields.status.statusCategory.key")
    return IssueState(key == "done", _day(fields.get("resolutiondate")) if key == "done" else None)


def _state(ref: IssueRef, data: Any, field: str, closed: set[str], closed_at: str) -> IssueState:
    state = data.get(field) if isinstance(data, dict) else None
    if not isinstance(state, str):
        raise TrackerError(f"{ref.name} answered for {ref.url} without an issue `{field}`")
    is_closed = state in closed
    return IssueState(is_closed, _day(data.get(closed_at)) if is_closed else None)


def _day(value: Any) -> date | None:
    """The calendar day of an API timestamp as the tracker wrote it (GitHub and GitLab in
    UTC, Jira in the server's offset): the day people saw it close."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


# The sync ---------------------------------------------------------------------------------

IN_STEP = "in-step"
CLOSED_THERE = "closed-in-tracker"  # open here, closed in the tracker: `--write` marks it done
OPEN_THERE = "open-in-tracker"  # done here, still open in the tracker: a person decides
CLOSED_DAY = "closed-date"  # done here without `closed`: `--write` adds the tracker's day
MISSING = "missing"  # the link does not resolve
UNCHECKED = "unchecked"  # the tracker could not be asked (401, 403, rate limit, timeout...)
DRIFT = (CLOSED_THERE, OPEN_THERE, CLOSED_DAY, MISSING)
WRITABLE = (CLOSED_THERE, CLOSED_DAY)


@dataclass(frozen=True)
class Checked:
    """One action item against its issue: the verdict and, when it drifted, why."""

    row: ActionRow
    ref: IssueRef
    verdict: str
    state: IssueState | None = None
    message: str = ""


def verdict(row: ActionRow, state: IssueState) -> tuple[str, str]:
    name = row.item.status or "open"
    if row.item.is_open and state.closed:
        when = f" on {state.closed_on.isoformat()}" if state.closed_on else ""
        return CLOSED_THERE, f"open here, but the issue was closed{when}; mark it done"
    if name == "done" and not state.closed:
        return (
            OPEN_THERE,
            "done here, but the issue is still open; close the issue, or set the item back to open",
        )
    if name == "done" and row.item.closed is None and state.closed_on is not None:
        return CLOSED_DAY, f"done without `closed`; the issue was closed on {state.closed_on.isoformat()}"
    return IN_STEP, ""


def trackable(rows: Iterable[ActionRow], settings: Settings) -> tuple[list[tuple[ActionRow, IssueRef]], int]:
    """(rows with a recognised issue link, count of the rest). Dropped items are not synced:
    dropping one out loud is the decision, whatever its issue says."""
    found, skipped = [], 0
    for row in rows:
        ref = parse_link(row.item.link, settings) if row.item.status != "dropped" else None
        if ref is None:
            skipped += 1
        else:
            found.append((row, ref))
    return found, skipped


def sync(pairs: Iterable[tuple[ActionRow, IssueRef]], settings: Settings) -> list[Checked]:
    """Ask each issue's tracker for its state, one call per distinct issue. A failed call
    becomes that item's message and the run goes on; after a rate limit, the other items on
    that API are not tried (each would only fail the same way)."""
    clients: dict[tuple[str, str, bool], TrackerClient] = {}
    states: dict[str, IssueState | TrackerError] = {}
    limited: dict[tuple[str, str], str] = {}
    results = []
    for row, ref in pairs:
        if (ref.tracker, ref.api) in limited:
            results.append(Checked(row, ref, UNCHECKED, message=limited[(ref.tracker, ref.api)]))
            continue
        if ref.url not in states:
            key = (ref.tracker, ref.api, ref.trusted)
            try:
                if key not in clients:
                    clients[key] = client(ref.tracker, ref.api, settings, signed_in=ref.trusted)
                states[ref.url] = read_state(ref, clients[key])
            except TrackerError as exc:
                states[ref.url] = exc
                if exc.rate_limited:
                    limited[(ref.tracker, ref.api)] = f"not checked: {exc} (earlier in this run)"
            except MortemError as exc:  # timeouts, network failures, a bad API URL
                states[ref.url] = TrackerError(str(exc))
        results.append(_checked(row, ref, states[ref.url]))
    return results


def _checked(row: ActionRow, ref: IssueRef, state: IssueState | TrackerError) -> Checked:
    if isinstance(state, TrackerError):
        if state.status in (404, 410):
            return Checked(row, ref, MISSING, message=f"the link does not resolve: {state}")
        return Checked(row, ref, UNCHECKED, message=f"not checked: {state}")
    kind, message = verdict(row, state)
    return Checked(row, ref, kind, state, message)


# Opening issues ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewIssue:
    title: str
    body: str
    due: date | None


def team_tracker(config: Config, settings: Settings) -> tuple[str, str, str]:
    """(tracker, API base, web base) of the tracker `--file-issues` opens issues in."""
    if config.tracker is None or config.tracker_repo is None:
        raise UsageError(
            'set tracker ("github" or "gitlab") and tracker_repo in [tool.mortem] to file issues'
        )
    if config.tracker == GITHUB and config.tracker_repo.count("/") != 1:
        raise UsageError(f"tracker_repo must be OWNER/REPO for GitHub, not {config.tracker_repo!r}")
    web = config.tracker_url or f"https://{config.tracker}.com"
    if config.tracker == GITHUB:
        default = "https://api.github.com" if _host(web) == "github.com" else f"{web}/api/v3"
    else:
        default = f"{web}/api/v4"
    return config.tracker, _api(settings, config.tracker, default), web


def open_issue(tracker: str, api: TrackerClient, repo: str, issue: NewIssue) -> str:
    """Create the issue; return its web URL."""
    if tracker == GITHUB:
        owner, name = repo.split("/", 1)
        created = api.call(
            "POST",
            f"/repos/{_quote(owner)}/{_quote(name)}/issues",
            {"title": issue.title, "body": issue.body},
        )
        url = created.get("html_url") if isinstance(created, dict) else None
    else:
        body: dict[str, str] = {"title": issue.title, "description": issue.body}
        if issue.due:
            body["due_date"] = issue.due.isoformat()  # GitLab issues have a due date of their own
        created = api.call("POST", f"/projects/{_quote(repo)}/issues", body)
        url = created.get("web_url") if isinstance(created, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise TrackerError(f"{NAMES[tracker]} created the issue but did not say its URL")
    return url
