"""The built site in a real browser: search finds a postmortem, charts are drawn, and no
request leaves 127.0.0.1.

Headless Debian chromium driven by Playwright (never a downloaded browser). Without
chromium the test skips, unless MORTEM_REQUIRE_BROWSER is set (CI sets it): then it fails.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from mortem.config import load_config
from mortem.loader import load
from mortem.model import Postmortem

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A word from one sample postmortem's root cause, and that postmortem.
WORD, TARGET = "breaker", "2025-06-20-payments-provider-timeout-no-breaker"


def _require_browser() -> None:
    required = bool(os.environ.get("MORTEM_REQUIRE_BROWSER"))
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(
                f"{CHROMIUM} is missing and MORTEM_REQUIRE_BROWSER is set "
                "(install Debian's chromium: apt-get install -y chromium)"
            )
        pytest.skip(
            f"{CHROMIUM} is not installed (apt-get install -y chromium); "
            "set MORTEM_REQUIRE_BROWSER=1 to fail instead"
        )


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output to failures


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    site = tmp_path_factory.mktemp("browser-site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser_page(base_url: str) -> Iterator[tuple[Any, list[str]]]:
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page, requests
        finally:
            context.close()
            browser.close()


def _sample(postmortem_id: str) -> Postmortem:
    doc = load(REPO / "postmortems" / f"{postmortem_id}.md", load_config(start=REPO))
    assert isinstance(doc, Postmortem)
    return doc


def test_search_finds_a_postmortem_by_a_root_cause_word(
    base_url: str, browser_page: tuple[Any, list[str]]
) -> None:
    assert any(WORD in (cause.summary or "").casefold() for cause in _sample(TARGET).root_causes)
    page, requests = browser_page
    page.goto(base_url)
    page.click("input.md-search__input")
    page.keyboard.type(WORD, delay=80)  # Material's search reacts to key presses
    results = page.locator("a.md-search-result__link")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(TARGET in href for href in hrefs), hrefs
    # The search worker's own fetch is recorded too, so "all requests" includes workers.
    assert any(url.endswith("search/search_index.json") for url in requests), requests
    _assert_local(requests, base_url)


@pytest.mark.parametrize(("path", "charts"), [("patterns/", 1), ("metrics/", 4)])
def test_charts_are_drawn(base_url: str, browser_page: tuple[Any, list[str]], path: str, charts: int) -> None:
    page, requests = browser_page
    page.goto(base_url + path)
    svgs = page.locator("svg[data-chart]")
    assert svgs.count() >= charts
    for index in range(svgs.count()):
        svg = svgs.nth(index)
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        marks = svg.locator("rect, circle, path").count()
        assert marks > 3, f"chart {index} on {path} has {marks} marks"
    _assert_local(requests, base_url)


def _assert_local(requests: list[str], base_url: str) -> None:
    assert requests, "no request recorded"
    outside = [url for url in requests if not url.startswith(base_url)]
    assert outside == [], outside
