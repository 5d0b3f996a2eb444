"""mortem.site.built: how MkDocs takes the pages a worker filled into the theme's template,
and when no worker is started. A real `mkdocs build` with the worker is in
tests/acceptance/test_site_ahead.py."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from mortem.parallel import Handoff, _Claims
from mortem.site import built
from mortem.site.built import BLANK, FilledAhead, fill_ahead

HOOK = "hooks/mortem_site.py"


class _Worker:
    """Stands in for the forked worker's Background: running until `end()`."""

    def __init__(self, running: bool = True, patience: int | None = None) -> None:
        self.running = running
        self.patience = patience  # looks at it before the test fails, if limited
        self.collected = self.cancelled = False

    def done(self) -> bool:
        if self.patience is not None:
            self.patience -= 1
            assert self.patience >= 0, "waited for a page the worker had left"
        return not self.running

    def end(self) -> None:
        self.running = False

    def result(self) -> int:
        self.collected = True
        return 0

    def cancel(self) -> None:
        self.cancelled = True


def _claimed(count: int) -> _Claims:
    """Claims for `count` pages, each claimed by the worker."""
    claims = _Claims.shared(count)
    assert claims is not None
    for position in range(count):
        assert claims.claim(position, claims.WORKER)
    return claims


def _page(source: str, template: str | None = None) -> Any:
    meta = {"template": BLANK}  # as fill_ahead left it
    return SimpleNamespace(file=SimpleNamespace(src_uri=source), meta=meta, own=template)


def _filled(tmp_path: Path, pages: list[Any], worker: _Worker) -> FilledAhead:
    env = Environment(loader=DictLoader({"main.html": "main {{ title }}", "own.html": "own {{ title }}"}))
    templates: dict[str, object] = {
        page.file.src_uri: built._NONE if page.own is None else page.own for page in pages
    }
    positions = {page.file.src_uri: n for n, page in enumerate(pages)}
    handoff = Handoff(tmp_path, _claimed(len(pages)))  # the worker has begun every page
    handoff._background = worker  # type: ignore[assignment]
    filled = FilledAhead(env, positions, templates, handoff)
    for page in pages:
        assert filled.context({"title": page.file.src_uri}, page) == {"title": page.file.src_uri}
    return filled


def test_a_page_the_worker_wrote_is_taken_and_its_template_put_back(tmp_path: Path) -> None:
    """The worker wrote the page into the site: MkDocs is given nothing to write, and its
    note that the page generated no output is left out; its own template is put back."""
    first, second = _page("a.md"), _page("b.md", template="own.html")
    filled = _filled(tmp_path, [first, second], _Worker())
    filled.handoff.put(0, b"")
    filled.handoff.put(1, b"")
    assert filled.html("<html>the empty template</html>", first) == ""
    assert filled.html("", second) == ""
    assert "template" not in first.meta and second.meta == {"template": "own.html"}
    assert filled.taken == 2
    other = _page("c.md")
    assert filled.html("<html>c</html>", other) == "<html>c</html>"  # not the worker's: as is
    notes = [
        _note(f"Page skipped: '{source}'. Generated empty output.") for source in ("a.md", "b.md", "c.md")
    ]
    assert [filled.quiet.filter(note) for note in notes] == [False, False, True]
    assert filled.quiet.filter(_note("Page skipped: 'a.md'. Generated empty output.", logging.WARNING))


