"""The one family of exceptions that mean "the user's problem, say it plainly"."""

from __future__ import annotations


class MortemError(Exception):
    """A problem the user can fix; the CLI prints it on one line and exits with `exit_code`."""

    exit_code = 1


class UsageError(MortemError):
    """Bad arguments or paths: exit 2, like argparse."""

    exit_code = 2


class ConfigError(MortemError):
    """A bad `[tool.mortem]` table or mortem.toml: exit 2."""

    exit_code = 2


def warn(message: str) -> None:
    """A warning on stderr, in the same `mortem:` voice as errors; stdout stays the report."""
    import sys

    print(f"mortem: warning: {message}", file=sys.stderr)
