"""`mortem timeline import FILE`: a monitoring export as timeline bullets and `times`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mortem.cli.arguments import add_config

if TYPE_CHECKING:
    from datetime import tzinfo

    from mortem.integrations.monitoring import Import
    from mortem.timeline_merge import Merge

SOURCES = ("alertmanager", "grafana", "pagerduty", "opsgenie", "uptime-kuma", "csv")
MAX_EXPORT_BYTES = 50_000_000  # a month of check history is a few megabytes


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "timeline",
        help="import a monitoring export into a timeline",
        description="Work with a postmortem's Timeline.",
    )
    commands = parser.add_subparsers(dest="timeline_command", metavar="COMMAND", parser_class=type(parser))
    commands.required = True
    imports = commands.add_parser(
        "import",
        help="turn a monitoring export into timeline bullets and times",
        description="Read an export (Alertmanager or Grafana webhook payloads, PagerDuty log "
        "entries, Opsgenie alert logs, Uptime Kuma notifications, or a CSV of "
        "timestamp,event,detail) and print the timeline bullets and `times` it implies: "
        "started = first failure, detected = first alert, acknowledged = first "
        "acknowledgement, mitigated and resolved = recovery.",
    )
    imports.add_argument("file", type=Path, metavar="FILE", help="the export, or - for standard input")
    imports.add_argument("--from", dest="source", choices=SOURCES, help="its format (default: detected)")
    imports.add_argument(
        "--tz",
        metavar="ZONE",
        help="zone for times without an offset and for printed clocks (default: UTC); with --into, "
        "clocks follow the offset of the postmortem's times.started once it has one",
    )
    imports.add_argument(
        "--into",
        type=Path,
        metavar="POSTMORTEM",
        help="merge into this postmortem: fill missing times, add bullets, keep what a person wrote",
    )
    imports.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="printed output without --into (default: text)",
    )
    add_config(imports)
    imports.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.integrations.monitoring import read_export
    from mortem.timeline_merge import render_json, render_text

    zone, zone_name = _zone(args.tz)
    name = "standard input" if str(args.file) == "-" else str(args.file)
    imported = read_export(_read(args.file), name, args.source, zone if args.tz else None)
    if args.into is not None:
        return _merge_into(args, imported, zone)
    render = render_json(imported, zone) if args.format == "json" else render_text(imported, zone, zone_name)
    sys.stdout.write(render)
    return 0


def _zone(name: str | None) -> tuple[tzinfo, str]:
    from datetime import UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from mortem.errors import UsageError

    if name is None:
        return UTC, "UTC"
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name!r} is not a time zone; use a name such as Europe/Berlin or UTC"
        ) from None


def _read(path: Path) -> str:
    from mortem.errors import UsageError

    try:
        data = sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1) if str(path) == "-" else _read_file(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_EXPORT_BYTES:
        raise UsageError(f"{path}: over {MAX_EXPORT_BYTES:,} bytes; export only the incident's window")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: byte {exc.start} is not UTF-8; save the export as UTF-8") from None


def _read_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_EXPORT_BYTES + 1)


def _merge_into(args: argparse.Namespace, imported: Import, zone: tzinfo) -> int:
    from mortem.archive import display
    from mortem.atomic import replace_existing
    from mortem.config import load_config
    from mortem.errors import MortemError, UsageError
    from mortem.loader import LoadFailure, load
    from mortem.timeline_merge import merge

    config = load_config(args.config)
    path: Path = args.into
    shown = display(path, config)
    try:
        original = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    doc = load(path, config, shown)
    if isinstance(doc, LoadFailure):
        raise MortemError(f"{shown}:{doc.issue.line}: {doc.issue.message}; fix it, then import")
    bom = "\ufeff" if original.startswith(b"\xef\xbb\xbf") else ""
    if (bom + doc.text).encode("utf-8") != original:
        raise MortemError(f"{shown} changed while mortem read it; nothing written, run it again")
    try:
        result = merge(doc, imported, zone)
    except MortemError as exc:
        raise MortemError(f"{shown}: {exc}") from None
    if result.text != doc.text:
        replace_existing(path, bom + result.text, original)
    sys.stdout.write(_report(shown, result))
    return 0


def _report(shown: str, result: Merge) -> str:
    lines = []
    if result.filled:
        lines.append(f"{shown}: filled {', '.join(result.filled)}")
    for kept in result.kept:
        same = kept.written == kept.imported
        note = "the same as the export" if same else f"the export says {kept.imported}"
        lines.append(f"{shown}: kept times.{kept.field} as written ({kept.written}; {note})")
    added = f"added {result.added} timeline bullet{'s' if result.added != 1 else ''}"
    already = f", {result.already} already imported" if result.already else ""
    lines.append(f"{shown}: {added}{already}" if result.added or result.already else f"{shown}: no events")
    if not result.filled and not result.added:
        lines.append(f"{shown}: nothing to change; the file is as it was")
    return "\n".join(lines) + "\n"
