"""`mortem weekly-issue`: open, or update, the one issue the weekly sync starts from.

The practice: five minutes on open action items at the start of each weekly sync, and
anything overdue re-owned or de-prioritised out loud. A scheduled workflow runs this so the
agenda is waiting in the tracker; the items come from `mortem.analysis.actions`, the same
follow-through data as the archive site's page.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config, day


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "weekly-issue",
        help="open or update the weekly follow-through issue on GitHub",
        description="Write the open and overdue action items into one GitHub issue titled for the "
        "weekly review, created the first time and updated after. Reads GITHUB_REPOSITORY, "
        "GITHUB_TOKEN and GITHUB_API_URL.",
    )
    parser.add_argument(
        "--as-of", type=day, metavar="YYYY-MM-DD", help="the day that counts as today (default: today)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the JSON it would send, send nothing")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.analysis.actions import open_actions
    from mortem.archive import load_archive
    from mortem.config import load_config
    from mortem.errors import warn
    from mortem.integrations import github, markdown

    config = load_config(args.config)
    today = args.as_of or date.today()
    actions = github.Actions.from_env()
    rows = open_actions(load_archive(config, warn), today)
    archive = _from_repository_root(config.archive_dir)
    body = markdown.weekly_issue_body(rows, today, archive, actions.blob_link("HEAD"))
    if args.dry_run:
        request = {
            "method": "POST or PATCH",
            "url": f"/repos/{actions.repository or 'OWNER/REPO'}/issues",
            "body": {"title": markdown.WEEKLY_TITLE, "body": body},
        }
        print(json.dumps(request, indent=2, ensure_ascii=False))
        return 0
    print(github.upsert_weekly_issue(actions.client(), markdown.WEEKLY_TITLE, body, actions.login))
    return 0


def _from_repository_root(folder: Path) -> str:
    """The archive folder as a path from the git root, for links to its files on GitHub."""
    folder = folder.resolve()
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return folder.relative_to(parent).as_posix()
    return folder.name
