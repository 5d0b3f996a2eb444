"""Follow-through from git: when each action item was added and done, and how long a
postmortem took to be written and to become final.

One `git log --raw` over the archive folder names every version of every postmortem; the
versions' contents come through gitpython's one long-running `git cat-file --batch`. That is
one pass over the log, not a query per file: on a 1,000-file archive, per-file `git log`
calls take about 50 s. Times are author dates (when the change was written, not when a
branch was merged), and only committed versions count, never the working tree.

An action item is followed from version to version by its tracker link, else its title,
else its place in the list, so a re-worded item keeps the day it was added.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from mortem.analysis.actions import BUCKETS
from mortem.config import Config
from mortem.errors import MortemError
from mortem.frontmatter import parse_yaml, split
from mortem.listing import is_postmortem_name
from mortem.model import ActionItem, Postmortem, Suppressions, is_placeholder_link

STALE_DAYS = 30  # an item open this long has missed its week several times over


@dataclass(frozen=True)
class Commit:
    sha: str
    when: datetime  # the author date, in the author's offset


@dataclass(frozen=True)
class ItemHistory:
    postmortem: str
    index: int  # its place in the newest version
    title: str | None
    bucket: str | None
    status: str | None
    added: Commit
    done: Commit | None  # the commit that last set status to done (None unless done now)

    @property
    def days_to_done(self) -> float | None:
        if self.done is None:
            return None
        return (self.done.when - self.added.when).total_seconds() / 86_400

    @property
    def done_when_added(self) -> bool:
        """Written down as done in the commit that added it: no closure time to measure."""
        return self.done is not None and self.done.sha == self.added.sha


@dataclass(frozen=True)
class PostmortemHistory:
    postmortem: str
    date: date | None  # the incident's day
    status: str | None
    first_commit: Commit
    final_commit: Commit | None  # the commit that last made it final (None unless final now)

    @property
    def days_to_first_commit(self) -> int | None:
        return _days(self.date, self.first_commit)

    @property
    def days_to_final(self) -> int | None:
        return _days(self.date, self.final_commit)


def _days(day: date | None, commit: Commit | None) -> int | None:
    return (commit.when.date() - day).days if day and commit else None


@dataclass(frozen=True)
class BucketClosure:
    bucket: str
    done: int  # items with a measurable closure time
    median_days: float | None
    done_when_added: int  # done in the commit that added them: not measurable, not counted


@dataclass(frozen=True)
class History:
    as_of: date
    commits: int
    items: tuple[ItemHistory, ...]
    postmortems: tuple[PostmortemHistory, ...]

    @property
    def buckets(self) -> list[BucketClosure]:
        names = [*BUCKETS, *sorted({i.bucket or "(no bucket)" for i in self.items} - set(BUCKETS))]
        return [self._closure(name) for name in names]

    def _closure(self, bucket: str) -> BucketClosure:
        done = [i for i in self.items if (i.bucket or "(no bucket)") == bucket and i.done is not None]
        measured = [i.days_to_done for i in done if not i.done_when_added and i.days_to_done is not None]
        median = statistics.median(measured) if measured else None
        return BucketClosure(bucket, len(measured), median, len(done) - len(measured))

    @property
    def stale_open(self) -> list[ItemHistory]:
        """Open items first committed more than STALE_DAYS days before `as_of`."""
        return [
            i
            for i in self.items
            if i.status in (None, "open") and (self.as_of - i.added.when.date()).days > STALE_DAYS
        ]


# Reading the log -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    commit: Commit
    status: str  # A, M, T, D, R or C
    path: str
    old_path: str | None
    blob: str  # the new version's blob id


def read_history(config: Config, as_of: date) -> History:
    import git

    try:
        repo = git.Repo(config.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise MortemError(f"{config.root} is not in a git repository; history needs one") from None
    top = Path(repo.working_tree_dir or config.root).resolve()
    try:
        folder = config.archive_dir.resolve().relative_to(top).as_posix()
    except ValueError:
        raise MortemError(
            f"the archive folder {config.archive_dir} is outside the repository {top}"
        ) from None
    if not repo.head.is_valid():
        return History(as_of, 0, (), ())
    # The folder as a plain pathspec: a `:(glob)folder/*.md` one makes git log twice as slow,
    # and the walk keeps only the folder's own postmortems anyway.
    out = repo.git.log(
        "-z", "--reverse", "--topo-order", "--raw", "--no-abbrev", "-M", "--format=%x01%H %aI", "--", folder
    )
    changes = list(parse_log(out))

    def read_blob(blob: str) -> bytes:
        data: bytes = repo.odb.stream(bytes.fromhex(blob)).read()
        return data

    walk = _Walk(read_blob, config.max_file_bytes, PurePosixPath(folder))
    for change in changes:
        walk.apply(change)
    return walk.result(as_of, len({c.commit.sha for c in changes}))


def parse_log(out: str) -> Iterator[Change]:
    """Changes from `git log -z --raw --format=%x01%H %aI`: each commit is \\x01, its header,
    NUL, then `:modes ids STATUS` NUL path NUL (and a second path for renames and copies)."""
    for chunk in out.split("\x01")[1:]:
        header, _, rest = chunk.partition("\0")
        sha, _, when = header.strip().partition(" ")
        commit = Commit(sha, datetime.fromisoformat(when))
        tokens = rest.lstrip("\n").split("\0")
        position = 0
        while position < len(tokens) and tokens[position].startswith(":"):
            meta = tokens[position].split()
            status, blob = meta[-1][0], meta[3]
            if status in "RC":
                old, new = tokens[position + 1], tokens[position + 2]
                position += 3
            else:
                old, new = None, tokens[position + 1]
                position += 2
            yield Change(commit, status, new, old, blob)


@dataclass
class _Item:
    added: Commit
    item: ActionItem
    done: Commit | None


@dataclass
class _File:
    first: Commit
    doc: Postmortem
    items: list[_Item] = field(default_factory=list)
    final: Commit | None = None


class _Walk:
    """Every postmortem's state, version by version, in the order the log gives them."""

    def __init__(self, read_blob: Callable[[str], bytes], max_bytes: int, folder: PurePosixPath):
        self.read_blob = read_blob
        self.max_bytes = max_bytes
        self.folder = folder
        self.files: dict[str, _File] = {}
        # Most commits touch the body only, and a revert brings back an old version: the
        # front matter is parsed once per distinct text.
        self.parsed: dict[str, Postmortem | None] = {}

    def apply(self, change: Change) -> None:
        if change.status == "R" and change.old_path in self.files:
            self.files[change.path] = self.files.pop(change.old_path)
        if change.status == "D" or not self._postmortem(change.path):
            self.files.pop(change.path, None)
            return
        doc = self._read(change)
        if doc is None:
            return  # unreadable at this commit: the last readable version stands
        known = self.files.get(change.path)
        if known is None:
            known = self.files[change.path] = _File(change.commit, doc)
            previous_status: str | None = None
        else:
            previous_status = known.doc.status
        known.items = _follow(known.items, doc.action_items, change.commit)
        if doc.status == "final" and previous_status != "final":
            known.final = change.commit
        elif doc.status != "final":
            known.final = None
        known.doc = doc

    def _postmortem(self, path: str) -> bool:
        """A postmortem of the archive: a file directly in its folder, named like one."""
        posix = PurePosixPath(path)
        return posix.parent == self.folder and is_postmortem_name(Path(posix.name))

    def _read(self, change: Change) -> Postmortem | None:
        data = self.read_blob(change.blob)
        if len(data) > self.max_bytes:
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        front_matter = split(text).front_matter
        if front_matter is None:
            return None
        if front_matter not in self.parsed:
            self.parsed[front_matter] = _front(front_matter)
        doc = self.parsed[front_matter]
        # The model's typed views (action items, status, date) need only the front matter.
        return doc and Postmortem(
            Path(change.path), change.path, "", doc.front, {}, 0, 0, (), (), Suppressions()
        )

    def result(self, as_of: date, commits: int) -> History:
        items, docs = [], []
        for path in sorted(self.files, key=lambda p: PurePosixPath(p).name):
            known = self.files[path]
            doc = known.doc
            docs.append(PostmortemHistory(doc.id, doc.date, doc.status, known.first, known.final))
            for tracked in known.items:
                item = tracked.item
                items.append(
                    ItemHistory(
                        doc.id, item.index, item.title, item.bucket, item.status, tracked.added, tracked.done
                    )
                )
        return History(as_of, commits, tuple(items), tuple(docs))


