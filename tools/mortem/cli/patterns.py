"""`mortem patterns [--since DATE]`: root causes that recur across the archive."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mortem.cli.arguments import add_config, day

FORMATS = ("text", "markdown", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "patterns",
        help="list root causes that recur across postmortems",
        description="Group the archive's postmortems by shared root cause (same category after "
        "normalising, or similar root-cause text), most frequent first.",
    )
    parser.add_argument(
        "--since",
        type=day,
        metavar="DATE",
        help="only patterns with an incident on or after DATE (YYYY-MM-DD); "
        "each still lists its earlier incidents",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.analysis.patterns import archive_patterns, recurring_since
    from mortem.archive import require_archive
    from mortem.config import load_config
    from mortem.errors import warn
    from mortem.render.patterns import render_patterns

    config = load_config(args.config)
    require_archive(config)
    patterns = archive_patterns(config, warn)
    if args.since is not None:
        patterns = recurring_since(patterns, args.since)
    sys.stdout.write(render_patterns(patterns, args.format))
    return 0
