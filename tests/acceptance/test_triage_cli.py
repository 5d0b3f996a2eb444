"""`mortem triage` and `mortem note`: a postmortem with `why` filled in, or one dated line."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest

from mortem import scaffold
from mortem.checker import check_paths
from mortem.cli.main import main
from mortem.config import load_config

FLAGS_NO = ["--users-noticed", "no", "--near-miss", "no", "--monitor-missed", "no", "--over-30-minutes", "no"]


class Terminal(io.StringIO):
    """Standard input typed by a person at a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal unless a test says so
    return tmp_path


def test_flags_scaffold_a_postmortem_with_why(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["triage", "Checkout down after deploy", "--date", "2026-10-07", "--service", "checkout"]
    flags = [
        "--users-noticed",
        "yes",
        "--near-miss",
        "no",
        "--monitor-missed",
        "no",
        "--over-30-minutes",
        "yes",
    ]
    assert main([*args, *flags]) == 0
    path = repo / "postmortems" / "2026-10-07-checkout-down-after-deploy.md"
    assert capsys.readouterr().out == (
        "postmortems/2026-10-07-checkout-down-after-deploy.md\n"
        "why: customer-visible, long-resolution; fill it in (`mortem timeline import` can write the timeline)\n"
    )
    template = scaffold.render("Checkout down after deploy", date(2026, 10, 7), None, ["checkout"])
    assert path.read_text() == template.replace("\nwhy: []\n", "\nwhy: [customer-visible, long-resolution]\n")
    flagged = {
        f.message.split(" ")[0]
        for f in check_paths([], load_config(start=repo)).findings
        if f.code == "PM004"
    }
    assert "why" not in flagged and "times.started" in flagged  # the person still writes the rest


def test_no_trigger_records_a_note(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["triage", "One payments timeout, recovered on retry", "--date", "2026-10-01", *FLAGS_NO]) == 0
    )
    assert capsys.readouterr().out == "no trigger applies: noted in postmortems/notes.md\n"
    assert main(["note", "Search p99 blip during reindex", "--date", "2026-10-02"]) == 0
    assert capsys.readouterr().out == "postmortems/notes.md\n"
    assert (repo / "postmortems" / "notes.md").read_text() == (
        "# Small events\n\n"
        "Events that did not need a postmortem, one dated line each "
        "(`mortem note`, or `mortem triage` when no trigger applies).\n\n"
        "- 2026-10-01 One payments timeout, recovered on retry\n"
        "- 2026-10-02 Search p99 blip during reindex\n"
    )
    result = check_paths([], load_config(start=repo))
    assert (result.files, result.findings) == (0, ())  # the notes log is not a postmortem


def test_questions_are_asked_on_a_terminal(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("no\nmaybe\ny\nn\n\nWAL volume at 98%, found by chance\n"))
    assert main(["triage", "--date", "2026-07-22", "--over-30-minutes", "no"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(
        "Did users notice? [y/n] Was it a near miss you got lucky on? [y/n] "
        "Was it a near miss you got lucky on? [y/n] Should a monitor have fired and did not? [y/n] "
    )
    assert "Please answer yes or no." in err
    assert out.count("Title, a short headline of what broke: ") == 2  # a blank title is asked again
    assert "postmortems/2026-07-22-wal-volume-at-98-found-by-chance.md" in out
    text = (repo / "postmortems" / "2026-07-22-wal-volume-at-98-found-by-chance.md").read_text()
    assert "\nwhy: [near-miss]\n" in text


def test_a_terminal_note_asks_for_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("n\nn\nn\nn\nCDN blip, 20 seconds\n"))
    assert main(["triage", "--date", "2026-08-01"]) == 0
    assert "What happened? " in capsys.readouterr().out
    assert (repo / "postmortems" / "notes.md").read_text().endswith("- 2026-08-01 CDN blip, 20 seconds\n")


def test_without_a_terminal_every_answer_must_be_a_flag(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["triage", "Something", "--users-noticed", "no"]) == 2
    assert "not a terminal, so nothing to ask: answer with flags" in capsys.readouterr().err
    assert (
        main(
            [
                "triage",
                "--users-noticed",
                "yes",
                "--near-miss",
                "no",
                "--monitor-missed",
                "no",
                "--over-30-minutes",
                "no",
            ]
        )
        == 2
    )  # a postmortem needs its title
    assert not (repo / "postmortems").exists()


def test_triage_never_overwrites(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "triage",
        "Disk full",
        "--date",
        "2026-11-01",
        "--users-noticed",
        "yes",
        "--near-miss",
        "no",
        "--monitor-missed",
        "yes",
        "--over-30-minutes",
        "no",
    ]
    assert main(args) == 0
    path = repo / "postmortems" / "2026-11-01-disk-full.md"
    path.write_text("my notes\n")
    assert main(args) == 1
    assert "already exists; mortem never overwrites" in capsys.readouterr().err
    assert path.read_text() == "my notes\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["note", "   "], "the note is empty"),
        (["note", "first line\nsecond line"], "a note is one line"),
        (["note", "blip", "--date", "2026-02-30"], "argument --date: '2026-02-30' is not a date"),
    ],
)
def test_bad_notes_write_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(args) == 2
    assert words in capsys.readouterr().err
    assert not (repo / "postmortems" / "notes.md").exists()


def test_a_note_log_without_a_final_newline_gets_one(repo: Path) -> None:
    notes = repo / "postmortems" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("# Small events\n\n- 2026-01-01 first")
    assert main(["note", "second", "--date", "2026-01-02"]) == 0
    assert notes.read_text() == "# Small events\n\n- 2026-01-01 first\n- 2026-01-02 second\n"


def test_yes_no_flags_are_checked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "x", "--users-noticed", "perhaps"]) == 2
    assert "'perhaps': answer yes or no" in capsys.readouterr().err
