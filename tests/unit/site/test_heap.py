"""mortem.site.heap: what the hook reads stays out of the collector's sight until the build
ends, and for good only when the process ends with it. The hook's use of it, in a real
`mkdocs build`, is in tests/acceptance/test_site_build.py."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from mortem.site import heap


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()  # this test process goes on: nothing of it stays frozen


def _tracked(value: object) -> bool:
    """Whether a collection would visit `value` (frozen objects are in no generation)."""
    return any(found is value for found in gc.get_objects())


@pytest.mark.parametrize("command", ["build", "gh-deploy"])
def test_a_build_that_ends_the_process_stays_frozen_to_its_exit(command: str) -> None:
    held = {"postmortem": ["what the hook read"]}
    assert _tracked(held)
    heap.hold()
    assert not _tracked(held)
    heap.release((command, False))
    assert not _tracked(held)


@pytest.mark.parametrize("started", [("serve", False), ("serve", True), None])
def test_any_other_build_gives_the_objects_back_to_the_collector(started: tuple[str, bool] | None) -> None:
    held = {"postmortem": ["what the hook read"]}
    heap.hold()
    assert not _tracked(held)
    heap.release(started)
    assert _tracked(held) and gc.get_freeze_count() == 0


def test_a_cycle_made_before_a_serve_rebuild_is_collected_after_it() -> None:
    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first  # type: ignore[attr-defined]
    alive = weakref.ref(first)
    heap.hold()
    del first, second
    gc.collect()
    assert alive() is not None  # frozen: out of reach while the build runs
    heap.release(("serve", False))
    gc.collect()
    assert alive() is None
