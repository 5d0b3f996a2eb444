"""Which pages the worker rendering ahead takes: the last ones, weighing about half of all by
their sources' sizes, so that neither process waits long for the other."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mortem.site.rendered import _later_half


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
