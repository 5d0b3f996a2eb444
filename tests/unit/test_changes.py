"""Changed postmortems against a base branch, on real temporary git repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mortem.changes import ADDED, MODIFIED, RENAMED, changed_postmortems, right_side_lines
from mortem.config import Config
from mortem.errors import MortemError, UsageError

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Mei Chen",
    "GIT_AUTHOR_EMAIL": "mei@example.com",
    "GIT_COMMITTER_NAME": "Mei Chen",
    "GIT_COMMITTER_EMAIL": "mei@example.com",
}
TEN = "".join(f"line {n}\n" for n in range(1, 11))


def git(work: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=work, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def write(work: Path, name: str, text: str) -> None:
    path = work / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "postmortems/2026-01-01-kept.md", TEN)
    write(tmp_path, "postmortems/2026-01-02-moved.md", TEN)
    write(tmp_path, "postmortems/2026-01-03-gone.md", TEN)
    write(tmp_path, "postmortems/2026-01-04-edited.md", TEN)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "postmortem/new")
    return tmp_path


def test_added_modified_renamed_and_untracked_but_not_deleted_or_outside(work: Path) -> None:
    write(work, "postmortems/2026-02-01-new.md", "one\ntwo\nthree\n")
    write(work, "postmortems/2026-01-04-edited.md", TEN.replace("line 5\n", "line five\n"))
    git(work, "mv", "postmortems/2026-01-02-moved.md", "postmortems/2026-01-05-moved.md")
    git(work, "rm", "-q", "postmortems/2026-01-03-gone.md")
    write(work, "postmortems/README.md", "not a postmortem\n")
    write(work, "postmortems/drafts/2026-03-01-nested.md", "not directly in the archive\n")
    write(work, "notes/2026-03-02-elsewhere.md", "outside the archive\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "branch")
    write(work, "postmortems/2026-02-02-uncommitted.md", "a\nb\n")  # not even added yet
    changes = changed_postmortems(Config(root=work), "main")
    assert [(c.path, c.status, c.old_path) for c in changes.items] == [
        ("postmortems/2026-01-04-edited.md", MODIFIED, None),
        ("postmortems/2026-01-05-moved.md", RENAMED, "postmortems/2026-01-02-moved.md"),
        ("postmortems/2026-02-01-new.md", ADDED, None),
        ("postmortems/2026-02-02-uncommitted.md", ADDED, None),
    ]
    lines = {c.path: c.lines for c in changes.items}
    assert lines["postmortems/2026-01-04-edited.md"] == frozenset(range(2, 9))  # line 5 and 3 of context
    assert lines["postmortems/2026-01-05-moved.md"] == frozenset()  # a pure rename shows no lines
    assert lines["postmortems/2026-02-01-new.md"] == frozenset({1, 2, 3})
    assert lines["postmortems/2026-02-02-uncommitted.md"] == frozenset({1, 2})
    assert changes.base == git(work, "rev-parse", "main").strip()


def test_merge_base_not_the_base_tip(work: Path) -> None:
    """Postmortems merged into main after the branch started are not the branch's changes."""
    write(work, "postmortems/2026-02-01-mine.md", "mine\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "mine")
    git(work, "checkout", "-q", "main")
    write(work, "postmortems/2026-02-03-theirs.md", "theirs\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "theirs")
    git(work, "checkout", "-q", "postmortem/new")
    assert [c.path for c in changed_postmortems(Config(root=work), "main").items] == [
        "postmortems/2026-02-01-mine.md"
    ]


def test_nothing_changed(work: Path) -> None:
    assert changed_postmortems(Config(root=work), "main").items == ()


def test_unknown_base_says_to_fetch(work: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown base 'origin/main': fetch it first .*fetch-depth: 0"):
        changed_postmortems(Config(root=work), "origin/main")


def test_unrelated_history(work: Path) -> None:
    git(work, "checkout", "-q", "--orphan", "other")
    git(work, "commit", "-qm", "unrelated", "--allow-empty")
    with pytest.raises(MortemError, match="share no history"):
        changed_postmortems(Config(root=work), "main")


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not in a git repository"):
        changed_postmortems(Config(root=tmp_path), "main")


def test_right_side_lines_of_hunks() -> None:
    patch = (
        "@@ -1,4 +1,5 @@\n context 1\n-removed\n+added 2\n+added 3\n context 4\n context 5\n"
        "@@ -20,2 +21,3 @@ ## Root cause\n context 21\n+added 22\n context 23\n"
        "\\ No newline at end of file\n"
    )
    assert right_side_lines(patch) == frozenset({1, 2, 3, 4, 5, 21, 22, 23})
    assert right_side_lines("") == frozenset()
    assert right_side_lines("@@ -0,0 +1 @@\n+only\n") == frozenset({1})
