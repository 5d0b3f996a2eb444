"""A JSON-over-HTTPS client on the standard library, shared by the GitHub and GitLab integrations.

mortem makes a handful of calls, so no third-party HTTP library: `urllib.request` with a
timeout on every call. Every failure becomes one `ApiError` line that says what to fix
(token, permissions, rate limit, repository or number, network), never a traceback.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import Any, ClassVar

from mortem import __version__
from mortem.errors import MortemError, UsageError

TIMEOUT = 20.0  # seconds per request: a CI step should fail fast rather than hang
MAX_PAGES = 30  # 3,000 items, far beyond one pull request's reviews or a repository's open issues
_MAX_BODY = 20 * 1024 * 1024

Query = Mapping[str, str | int]


class ApiError(MortemError):
    """A call to GitHub's or GitLab's API failed; the message says what to change."""


class RestClient:
    """JSON calls below one base URL. `hints` maps an HTTP status to what the user should check."""

    name = "the API"
    hints: ClassVar[Mapping[int, str]] = {}

    def __init__(
        self, base: str, headers: Mapping[str, str], secret: Mapping[str, str], timeout: float | None = None
    ):
        if not base.startswith(("https://", "http://")):
            raise UsageError(f"{self.name} API URL must be an http(s) URL, not {base!r}")
        self.base = base.rstrip("/")
        self._headers = {"User-Agent": f"mortem/{__version__}", **headers}
        self._secret = dict(secret)
        self.timeout = timeout or TIMEOUT

    def get(self, path: str, query: Query | None = None) -> Any:
        return self.call("GET", path, query=query)

    def paginate(self, path: str, query: Query | None = None) -> list[Any]:
        """Every item of a list endpoint, 100 a page. Page numbers rather than Link headers, so
        the token only ever goes to the configured host."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self.call("GET", path, query={**(query or {}), "per_page": 100, "page": page})
            if not isinstance(batch, list):
                raise ApiError(f"{self.name} answered GET {path} with something other than a list")
            items.extend(batch)
            if len(batch) < 100:
                break
        return items

    def call(self, method: str, path: str, body: Any = None, query: Query | None = None) -> Any:
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in self._secret.items():
            # Unredirected: urllib would otherwise copy the token onto a redirect to another host.
            request.add_unredirected_header(name, value)
        where = f"{method} {path}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(_MAX_BODY)
        except urllib.error.HTTPError as exc:
            raise ApiError(self.describe(exc.code, exc.headers, _read(exc), where)) from None
        except TimeoutError:
            raise ApiError(self._timed_out(where)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise ApiError(self._timed_out(where)) from None
            raise ApiError(f"cannot reach {self.name} at {self.base} for {where}: {exc.reason}") from None
        except OSError as exc:
            raise ApiError(f"the connection to {self.name} failed during {where}: {exc}") from None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(f"{self.name} answered {where} with something other than JSON") from None

    def _timed_out(self, where: str) -> str:
        return f"{self.name} did not answer {where} within {self.timeout:g} s (network timeout); try again"

    def describe(self, status: int, headers: Message | None, raw: bytes, where: str) -> str:
        """One line for a failed call: what the service said and what to change."""

        def header(name: str) -> str | None:
            return headers.get(name) if headers is not None else None

        if status == 429 or (
            status == 403 and (header("x-ratelimit-remaining") == "0" or header("retry-after"))
        ):
            return f"{self.name}'s rate limit is used up ({where}); {_reset(header)}"
        hint = self.hints.get(status, f"{self.name} failed; try again later")
        return f"{self.name} answered {status} to {where}: {_message(raw)}; {hint}"


def _read(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read(64 * 1024)
    except OSError:
        return b""


def _message(raw: bytes) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return " ".join(raw.decode("utf-8", "replace").split())[:200] or "no details"
    if not isinstance(data, dict):
        return "no details"
    parts = [str(data.get("message") or data.get("error") or "no details")]
    for error in data.get("errors") or []:
        parts.append(
            str(error.get("message") or error.get("code") or error) if isinstance(error, dict) else str(error)
        )
    return " ".join(" - ".join(parts).split())[:300]


def _reset(header: Any) -> str:
    retry = header("retry-after")
    if retry and retry.isdigit():
        return f"retry in {retry} s"
    reset = header("x-ratelimit-reset") or header("ratelimit-reset")
    if reset and reset.isdigit():
        at = time.strftime("%H:%M UTC", time.gmtime(int(reset)))
        minutes = max(0, round((int(reset) - time.time()) / 60))
        return f"it resets at {at} (in about {minutes} min)"
    return "wait for it to reset, then run the job again"
