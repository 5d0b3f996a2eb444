"""`mortem metrics`: time to detect, acknowledge, mitigate and resolve, and cost, over time."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from mortem.cli.arguments import add_config, day

if TYPE_CHECKING:
    from mortem.analysis.response import ResponseReport

MISSING = "-"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "metrics",
        help="time to detect, acknowledge, mitigate and resolve, and the cost of downtime",
        description="Per incident: minutes to detect (TTD), acknowledge (TTA), mitigate (TTM) and "
        "resolve (TTR), and the cost. Per month or quarter: the count, and the median and "
        "90th percentile (nearest rank) of each.",
    )
    parser.add_argument("--since", type=day, metavar="DATE", help="only incidents on or after DATE")
    parser.add_argument("--by", choices=("month", "quarter"), default="month", help="period (default: month)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output (default: text)")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.analysis.response import response_report
    from mortem.archive import load_archive, require_archive
    from mortem.config import load_config
    from mortem.errors import warn

    config = load_config(args.config)
    require_archive(config)
    report = response_report(load_archive(config, warn), config, since=args.since, by=args.by)
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return 0


def render_json(report: ResponseReport) -> str:
    incidents = [
        {
            "id": i.id,
            **{f"{k}_minutes": _round(v) for k, v in i.minutes.items()},
            "cost_usd": _round(i.cost_usd),
        }
        for i in report.incidents
    ]
    periods = []
    for p in report.periods:
        row: dict[str, Any] = {"period": p.period, "count": p.count}
        for key, spread in p.spreads.items():
            row[f"{key}_median"] = _round(spread.median)
            row[f"{key}_p90"] = _round(spread.p90)
        row["cost_usd"] = _round(p.cost_usd)
        periods.append(row)
    return json.dumps({"incidents": incidents, "periods": periods}, indent=2) + "\n"


def render_text(report: ResponseReport) -> str:
    if not report.incidents:
        return "No dated postmortems to measure.\n"
    width = max(len("Incident"), *(len(i.id) for i in report.incidents))
    lines = [f"{'Incident':<{width}}  {'TTD':>6} {'TTA':>6} {'TTM':>6} {'TTR':>6} {'Cost':>10}"]
    for i in report.incidents:
        minutes = " ".join(f"{_minutes(i.minutes[k]):>6}" for k in ("ttd", "tta", "ttm", "ttr"))
        lines.append(f"{i.id:<{width}}  {minutes} {_money(i.cost_usd):>10}")
    label = report.by.capitalize()
    lines += [
        "",
        f"{label:<8} {'Count':>5}  {'TTD med/p90':>13} {'TTA med/p90':>13} "
        f"{'TTM med/p90':>13} {'TTR med/p90':>13} {'Cost':>10}",
    ]
    for p in report.periods:
        spreads = " ".join(f"{_minutes(s.median) + ' / ' + _minutes(s.p90):>13}" for s in p.spreads.values())
        lines.append(f"{p.period:<8} {p.count:>5}  {spreads} {_money(p.cost_usd):>10}")
    lines += ["", "Minutes; p90 is the nearest-rank 90th percentile; - where a time is missing."]
    return "\n".join(lines) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _minutes(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.0f}m" if value == int(value) else f"{value:.1f}m"


def _money(value: float | None) -> str:
    return MISSING if value is None else f"${value:,.0f}"
