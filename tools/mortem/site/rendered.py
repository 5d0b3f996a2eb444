"""Pages MkDocs rendered before: Python-Markdown's HTML kept in mortem's cache between builds.

Converting the Markdown is half of an archive site's build. A page whose Markdown, place
and surroundings are exactly as in an earlier build gets that build's HTML back, with what
MkDocs learned while rendering it (its table of contents, title and anchors, and its links
to other pages' anchors, which MkDocs checks once every page is rendered).

What a page's HTML depends on is in its key: its Markdown after every plugin's
`on_page_markdown`, its source and output paths, every file of the build with its URL (a
page's relative links are rewritten to their targets' URLs), the Markdown extensions and
their settings, the link validation settings, the log levels, and the versions of MkDocs,
Python-Markdown, pymdown-extensions and Material (mortem's own version and settings are in
the cache's salt). A page whose rendering logged anything, a broken link's warning for
instance, is never kept: the next build renders it again and says it again, so `--strict`
fails every time, not only the first. A `--verbose` build does not use the cache at all, nor
does a site with a Markdown extension not known to read nothing but the page
(pymdownx.snippets, for one, includes other files, which a kept page could not see change).
"""

from __future__ import annotations

import logging
import os
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from mortem.cache import Store, digest, open_store
from mortem.config import Config

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import AnchorLink, TableOfContents

    from mortem.parallel import Handoff

KIND = "rendered"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_FORMAT = "rendered 1"
# Loggers a page's rendering may speak through: MkDocs (link and anchor checks) and
# Python-Markdown; the root sees whatever an extension logs elsewhere.
_LOGGERS = ("mkdocs", "MARKDOWN", "")
_VERSIONED = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material", "pygments")
# Markdown extensions whose HTML follows from the page's Markdown and their settings alone. A
# site with any other (pymdownx.snippets and b64 read other files; an extension object a
# plugin adds is unknown) renders every page every time: a kept page could not see those
# files change.
_MARKDOWN_PURE = (
    "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code", "footnotes",
    "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc",
    "wikilinks",
)  # fmt: skip
_PYMDOWNX_PURE = (
    "arithmatex", "betterem", "blocks.admonition", "blocks.definition", "blocks.details", "blocks.html",
    "blocks.tab", "caret", "critic", "details", "emoji", "escapeall", "extra", "fancylists", "highlight",
    "inlinehilite", "keys", "magiclink", "mark", "pathconverter", "progressbar", "saneheaders",
    "smartsymbols", "striphtml", "superfences", "tabbed", "tasklist", "tilde",
)  # fmt: skip
_PURE_EXTENSIONS = frozenset(
    (
        *(f"markdown.extensions.{name}" for name in _MARKDOWN_PURE),
        *(f"pymdownx.{name}" for name in _PYMDOWNX_PURE),
        "material.extensions.emoji",
    )
)

# One page's rendering: HTML, table of contents as nested (title, id, level, children),
# title, anchor ids, and links to other pages' anchors as (target source, anchor, link).
TocEntry = tuple[str, str, int, tuple[Any, ...]]
AnchorLinks = tuple[tuple[str, str, str], ...]
Rendered = tuple[str, tuple[TocEntry, ...], str | None, tuple[str | None, ...], AnchorLinks | None]


# Below this many pages, forking a worker costs more than the pages it renders.
MIN_AHEAD_PAGES = 200


def rendered_pages(config: Config) -> RenderedPages:
    """This build's use of kept pages (none when mortem's cache is off) and of pages
    rendered ahead on a second core."""
    return RenderedPages(open_store(config))


