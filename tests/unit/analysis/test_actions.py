"""Follow-through data on a fixture archive, as of a fixed day: exact lists for open,
overdue, by owner, by bucket, due this week, and what counts as a placeholder link."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from mortem.analysis import actions
from mortem.analysis.actions import ActionRow
from mortem.archive import load_archive
from mortem.config import Config
from mortem.model import Postmortem, is_placeholder_link, owner_key
from mortem.schema import load_schema

FIXTURE = Path(__file__).parents[2] / "fixtures" / "actions"
AS_OF = date(2026, 3, 10)
CACHE = "2026-02-01-api-cache-stampede"
DISK = "2026-02-20-worker-disk-full"
WEBHOOK = "2026-03-05-payments-webhook-timeout"


@pytest.fixture
def docs(tmp_path: Path) -> list[Postmortem]:
    shutil.copytree(FIXTURE, tmp_path / "postmortems")
    loaded = load_archive(Config(root=tmp_path))
    assert [d.id for d in loaded] == [CACHE, DISK, WEBHOOK]
    return loaded


def keys(rows: list[ActionRow]) -> list[tuple[str, int, int | None]]:
    return [(r.postmortem, r.item.index, r.overdue_days) for r in rows]


def test_open_items_in_due_order_overdue_first_undated_last(docs: list[Postmortem]) -> None:
    assert keys(actions.select(docs, AS_OF)) == [
        (CACHE, 0, 30),
        (DISK, 0, 11),
        (DISK, 1, None),  # due today: not late yet
        (CACHE, 2, None),
        (WEBHOOK, 0, None),
        (WEBHOOK, 1, None),
        (WEBHOOK, 2, None),  # no due date
    ]


def test_overdue(docs: list[Postmortem]) -> None:
    assert keys(actions.select(docs, AS_OF, "overdue")) == [(CACHE, 0, 30), (DISK, 0, 11)]
    assert keys(actions.select(docs, date(2026, 2, 8), "overdue")) == []  # due that day: on time


def test_all_puts_overdue_first_then_every_item_by_due_date(docs: list[Postmortem]) -> None:
    rows = actions.select(docs, AS_OF, "all")
    assert [(r.postmortem, r.item.index, r.item.status) for r in rows] == [
        (CACHE, 0, "open"),
        (DISK, 0, "open"),
        (CACHE, 1, "done"),
        (DISK, 1, "open"),
        (CACHE, 2, "open"),
        (WEBHOOK, 0, "open"),
        (WEBHOOK, 1, "open"),
        (DISK, 2, "dropped"),
        (WEBHOOK, 2, "open"),
    ]


def test_by_owner_most_urgent_owner_first(docs: list[Postmortem]) -> None:
    groups = actions.by_owner(actions.select(docs, AS_OF))
    assert [(owner, [(r.postmortem, r.item.index) for r in rows]) for owner, rows in groups] == [
        ("Sam Okafor", [(CACHE, 0), (DISK, 1), (CACHE, 2)]),
        ("Ada Nwosu", [(DISK, 0)]),
        ("Mei Chen", [(WEBHOOK, 0)]),
        ("Lena Fischer", [(WEBHOOK, 1), (WEBHOOK, 2)]),
    ]


def test_owner_filter_ignores_case_and_spacing(docs: list[Postmortem]) -> None:
    assert keys(actions.select(docs, AS_OF, owner="  sam   OKAFOR ")) == [
        (CACHE, 0, 30),
        (DISK, 1, None),
        (CACHE, 2, None),
    ]
    assert actions.select(docs, AS_OF, owner="Sam") == []


def test_by_bucket_and_service(docs: list[Postmortem]) -> None:
    assert keys(actions.select(docs, AS_OF, bucket="detection")) == [(DISK, 1, None), (WEBHOOK, 1, None)]
    assert keys(actions.select(docs, AS_OF, "all", bucket="mitigation")) == [
        (CACHE, 2, None),
        (DISK, 2, None),
        (WEBHOOK, 2, None),
    ]
    assert keys(actions.select(docs, AS_OF, service="api")) == [
        (CACHE, 0, 30),
        (CACHE, 2, None),
        (WEBHOOK, 0, None),
        (WEBHOOK, 1, None),
        (WEBHOOK, 2, None),
    ]
    assert keys(actions.select(docs, AS_OF, owner="Lena Fischer", bucket="prevention")) == []


def test_bucket_counts_of_open_items(docs: list[Postmortem]) -> None:
    rows = actions.select(docs, AS_OF)
    assert actions.bucket_counts(rows) == [("prevention", 3, 2), ("detection", 2, 0), ("mitigation", 2, 0)]


def test_due_in_the_next_seven_days_today_and_the_seventh_day_included(docs: list[Postmortem]) -> None:
    rows = actions.select(docs, AS_OF)
    assert [(r.postmortem, r.item.index) for r in actions.due_soon(rows, AS_OF)] == [
        (DISK, 1),
        (CACHE, 2),
        (WEBHOOK, 0),
    ]


def open_items_per_owner(docs: list[Postmortem]) -> Counter[str]:
    """The plain recount that OwnerLoad must agree with."""
    return Counter(
        owner_key(item.owner)
        for doc in docs
        for item in doc.action_items
        if item.is_open and item.owner and item.owner.strip()
    )


def test_the_fixture_archive_has_the_open_items_the_tests_expect(docs: list[Postmortem]) -> None:
    assert open_items_per_owner(docs) == {"sam okafor": 3, "ada nwosu": 1, "mei chen": 1, "lena fischer": 2}


def test_owner_load_counted_once_equals_a_recount_with_each_postmortem_swapped_in(
    docs: list[Postmortem], tmp_path: Path
) -> None:
    def recount(archive: list[Postmortem], doc: Postmortem) -> Counter[str]:
        owners = {owner_key(i.owner) for i in doc.action_items if i.is_open and i.owner}
        return Counter({k: n for k, n in open_items_per_owner(archive).items() if k in owners})

    load = actions.OwnerLoad(docs)
    for doc in docs:  # a postmortem already in the archive counts once, not twice
        assert load.of_owners_in(doc) == recount(docs, doc)
    assert load.of_owners_in(next(d for d in docs if d.id == CACHE)) == {"sam okafor": 3}
    # An edited copy replaces the archive's: here, the cache postmortem's first open item closed.
    path = tmp_path / "postmortems" / f"{CACHE}.md"
    path.write_text(re.sub(r"status: (open|in-progress)", "status: done", path.read_text(), count=1))
    edited = next(d for d in load_archive(Config(root=tmp_path)) if d.id == CACHE)
    others = [d for d in docs if d.id != CACHE]
    assert load.of_owners_in(edited) == recount([*others, edited], edited)
    assert load.of_owners_in(edited) != recount(docs, edited)


def test_unknown_selection_is_a_bug() -> None:
    with pytest.raises(ValueError):
        actions.select([], AS_OF, "late")


PLACEHOLDERS = ["", "  ", "#", "TBD", "tbd", "TODO", "ToDo"]
NOT_PLACEHOLDERS = ["https://github.com/o/r/issues/1", "n/a", "none", "TBD later", "#481"]


@pytest.mark.parametrize("link", PLACEHOLDERS)
def test_placeholders(link: str) -> None:
    assert is_placeholder_link(link)


@pytest.mark.parametrize("link", NOT_PLACEHOLDERS)
def test_not_placeholders(link: str) -> None:
    assert not is_placeholder_link(link)


def test_placeholders_are_what_the_schema_lets_through() -> None:
    """The schema's `link` pattern and is_placeholder_link name the same placeholders."""
    schema = load_schema()["$defs"]["action_item"]["properties"]["link"]
    pattern = re.compile(schema["pattern"])
    for link in [*PLACEHOLDERS, *NOT_PLACEHOLDERS]:
        lets_through = pattern.search(link) is not None and not link.startswith("http")
        assert lets_through == is_placeholder_link(link), link
    assert is_placeholder_link(None)
    assert "null" in schema["type"]  # `link:` with nothing after it is a placeholder too
