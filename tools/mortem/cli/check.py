"""`mortem check [PATH ...]`: lint postmortems and report findings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config
from mortem.reporters import NAMES as FORMATS


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check postmortems against the format and the practice",
        description="Check postmortems (default: the whole archive folder). Exit 0 when "
        "there are no errors, 1 when there are, 2 for usage or configuration errors.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="postmortem files or folders (default: the archive folder)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_config(parser)
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto, on a terminal only)",
    )
    parser.add_argument(
        "--changed-from",
        metavar="REF",
        help="check only the postmortems added, modified or renamed since the merge base of REF "
        "and HEAD, uncommitted ones included (every archive id still counts for `related`)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.config import load_config

    config = load_config(args.config)
    if args.changed_from:
        from mortem.ci import check_changed

        result = check_changed(config, args.changed_from, args.paths)
    else:
        from mortem import sweep

        # The archive's state is swept on the other core while the checker and its rules
        # are imported and the files read: the sweep takes longer than the check of a file.
        ahead = sweep.start(config)
        from mortem.checker import check_paths

        result = check_paths(args.paths, config, ahead=ahead)
    from mortem.reporters import reporter

    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not _no_color())
    sys.stdout.write(reporter(args.format)(result, colour))
    return result.exit_code


def _no_color() -> bool:
    import os

    return bool(os.environ.get("NO_COLOR"))
