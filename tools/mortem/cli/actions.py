"""`mortem actions`: the weekly sync's five minutes on action items, and keeping them honest.

- list (default): open items in due-date order, overdue first; `--overdue`, `--all`, and
  filters by owner, bucket and service; text, JSON, or the Markdown agenda;
- `--sync [--write]`: each linked issue's state from GitHub, GitLab or Jira, and the drift;
- `--file-issues POSTMORTEM [--dry-run]`: open an issue for each item without one;
- `--history`: when items were added and done, from git.

Exit codes: 0 fine; 1 when `--sync` leaves drift or unchecked links, or an issue or a file
could not be written; 2 for usage and configuration errors.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mortem.cli.arguments import add_config, day

if TYPE_CHECKING:
    from collections.abc import Callable

    from mortem.analysis.actions import ActionRow
    from mortem.config import Config
    from mortem.integrations.trackers import Checked, NewIssue
    from mortem.model import Postmortem

BUCKET_CHOICES = ("prevention", "detection", "mitigation")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "actions",
        help="action items for the weekly sync; sync them with the tracker",
        description="List the archive's action items for the weekly sync (open ones by default, in "
        "due-date order, overdue first), check them against their GitHub, GitLab or Jira issues "
        "(--sync), open the missing issues (--file-issues) or read their history from git "
        "(--history).",
    )
    which = parser.add_mutually_exclusive_group()
    for flag, help_text in (
        ("open", "open items (the default for the list)"),
        ("overdue", "open items past their due date"),
        ("all", "every item, done and dropped too (the default for --sync)"),
    ):
        which.add_argument(f"--{flag}", dest="which", action="store_const", const=flag, help=help_text)
    parser.add_argument("--owner", metavar="NAME", help="only this owner's items (case aside)")
    parser.add_argument("--bucket", choices=BUCKET_CHOICES, help="only items in this bucket")
    parser.add_argument("--service", metavar="S", help="only items of postmortems about this service")
    parser.add_argument(
        "--as-of", type=day, metavar="YYYY-MM-DD", help="the day that counts as today (default: today)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text, json, or markdown: the weekly-sync agenda (default: text)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--sync", action="store_true", help="compare each item with its linked issue")
    mode.add_argument(
        "--file-issues",
        type=Path,
        metavar="POSTMORTEM",
        help="open an issue in the team's tracker for each of its items without one, and link it",
    )
    mode.add_argument("--history", action="store_true", help="when items were added and done, from git")
    parser.add_argument(
        "--write", action="store_true", help="with --sync: write the tracker's state into the files"
    )
    parser.add_argument("--dry-run", action="store_true", help="with --file-issues: print what it would open")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.config import load_config
    from mortem.errors import UsageError

    if args.write and not args.sync:
        raise UsageError("--write goes with --sync")
    if args.dry_run and args.file_issues is None:
        raise UsageError("--dry-run goes with --file-issues")
    if args.format == "markdown" and (args.sync or args.history or args.file_issues):
        raise UsageError(
            "--format markdown is the weekly agenda: use it without --sync, --history or --file-issues"
        )
    config = load_config(args.config)
    today = args.as_of or date.today()
    if args.history:
        return _history(args, config, today)
    if args.file_issues is not None:
        return _file_issues(args, config, today)
    if args.sync:
        return _sync(args, config, today)
    return _list(args, config, today)


def _archive(config: Config) -> list[Postmortem]:
    from mortem.archive import load_archive, require_archive
    from mortem.errors import warn

    require_archive(config)
    return load_archive(config, warn)  # an unreadable postmortem is named, never silently skipped


def _rows(args: argparse.Namespace, docs: list[Postmortem], today: date, default: str) -> list[ActionRow]:
    from mortem.analysis.actions import select

    return select(docs, today, args.which or default, args.owner, args.bucket, args.service)


def _list(args: argparse.Namespace, config: Config, today: date) -> int:
    from mortem.analysis.actions import archive_selection
    from mortem.archive import require_archive
    from mortem.errors import warn
    from mortem.render import actions as render

    require_archive(config)
    which = args.which or "open"
    rows = archive_selection(config, today, which, args.owner, args.bucket, args.service, warn)
    if args.format == "json":
        sys.stdout.write(render.json_list(rows))
    elif args.format == "markdown":
        sys.stdout.write(render.agenda(rows, today))
    else:
        sys.stdout.write(render.text_list(rows, today, which))
    return 0


# --sync ------------------------------------------------------------------------------------


def _sync(args: argparse.Namespace, config: Config, today: date) -> int:
    from mortem.integrations import trackers
    from mortem.render import actions as render

    docs = _archive(config)
    by_id = {doc.id: doc for doc in docs}
    settings = trackers.Settings.from_env(config)
    pairs, skipped = trackers.trackable(_rows(args, docs, today, "all"), settings)
    results = trackers.sync(pairs, settings)
    written, failures = _write_sync(results, by_id) if args.write else (set(), [])

    def where(row: ActionRow, field: str) -> str:
        doc = by_id[row.postmortem]
        line, column = doc.locate(("action_items", row.item.index, field))
        return f"{doc.display_path}:{line}:{column}"

    if args.format == "json":
        sys.stdout.write(render.sync_json(results, written))
    else:
        sys.stdout.write(render.sync_text(results, where, written, skipped, writing=args.write))
    for failure in failures:
        print(f"mortem: {failure}", file=sys.stderr)
    left = [
        i
        for i, r in enumerate(results)
        if (r.verdict in trackers.DRIFT or r.verdict == trackers.UNCHECKED) and i not in written
    ]
    return 1 if left or failures else 0


def _write_sync(results: list[Checked], by_id: dict[str, Postmortem]) -> tuple[set[int], list[str]]:
    """Write each file's closures at once; a file that cannot be written is reported and the
    others still are. Returns (positions written, one message per failed file)."""
    from mortem.action_write import ItemChange, write_changes
    from mortem.errors import MortemError
    from mortem.integrations.trackers import CLOSED_DAY, CLOSED_THERE

    per_file: dict[str, list[tuple[int, ItemChange]]] = {}
    for position, found in enumerate(results):
        if found.verdict not in (CLOSED_THERE, CLOSED_DAY) or found.state is None:
            continue
        closed = found.state.closed_on if found.row.item.closed is None else None
        status = "done" if found.verdict == CLOSED_THERE else None
        change = ItemChange(found.row.item.index, status=status, closed=closed)
        if change.fields():
            per_file.setdefault(found.row.postmortem, []).append((position, change))
    written: set[int] = set()
    failures = []
    for postmortem, changes in per_file.items():
        try:
            write_changes(by_id[postmortem], [change for _, change in changes])
        except MortemError as exc:
            failures.append(str(exc))
            continue
        written.update(position for position, _ in changes)
    return written, failures


# --file-issues -------------------------------------------------------------------------------


def _file_issues(args: argparse.Namespace, config: Config, today: date) -> int:
    from mortem.analysis.actions import action_rows
    from mortem.integrations import trackers
    from mortem.model import is_placeholder_link
    from mortem.render import actions as render

    doc = _one(args.file_issues, config)
    settings = trackers.Settings.from_env(config)
    tracker, api_base, web = trackers.team_tracker(config, settings)
    rows = [r for r in action_rows([doc], today) if is_placeholder_link(r.item.link)]
    for row in rows:
        if not row.is_open:
            print(f"{doc.display_path}: {render.label(row)} is {row.item.status}; link its issue by hand")
    todo = [r for r in rows if r.is_open]
    if not todo:
        print(f"{doc.display_path}: every open action item already links an issue")
        return 0
    back = _postmortem_link(doc, config, tracker, web)
    issues = [
        (row, trackers.NewIssue(row.item.title or row.key, render.issue_body(row, back), row.item.due))
        for row in todo
    ]
    if args.dry_run:
        for _, issue in issues:
            print(f"would open in {trackers.NAMES[tracker]} {config.tracker_repo}: {issue.title}")
            print("  " + issue.body.replace("\n", "\n  ").rstrip())
        return 0
    api = trackers.client(tracker, api_base, settings)
    return _open_and_link(
        doc, issues, lambda issue: trackers.open_issue(tracker, api, config.tracker_repo or "", issue)
    )


def _open_and_link(
    doc: Postmortem, issues: list[tuple[ActionRow, NewIssue]], open_one: Callable[[NewIssue], str]
) -> int:
    """Open each issue, then write every link that was made, even when a later one failed:
    re-running must not open the same issues twice."""
    from mortem.action_write import ItemChange, write_changes
    from mortem.errors import MortemError
    from mortem.render.actions import label

    changes, failed = [], 0
    for row, issue in issues:
        try:
            url = open_one(issue)
        except MortemError as exc:
            print(f"mortem: {doc.display_path}: {label(row)}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{doc.display_path}: {label(row)}: opened {url}")
        changes.append(ItemChange(row.item.index, link=url))
    if changes:
        try:
            write_changes(doc, changes)
        except MortemError as exc:
            urls = ", ".join(c.link or "" for c in changes)
            raise MortemError(f"{exc}; the issues exist, paste their links by hand: {urls}") from None
        print(f"{doc.display_path}: wrote {len(changes)} link{'s' if len(changes) != 1 else ''}")
    return 1 if failed else 0


def _one(path: Path, config: Config) -> Postmortem:
    from mortem.archive import display
    from mortem.errors import MortemError, UsageError
    from mortem.loader import LoadFailure, load

    if not path.is_file():
        raise UsageError(f"{path}: no such postmortem")
    doc = load(path, config, display(path, config))
    if isinstance(doc, LoadFailure):
        raise MortemError(f"{doc.display_path}:{doc.issue.line}: {doc.issue.message}; fix it first")
    return doc


def _postmortem_link(doc: Postmortem, config: Config, tracker: str, web: str) -> str | None:
    """Where the issue links back to: `postmortem_url`, else the file in the tracker's
    repository (the archive usually lives in the repository whose issues track its fixes)."""
    relative = _repository_path(doc.path)
    if config.postmortem_url:
        return config.postmortem_url.replace("{id}", doc.id).replace("{path}", relative)
    if config.tracker_repo is None:
        return None
    blob = "blob" if tracker == "github" else "-/blob"
    return f"{web}/{config.tracker_repo}/{blob}/HEAD/{relative}"


def _repository_path(path: Path) -> str:
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return path.name


# --history -----------------------------------------------------------------------------------


def _history(args: argparse.Namespace, config: Config, today: date) -> int:
    from mortem.analysis.history import read_history
    from mortem.render import actions as render

    history = read_history(config, today)
    sys.stdout.write(render.history_json(history) if args.format == "json" else render.history_text(history))
    return 0