class _Heard(logging.Handler):
    """Notes that something was logged, whatever it was."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.anything = False

    def emit(self, record: logging.LogRecord) -> None:
        self.anything = True


@dataclass
class _Pending:
    key: str
    heard: _Heard


@dataclass
class _Ahead:
    """The pages a forked worker renders while MkDocs renders the others here: the last
    pages in MkDocs's order, WORKER_SHARE of the build's Markdown. Converting Markdown is
    two fifths of a site's build without the cache, and MkDocs converts one page at a time.
    The worker hands each page over as soon as it has rendered it (mortem.parallel.Handoff),
    and the two share its pages as they go: when MkDocs reaches one the worker has not begun,
    it renders that page itself, and after waiting for one, it takes the next one too, so
    neither idles while the other has pages left (before, this process waited for the
    worker's whole half, 0.11-0.29 s of a build of 1,000, then took it back on one core).
    A page whose rendering logged anything (a broken link) is left to MkDocs, which says it
    here."""

    positions: dict[str, int]  # the worker's pages by source: their place in its list
    handoff: Handoff

    def get(self, source: str, markdown: str) -> Rendered | None:
        """The page's rendering, if the worker made it from this very Markdown; None when
        MkDocs is to render it here."""
        position = self.positions.pop(source, None)
        if position is None:
            return None
        data = self.handoff.take(position)
        if not self.positions:  # the last of its pages: the worker, and what it holds, can go
            self.handoff.close()
        if data is None:
            return None
        try:
            made, rendering = pickle.loads(data)  # from this process's own worker
        except Exception:
            return None
        return rendering if made == markdown and _is_rendered(rendering) else None


@dataclass
class RenderedPages:
    """One build's use of the cache and of pages rendered ahead: `before` each page is
    rendered, `after` it."""

    store: Store | None
    refused: str | None = None  # why this build renders every page, once known
    surroundings: str = ""  # "" until the first page: what every page's key holds
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _found: dict[str, tuple[str, Rendered]] = field(default_factory=dict)
    _ahead: _Ahead | None = None
    _may_ahead: bool = False  # until the first page the cache lacks, when the worker starts
    pages: int = 0  # pages this build asked for
    reused: int = 0  # of them, those the cache had
    ahead: int = 0  # of them, those rendered ahead by the worker

    def before(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The Markdown MkDocs should render: an empty page when the cache has its HTML, or
        the worker rendering ahead does."""
        if not self.surroundings and self.refused is None:
            self.refused = _refusal(config)
            if self.refused is None:
                self.surroundings = _surroundings(config, files)
                self._may_ahead = True
        if self.refused is not None:
            return markdown
        self.pages += 1
        source = page.file.src_uri
        key = self._key(markdown, page)
        found = self.store.get(KIND, key) if self.store is not None else None
        if _is_rendered(found):
            self._found[source] = (markdown, found)
            self.reused += 1
            return ""  # rendering nothing costs next to nothing; `after` puts the page back
        if self._may_ahead:  # a build that takes every page from the cache forks nothing
            self._may_ahead = False
            self._ahead = _render_ahead(config, files, self._kept, page)
        ahead = self._ahead.get(source, markdown) if self._ahead is not None else None
        if ahead is not None:
            self._found[source] = (markdown, ahead)
            self.ahead += 1
            if self.store is not None:
                self.store.put(KIND, key, ahead)
            return ""
        if self.store is None:
            return markdown
        heard = _Heard()
        for name in _LOGGERS:
            logging.getLogger(name).addHandler(heard)
        self._pending[source] = _Pending(key, heard)
        return markdown

    def _key(self, markdown: str, page: Page) -> str:
        file = page.file
        return digest((_FORMAT, self.surroundings, file.src_uri, file.dest_uri, file.url, markdown))

    def _kept(self, markdown: str, page: Page) -> bool:
        """Whether the cache holds the page's HTML (the worker rendering ahead skips it)."""
        return self.store is not None and self.store.has(KIND, self._key(markdown, page))

    def after(self, html: str, page: Page, files: Files) -> str:
        """The page's HTML: kept for the next build, or the kept HTML put back."""
        source = page.file.src_uri
        if source in self._found:
            markdown, (kept, toc, title, anchors, links) = self._found.pop(source)
            page.markdown = markdown
            page.toc = _toc(toc)
            page._title_from_render = title
            page.present_anchor_ids = cast("set[str]", set(anchors))  # as MkDocs made it, None too
            if links is not None:
                page.links_to_anchors = _links_to_anchors(links, files)
            return kept
        pending = self._pending.pop(source, None)
        if pending is None:
            return html
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(pending.heard)
        if not pending.heard.anything and self.store is not None:
            self.store.put(KIND, pending.key, _rendering(html, page))
        return html

    def finish(self) -> str | None:
        """After a build, or a failed one: stop listening, drop entries long unused, and say
        what the build reused (None when it rendered no page), for the hook to log."""
        for pending in self._pending.values():
            for name in _LOGGERS:
                logging.getLogger(name).removeHandler(pending.heard)
        self._pending.clear()
        self._found.clear()
        if self._ahead is not None:
            self._ahead.handoff.close()
            self._ahead = None
        if self.store is not None:
            self.store.prune(KIND, self.pages)
        if self.refused is not None:
            return f"every page rendered afresh: {self.refused}" if self.store is not None else None
        said = (
            [f"{self.reused} of {self.pages} pages reused from the cache"] if self.store is not None else []
        )
        if self.ahead:
            of = "" if said else f" of {self.pages} pages"
            said.append(f"{self.ahead}{of} rendered ahead on a second core")
        return ", ".join(said) if said and self.pages else None


def _refusal(config: MkDocsConfig) -> str | None:
    """Why this build may not use kept pages, or None when it may."""
    if logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG):
        return "a --verbose build renders every page, to log all it does"
    if not all(map(_is_pure, config.markdown_extensions)):
        return "a Markdown extension in mkdocs.yml may read other files, which a kept page could not follow"
    return None


