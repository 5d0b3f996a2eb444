"""The archive: which files are postmortems, their ids, and loading them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mortem.config import Config
from mortem.errors import UsageError
from mortem.loader import LoadFailure, load
from mortem.model import Postmortem

# The one-line log of small events (`mortem note`), published as "Small events".
NOTES_FILE = "notes.md"
# Files an archive folder may hold that are not postmortems (the site's docs folder too).
NOT_POSTMORTEMS = frozenset({"readme.md", "index.md", "tags.md", NOTES_FILE})


def is_postmortem_name(path: Path) -> bool:
    return (
        path.suffix == ".md"
        and path.name.casefold() not in NOT_POSTMORTEMS
        and not path.name.startswith(("_", "."))
    )


def archive_files(folder: Path) -> list[Path]:
    """Postmortem files directly in the archive folder, sorted by name (so by date)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if is_postmortem_name(p))


def archive_ids(config: Config) -> frozenset[str]:
    return frozenset(p.stem for p in archive_files(config.archive_dir))


def expand(paths: Iterable[Path], config: Config) -> list[Path]:
    """Files to check: the archive when no path is given; folders give their postmortems."""
    given = list(paths)
    if not given:
        folder = config.archive_dir
        if not folder.is_dir():
            raise UsageError(
                f"archive folder {display(folder, config)} does not exist "
                "(set `archive` in [tool.mortem], or pass files)"
            )
        return archive_files(folder)
    result: list[Path] = []
    for path in given:
        if path.is_dir() and path.suffix != ".md":
            result.extend(archive_files(path))
        elif path.exists() or path.is_symlink():
            result.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(result))


def display(path: Path, config: Config) -> str:
    """Paths as the user and their editor see them: relative to the archive root."""
    try:
        return path.absolute().relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def load_all(paths: Iterable[Path], config: Config) -> Iterator[Postmortem | LoadFailure]:
    for path in paths:
        yield load(path, config, display(path, config))


def load_archive(config: Config, warn: Callable[[str], None] | None = None) -> list[Postmortem]:
    """Every readable postmortem of the archive, oldest first. Unreadable ones are left out of
    the analysis; `warn` (the commands pass one that prints to stderr) hears about each, with
    its place, so a report never silently skips a postmortem."""
    docs = []
    for doc in load_all(archive_files(config.archive_dir), config):
        if isinstance(doc, Postmortem):
            docs.append(doc)
        elif warn is not None:
            issue = doc.issue
            warn(
                f"{doc.display_path}:{issue.line}:{issue.column}: {doc.code} {issue.message} "
                "(left out; `mortem check` reports it)"
            )
    return docs
