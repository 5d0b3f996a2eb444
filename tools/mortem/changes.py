"""Which postmortems a branch changed against its base, and which of their lines its diff shows.

CI checks only what a pull request touched, so a reviewer sees findings about this
postmortem and not about an old one whose rules tightened since. The comparison is the
one GitHub and GitLab show for a pull request: from the merge base of the base branch and
the branch to the branch's files (here the working tree, which in CI is the checked-out
head, and on a laptop includes uncommitted edits and new files not yet added).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mortem.config import Config
from mortem.errors import MortemError, UsageError
from mortem.listing import is_postmortem_name

if TYPE_CHECKING:
    import git

ADDED, MODIFIED, RENAMED = "added", "modified", "renamed"

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Change:
    """One changed postmortem: its path from the repository root, how it changed, and the
    lines of the new file that the diff shows (the only lines a review comment can sit on)."""

    path: str
    status: str
    file: Path
    old_path: str | None = None
    lines: frozenset[int] = frozenset()

    @property
    def is_new(self) -> bool:
        return self.status == ADDED


@dataclass(frozen=True)
class Changes:
    repo_root: Path
    base: str  # the merge base's commit id
    items: tuple[Change, ...]

    @property
    def files(self) -> list[Path]:
        return [c.file for c in self.items]


def right_side_lines(patch: str) -> frozenset[int]:
    """Line numbers of the new file that appear in a unified diff: added lines and the
    context around them. GitHub accepts a line comment (side RIGHT) on exactly these."""
    lines: set[int] = set()
    current = 0
    for row in patch.splitlines():
        match = _HUNK.match(row)
        if match:
            current = int(match.group(1))
            continue
        if current == 0 or row.startswith(("-", "\\")):
            continue  # before the first hunk, a removed line, or "\ No newline at end of file"
        if row.startswith(("+", " ")) or row == "":
            lines.add(current)
            current += 1
    return frozenset(lines)


def changed_postmortems(config: Config, base: str) -> Changes:
    """Postmortems added, modified or renamed (renames followed) between the merge base of
    `base` and HEAD, and the working tree. Deleted ones are left out: nothing to check."""
    repo = _open(config.root)
    root = Path(repo.working_tree_dir or config.root).resolve()
    merge_base = _merge_base(repo, base)
    archive = config.archive_dir.resolve()
    changes = [c for c in _tracked(merge_base, root) if _in_archive(c.file, archive)]
    seen = {c.path for c in changes}
    for name in repo.untracked_files:
        file = root / name
        if name not in seen and _in_archive(file, archive):
            changes.append(Change(name, ADDED, file, lines=_all_lines(file)))
    return Changes(root, merge_base.hexsha, tuple(sorted(changes, key=lambda c: c.path)))


def _open(root: Path) -> git.Repo:
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{root} is not in a git repository; --changed-from needs one") from None


def _merge_base(repo: git.Repo, base: str) -> git.Commit:
    import git

    try:
        base_commit = repo.commit(base)
        head = repo.head.commit
    except (git.BadName, ValueError):
        raise UsageError(
            f"unknown base {base!r}: fetch it first (in GitHub Actions, checkout with fetch-depth: 0)"
        ) from None
    found = repo.merge_base(base_commit, head)
    if not found or found[0] is None:
        raise MortemError(
            f"{base} and HEAD share no history (a shallow clone?); fetch the full history to compare"
        )
    return found[0]


def _tracked(merge_base: git.Commit, root: Path) -> Iterable[Change]:
    for diff in merge_base.diff(None, create_patch=True, unified=3):
        if diff.deleted_file or diff.b_path is None:
            continue
        patch = diff.diff.decode("utf-8", "replace") if isinstance(diff.diff, bytes) else diff.diff or ""
        if diff.new_file:
            status = ADDED
        elif diff.renamed_file:
            status = RENAMED
        else:
            status = MODIFIED
        old = diff.a_path if diff.renamed_file else None
        yield Change(diff.b_path, status, root / diff.b_path, old, right_side_lines(patch))


def _in_archive(file: Path, archive: Path) -> bool:
    # Postmortems sit directly in the archive folder (archive.archive_files does not recurse).
    return file.parent.resolve() == archive and is_postmortem_name(file) and file.is_file()


def _all_lines(file: Path) -> frozenset[int]:
    try:
        count = len(file.read_bytes().splitlines())
    except OSError:
        return frozenset()
    return frozenset(range(1, count + 1))
