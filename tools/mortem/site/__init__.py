"""The one page generator: the archive in, every page of the published site out.

The MkDocs hooks hand these pages to MkDocs as generated files; `mortem pages --out DIR`
writes them to a folder for any other site generator. Both call `pages()`, so the two
builds cannot drift. Pages are plain Markdown with inline SVG (plus the JSON and iCalendar
exports), so they need no plugin beyond search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mortem.archive import archive_files, load_all
from mortem.checker import CheckResult, check_documents
from mortem.config import Config
from mortem.model import Postmortem
from mortem.rules import Context


@dataclass(frozen=True)
class Page:
    path: str  # relative to the docs (archive) folder, '/'-separated
    text: str  # Markdown for .md pages; the file's content for exports


@dataclass(frozen=True)
class Archive:
    """The archive read once per build: its postmortems and what `mortem check` says."""

    docs: tuple[Postmortem, ...]
    check: CheckResult


def read_archive(config: Config, today: date) -> Archive:
    files = archive_files(config.archive_dir)
    loaded = list(load_all(files, config))
    context = Context(config=config, archive_ids=frozenset(p.stem for p in files), today=today)
    docs = tuple(d for d in loaded if isinstance(d, Postmortem))
    return Archive(docs, check_documents(loaded, context))


def pages(docs: Sequence[Postmortem], config: Config, today: date) -> list[Page]:
    # Imported here so that importing `mortem.site` for `read_archive` stays cheap.
    from mortem.site.build import all_pages

    return all_pages(docs, config, today)


__all__ = ["Archive", "Page", "pages", "read_archive"]
