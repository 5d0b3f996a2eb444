"""`mortem` entry point: one parser, one subcommand module each, one place for exit codes.

Exit codes: 0 fine, 1 findings with errors (or a command's own failure), 2 usage or
configuration error, 3 a bug in mortem, 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from mortem import __version__
from mortem.errors import MortemError

# Each subcommand is a module of mortem.cli, imported only when its parser is built: the
# pre-commit hook starts `mortem check` on every commit, and importing every command's
# module (and what they import) cost it about 15 ms.
COMMANDS = (
    "check",
    "rules",
    "new",
    "related",
    "patterns",
    "pages",
    "ci",
    "review",
    "weekly-issue",
    "actions",
    "init",
    "timeline",
    "metrics",
    "triage",
    "note",
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized without importing shutil (and with it bz2 and lzma,
    a few milliseconds): every parser builds one, the pre-commit hook builds a parser on every
    commit, and help is rarely printed."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size gives it: $COLUMNS, the terminal, 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"mortem: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or only `command`'s when it names one: the pre-commit hook starts
    `mortem check` on every commit, and building sixteen subparsers is a tenth of its run."""
    parser = _Parser(prog="mortem", description=("Blameless one-page postmortems as Markdown in git."))
    parser.add_argument("--version", action="version", version=f"mortem {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if command is None or name == command:
            _module(name).add_parser(subparsers)
    return parser


def _module(command: str) -> ModuleType:
    return importlib.import_module(f"mortem.cli.{command.replace('-', '_')}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    first = argv[0] if argv else None
    parser = build_parser(first if first in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has reported
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.run(args)
        return code
    except MortemError as exc:
        print(f"mortem: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mortem: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (| head) went away; nothing left to say to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        if os.environ.get("MORTEM_DEBUG"):
            raise
        print(
            f"mortem: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in mortem; run again with MORTEM_DEBUG=1 for the traceback "
            "and report it.",
            file=sys.stderr,
        )
        return 3


def console_main() -> None:
    # A command runs for seconds at most and builds no reference cycles to speak of, so the
    # cyclic collector is left off, as it is while an archive is read (archive.bulk): after a
    # check of 10,000 postmortems, its first pass over the objects read took 0.17 s.
    gc.disable()
    code = main()
    forked = sys.modules.get("mortem.parallel")  # imported by the commands that fork workers
    if forked is not None:
        forked.end_unfinished()  # os._exit below ends none of them
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)  # a profiler or coverage writes its report at exit
    # Leave without freeing every object one by one, as mypy does: at 10,000 postmortems
    # that teardown was a tenth of a pre-commit check. Nothing is left open but the output
    # streams (every file mortem writes is closed and renamed into place before this).
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1  # the reader went away (see main)
    except OSError:
        code = code or 120  # the output was lost, as Python reports it at exit
    os._exit(code)
