"""MkDocs hooks: an adapter from the mortem package to MkDocs, nothing more.

Once per build: read the archive, refuse to publish if `mortem check` finds errors, and
hand every page of `mortem.site.pages()` to MkDocs as an in-memory generated file. Each
postmortem's source file is replaced by its rendered page, so nothing is written into the
archive folder and `mkdocs serve` rebuilds on every edit to a postmortem. With mortem's
cache on, a page rendered before is not rendered again, and in a large site a second core
deletes the last build's site (mortem.site.previous), converts half the pages' Markdown
(mortem.site.rendered) and then fills the theme's template for most of them
(mortem.site.built).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from mortem.config import Config, load_config
from mortem.errors import MortemError
from mortem.site import Started, heap, pages, read_archive
from mortem.site.built import FilledAhead, fill_ahead
from mortem.site.previous import Clearing, clear_ahead
from mortem.site.rendered import RenderedPages, rendered_pages

log = logging.getLogger("mkdocs.plugins.mortem")
_rendered: RenderedPages | None = None  # this build's kept pages and pages rendered ahead
_started: Started = None  # the command and whether --dirty
_nav: Navigation | None = None  # this build's navigation, as every plugin left it
_filled: FilledAhead | None = None  # this build's pages filled into the theme ahead
_cleared: Clearing | None = None  # the last build's site, being deleted on a second core


def on_startup(*, command: str, dirty: bool) -> None:
    global _started
    _started = (command, dirty)


def on_pre_build(*, config: MkDocsConfig) -> None:
    global _cleared
    _cleared = clear_ahead(config.site_dir, _started)


def _mortem_config(config: MkDocsConfig) -> Config:
    try:
        mortem = load_config(start=Path(config.config_file_path).parent)
    except MortemError as exc:
        raise PluginError(f"mortem: {exc}") from None
    if mortem.archive_dir.resolve() != Path(config.docs_dir).resolve():
        raise PluginError(f"mortem: docs_dir {config.docs_dir} is not the archive folder "
                          f"{mortem.archive_dir}; set docs_dir to the archive in mkdocs.yml")
    return mortem


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    global _rendered
    mortem = _mortem_config(config)
    _rendered = rendered_pages(mortem)
    today = date.today()
    archive = read_archive(mortem, today)
    errors = [f for f in archive.check.findings if f.is_error]
    for finding in archive.check.findings:
        if not finding.is_error:
            log.warning(_describe(finding))
    if errors:
        raise PluginError("mortem check found errors; fix them to publish the archive:\n"
                          + "\n".join(_describe(f) for f in errors))
    _publish([File.generated(config, p.path, content=p.text) for p in pages(archive.docs, mortem, today)],
             files)
    heap.hold()  # what was read and made lives to the build's end: no collection need walk it
    return files


def _publish(generated: list[File], files: Files) -> None:
    """Add the generated pages; a postmortem's source (or any file with the same output)
    gives way to its rendered page. Files are found by output path in a table built once:
    a scan of every file per page grew with the square of the archive."""
    by_dest: dict[str, list[File]] = {}
    for file in files:
        by_dest.setdefault(file.dest_uri, []).append(file)
    for page in generated:
        for existing in [files.get_file_from_path(page.src_uri), *by_dest.pop(page.dest_uri, [])]:
            if existing is not None and files.get_file_from_path(existing.src_uri) is existing:
                files.remove(existing)
        files.append(page)


def _describe(finding: Any) -> str:
    return (f"{finding.path}:{finding.line}:{finding.column}: {finding.code} "
            f"{finding.name}: {finding.message}")


def on_serve(server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
    # The archive's settings ([tool.mortem]) live outside docs_dir; rebuild when they change.
    source = _mortem_config(config).source
    if source is not None:
        server.watch(str(source))
    return server


@event_priority(-100)  # last: the Markdown as every other plugin left it
def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return _rendered.before(markdown, page, config, files) if _rendered else markdown


@event_priority(100)  # first: other plugins see the page whole, kept or rendered
def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return _rendered.after(html, page, files) if _rendered else html


@event_priority(-100)  # last: the navigation MkDocs builds with
def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    global _nav
    _nav = nav
    return nav


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    global _filled
    _filled = fill_ahead(config, env, files, _nav, _started, __name__)
    return env


@event_priority(-100)  # last: the context as the search plugin left it
def on_page_context(context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
    return _filled.context(context, page) if _filled else context


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    return _filled.html(output, page) if _filled else output


def on_post_build(*, config: MkDocsConfig) -> None:
    if _cleared:
        _cleared.finish()
    said = [part for part in (_rendered and _rendered.finish(), _filled and _filled.finish()) if part]
    if said:
        log.info("mortem: " + ", ".join(said))
    heap.release(_started)


def on_build_error(*, error: Exception) -> None:
    if _cleared:
        _cleared.finish()
    if _rendered:
        _rendered.finish()
    if _filled:
        _filled.finish()
    heap.release(_started)
