"""`mortem note "TEXT"`: one dated line in the archive's log of small events.

The practice: a trivial event (one transient timeout, a known-flaky provider blipping) gets
no meeting and no postmortem, only a line, so the archive still knows it happened.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mortem.config import Config

from mortem.cli.arguments import add_config, day
from mortem.listing import NOTES_FILE  # in NOT_POSTMORTEMS: never read as a postmortem

HEADER = (
    "# Small events\n\n"
    "Events that did not need a postmortem, one dated line each "
    "(`mortem note`, or `mortem triage` when no trigger applies).\n\n"
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "note",
        help="record a small event in one line instead of a postmortem",
        description=f"Append `- YYYY-MM-DD TEXT` to {NOTES_FILE} in the archive folder.",
    )
    parser.add_argument("text", metavar="TEXT", help="what happened, in one line")
    parser.add_argument("--date", type=day, metavar="YYYY-MM-DD", help="the day it happened (default: today)")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.archive import display
    from mortem.config import load_config

    config = load_config(args.config)
    path = record(config, args.text, args.date or date.today())
    print(display(path, config))
    return 0


def notes_path(config: Config) -> Path:
    return config.archive_dir / NOTES_FILE


def record(config: Config, text: str, day: date) -> Path:
    """Append one line to the notes log, atomically (a new log starts with a short header)."""
    from mortem.atomic import replace_existing, write_new
    from mortem.errors import UsageError

    line = " ".join(text.split())
    if not line:
        raise UsageError("the note is empty; say in one line what happened")
    if any(mark in text.strip() for mark in "\r\n"):
        raise UsageError("a note is one line; write a postmortem for anything longer")
    path = notes_path(config)
    entry = f"- {day.isoformat()} {line}\n"
    if not path.exists():
        write_new(path, HEADER + entry)
        return path
    try:
        original = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        current = original.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8; fix it before adding notes") from None
    separator = "" if not current or current.endswith("\n") else "\n"
    replace_existing(path, current + separator + entry, original)
    return path
