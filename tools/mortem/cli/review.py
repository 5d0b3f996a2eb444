"""`mortem review`: post the check's findings as one pull-request review, and the sticky
"Similar past incidents" comment (on GitLab, a merge-request note).

In the review job of a `workflow_run` workflow it reads the report that `mortem ci
--report` wrote in the check job (`--report FILE`) and never touches the contributor's
files; on a laptop or in a trusted job it can run the check itself (`--base REF`).
How earlier reviews are replaced rather than piled up: see `mortem.integrations.github`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "review",
        help="post the findings as a pull-request review and the similar-incidents comment",
        description="Post one pull-request review whose line comments sit on the findings' lines "
        "(findings outside the diff go in its body), replacing mortem's earlier review, and keep "
        "one 'Similar past incidents' comment up to date. Reads GITHUB_REPOSITORY, GITHUB_TOKEN, "
        "GITHUB_API_URL and the pull request from GITHUB_EVENT_PATH.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--report", type=Path, metavar="FILE", help="the JSON of `mortem ci --report`")
    source.add_argument(
        "--base",
        metavar="REF",
        help="run the check here against this base instead (default when no --report: as `mortem ci`)",
    )
    parser.add_argument(
        "--pr",
        type=int,
        metavar="N",
        help="the pull request number (default: the report's, else the GITHUB_EVENT_PATH payload's)",
    )
    parser.add_argument(
        "--head-sha",
        metavar="SHA",
        help="the commit the findings are about; the "
        "review is refused when the pull request's head has moved on",
    )
    parser.add_argument("--no-similar", action="store_true", help="skip the similar-incidents comment")
    parser.add_argument(
        "--gitlab",
        action="store_true",
        help="post the similar-incidents note on a "
        "GitLab merge request instead (findings reach GitLab as a Code Quality report)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the JSON requests it would send, as one array, and send nothing",
    )
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.integrations.github import Actions

    actions = Actions.from_env()
    report = _report(args, actions)
    if args.gitlab:
        return _gitlab(report, args.dry_run)
    return _github(report, actions, args)


def _report(args: argparse.Namespace, actions: Any) -> Any:
    from mortem.ci import Report, build_report
    from mortem.errors import UsageError

    if args.report is not None:
        try:
            text = args.report.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the report {args.report}: {exc}") from None
        return Report.from_json(text, str(args.report))
    from mortem.changes import changed_postmortems
    from mortem.cli.ci import base_ref
    from mortem.config import load_config

    config = load_config(args.config)
    changes = changed_postmortems(config, base_ref(args.base))
    return build_report(config, changes, actions.pull_request, actions.head_sha)


def _github(report: Any, actions: Any, args: argparse.Namespace) -> int:
    from mortem.errors import UsageError
    from mortem.integrations import github, markdown

    pull = args.pr or report.pull_request or actions.pull_request
    head = args.head_sha or report.head_sha
    link = actions.blob_link(head or "HEAD")
    similar = markdown.similar_comment(report, link) if report.new and not args.no_similar else None
    if args.dry_run:
        where = pull or "PULL_NUMBER"
        requests = [
            _request(
                "POST", f"/pulls/{where}/reviews", github.review_payload(report, head), actions.repository
            )
        ]
        if similar:
            requests.append(
                _request("POST", f"/issues/{where}/comments", {"body": similar}, actions.repository)
            )
        print(json.dumps(requests, indent=2, ensure_ascii=False))
        return 0
    if not pull:
        raise UsageError("no pull request number: pass --pr N, or run on a pull_request event")
    client = actions.client()
    if args.head_sha and not _head_matches(client, pull, args.head_sha):
        return 0
    github.post_review(client, pull, report, actions.login, head, print)
    if similar:
        print(github.upsert_comment(client, pull, similar, actions.login, markdown.SIMILAR_MARKER))
    return 0


def _head_matches(client: Any, pull: int, sha: str) -> bool:
    """The report names its pull request; the review job checks that pull request's head is
    the commit the check ran on, so a report cannot post onto another pull request (and a
    review for a commit already replaced by a newer push is left to that push's run)."""
    current = client.get(f"/pulls/{pull}")
    head = current.get("head") if isinstance(current, dict) else None
    head = head.get("sha") if isinstance(head, dict) else None
    if head != sha:
        print(
            f"mortem: pull request {pull}'s head is {head}, not {sha}: not posting "
            "(a newer push has its own run)",
            file=sys.stderr,
        )
        return False
    return True


def _request(method: str, path: str, body: Any, repository: str | None) -> dict[str, Any]:
    return {"method": method, "url": f"/repos/{repository or 'OWNER/REPO'}{path}", "body": body}


def _gitlab(report: Any, dry_run: bool) -> int:
    from mortem.integrations import gitlab, markdown

    pipeline = gitlab.Pipeline.from_env()
    if not report.new:
        print("no new postmortem: no similar-incidents note")
        return 0
    body = markdown.similar_comment(report, pipeline.blob_link())
    merge_request = pipeline.merge_request
    if dry_run:
        path = f"/projects/{pipeline.project or 'PROJECT'}/merge_requests/{merge_request or 'IID'}/notes"
        print(
            json.dumps(
                [{"method": "POST", "url": path, "body": {"body": body}}], indent=2, ensure_ascii=False
            )
        )
        return 0
    if merge_request is None:
        from mortem.errors import UsageError

        raise UsageError("CI_MERGE_REQUEST_IID is not set; run in a merge-request pipeline")
    print(gitlab.upsert_note(pipeline.client(), merge_request, body, markdown.SIMILAR_MARKER))
    return 0
