"""`mortem new "Title"`: scaffold a postmortem (and optionally a branch with it committed)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from mortem.cli.arguments import add_config, day


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "new",
        help="start a postmortem from the one-page template",
        description="Write postmortems/<date>-<slug>.md with the front matter filled in as far "
        "as the arguments allow and a prompt in each section. Never overwrites.",
    )
    parser.add_argument("title", help="a short headline of what broke")
    parser.add_argument(
        "--date",
        type=day,
        metavar="YYYY-MM-DD",
        help="the day the incident started (default: today)",
    )
    parser.add_argument("--severity", choices=("SEV1", "SEV2", "SEV3", "SEV4"))
    parser.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="NAME",
        help="a service involved (repeat for several)",
    )
    parser.add_argument(
        "--author", action="append", default=[], metavar="NAME", help="who is writing it (repeat for several)"
    )
    parser.add_argument(
        "--branch",
        action="store_true",
        help="also create the branch postmortem/<slug> and commit the file on it",
    )
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem import scaffold
    from mortem.archive import display
    from mortem.atomic import write_new
    from mortem.config import load_config
    from mortem.errors import MortemError

    config = load_config(args.config)
    day = args.date or date.today()
    services = scaffold.check_services(args.service)
    doc_id = scaffold.postmortem_id(args.title, day)
    path = config.archive_dir / f"{doc_id}.md"
    if path.exists():
        raise MortemError(f"{display(path, config)} already exists; mortem never overwrites a postmortem")
    text = scaffold.render(args.title, day, args.severity, services, args.author)
    if args.branch:
        from mortem.gitops import commit_on_new_branch

        branch = f"postmortem/{scaffold.slugify(args.title)}"
        commit_on_new_branch(
            config.root, branch, path, lambda: write_new(path, text), f"Start the postmortem: {args.title}"
        )
        print(display(path, config))
        print(f"on branch {branch}, committed; fill it in, then open a pull request")
        return 0
    write_new(path, text)
    print(display(path, config))
    return 0
