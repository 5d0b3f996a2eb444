"""`mortem init`: the files that make an existing repository a postmortem archive.

Each file comes from `mortem/templates/` (package data) with three values filled in: the
pip requirement that pins the installed mortem (`mortem==X.Y.Z`), that version, and the
site's name. A file that already exists is never touched: the team's own `mkdocs.yml` or
workflow wins, and `init` lists what it skipped so they can merge by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from mortem import __version__
from mortem.atomic import write_new
from mortem.errors import MortemError, UsageError

# (template, destination); the GitHub or the GitLab set is added by `plan`.
COMMON = (
    ("archive-README.md", "postmortems/README.md"),
    ("mortem.toml", "mortem.toml"),
    ("mkdocs.yml", "mkdocs.yml"),
    ("hooks/mortem_site.py.tmpl", "hooks/mortem_site.py"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
)
GITHUB = (
    ("github/workflows/postmortem-check.yml", ".github/workflows/postmortem-check.yml"),
    ("github/workflows/postmortem-review.yml", ".github/workflows/postmortem-review.yml"),
    ("github/workflows/pages.yml", ".github/workflows/pages.yml"),
    ("github/workflows/weekly-follow-through.yml", ".github/workflows/weekly-follow-through.yml"),
    ("github/pull_request_template.md", ".github/pull_request_template.md"),
)
GITLAB = (("gitlab-ci.yml", ".gitlab-ci.yml"),)


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def templates() -> Traversable:
    return files("mortem") / "templates"


def plan(gitlab: bool) -> tuple[tuple[str, str], ...]:
    return COMMON + (GITLAB if gitlab else GITHUB)


def render(template: str, package: str, site_name: str) -> str:
    text = (templates() / template).read_text(encoding="utf-8")
    return (
        text.replace('"@SITE_NAME@"', json.dumps(site_name))  # a JSON string is a YAML string
        .replace("@MORTEM_PACKAGE@", package)
        .replace("@MORTEM_VERSION@", __version__)
    )


def initialise(root: Path, gitlab: bool = False, package: str | None = None) -> Outcome:
    """Write every missing file under `root`, an existing git repository."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    if not (root / ".git").exists():
        raise UsageError(f"{root} is not the root of a git repository; run `git init` there first")
    requirement = package or f"mortem=={__version__}"
    site_name = f"{root.resolve().name} postmortems"
    outcome = Outcome()
    for template, destination in _pending(root, plan(gitlab), outcome):
        try:
            write_new(root / destination, render(template, requirement, site_name))
        except MortemError:  # created meanwhile: still never overwritten
            outcome.skipped.append(destination)
            continue
        outcome.written.append(destination)
    return outcome


def _pending(root: Path, wanted: tuple[tuple[str, str], ...], outcome: Outcome) -> Iterator[tuple[str, str]]:
    for template, destination in wanted:
        target = root / destination
        if target.exists() or target.is_symlink():
            outcome.skipped.append(destination)
        else:
            yield template, destination
