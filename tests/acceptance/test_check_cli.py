"""`mortem check` end to end through main(): the sample archive, formats and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mortem.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def test_sample_archive_checks_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    files = len(list((REPO / "postmortems").glob("20*.md")))
    assert 10 <= files <= 12
    assert out == f"All clear: {files} files checked, no findings.\n"


def test_sample_archive_has_the_shape_the_practice_asks_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from mortem.archive import load_archive
    from mortem.config import load_config

    docs = load_archive(load_config(start=REPO))
    categories = [rc.category for doc in docs for rc in doc.root_causes]
    assert categories.count("manual-deploy-ordering") >= 3
    assert categories.count("cert-expiry-unmonitored") >= 2
    assert categories.count("disk-growth-unmonitored") >= 2
    items = [item for doc in docs for item in doc.action_items]
    assert {item.bucket for item in items} == {"prevention", "detection", "mitigation"}
    assert {item.status for item in items} >= {"open", "done"}
    span = (docs[-1].date - docs[0].date).days  # type: ignore[operator]
    assert 450 <= span <= 600


@pytest.fixture
def archive(tmp_path: Path, sample_postmortem_text: str) -> Path:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "postmortems"
    folder.mkdir()
    text = sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    (folder / "2026-10-07-checkout-deploy-before-migration.md").write_text(text)
    return tmp_path


def break_owner(archive: Path) -> Path:
    path = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    path.write_text(path.read_text().replace("    owner: Mei Chen\n", "    owner: the team\n"))
    return path


def test_exit_codes(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(archive)
    assert main(["check"]) == 0
    break_owner(archive)
    assert main(["check"]) == 1
    assert main(["check", "missing.md"]) == 2
    assert "missing.md: no such file or folder" in capsys.readouterr().err
    assert main(["check", "--format", "xml"]) == 2


def test_warnings_alone_exit_zero(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = archive / "postmortems" / "2026-10-07-checkout-deploy-before-migration.md"
    path.write_text(
        path.read_text().replace("## What was hard\n", "## What was hard\n- It was nobody's fault.\n")
    )
    monkeypatch.chdir(archive)
    assert main(["check"]) == 0
    assert "PM040" in capsys.readouterr().out


def test_json_and_github_formats(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    break_owner(archive)
    monkeypatch.chdir(archive)
    assert main(["check", "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert records == [
        {
            "path": "postmortems/2026-10-07-checkout-deploy-before-migration.md",
            "line": 39,
            "column": 12,
            "code": "PM030",
            "name": "one-named-owner",
            "severity": "error",
            "message": "action item 2 ('Add a synthetic check that places a test order ...'): owner "
            "'the team' is a group, not a person; name the one person who will see it through",
        }
    ]
    assert main(["check", "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "::error file=postmortems/2026-10-07-checkout-deploy-before-migration.md,line=39,col=12,title=PM030 one-named-owner::"
    )


def test_configuration_disables_and_reweights_rules(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    break_owner(archive)
    monkeypatch.chdir(archive)
    (archive / "mortem.toml").write_text('severity = { one-named-owner = "warning" }\n')
    assert main(["check"]) == 0
    assert "(warning, one-named-owner)" in capsys.readouterr().out
    (archive / "mortem.toml").write_text('disable = ["PM030"]\n')
    assert main(["check"]) == 0
    assert "PM030" not in capsys.readouterr().out


def test_html_comment_disables_a_rule_for_a_file_or_a_line(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = break_owner(archive)
    monkeypatch.chdir(archive)
    original = path.read_text()
    path.write_text(original + "\n<!-- mortem: disable one-named-owner -->\n")
    assert main(["check"]) == 0
    path.write_text(
        original.replace("    owner: the team\n", "    owner: the team  # mortem: disable-line PM030\n")
    )
    assert main(["check"]) == 0
    path.write_text(
        original.replace(
            "## What was hard\n",
            '## What was hard\n<!-- mortem: disable-next-line PM040 -->\n- We quoted the alert: "human error".\n',
        )
    )
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "PM030" in out and "PM040" not in out


def test_a_new_file_may_relate_to_another_new_file(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    sample_postmortem_text: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outside = archive / "incoming"
    outside.mkdir()
    text = sample_postmortem_text.replace(
        "2025-09-16-api-deploy-missing-env-var", "2026-10-07-checkout-deploy-before-migration"
    )
    (outside / "2026-10-07-checkout-deploy-before-migration-b.md").write_text(text)
    monkeypatch.chdir(archive)
    assert main(["check", "incoming/2026-10-07-checkout-deploy-before-migration-b.md"]) == 0, (
        capsys.readouterr().out
    )


def test_console_script_runs_as_a_process(archive: Path) -> None:
    exe = shutil.which("mortem", path=str(Path(sys.executable).parent))
    assert exe is not None
    run = subprocess.run(
        [exe, "check", "--color", "always"], cwd=archive, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and run.stdout.startswith("All clear")
    run = subprocess.run(
        [sys.executable, "-m", "mortem", "rules", "PM030"],
        cwd=archive,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and run.stdout.startswith("PM030 one-named-owner (error, action items)")


def test_the_process_delivers_all_its_output_and_its_exit_code(archive: Path) -> None:
    """console_main leaves without the interpreter's teardown: what was written, buffered or
    not, still arrives whole with the exit code, and a reader that leaves early costs no
    traceback."""
    exe = shutil.which("mortem", path=str(Path(sys.executable).parent))
    assert exe is not None
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([exe, *args], cwd=archive, capture_output=True, check=False, env=buffered)

    small = run("check")
    assert (small.returncode, small.stdout) == (0, b"All clear: 1 file checked, no findings.\n")
    for number in range(160):  # output well past a pipe's buffer
        name = f"2026-{number // 28 + 1:02d}-{number % 28 + 1:02d}-copy.md"  # (valid dates)
        shutil.copy(break_owner(archive), archive / "postmortems" / name)
    large = run("check", "--format", "json")
    assert large.returncode == 1
    assert len(json.loads(large.stdout)) > 160 and len(large.stdout) > 2 * 65536  # whole: it parses
    # The same output to a reader that leaves after 10 bytes (| head): past the pipe's
    # buffer, the write meets the closed pipe, which ends the run quietly.
    command = [exe, "check", "--format", "json"]
    with subprocess.Popen(
        command, cwd=archive, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=buffered, bufsize=0
    ) as early:
        assert early.stdout is not None and early.stderr is not None
        early.stdout.read(10)
        early.stdout.close()
        err = early.stderr.read()
    assert (early.returncode, err) == (1, b"")


def test_internal_errors_exit_3_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], archive: Path
) -> None:
    import mortem.checker

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(mortem.checker, "check_paths", explode)
    monkeypatch.chdir(archive)
    assert main(["check"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_rules_command_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["code"] == "PM001" and records[0]["Why is this bad?"]
    assert main(["rules", "blame-language", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# PM040 blame-language")
    assert main(["rules", "PM999"]) == 2


@pytest.mark.parametrize("command", [["check"], ["patterns"], ["actions"], ["metrics"]])
def test_a_missing_archive_folder_is_one_usage_error(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command that reads the whole archive says the same thing, exit 2, no traceback."""
    (tmp_path / "mortem.toml").write_text('archive = "nowhere"\n')
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("mortem: archive folder nowhere does not exist (set `archive` in [tool.mortem]")
    assert "Traceback" not in err
