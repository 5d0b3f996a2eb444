"""`mortem related ID_OR_PATH`: the earlier postmortems most like this one, and why."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config, positive

FORMATS = ("text", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "related",
        help="find earlier postmortems with a similar root cause",
        description="List the earlier postmortems whose root cause is most like this one's, with "
        "a score and the reason. Takes an archive id or a path to any postmortem "
        "file, including a new one not yet in the archive.",
    )
    parser.add_argument(
        "target",
        metavar="ID_OR_PATH",
        help="a postmortem id (2026-10-07-checkout-deploy-before-migration) or file",
    )
    parser.add_argument(
        "--limit", type=positive, default=5, metavar="N", help="show at most N postmortems (default: 5)"
    )
    parser.add_argument(
        "--all", action="store_true", help="include later postmortems too, not only earlier ones"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.analysis.patterns import related
    from mortem.archive import load_archive
    from mortem.config import load_config
    from mortem.errors import warn
    from mortem.render.patterns import render_related

    config = load_config(args.config)
    doc = _load_target(args.target, config)
    archive = load_archive(config, warn, facts_only=True)  # the ranking reads only the facts
    links = related(doc, archive, config, limit=args.limit, earlier_only=not args.all)
    sys.stdout.write(render_related(doc.id, links, args.format))
    return 0


def _load_target(target: str, config: Any) -> Any:
    """An archive id, or a path to a file anywhere (a new postmortem on a branch)."""
    from mortem.archive import archive_ids, display
    from mortem.errors import MortemError, UsageError
    from mortem.loader import LoadFailure, load

    path = Path(target)
    if not path.exists() and "/" not in target and not target.endswith(".md"):
        path = config.archive_dir / f"{target}.md"
        if not path.exists():
            hint = _closest(target, archive_ids(config))
            raise UsageError(
                f"no postmortem {target!r} in {display(config.archive_dir, config)}"
                + (f"; did you mean {hint!r}?" if hint else "")
            )
    elif not path.is_file():
        raise UsageError(f"{target}: no such file")
    doc = load(path, config, display(path, config))
    if isinstance(doc, LoadFailure):
        raise MortemError(
            f"{doc.display_path}:{doc.issue.line}: {doc.issue.message} (`mortem check` reports the details)"
        )
    return doc


def _closest(wanted: str, ids: frozenset[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(wanted, sorted(ids), n=1, cutoff=0.6)
    return matches[0] if matches else None
