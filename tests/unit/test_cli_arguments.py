"""The arguments several commands share read and explain themselves the same way in each."""

from __future__ import annotations

import argparse

import pytest

from mortem.cli.main import COMMANDS, build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _subparsers(sub).items()})
    return found


def test_every_config_option_is_explained_alike() -> None:
    parsers = _subparsers(build_parser())
    assert set(COMMANDS) <= set(parsers)
    helps = {
        name: action.help
        for name, sub in parsers.items()
        for action in sub._actions
        if "--config" in action.option_strings
    }
    assert len(helps) >= 12
    assert set(helps.values()) == {"mortem.toml or pyproject.toml to use instead of the nearest one"}


@pytest.mark.parametrize(
    "argv",
    [
        ["patterns", "--since", "last week"],
        ["metrics", "--since", "2026-02-30"],
        ["pages", "--out", "site", "--today", "tomorrow"],
        ["actions", "--as-of", "10/03/2026"],
        ["weekly-issue", "--as-of", "monday"],
        ["new", "Disk full", "--date", "2026-02-30"],
        ["note", "blip", "--date", "yesterday"],
        ["triage", "blip", "--date", "2026-3-4"],
        # Read as the front matter's dates are (model.parse_day): the other ISO forms that
        # date.fromisoformat would take are not the YYYY-MM-DD the archive uses.
        ["patterns", "--since", "20260304"],
        ["actions", "--as-of", "2026-W10-3"],
    ],
)
def test_a_date_that_is_not_one_is_named_with_its_option(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    option, value = argv[-2:]
    assert f"argument {option}: {value!r} is not a date; use YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "five", "2.5"])
def test_a_limit_must_be_a_whole_number_of_one_or_more(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["related", "some-id", "--limit", value]) == 2
    assert f"argument --limit: {value!r} is not a whole number of 1 or more" in capsys.readouterr().err


def test_help_and_version_are_answered_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """main is the one place for exit codes, argparse's too: it returns them, never exits."""
    assert main(["--version"]) == 0
    assert main(["check", "--help"]) == 0
    assert "usage: mortem check" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2