def _note(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("mkdocs.commands.build", level, __file__, 1, message, None, None)


def test_the_note_filter_is_on_mkdocs_logger_for_the_build_only(tmp_path: Path) -> None:
    """In a real build: MkDocs's note for a page the worker wrote is not printed; once the
    build is over (finish), MkDocs's logger is as it was."""
    logger = logging.getLogger("mkdocs.commands.build")
    page = _page("a.md")
    filled = _filled(tmp_path, [page], _Worker(running=False))
    logger.addFilter(filled.quiet)  # as fill_ahead does
    filled.handoff.put(0, b"")
    assert filled.html("", page) == ""
    assert not logger.filter(_note("Page skipped: 'a.md'. Generated empty output."))
    filled.finish()
    assert filled.quiet not in logger.filters
    assert logger.filter(_note("Page skipped: 'a.md'. Generated empty output."))


def test_a_page_the_worker_left_is_filled_here_without_waiting(tmp_path: Path) -> None:
    first, second = _page("a.md"), _page("b.md", template="own.html")
    worker = _Worker(patience=4)  # still running: the marks alone must be enough
    filled = _filled(tmp_path, [first, second], worker)
    filled.handoff.leave(0)
    filled.handoff.leave(1)
    assert filled.html("", first) == "main a.md"
    assert filled.html("", second) == "own b.md"  # with the page's own template
    assert filled.taken == 0


def test_a_page_the_worker_has_not_begun_is_taken_at_its_context(tmp_path: Path) -> None:
    """With claims, MkDocs reaching a page the worker has not begun fills it itself, without
    waiting for the worker (still running); reaching one the worker has begun, it takes the
    next page instead, and waits for the worker's."""
    pages = [_page("a.md"), _page("b.md"), _page("c.md")]
    claims = _Claims.shared(3)
    assert claims is not None
    worker = _Worker(patience=0)  # looking at it at all would mean waiting
    filled = _filled(tmp_path, pages, worker)
    filled.handoff.claims = claims
    assert claims.claim(1, claims.WORKER)  # the worker is on b
    filled.context({"title": "a.md"}, pages[0])
    assert filled.html("", pages[0]) == "main a.md"
    filled.context({"title": "b.md"}, pages[1])  # b is the worker's: c is taken here
    assert list(claims.owners) == [claims.HERE, claims.WORKER, claims.HERE]
    filled.handoff.put(1, b"")
    worker.patience = 4
    assert filled.html("", pages[1]) == ""
    filled.context({"title": "c.md"}, pages[2])
    worker.patience = 0
    assert filled.html("", pages[2]) == "main c.md"
    assert filled.taken == 1


def test_pages_the_worker_never_reached_are_filled_here(tmp_path: Path) -> None:
    page = _page("a.md")
    filled = _filled(tmp_path, [page], _Worker(running=False))  # it died, or ended early
    assert filled.html("", page) == "main a.md"


def test_a_page_not_written_yet_is_waited_for(tmp_path: Path) -> None:
    page = _page("a.md")
    worker = _Worker()
    filled = _filled(tmp_path, [page], worker)

    def write_later() -> None:
        time.sleep(0.1)
        filled.handoff.put(0, b"")

    writer = threading.Thread(target=write_later)
    writer.start()
    started = time.monotonic()
    assert filled.html("", page) == ""
    assert time.monotonic() - started >= 0.09, "waited for the worker"
    writer.join()


def test_finish_drops_the_scratch_folder_and_ends_a_running_worker(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    running = _Worker()
    assert _filled(scratch, [], running).finish() is None
    assert running.cancelled and not scratch.exists()
    scratch.mkdir()
    ended = _Worker(running=False)
    filled = _filled(scratch, [], ended)
    filled.taken = 3
    assert filled.finish() == "3 filled into the theme on a second core"
    assert ended.collected and not ended.cancelled


class _Search:
    def on_page_context(self) -> None: ...


_Search.__module__ = "material.plugins.search.plugin"


class _Other:
    def on_post_page(self) -> None: ...


def _mine() -> None: ...


_mine.__module__ = HOOK


def _config(**events: list[object]) -> Any:
    every = {
        "nav": [_mine],
        "env": [_mine],
        "page_context": [_Search().on_page_context, _mine],
        "post_page": [_mine],
    }
    return SimpleNamespace(plugins=SimpleNamespace(events={**every, **events}))


class _Files:
    def documentation_pages(self, inclusion: object = None) -> list[Any]:
        raise AssertionError("a refused build lists no pages")


@pytest.mark.parametrize(
    ("config", "started", "nav"),
    [
        (_config(), ("serve", False), object()),  # serve shows drafts
        (_config(), ("build", True), object()),  # --dirty builds only some pages
        (_config(), None, object()),  # not started by the command line
        (_config(), ("build", False), None),  # no navigation seen
        (_config(post_page=[_mine, _Other().on_post_page]), ("build", False), object()),
        (_config(page_context=[_Other().on_post_page]), ("build", False), object()),
        (_config(nav=[_mine, _Other().on_post_page]), ("build", False), object()),  # a later nav
    ],
)
def test_no_worker_where_mkdocs_would_build_differently(config: Any, started: Any, nav: Any) -> None:
    assert fill_ahead(config, Environment(), _Files(), nav, started, HOOK) is None  # type: ignore[arg-type]


class _Indexing:
    """A search plugin's page_context as Material's does it: index, strip the attributes."""

    def __init__(self) -> None:
        self.indexed: list[str] = []

    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> None:
        self.indexed.append(page.file.src_uri)
        page.content = page.content.replace(' data-search-exclude="x"', "")


_Indexing.__module__ = "material.plugins.search.plugin"


def test_the_worker_skips_search_indexing_only_where_it_changes_nothing() -> None:
    search = _Indexing()
    seen: list[str] = []

    def other(context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        seen.append(page.file.src_uri)
        return {**context, "other": True}

    def mine(context: Any, *, page: Any, config: Any, nav: Any) -> None:
        return None  # None keeps the context, as MkDocs runs an event

    handlers = [search.on_page_context, other, mine]

    def run_all(context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        for handler in handlers:
            context = handler(context, page=page, config=config, nav=nav) or context
        return context

    config = SimpleNamespace(
        plugins=SimpleNamespace(events={"page_context": handlers}, on_page_context=run_all)
    )
    plain = SimpleNamespace(file=SimpleNamespace(src_uri="plain.md"), content="<p>text</p>")
    marked = SimpleNamespace(
        file=SimpleNamespace(src_uri="marked.md"), content='<p data-search-exclude="x">t</p>'
    )
    assert built._page_context({}, plain, config, None) == {"other": True}  # type: ignore[arg-type]
    assert built._page_context({}, marked, config, None) == {"other": True}  # type: ignore[arg-type]
    assert search.indexed == ["marked.md"] and seen == ["plain.md", "marked.md"]
    assert marked.content == "<p>t</p>"  # stripped, as MkDocs's own run would


def test_the_worker_writes_each_page_before_handing_it_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_fill, as the worker runs it: a page it fills is in the site, as MkDocs writes it, by
    the time it is handed over; a page it leaves (an empty template) or cannot write is
    neither written nor handed over, for MkDocs to build and report."""
    import os

    import mkdocs.commands.build as mkdocs_build

    monkeypatch.setattr(built, "hush_worker", lambda: SimpleNamespace(anything=False))  # loggers as they are
    monkeypatch.setattr(
        mkdocs_build, "get_context", lambda nav, files, config, page: {"title": page.file.src_uri}
    )
    site = tmp_path / "site"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder would go")

    def page(source: str, template: str, dest: Path | None = None) -> Any:
        path = dest or site / source.removesuffix(".md") / "index.html"
        return SimpleNamespace(
            file=SimpleNamespace(src_uri=source, abs_dest_path=str(path)),
            meta={"template": template},
            content="",
        )

    written = page("a.md", "main.html")
    left = page("b.md", "empty.html")
    unwritable = page("c.md", "main.html", blocked / "c" / "index.html")
    env = Environment(loader=DictLoader({"main.html": "main {{ title }} é", "empty.html": ""}))
    config = SimpleNamespace(plugins=SimpleNamespace(events={"page_context": []}), _current_page=None)
    (tmp_path / "handoff").mkdir()
    handoff = Handoff(tmp_path / "handoff", _Claims(3))
    written_at_handover: list[bytes] = []
    put = handoff.put

    def put_and_look(position: int, data: bytes) -> None:
        written_at_handover.append((site / "a" / "index.html").read_bytes())
        put(position, data)

    monkeypatch.setattr(handoff, "put", put_and_look)
    pages = [written, left, unwritable]
    assert built._fill(pages, config, env, None, [], handoff) == 1  # type: ignore[arg-type]
    assert written_at_handover == ["main a.md é".encode()]
    assert not (site / "b").exists()
    assert blocked.read_text() == "a file where a folder would go"
    assert list(handoff.claims.owners) == [_Claims.MADE, _Claims.LEFT, _Claims.LEFT]
    assert os.listdir(handoff.folder) == []  # written pages are marked, not handed over as files


def test_the_worker_skips_the_pages_this_process_claimed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page MkDocs reached before the worker began it is MkDocs's: the worker neither
    fills nor writes it."""
    import mkdocs.commands.build as mkdocs_build

    monkeypatch.setattr(built, "hush_worker", lambda: SimpleNamespace(anything=False))
    monkeypatch.setattr(mkdocs_build, "get_context", lambda nav, files, config, page: {"title": "t"})
    site = tmp_path / "site"
    pages = [
        SimpleNamespace(
            file=SimpleNamespace(src_uri=f"{n}.md", abs_dest_path=str(site / str(n) / "index.html")),
            meta={"template": "main.html"},
            content="",
        )
        for n in range(3)
    ]
    (tmp_path / "handoff").mkdir()
    handoff = Handoff(tmp_path / "handoff", _Claims(3))
    monkeypatch.setattr(handoff, "claim", lambda position: position != 1)  # the other process has 1
    env = Environment(loader=DictLoader({"main.html": "main"}))
    config = SimpleNamespace(plugins=SimpleNamespace(events={"page_context": []}), _current_page=None)
    assert built._fill(pages, config, env, None, [], handoff) == 2  # type: ignore[arg-type]
    assert (site / "0" / "index.html").exists() and (site / "2" / "index.html").exists()
    assert not (site / "1").exists()
