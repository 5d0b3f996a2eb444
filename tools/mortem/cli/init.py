"""`mortem init [DIR] [--gitlab]`: set up an existing repository as a postmortem archive."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="set up a repository as a postmortem archive: folder, config, site, hooks, CI",
        description="Write the archive folder with a README, mortem.toml, mkdocs.yml and its hooks, "
        ".pre-commit-config.yaml, and the GitHub workflows (or .gitlab-ci.yml), all pinned to this "
        "mortem's version. Never overwrites a file; lists what it skipped.",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the repository's root (default: the current folder)",
    )
    parser.add_argument(
        "--gitlab", action="store_true", help="write .gitlab-ci.yml instead of the GitHub workflows"
    )
    parser.add_argument(
        "--package",
        metavar="REQUIREMENT",
        help="what CI and pre-commit install (default: mortem==<this version>); for "
        "example a git URL of your fork",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.adoption import initialise

    outcome = initialise(args.dir, gitlab=args.gitlab, package=args.package)
    for path in outcome.written:
        print(f"wrote   {path}")
    for path in outcome.skipped:
        print(f"skipped {path} (exists; compare it with `mortem init` in an empty folder)")
    if outcome.written:
        print('next: mortem new "What broke" --branch, fill it in, open a pull request')
    return 0
