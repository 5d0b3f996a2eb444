"""`mortem ci`: the pull-request check job in one command.

Checks the postmortems the pull request changed, annotates the most important findings on
their lines (GitHub shows at most 10 error and 10 warning annotations per step: errors
first, action-item owner and due-date problems first within each), appends a job summary
(every finding, and each new postmortem's similar past incidents) to $GITHUB_STEP_SUMMARY,
optionally writes the report that `mortem review` posts from, and exits 1 on errors.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ci",
        help="check a pull request's postmortems: annotations, job summary, report for the review",
        description="Check only the postmortems changed since the merge base with the base branch, "
        "print GitHub annotations for the most important findings, append a Markdown job summary "
        "to $GITHUB_STEP_SUMMARY, and exit 1 on errors.",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="the base branch or commit (default: "
        "origin/$GITHUB_BASE_REF on GitHub, $CI_MERGE_REQUEST_DIFF_BASE_SHA on GitLab)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="also write the findings, diff lines and similar incidents as JSON, "
        "for `mortem review --report FILE` in a separate job",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="append the Markdown summary here (default: $GITHUB_STEP_SUMMARY, if set)",
    )
    add_config(parser)
    parser.set_defaults(run=run)


def base_ref(given: str | None) -> str:
    """The base to compare against: the option, else what the CI system says."""
    from mortem.errors import UsageError

    if given:
        return given
    if os.environ.get("GITHUB_BASE_REF"):
        return f"origin/{os.environ['GITHUB_BASE_REF']}"
    if os.environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA"):
        return os.environ["CI_MERGE_REQUEST_DIFF_BASE_SHA"]
    raise UsageError("no base branch: pass --base REF (outside a pull-request build there is none)")


def run(args: argparse.Namespace) -> int:
    from mortem.changes import changed_postmortems
    from mortem.ci import annotated, build_report
    from mortem.config import load_config
    from mortem.integrations import markdown
    from mortem.integrations.github import Actions
    from mortem.reporters.github import command

    config = load_config(args.config)
    actions = Actions.from_env()
    changes = changed_postmortems(config, base_ref(args.base))
    report = build_report(config, changes, actions.pull_request, actions.head_sha)
    shown, left = annotated(report.findings)
    for finding in shown:
        print(command(finding))
    if left:
        print(f"::notice title=mortem check::{left} more finding(s) are listed in the job summary")
    summary = args.summary or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if summary is not None:
        link = actions.blob_link(report.head_sha or os.environ.get("GITHUB_SHA") or "HEAD")
        with summary.open("a", encoding="utf-8") as stream:
            stream.write(markdown.job_summary(report, len(shown), link) + "\n")
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report.to_json(), encoding="utf-8")
    print(markdown.counts(report))
    return report.exit_code
