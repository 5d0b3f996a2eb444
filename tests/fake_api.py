"""A recording HTTP server on 127.0.0.1 that stands in for GitHub's and GitLab's REST APIs,
and the check of request bodies against GitHub's own OpenAPI request schemas.

Tests route (method, path) to canned answers or small handlers, then read back what mortem
sent. Nothing leaves the machine.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

SCHEMAS = Path(__file__).parent / "data" / "github" / "request-schemas.json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[Request], Answer]


class FakeApi:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        reply = Answer(status, body, headers or {}, delay)
        self.routes[(method, path)] = lambda request: reply

    def handle(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def sent(self, method: str | None = None) -> list[Request]:
        return [r for r in self.requests if method is None or r.method == method]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Request(
                    self.command,
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw else None,
                )
                api.requests.append(request)
                route = api.routes.get((self.command, parts.path))
                reply = route(request) if route else Answer(404, {"message": "Not Found"})
                if reply.delay:
                    time.sleep(reply.delay)
                if isinstance(reply.body, bytes):
                    data = reply.body
                else:
                    data = b"" if reply.body is None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def serve() -> Iterator[FakeApi]:
    """For a pytest fixture: a started server, shut down afterwards."""
    api = FakeApi()
    api.thread.start()
    try:
        yield api
    finally:
        api.server.shutdown()
        api.server.server_close()


# GitHub's request schemas --------------------------------------------------------------------


def _endpoints() -> dict[tuple[str, re.Pattern[str]], dict[str, Any]]:
    data = json.loads(SCHEMAS.read_text())
    found = {}
    for key, entry in data["endpoints"].items():
        method, template = key.split(" ", 1)
        pattern = re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$")
        found[(method, pattern)] = _closed(entry["schema"])
    return found


def _closed(schema: Any) -> Any:
    """The schema with every documented object closed: a property GitHub does not document
    is a guess, so it fails here (the published schemas leave objects open)."""
    schema = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def github_schema_errors(request: Request) -> list[str]:
    """Why a request body does not match GitHub's schema for its endpoint ([] when it does)."""
    for (method, pattern), schema in _endpoints().items():
        if method == request.method and pattern.match(request.path):
            validator = jsonschema.Draft7Validator(schema)
            return [e.message for e in validator.iter_errors(request.body)]
    return [f"no schema for {request.method} {request.path}"]