def _front(text: str) -> Postmortem | None:
    front = parse_yaml(text, 2, 32, 20_000)
    if front.fatal or not isinstance(front.data, dict):
        return None
    return Postmortem(Path("."), "", "", front.data, {}, 0, 0, (), (), Suppressions())


def _follow(old: Sequence[_Item], new: Sequence[ActionItem], commit: Commit) -> list[_Item]:
    """Carry each earlier item's history onto the same item in the new version."""
    matched = _match([t.item for t in old], new)
    result = []
    for item, place in zip(new, matched, strict=True):
        before = old[place] if place is not None else None
        added = before.added if before else commit
        if item.status != "done":
            done = None
        elif before is not None and before.item.status == "done":
            done = before.done
        else:
            done = commit
        result.append(_Item(added, item, done))
    return result


def _match(old: Sequence[ActionItem], new: Sequence[ActionItem]) -> list[int | None]:
    """For each new item, the index of the same old item: same tracker link, else same
    title, else the same place in the list."""
    result: list[int | None] = [None] * len(new)
    free = set(range(len(old)))
    keys = (
        lambda item: item.link if item.link and not is_placeholder_link(item.link) else None,
        lambda item: " ".join(item.title.split()).casefold() if item.title else None,
        lambda item: item.index,
    )
    for key in keys:
        for i, item in enumerate(new):
            if result[i] is not None or key(item) is None:
                continue
            for j in sorted(free):
                if key(old[j]) == key(item):
                    result[i] = j
                    free.discard(j)
                    break
    return result
