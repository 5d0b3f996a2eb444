"""Which pages the worker rendering ahead takes: the last ones, weighing about its share of
all by their sources' sizes, so that neither process waits long for the other."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mortem.site.rendered import WORKER_SHARE, _later_share


def _later_half(pages: list[Any]) -> list[Any]:
    return _later_share(pages, 0.5)


def _generated(size: int) -> Any:
    return SimpleNamespace(file=SimpleNamespace(abs_src_path=None, content_bytes=b"x" * size))


def _on_disk(path: Path, size: int) -> Any:
    path.write_bytes(b"y" * size)
    return SimpleNamespace(file=SimpleNamespace(abs_src_path=str(path), content_bytes=b""))


def test_large_pages_first_leave_the_worker_more_pages_of_the_same_weight(tmp_path: Path) -> None:
    # mortem's section pages come first and are large; postmortems follow, small and alike.
    sections = [_generated(40_000), _generated(20_000)]
    postmortems = [_on_disk(tmp_path / f"{n}.md", 1_000) for n in range(100)]
    later = _later_half(sections + postmortems)
    assert later == postmortems[-80:]  # 80,000 of 160,000 bytes: 80 pages, not 51 by count


def test_pages_of_one_size_are_halved_by_count(tmp_path: Path) -> None:
    pages = [_on_disk(tmp_path / f"{n}.md", 500) for n in range(10)]
    assert _later_half(pages) == pages[5:]


def test_the_first_page_stays_here_however_small_the_rest() -> None:
    pages = [_generated(10), _generated(1_000_000)]
    assert _later_half(pages) == []  # the large page alone is more than half: nothing ahead
    pages = [_generated(10), _generated(10), _generated(10)]
    assert _later_half(pages)[0] is pages[2]


def test_a_file_that_cannot_be_read_weighs_nothing(tmp_path: Path) -> None:
    gone = SimpleNamespace(file=SimpleNamespace(abs_src_path=str(tmp_path / "gone.md"), content_bytes=b""))
    pages = [_generated(100), gone, _generated(100)]
    assert _later_half(pages) == [gone, pages[2]]


def test_the_worker_takes_its_share_of_the_bytes(tmp_path: Path) -> None:
    pages = [_on_disk(tmp_path / f"{n}.md", 100) for n in range(100)]
    assert _later_share(pages, WORKER_SHARE) == pages[100 - round(100 * WORKER_SHARE) :]
    assert _later_share(pages, 0.25) == pages[75:]


class _Handed:
    """A hand-over holding what the worker made of each position (None: made here)."""

    def __init__(self, items: dict[int, bytes | None]) -> None:
        self.items = items
        self.asked: list[int] = []

        self.closed = False

    def take(self, position: int) -> bytes | None:
        assert not self.closed
        self.asked.append(position)
        return self.items.get(position)

    def close(self) -> None:
        self.closed = True


def test_a_page_rendered_ahead_is_used_only_for_the_markdown_it_was_made_from() -> None:
    import pickle

    from mortem.site.rendered import _Ahead

    rendering = ("<p>hi</p>", (), "Title", ("hi",), None)
    handed = _Handed(
        {
            0: pickle.dumps(("# same", rendering)),
            1: pickle.dumps(("# before an edit", rendering)),
            2: b"not a pickle",
            3: None,  # not begun by the worker: this process renders it
            4: pickle.dumps(("# same", ("not", "a rendering"))),
        }
    )
    ahead = _Ahead({f"{n}.md": n for n in range(5)}, handed)  # type: ignore[arg-type]
    assert ahead.get("0.md", "# same") == rendering
    assert [ahead.get(f"{n}.md", "# same") for n in range(1, 4)] == [None] * 3
    assert not handed.closed
    assert ahead.get("4.md", "# same") is None
    assert handed.closed, "once its last page is taken, the worker is let go"
    assert ahead.get("other.md", "# same") is None  # not one of the worker's pages
    assert ahead.get("0.md", "# same") is None  # each page is taken once
    assert handed.asked == [0, 1, 2, 3, 4]


class _Page:
    """As much of an MkDocs page as the worker reads."""

    def __init__(self, name: str, warns: bool = False) -> None:
        self.file = SimpleNamespace(src_uri=name)
        self.markdown: str | None = None
        self.content: str | None = None
        self.toc: list[Any] = []
        self._title_from_render = None
        self.present_anchor_ids: set[str] = set()
        self.links_to_anchors = None
        self.warns = warns

    def read_source(self, config: Any) -> None:
        self.markdown = f"# {self.file.src_uri}"

    def render(self, config: Any, files: Any) -> None:
        if self.warns:
            logging.getLogger("mkdocs").warning("a broken link")
        self.content = f"<h1>{self.file.src_uri}</h1>"


@pytest.fixture
def heard() -> Iterator[Any]:
    """What the worker's hush returns, listening to MkDocs's logger (without taking this
    test process's log handlers, as the real hush does in the forked worker)."""
    from mortem.site import rendered

    listening = rendered._Heard()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(listening)
    yield listening
    logger.removeHandler(listening)


def test_a_page_rendered_in_the_worker_is_handed_over_with_its_markdown(heard: Any) -> None:
    import pickle

    from mortem.site.rendered import _rendered_page

    data = _rendered_page(_Page("a.md"), None, None, lambda markdown, page: False, heard)  # type: ignore[arg-type]
    assert data is not None
    markdown, rendering = pickle.loads(data)
    assert markdown == "# a.md" and rendering[0] == "<h1>a.md</h1>"


def test_pages_the_worker_leaves_to_mkdocs(heard: Any) -> None:
    """One the cache keeps, one whose rendering logged (MkDocs says it when it renders the
    page itself), one pickle cannot carry."""
    from mortem.site.rendered import _rendered_page

    def kept(markdown: str, page: Any) -> bool:
        return bool(page.file.src_uri == "kept.md")

    unsent = _Page("unsent.md")
    unsent._title_from_render = lambda: "no pickle carries this"  # type: ignore[assignment]
    for page in (_Page("kept.md"), _Page("warns.md", warns=True), unsent):
        assert _rendered_page(page, None, None, kept, heard) is None, page.file.src_uri  # type: ignore[arg-type]
    assert _rendered_page(_Page("fine.md"), None, None, kept, heard) is not None  # type: ignore[arg-type]
