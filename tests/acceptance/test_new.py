"""`mortem new`: a scaffold that fails `mortem check` only where a person must still write."""

from __future__ import annotations

from pathlib import Path

import pytest

from mortem.checker import check_paths
from mortem.cli.main import main
from mortem.config import load_config

# The only rules a fresh scaffold may trip: fields and sections a person fills in, and the
# tracking links a draft may leave empty until `mortem actions --file-issues` (PM090, a warning).
TO_BE_WRITTEN = {"PM004", "PM021", "PM090"}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import git

    repository = git.Repo.init(tmp_path, initial_branch="main")
    with repository.config_writer() as writer:
        writer.set_value("user", "name", "Ada Nwosu")
        writer.set_value("user", "email", "ada@example.com")
    (tmp_path / "README.md").write_text("ops\n")
    repository.index.add(["README.md"])
    repository.index.commit("Start")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scaffold_fails_only_on_what_a_person_writes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "new",
                "Checkout: 500s after the deploy!",
                "--date",
                "2026-11-20",
                "--severity",
                "SEV2",
                "--service",
                "checkout",
                "--author",
                "Ada Nwosu",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == "postmortems/2026-11-20-checkout-500s-after-the-deploy.md\n"
    path = repo / "postmortems" / "2026-11-20-checkout-500s-after-the-deploy.md"
    text = path.read_text()
    assert 'title: "Checkout: 500s after the deploy!"' in text
    assert "date: 2026-11-20\n" in text and "severity: SEV2\n" in text and "services: [checkout]\n" in text
    result = check_paths([], load_config(start=repo))
    codes = {f.code for f in result.findings}
    assert codes == TO_BE_WRITTEN
    empty_sections = [f for f in result.findings if f.code == "PM021"]
    assert len(empty_sections) == 6
    flagged_fields = {f.message.split(" ")[0] for f in result.findings if f.code == "PM004"}
    assert {"why", "times.started", "impact", "trigger", "action_items[1].owner"} <= flagged_fields
    assert not any(
        field.startswith(("title", "date", "severity", "services", "status")) for field in flagged_fields
    )


def test_filled_scaffold_passes(repo: Path, sample_postmortem_text: str) -> None:
    assert main(["new", "Checkout deploy before migration", "--date", "2026-10-07"]) == 0
    path = repo / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    path.write_text(sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", ""))
    assert check_paths([], load_config(start=repo)).findings == ()


def test_new_never_overwrites(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Disk full", "--date", "2026-11-01"]) == 0
    path = repo / "postmortems" / "2026-11-01-disk-full.md"
    path.write_text("my notes\n")
    assert main(["new", "Disk full", "--date", "2026-11-01"]) == 1
    assert "already exists; mortem never overwrites" in capsys.readouterr().err
    assert path.read_text() == "my notes\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["new", "Disk full", "--date", "2026-02-30"], "argument --date: '2026-02-30' is not a date"),
        (["new", "Disk full", "--date", "yesterday"], "argument --date: 'yesterday' is not a date"),
        (["new", "Disk full", "--service", "Postgres Main"], "is not a slug"),
        (["new", "!!!"], "cannot make a file name"),
    ],
)
def test_bad_arguments_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(args) == 2
    assert words in capsys.readouterr().err
    assert not (repo / "postmortems").exists()


def test_branch_commits_only_the_new_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import git

    (repo / "scratch.txt").write_text("not for this commit\n")
    assert main(["new", "Cert expired on the edge proxy", "--date", "2026-11-02", "--branch"]) == 0
    repository = git.Repo(repo)
    assert repository.active_branch.name == "postmortem/cert-expired-on-the-edge-proxy"
    commit = repository.head.commit
    assert commit.message == "Start the postmortem: Cert expired on the edge proxy"
    assert list(commit.stats.files) == ["postmortems/2026-11-02-cert-expired-on-the-edge-proxy.md"]
    assert (repo / "scratch.txt").exists()
    assert main(["new", "Cert expired on the edge proxy", "--date", "2026-11-03", "--branch"]) == 1
    assert "branch postmortem/cert-expired-on-the-edge-proxy already exists" in capsys.readouterr().err


def test_branch_refuses_with_staged_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import git

    (repo / "README.md").write_text("changed\n")
    git.Repo(repo).index.add(["README.md"])
    assert main(["new", "Queue backlog", "--branch"]) == 1
    assert "there are staged changes" in capsys.readouterr().err
    assert git.Repo(repo).active_branch.name == "main"
