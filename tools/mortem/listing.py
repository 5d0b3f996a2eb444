"""Which files of an archive folder are postmortems, by their names alone.

Kept apart from mortem.archive, which loads the parsers' modules: a pre-commit check lists
the archive in a child forked before those are imported (mortem.sweep)."""

from __future__ import annotations

import os
from pathlib import Path

# The one-line log of small events (`mortem note`), published as "Small events".
NOTES_FILE = "notes.md"
# Files an archive folder may hold that are not postmortems (the site's docs folder too).
NOT_POSTMORTEMS = frozenset({"readme.md", "index.md", "tags.md", NOTES_FILE})


def is_postmortem_name(path: Path) -> bool:
    return _is_postmortem_file_name(path.name)


def _is_postmortem_file_name(name: str) -> bool:
    return name.endswith(".md") and not name.startswith(("_", ".")) and name.casefold() not in NOT_POSTMORTEMS


def archive_names(folder: Path) -> list[str]:
    """The names of the postmortem files directly in the archive folder, sorted (so by date).
    Names, not paths: at 10,000 postmortems, pathlib's objects were a tenth of a pre-commit
    check that needs only their names and stamps."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(name for name in names if _is_postmortem_file_name(name))
