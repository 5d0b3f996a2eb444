"""Arguments several commands take, spelled, explained and checked the same way in each."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="mortem.toml or pyproject.toml to use instead of the nearest one",
    )


def day(text: str) -> date:
    """A YYYY-MM-DD option's value, read as the front matter's dates are (model.parse_day);
    argparse names the option in its message. (mortem.model is imported here, not with this
    module: `mortem check` starts its archive sweep before the model's imports, mortem.sweep.)"""
    from mortem.model import parse_day

    found = parse_day(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, such as 2026-03-04")
    return found


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value
