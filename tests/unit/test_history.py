"""Action-item and postmortem history from a temporary git repository built with dated
commits (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE), read in one pass over the log."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import git
import pytest

from mortem.analysis.history import History, read_history
from mortem.config import Config

AS_OF = date(2026, 3, 1)


def front(title: str, day: str, status: str, items: list[dict[str, str]]) -> str:
    lines = ["---", f"title: {title}", f"date: {day}", f"status: {status}", "action_items:"]
    for item in items:
        lines.append(f"  - title: {item['title']}")
        lines.extend(f"    {key}: {value}" for key, value in item.items() if key != "title")
    return "\n".join([*lines, "---", "", "## Summary", "Text.", ""])


def item(title: str, bucket: str, status: str = "open", link: str = '""') -> dict[str, str]:
    return {
        "title": title,
        "bucket": bucket,
        "owner": "Sam Okafor",
        "due": "2026-01-20",
        "link": link,
        "status": status,
    }


A = "Promote replicas with the failover script, never by hand"
B_OLD, B_NEW = "Alert on replica lag over 30 s", "Alert when replica lag exceeds 30 seconds"
B_LINK = "https://github.com/fernhill/platform/issues/501"
C = "Document the manual failover in the database runbook"


class Repo:
    def __init__(self, root: Path):
        self.root = root
        self.repo = git.Repo.init(root, initial_branch="main")
        with self.repo.config_writer() as writer:
            writer.set_value("user", "name", "Ada Nwosu")
            writer.set_value("user", "email", "ada@example.com")
        (root / "postmortems").mkdir()

    def commit(self, when: str, files: dict[str, str | None], message: str = "change") -> None:
        for name, text in files.items():
            path = self.root / name
            if text is None:
                self.repo.index.remove([name], working_tree=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.repo.index.add([name])
        with self.repo.git.custom_environment(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when):
            self.repo.git.commit("-m", message)

    def rename(self, when: str, old: str, new: str, text: str) -> None:
        self.repo.git.mv(old, new)
        self.commit(when, {new: text}, "rename")


@pytest.fixture
def history(tmp_path: Path) -> History:
    repo = Repo(tmp_path)
    db = "postmortems/2026-01-02-db-failover.md"
    cdn_old, cdn_new = "postmortems/2026-01-09-cdn-purge.md", "postmortems/2026-01-08-cdn-purge.md"
    repo.commit(
        "2026-01-05T10:00:00+00:00",
        {
            db: front(
                "DB failover",
                "2026-01-02",
                "draft",
                [item(A, "prevention"), item(B_OLD, "detection", link="TBD")],
            ),
            "postmortems/2026-01-03-scratch.md": front("Scratch", "2026-01-03", "draft", []),
            "postmortems/README.md": "not a postmortem\n",
            "postmortems/drafts/2026-01-04-elsewhere.md": front(
                "Sub-folder", "2026-01-04", "draft", [item(A, "prevention")]
            ),
        },
    )
    repo.commit(  # B gets its issue and new words at once: followed by its place in the list
        "2026-01-07T09:00:00+00:00",
        {
            db: front(
                "DB failover",
                "2026-01-02",
                "review",
                [item(A, "prevention"), item(B_NEW, "detection", link=B_LINK), item(C, "mitigation")],
            )
        },
    )
    cdn = [
        item("Purge the CDN by tag, not by path", "mitigation", "done"),
        item("Alert on origin 5xx over 1%", "detection"),
    ]
    repo.commit(  # A done, the list reordered, the postmortem final; a second postmortem arrives final
        "2026-01-10T12:00:00+02:00",
        {
            db: front(
                "DB failover",
                "2026-01-02",
                "final",
                [item(C, "mitigation"), item(A, "prevention", "done"), item(B_NEW, "detection", link=B_LINK)],
            ),
            cdn_old: front("CDN purge", "2026-01-09", "final", cdn),
        },
    )
    repo.commit("2026-01-15T08:00:00+00:00", {db: "---\ntitle: [broken\n---\n"})  # unreadable for a day
    repo.commit(
        "2026-01-20T12:00:00+00:00",
        {
            db: front(
                "DB failover",
                "2026-01-02",
                "final",
                [
                    item(C, "mitigation"),
                    item(A, "prevention", "done"),
                    item(B_NEW, "detection", "done", B_LINK),
                ],
            ),
            "postmortems/2026-01-03-scratch.md": None,
            "notes.txt": "outside the archive\n",
        },
    )
    repo.rename("2026-01-25T12:00:00+00:00", cdn_old, cdn_new, front("CDN purge", "2026-01-08", "final", cdn))
    return read_history(Config(root=tmp_path), AS_OF)


def test_items_added_and_done_follow_rewording_reordering_and_renames(history: History) -> None:
    got = [
        (i.postmortem, i.index, i.title, i.added.when.isoformat(), i.done and i.done.when.isoformat())
        for i in history.items
    ]
    assert got == [
        ("2026-01-02-db-failover", 0, C, "2026-01-07T09:00:00+00:00", None),
        ("2026-01-02-db-failover", 1, A, "2026-01-05T10:00:00+00:00", "2026-01-10T12:00:00+02:00"),
        ("2026-01-02-db-failover", 2, B_NEW, "2026-01-05T10:00:00+00:00", "2026-01-20T12:00:00+00:00"),
        (
            "2026-01-08-cdn-purge",
            0,
            "Purge the CDN by tag, not by path",
            "2026-01-10T12:00:00+02:00",
            "2026-01-10T12:00:00+02:00",
        ),
        ("2026-01-08-cdn-purge", 1, "Alert on origin 5xx over 1%", "2026-01-10T12:00:00+02:00", None),
    ]
    assert [round(i.days_to_done, 3) if i.days_to_done is not None else None for i in history.items] == [
        None,
        5.0,  # 2026-01-05 10:00Z to 2026-01-10 12:00+02:00
        15.083,
        0.0,
        None,
    ]
    assert history.commits == 6


def test_closure_per_bucket_and_stale_open_items(history: History) -> None:
    assert [
        (b.bucket, b.done, b.median_days and round(b.median_days, 3), b.done_when_added)
        for b in history.buckets
    ] == [
        ("prevention", 1, 5.0, 0),
        ("detection", 1, 15.083, 0),
        ("mitigation", 0, None, 1),  # done in the commit that added it: nothing to measure
    ]
    assert [(i.postmortem, i.title) for i in history.stale_open] == [
        ("2026-01-02-db-failover", C),
        ("2026-01-08-cdn-purge", "Alert on origin 5xx over 1%"),
    ]


def test_days_from_incident_to_first_commit_and_to_final(history: History) -> None:
    got = [(p.postmortem, p.status, p.days_to_first_commit, p.days_to_final) for p in history.postmortems]
    assert got == [
        ("2026-01-02-db-failover", "final", 3, 8),
        ("2026-01-08-cdn-purge", "final", 2, 2),  # renamed: its history came along
    ]


def test_reopening_forgets_the_old_done_and_final(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    path = "postmortems/2026-02-01-x.md"
    repo.commit(
        "2026-02-02T00:00:00+00:00",
        {path: front("X", "2026-02-01", "final", [item(A, "prevention", "done")])},
    )
    repo.commit(
        "2026-02-05T00:00:00+00:00", {path: front("X", "2026-02-01", "review", [item(A, "prevention")])}
    )
    repo.commit(
        "2026-02-09T00:00:00+00:00",
        {path: front("X", "2026-02-01", "final", [item(A, "prevention", "done")])},
    )
    result = read_history(Config(root=tmp_path), AS_OF)
    (only,) = result.items
    assert only.done is not None and only.done.when.date() == date(2026, 2, 9)
    assert result.postmortems[0].days_to_final == 8


def test_one_git_log_for_the_whole_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path)
    for day in range(1, 6):
        name = f"postmortems/2026-01-0{day}-incident.md"
        repo.commit(
            f"2026-01-0{day}T12:00:00+00:00",
            {name: front("I", f"2026-01-0{day}", "draft", [item(A, "prevention")])},
        )
    calls: list[Any] = []
    original = git.cmd.Git.execute

    def counting(self: git.cmd.Git, command: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(git.cmd.Git, "execute", counting)
    result = read_history(Config(root=tmp_path), AS_OF)
    assert len(result.postmortems) == 5
    commands = [command[1] for command in calls]
    # One log for the whole archive; contents through long-running cat-file processes.
    assert commands.count("log") == 1
    assert set(commands) <= {"log", "cat-file"} and commands.count("cat-file") <= 2


def test_no_commits_yet_and_not_a_repository(tmp_path: Path) -> None:
    git.Repo.init(tmp_path / "empty")
    (tmp_path / "empty" / "postmortems").mkdir()
    assert read_history(Config(root=tmp_path / "empty"), AS_OF).items == ()
    from mortem.errors import MortemError

    (tmp_path / "plain").mkdir()
    with pytest.raises(MortemError, match="not in a git repository"):
        read_history(Config(root=tmp_path / "plain"), AS_OF)