def _render_ahead(
    config: MkDocsConfig, files: Files, kept: Callable[[str, Page], bool], current: Page
) -> _Ahead | None:
    """Start a worker on the later pages after `current` (but those `kept` in the cache),
    when there are enough of them and no plugin but mortem's hook reads or changes a page
    before it is rendered (the worker renders each page's source as read)."""
    from mortem.parallel import Handoff

    events = config.plugins.events
    if events["pre_page"] or events["page_read_source"] or len(events["page_markdown"]) > 1:
        return None
    pages = [file.page for file in files.documentation_pages() if file.page is not None]
    after = pages[next((i + 1 for i, page in enumerate(pages) if page is current), 0) :]
    if len(after) < MIN_AHEAD_PAGES:
        return None
    later = _later_share(after, WORKER_SHARE)
    if not later:
        return None
    handoff = Handoff.start(lambda handoff: _render_handing(later, config, files, kept, handoff), len(later))
    if handoff is None:
        return None
    return _Ahead({page.file.src_uri: position for position, page in enumerate(later)}, handoff)


# The worker's share of the Markdown, by size; the two share the last of its pages as they
# go (_Ahead). In alternating builds of 1,000 postmortems, handing over page by page with
# a half took 0.40 s less than the worker's whole half at once (medians of ten pairs, eight
# quicker); with 0.6, this process reached the worker's pages sooner and took 0.28 s more.
WORKER_SHARE = 0.5


def _later_share(pages: list[Page], share: float) -> list[Page]:
    """The last pages, weighing together about `share` of all: converting a page takes time
    roughly in proportion to its source's size. mortem's section pages come first and
    are the largest (the follow-through list of 1,000 postmortems is 590 KB, a postmortem
    about 4 KB): sharing by count left this process a third more to convert than the
    worker, which then waited."""
    weights = [_size(page.file) for page in pages]
    wanted, taken, start = sum(weights) * share, 0, len(pages)
    while start > 1 and taken + weights[start - 1] <= wanted:
        start -= 1
        taken += weights[start]
    return pages[start:]


def _size(file: File) -> int:
    """The size of a page's source, without reading a file from disk."""
    path = file.abs_src_path
    if path is None:
        return len(file.content_bytes)  # generated: held in memory
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # MkDocs will say why when it reads the page


def _render_handing(
    pages: list[Page], config: MkDocsConfig, files: Files, kept: Callable[[str, Page], bool], handoff: Handoff
) -> int:
    """In the worker: each page it claims rendered and handed over (_rendered_page). What
    the worker logs goes nowhere: MkDocs says it when it renders that page itself. The
    number of pages handed over."""
    heard = hush_worker()
    return handoff.make_each(lambda position: _rendered_page(pages[position], config, files, kept, heard))


