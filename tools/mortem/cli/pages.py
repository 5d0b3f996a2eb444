"""`mortem pages --out DIR`: write the site's generated pages to a folder.

The same pages the MkDocs hooks generate, for a site generator that ignores hooks (point
its docs folder at DIR). Like the hooks, it refuses an archive with `mortem check` errors,
so nothing broken is published.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from mortem.cli.arguments import add_config, day


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pages",
        help="write the archive site's pages (Markdown, JSON, iCalendar) to a folder",
        description="Generate every page of the archive site into DIR: home, archive, one "
        "page per postmortem, patterns, metrics, follow-through, rules and the "
        "exports. Exit 1 without writing when `mortem check` finds errors.",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write into (created if missing)"
    )
    parser.add_argument(
        "--today",
        type=day,
        metavar="YYYY-MM-DD",
        help="the day overdue items and this quarter are counted from (default: today)",
    )
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.config import load_config
    from mortem.errors import UsageError
    from mortem.reporters import reporter
    from mortem.site import pages, read_archive

    config = load_config(args.config)
    today = args.today or date.today()
    archive = read_archive(config, today)
    if archive.check.errors:
        sys.stderr.write(reporter("text")(archive.check, False))
        print("mortem: not writing pages: fix the errors above first", file=sys.stderr)
        return 1
    out: Path = args.out
    if out.resolve() == config.archive_dir.resolve():
        raise UsageError("--out must not be the archive folder: generated pages never go there")
    written = 0
    for page in pages(archive.docs, config, today):
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.text.encode("utf-8"))  # bytes: keep the calendar's CRLF
        written += 1
    print(f"wrote {written} pages to {out}")
    return 0
