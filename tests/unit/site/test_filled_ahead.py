"""mortem.site.built: how MkDocs takes the pages a worker filled into the theme's template,
and when no worker is started. A real `mkdocs build` with the worker is in
tests/acceptance/test_site_ahead.py."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from mortem.parallel import Handoff
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


def _page(source: str, template: str | None = None) -> Any:
    meta = {"template": BLANK}  # as fill_ahead left it
    return SimpleNamespace(file=SimpleNamespace(src_uri=source), meta=meta, own=template)


def _filled(tmp_path: Path, pages: list[Any], worker: _Worker) -> FilledAhead:
    env = Environment(loader=DictLoader({"main.html": "main {{ title }}", "own.html": "own {{ title }}"}))
    templates: dict[str, object] = {
        page.file.src_uri: built._NONE if page.own is None else page.own for page in pages
    }
    positions = {page.file.src_uri: n for n, page in enumerate(pages)}
    handoff = Handoff(tmp_path)
    handoff._background = worker  # type: ignore[assignment]
    filled = FilledAhead(env, positions, templates, handoff)
    for page in pages:
        assert filled.context({"title": page.file.src_uri}, page) == {"title": page.file.src_uri}
    return filled


def test_a_page_the_worker_wrote_is_taken_and_its_template_put_back(tmp_path: Path) -> None:
    first, second = _page("a.md"), _page("b.md", template="own.html")
    filled = _filled(tmp_path, [first, second], _Worker())
    filled.handoff.put(0, b"<html>a from the worker</html>")
    filled.handoff.put(1, "<html>b from the worker: é</html>".encode())
    assert filled.html("", first) == "<html>a from the worker</html>"
    assert filled.html("", second) == "<html>b from the worker: é</html>"
    assert "template" not in first.meta and second.meta == {"template": "own.html"}
    assert filled.taken == 2
    other = _page("c.md")
    assert filled.html("<html>c</html>", other) == "<html>c</html>"  # not the worker's: as is


def test_a_page_the_worker_left_is_filled_here_without_waiting(tmp_path: Path) -> None:
    first, second = _page("a.md"), _page("b.md", template="own.html")
    worker = _Worker(patience=4)  # still running: the marks alone must be enough
    filled = _filled(tmp_path, [first, second], worker)
    filled.handoff.leave(0)
    filled.handoff.leave(1)
    assert filled.html("", first) == "main a.md"
    assert filled.html("", second) == "own b.md"  # with the page's own template
    assert filled.taken == 0


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
        filled.handoff.put(0, b"<html>late</html>")

    writer = threading.Thread(target=write_later)
    writer.start()
    assert filled.html("", page) == "<html>late</html>"
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


def test_the_worker_makes_the_folder_each_of_its_pages_is_written_to(tmp_path: Path) -> None:
    """MkDocs then finds it made: making it is half of writing a page over an earlier site."""
    page = SimpleNamespace(file=SimpleNamespace(abs_dest_path=str(tmp_path / "site" / "a" / "index.html")))
    built._make_folder(page)  # type: ignore[arg-type]
    assert (tmp_path / "site" / "a").is_dir()
    built._make_folder(page)  # type: ignore[arg-type]  # made already: nothing to do
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    inside = SimpleNamespace(file=SimpleNamespace(abs_dest_path=str(blocked / "b" / "index.html")))
    built._make_folder(inside)  # type: ignore[arg-type]  # left for MkDocs to meet and report
    assert blocked.read_text() == "not a folder"


def test_the_worker_makes_a_pages_folder_before_handing_the_page_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_fill, as the worker runs it: the folder of a page it fills exists by the time the
    page is handed over; a page it leaves (an empty template) gets no folder from it."""
    import os

    import mkdocs.commands.build as mkdocs_build

    monkeypatch.setattr(built, "hush_worker", lambda: SimpleNamespace(anything=False))  # loggers as they are
    monkeypatch.setattr(
        mkdocs_build, "get_context", lambda nav, files, config, page: {"title": page.file.src_uri}
    )
    site = tmp_path / "site"

    def page(source: str, template: str) -> Any:
        dest = str(site / source.removesuffix(".md") / "index.html")
        return SimpleNamespace(
            file=SimpleNamespace(src_uri=source, abs_dest_path=dest), meta={"template": template}, content=""
        )

    filled, left = page("a.md", "main.html"), page("b.md", "empty.html")
    env = Environment(loader=DictLoader({"main.html": "main {{ title }}", "empty.html": ""}))
    config = SimpleNamespace(plugins=SimpleNamespace(events={"page_context": []}), _current_page=None)
    (tmp_path / "handoff").mkdir()
    handoff = Handoff(tmp_path / "handoff")
    folders_at_handover: list[bool] = []
    put = handoff.put

    def put_and_look(position: int, data: bytes) -> None:
        folders_at_handover.append((site / "a").is_dir())
        put(position, data)

    monkeypatch.setattr(handoff, "put", put_and_look)
    assert built._fill([filled, left], config, env, None, [], handoff) == 1  # type: ignore[arg-type]
    assert folders_at_handover == [True]
    assert not (site / "b").exists()
    assert sorted(os.listdir(handoff.folder)) == ["0", "1.left"]
    assert (handoff.folder / "0").read_bytes() == b"main a.md"