def _rendered_page(
    page: Page, config: MkDocsConfig, files: Files, kept: Callable[[str, Page], bool], heard: _Heard
) -> bytes | None:
    """The page rendered, with the Markdown it was rendered from, to hand over; None (left
    to the other process) when the cache keeps it, its rendering logged or failed, or
    something of it cannot be sent."""
    heard.anything = False
    try:
        page.read_source(config)
        markdown = page.markdown
        if markdown is None or kept(markdown, page):
            return None
        page.render(config, files)
    except Exception:  # MkDocs meets it again here, and reports it
        return None
    if page.content is None or heard.anything:
        return None
    try:
        return pickle.dumps((markdown, _rendering(page.content, page)), pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


def hush_worker() -> _Heard:
    """In a forked worker: what MkDocs and Python-Markdown log goes nowhere, but the
    returned handler notes that something was (MkDocs says it when this process does that
    page's work itself)."""
    heard = _Heard()
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [heard]
        logger.propagate = False
    return heard


def _surroundings(config: MkDocsConfig, files: Files) -> str:
    """What every page's HTML depends on besides its own Markdown and place."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in _VERSIONED:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} absent")
    levels = [str(logging.getLogger(name).getEffectiveLevel()) for name in _LOGGERS]
    every_file = sorted(f"{f.src_uri}\0{f.dest_uri}\0{f.url}\0{f.inclusion}" for f in files)
    return digest(
        (
            *versions,
            *levels,
            repr(config.markdown_extensions),
            _ADDRESS.sub("", repr(config.mdx_configs)),  # a slugify function's, not its address
            repr(config.validation),
            repr(config.use_directory_urls),
            *every_file,
        )
    )


def _is_pure(extension: object) -> bool:
    if not isinstance(extension, str):
        return False
    name = extension if "." in extension else f"markdown.extensions.{extension}"
    return name in _PURE_EXTENSIONS


def _rendering(html: str, page: Page) -> Rendered:
    links = page.links_to_anchors
    return (
        html,
        tuple(_entry(link) for link in page.toc or ()),
        page._title_from_render,
        tuple(page.present_anchor_ids or ()),  # an id-less raw <a name> adds None
        None
        if links is None
        else tuple(
            (target.src_uri, anchor, link) for target, kept in links.items() for anchor, link in kept.items()
        ),
    )


def _entry(link: AnchorLink) -> TocEntry:
    return (link.title, link.id, link.level, tuple(_entry(child) for child in link.children))


def _toc(entries: tuple[TocEntry, ...]) -> TableOfContents:
    from mkdocs.structure.toc import get_toc

    def token(entry: TocEntry) -> Any:
        title, anchor, level, children = entry
        return {"name": title, "id": anchor, "level": level, "children": [token(c) for c in children]}

    return get_toc([token(entry) for entry in entries])


def _links_to_anchors(links: tuple[tuple[str, str, str], ...], files: Files) -> dict[Any, dict[str, str]]:
    found: dict[Any, dict[str, str]] = {}
    for source, anchor, link in links:
        target = files.get_file_from_path(source)
        if target is not None:  # the key holds every file, so the target is still there
            found.setdefault(target, {})[anchor] = link
    return found


def _is_rendered(value: object) -> TypeGuard[Rendered]:
    """An entry as _rendering writes it, checked whole before the page is left unrendered."""
    if not (isinstance(value, tuple) and len(value) == 5):
        return False
    html, toc, title, anchors, links = value
    return (
        isinstance(html, str)
        and isinstance(toc, tuple)
        and all(map(_is_toc_entry, toc))
        and (title is None or isinstance(title, str))
        and isinstance(anchors, tuple)
        and all(a is None or isinstance(a, str) for a in anchors)
        and (links is None or (isinstance(links, tuple) and all(map(_is_anchor_link, links))))
    )


def _is_toc_entry(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 4
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and isinstance(value[2], int)
        and isinstance(value[3], tuple)
        and all(map(_is_toc_entry, value[3]))
    )


def _is_anchor_link(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 3 and all(isinstance(part, str) for part in value)
