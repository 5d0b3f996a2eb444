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

from mortem.archive import ArchiveView, Reader, bulk
from mortem.checker import CheckResult, check_files
from mortem.config import Config
from mortem.model import Postmortem
from mortem.rules import Context

# What MkDocs's command line started, as the hook's `on_startup` hears it: the command and
# whether --dirty; None for a build run from Python.
Started = tuple[str, bool] | None
_ONE_BUILD = ("build", "gh-deploy")  # the commands whose process ends with its one build


def ends_with_build(started: Started) -> bool:
    """Whether the process ends with this build (`mkdocs build` or `gh-deploy`)."""
    return started is not None and started[0] in _ONE_BUILD


def whole_build(started: Started) -> bool:
    """Whether this is such a build without --dirty: every page built, into a site folder
    MkDocs empties first (`serve` shows drafts and builds into a folder of its own)."""
    return started is not None and ends_with_build(started) and not started[1]


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
    reader = Reader(config)  # each file read once, for the check and the pages alike
    files = reader.archive_paths()
    docs = ArchiveView(reader)
    # The check and the pages share one analysis of the archive (analyses are kept per
    # settings object and postmortems): PM060 reads the causes the pages read, and a spelling
    # shown is the alphabetically first met, so the pages are the same whether PM060 ran or
    # its findings came from the cache (tests/unit/site: the pages with PM060 on and off).
    context = Context(config=config, archive_ids=reader.archive_ids(), today=today, documents=docs)
    check = check_files(files, reader, context, keep=True)  # first: it may read on every core
    return Archive(docs.docs, check)


def pages(docs: Sequence[Postmortem], config: Config, today: date) -> list[Page]:
    # Imported here so that importing `mortem.site` for `read_archive` stays cheap.
    from mortem import cache
    from mortem.site.build import all_pages, notes_text

    # Every page follows from the postmortems, the settings, the day and the notes log: a
    # rebuild of an unchanged archive (`mkdocs serve` after an edit elsewhere) reuses them.
    key = cache.documents_key(docs, "pages", today.isoformat(), notes_text(config) or "")

    def valid(value: object) -> bool:
        return isinstance(value, list) and all(isinstance(p, Page) for p in value)

    def compute() -> list[Page]:
        with bulk():
            return all_pages(docs, config, today)

    return cache.cached(config, "archive", key, compute, valid)


__all__ = ["Archive", "Page", "Started", "ends_with_build", "pages", "read_archive", "whole_build"]
