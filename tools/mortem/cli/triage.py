"""`mortem triage`: does this event earn a postmortem? Four questions decide.

The practice's triggers: customers noticed, a near miss caught by luck, a monitor that should
have fired and did not, or more than about 30 minutes to resolve. Any yes scaffolds a
postmortem (the `mortem new` template) with `why` filled in; all no records a one-line note,
because the weight of the process should match the weight of the incident. Flags answer the
questions for scripts; on a terminal, the unanswered ones are asked.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from mortem.cli.arguments import add_config, day

if TYPE_CHECKING:
    from mortem.config import Config

# (flag, question, the `why` it earns)
QUESTIONS = (
    ("users_noticed", "Did users notice?", "customer-visible"),
    ("near_miss", "Was it a near miss you got lucky on?", "near-miss"),
    ("monitor_missed", "Should a monitor have fired and did not?", "monitoring-failure"),
    ("over_30_minutes", "Did it take more than about 30 minutes to resolve?", "long-resolution"),
)
_ANSWERS = {"yes": True, "y": True, "no": False, "n": False}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="decide between a postmortem and a one-line note",
        description="Ask the four trigger questions (flags answer them; a terminal asks the rest). "
        "Any yes: write postmortems/<date>-<slug>.md with `why` filled in. All no: add a line "
        "to the notes log.",
    )
    parser.add_argument("title", nargs="?", help="a short headline (or, for a note, the line itself)")
    for flag, question, why in QUESTIONS:
        parser.add_argument(
            f"--{flag.replace('_', '-')}", type=_yes_no, metavar="yes|no", help=f"{question} ({why})"
        )
    parser.add_argument("--date", type=day, metavar="YYYY-MM-DD", help="the day it happened (default: today)")
    parser.add_argument("--severity", choices=("SEV1", "SEV2", "SEV3", "SEV4"))
    parser.add_argument("--service", action="append", default=[], metavar="NAME", help="repeat for several")
    parser.add_argument("--author", action="append", default=[], metavar="NAME", help="repeat for several")
    add_config(parser)
    parser.set_defaults(run=run)


def _yes_no(text: str) -> bool:
    try:
        return _ANSWERS[text.strip().casefold()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"{text!r}: answer yes or no") from None


def run(args: argparse.Namespace) -> int:
    from mortem import scaffold
    from mortem.config import load_config

    config = load_config(args.config)
    day = args.date or date.today()
    services = scaffold.check_services(args.service)
    why = [reason for flag, question, reason in QUESTIONS if _answer(getattr(args, flag), question)]
    if why:
        return _postmortem(args, config, day, services, why)
    return _note(args, config, day)


def _answer(given: bool | None, question: str) -> bool:
    if given is not None:
        return given
    while True:
        reply = _ask(f"{question} [y/n] ").strip().casefold()
        if reply in _ANSWERS:
            return _ANSWERS[reply]
        print("Please answer yes or no.", file=sys.stderr)


def _ask(prompt: str) -> str:
    from mortem.errors import UsageError

    if not sys.stdin.isatty():
        flags = " ".join(f"--{flag.replace('_', '-')} yes|no" for flag, _, _ in QUESTIONS)
        raise UsageError(f"not a terminal, so nothing to ask: answer with flags ({flags}) and TITLE")
    try:
        return input(prompt)
    except EOFError:
        raise UsageError("no answer (end of input); nothing written") from None


def _ask_line(prompt: str) -> str:
    """A title or a note: asked again while the answer is blank."""
    while not (line := _ask(prompt).strip()):
        pass
    return line


def _postmortem(
    args: argparse.Namespace, config: Config, day: date, services: list[str], why: list[str]
) -> int:
    from mortem import scaffold
    from mortem.archive import display
    from mortem.atomic import write_new
    from mortem.errors import MortemError

    title = args.title or _ask_line("Title, a short headline of what broke: ")
    path = config.archive_dir / f"{scaffold.postmortem_id(title, day)}.md"
    if path.exists():
        raise MortemError(f"{display(path, config)} already exists; mortem never overwrites a postmortem")
    template = scaffold.render(title, day, args.severity, services, args.author)
    # The template leaves `why` empty for a person to fill; triage knows the answer.
    if template.count("\nwhy: []\n") != 1:
        raise AssertionError("the `mortem new` template no longer has one `why: []` line")
    write_new(path, template.replace("\nwhy: []\n", f"\nwhy: [{', '.join(why)}]\n"))
    print(display(path, config))
    print(f"why: {', '.join(why)}; fill it in (`mortem timeline import` can write the timeline)")
    return 0


def _note(args: argparse.Namespace, config: Config, day: date) -> int:
    from mortem.archive import display
    from mortem.cli.note import record

    text = args.title or _ask_line("No trigger applies, so a one-line note will do. What happened? ")
    path = record(config, text, day)
    print(f"no trigger applies: noted in {display(path, config)}")
    return 0
