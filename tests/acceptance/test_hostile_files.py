"""Hostile files on disk: odd names, links out of the repository, huge files, one huge line.

Each gives a finding with path and line (or a clean run), the documented exit code, no
traceback, no modified file, within a bounded time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mortem.cli.main import main


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "postmortems").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    code = main(["check", "--color", "never", *args])
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err, elapsed


@pytest.mark.parametrize(
    "name",
    [
        "2026-10-07 checkout outage.md",
        "2026-10-07-café-ausfall.md",
        "-2026-10-07-leading-dash.md",
        "--help.md",
    ],
)
def test_odd_file_names_are_named_in_the_finding(
    archive: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str, name: str
) -> None:
    path = archive / "postmortems" / name
    text = sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    path.write_text(text)
    code, output, _ = run_check([], capsys)
    assert code == 1
    assert f"postmortems/{name}:1:1: PM010" in output
    code, output, _ = run_check(["--", f"postmortems/{name}"], capsys)
    assert code == 1 and f"postmortems/{name}:1:1: PM010" in output
    assert path.read_text() == text


def test_symlink_out_of_the_repository_is_not_followed(
    archive: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (archive / "postmortems" / "2026-10-07-link.md").symlink_to(secret)
    code, output, _ = run_check([], capsys)
    assert code == 1
    assert "postmortems/2026-10-07-link.md:1:1: PM001 symlink points outside the repository" in output
    assert "root:x" not in output


def test_symlink_inside_the_repository_is_read(
    archive: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str
) -> None:
    (archive / "drafts").mkdir()
    target = archive / "drafts" / "2026-10-07-checkout-deploy-before-migration.md"
    target.write_text(
        sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    )
    (archive / "postmortems" / target.name).symlink_to(target)
    code, output, _ = run_check([], capsys)
    assert (code, output) == (0, "All clear: 1 file checked, no findings.\n")


def test_fifty_megabyte_file_is_refused_quickly(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = archive / "postmortems" / "2026-10-07-huge.md"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, output, elapsed = run_check([], capsys)
    assert code == 1 and "postmortems/2026-10-07-huge.md:1:1: PM001 file is 52,428,800 bytes" in output
    assert elapsed < 5


def test_one_ten_megabyte_line_within_a_raised_limit(
    archive: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str
) -> None:
    (archive / "mortem.toml").write_text("max_file_bytes = 20000000\n")
    path = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    text = sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    path.write_text(text.replace("## What was hard\n", "## What was hard\n" + "x" * 10_000_000 + "\n"))
    code, output, elapsed = run_check([], capsys)
    assert (code, output) == (0, "All clear: 1 file checked, no findings.\n")  # one (huge) word
    assert elapsed < 60


def test_front_matter_only(
    archive: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str
) -> None:
    path = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    front = sample_postmortem_text.split("\n---\n", 1)[0] + "\n---\n"
    path.write_text(front.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", ""))
    code, output, _ = run_check([], capsys)
    assert code == 1
    assert "PM020 missing sections: ## Summary, ## Impact" in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = archive / "postmortems" / "2026-10-07-locked.md"
    path.write_text("---\ntitle: x\n---\n")
    path.chmod(0)
    try:
        code, output, _ = run_check([], capsys)
    finally:
        path.chmod(0o644)
    assert code == 1 and "PM001 cannot read the file" in output
