"""Follow-through: every action item with its postmortem, open or overdue as of a given day.

The weekly sync reads open items in five minutes: due-date order puts overdue ones first,
and grouping by owner lets each person answer for theirs (re-own or drop out loud).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from mortem.model import ActionItem, Postmortem, owner_key

if TYPE_CHECKING:
    from mortem.config import Config

NO_OWNER = "(no owner)"
BUCKETS = ("prevention", "detection", "mitigation")
SELECTIONS = ("open", "overdue", "all")
UPCOMING_DAYS = 7  # the weekly sync looks one week ahead


@dataclass(frozen=True)
class ActionRow:
    postmortem: str  # the postmortem's id
    postmortem_title: str | None
    postmortem_date: date | None
    item: ActionItem
    overdue_days: int | None  # days past due for an open item, else None
    services: tuple[str, ...] = ()  # the postmortem's services, for `--service`

    @property
    def is_open(self) -> bool:
        return self.item.is_open

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days is not None

    @property
    def key(self) -> str:
        """A stable id for exports: the postmortem's id and the item's place in its list."""
        return f"{self.postmortem}#{self.item.index}"


def archive_selection(
    config: Config,
    today: date,
    which: str,
    owner: str | None,
    bucket: str | None,
    service: str | None,
    warn: Callable[[str], None],
) -> list[ActionRow]:
    """`select` over the configured archive, kept under its facts with the day and the filters
    (archive.over_archive): the items, dates and services are all in the front matter."""
    from mortem.archive import over_archive

    extra = "\0".join((today.isoformat(), which, owner or "", bucket or "", service or ""))
    return over_archive(
        config,
        "actions",
        extra,
        lambda docs: select(docs, today, which, owner, bucket, service),
        lambda value: isinstance(value, list) and all(isinstance(row, ActionRow) for row in value),
        warn,
    )


def overdue_days(item: ActionItem, today: date) -> int | None:
    if not item.is_open or item.due is None or item.due >= today:
        return None
    return (today - item.due).days


def action_rows(docs: Iterable[Postmortem], today: date) -> list[ActionRow]:
    """Every action item of the archive, in archive order then list order."""
    return [
        ActionRow(doc.id, doc.title, doc.date, item, overdue_days(item, today), doc.services)
        for doc in docs
        for item in doc.action_items
    ]


def _due_order(row: ActionRow) -> tuple[bool, date, str, int]:
    # Items without a due date sort last: they cannot be late, but they are still open.
    return (row.item.due is None, row.item.due or date.max, row.postmortem, row.item.index)


def open_actions(docs: Iterable[Postmortem], today: date) -> list[ActionRow]:
    """Open items in due-date order; overdue items come first because their dates are earliest."""
    return sorted((r for r in action_rows(docs, today) if r.is_open), key=_due_order)


def overdue(rows: Iterable[ActionRow]) -> list[ActionRow]:
    return [r for r in rows if r.is_overdue]


def by_owner(rows: Sequence[ActionRow]) -> list[tuple[str, list[ActionRow]]]:
    """Rows grouped by owner, each group in due-date order; the owner with the most urgent
    item first. Unowned items go last: `mortem check` rejects them, so they only show up
    in an archive that disabled that rule."""
    groups: dict[str, list[ActionRow]] = {}
    for row in sorted(rows, key=_due_order):
        groups.setdefault(row.item.owner or NO_OWNER, []).append(row)

    def urgency(entry: tuple[str, list[ActionRow]]) -> tuple[bool, tuple[bool, date, str, int], str]:
        owner, owned = entry
        return (owner == NO_OWNER, _due_order(owned[0]), owner)

    return sorted(groups.items(), key=urgency)


def _agenda_order(row: ActionRow) -> tuple[bool, tuple[bool, date, str, int]]:
    # Overdue first even among closed items (`--all`), then by due date.
    return (not row.is_overdue, _due_order(row))


def select(
    docs: Iterable[Postmortem],
    today: date,
    which: str = "open",
    owner: str | None = None,
    bucket: str | None = None,
    service: str | None = None,
) -> list[ActionRow]:
    """The rows `mortem actions` lists: `which` is open, overdue or all; the filters match
    an owner (spacing and case aside), a bucket and one of the postmortem's services."""
    if which not in SELECTIONS:
        raise ValueError(which)
    rows = action_rows(docs, today)
    if which == "open":
        rows = [r for r in rows if r.is_open]
    elif which == "overdue":
        rows = overdue(rows)
    if owner is not None:
        rows = [r for r in rows if r.item.owner is not None and owner_key(r.item.owner) == owner_key(owner)]
    if bucket is not None:
        rows = [r for r in rows if r.item.bucket == bucket]
    if service is not None:
        rows = [r for r in rows if service in r.services]
    return sorted(rows, key=_agenda_order)


def due_soon(rows: Iterable[ActionRow], today: date, days: int = UPCOMING_DAYS) -> list[ActionRow]:
    """Open items not yet overdue and due within `days` of today (today included)."""
    last = today + timedelta(days=days)
    return sorted(
        (r for r in rows if r.is_open and not r.is_overdue and r.item.due and today <= r.item.due <= last),
        key=_due_order,
    )


def bucket_counts(rows: Iterable[ActionRow]) -> list[tuple[str, int, int]]:
    """(bucket, items, of which overdue) for the three buckets, then any other bucket
    name the rows hold (a typo the schema rule reports), so nothing goes uncounted."""
    total: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for row in rows:
        name = row.item.bucket or "(no bucket)"
        total[name] += 1
        late[name] += row.is_overdue
    others = sorted(set(total) - set(BUCKETS))
    return [(name, total[name], late[name]) for name in (*BUCKETS, *others)]


def _open_owners(doc: Postmortem) -> list[str]:
    items = doc.action_items
    return [owner_key(item.owner) for item in items if item.is_open and item.owner and item.owner.strip()]


class OwnerLoad:
    """The load `mortem check` (PM039) weighs against `max_open_per_owner`: open items per
    owner (by `owner_key`) across the archive, counted once, and the load with one postmortem
    put in (replacing the archive's copy of it): PM039 asks for every file `mortem check`
    checks, and counting the archive each time made a full check quadratic. Plain dicts, not
    Counters, and each postmortem's owners as one string (owner keys hold no line break): the
    pre-commit check reads this from the cache, and at 10,000 postmortems a dict of counts
    for each took 5 ms to unpickle, the strings 2 ms."""

    def __init__(self, archive: Iterable[Postmortem]) -> None:
        self._total: dict[str, int] = {}
        self._by_id: dict[str, str] = {}  # id -> the owner of each open item, one a line
        for doc in archive:
            owners = _open_owners(doc)
            for owner in owners:
                self._total[owner] = self._total.get(owner, 0) + 1
            if owners:
                self._by_id[doc.id] = "\n".join(owners)

    def of_owners_in(self, doc: Postmortem) -> dict[str, int]:
        """The load of each owner of doc's open items, with doc put in place of the archive's
        copy of it. Only those owners: copying the whole archive's counts for every file
        checked made a full check of 10,000 postmortems quadratic again. (Plain dicts here
        too: two Counters a file were a twentieth of that check's archive-wide rules.)"""
        mine: dict[str, int] = {}
        for owner in _open_owners(doc):
            mine[owner] = mine.get(owner, 0) + 1
        before = self._by_id.get(doc.id)
        copy = before.split("\n") if before is not None else []
        return {owner: self._total.get(owner, 0) - copy.count(owner) + n for owner, n in mine.items()}
