"""`mortem rules [CODE ...]`: the reference entry of each rule."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="explain the rules `mortem check` applies",
        description="Print each rule's code, name, severity, what it checks, why, and a bad "
        "and a good example.",
    )
    parser.add_argument("codes", nargs="*", metavar="RULE", help="rule codes or names (default: all)")
    parser.add_argument("--format", choices=("text", "markdown", "json", "table"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mortem.checker import resolve_rule
    from mortem.errors import ConfigError, UsageError
    from mortem.render.rules import render_rules
    from mortem.rules import ALL_RULES

    try:
        chosen = [resolve_rule(code) for code in args.codes] if args.codes else list(ALL_RULES)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(render_rules(chosen, args.format))
    return 0
