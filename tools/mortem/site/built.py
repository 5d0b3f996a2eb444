"""Pages whose theme template a forked worker fills and writes while MkDocs does the others.

Once every page is converted, MkDocs fills the theme's template for one page at a time: with
Material, 1.7 ms a page, and 0.95 ms more for the search plugin to index it; with writing
the pages, 4.4-4.5 s of a 10.5 s build of 1,000 postmortems without mortem's cache, and
more of one with it. In a build of 200 pages or more, when every page is converted
(`on_env`), a forked worker fills the template of the later pages, in order and as MkDocs
would, and writes each into the site as MkDocs would (mkdocs.utils.write_file), then says
so (mortem.parallel.Handoff). MkDocs gives each of those pages an empty template (the
`template` a page's meta may name, put back once the page is built), still indexes it for
search, and writes nothing for it (`on_post_page` returns no HTML, and the "Page skipped"
note MkDocs then logs for it is left out), taking each page as soon as the worker has
written it. The two share the pages as they go (claims, mortem.parallel.Handoff): when
MkDocs reaches a page (`page_context`), it takes that page if the worker has not begun it,
or the next one if the worker is on it, and after any wait for the worker one more; it
fills those here, so that neither idles while the other has pages left. A page the worker could not
fill or write without logging or failing is filled here too, from the same context, so that
what it says is said once.

It is used only where mortem knows everything that acts on a page at that stage: in
`mkdocs build` (not `serve`, which shows drafts, nor a --dirty build), with nothing but a
search plugin (MkDocs's or Material's) at `page_context` besides mortem, nothing but mortem
at `post_page` and `env`, and mortem last at `nav` (so that the worker has the navigation
MkDocs builds with).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mortem.site import Started, whole_build
from mortem.site.rendered import MIN_AHEAD_PAGES, hush_worker

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from mortem.parallel import Handoff

# The worker's share of the pages, by count. For each of its pages the worker fills the
# template, while this process indexes the page for search and writes it, taking each as
# soon as the worker has it. At 10,000 postmortems this stage took 16.2 s with 0.8, 18.4 s
# with 0.7 and 17.1 s with 0.9 (20.3 s with 0.75 when the worker indexed each page too); at
# 1,000, 0.75 to 0.92 were alike within the noise, about 2.4-2.6 s, against 4.4-4.5 s in one
# process.
WORKER_SHARE = 0.8
BLANK = "mortem-filled-ahead.html"  # the empty template MkDocs fills for the worker's pages
_SEARCH_PLUGINS = ("mkdocs.contrib.search", "material.plugins.search.plugin")


@dataclass
class FilledAhead:
    """The later pages of one build, filled into the theme's template by a forked worker."""

    env: Environment
    positions: dict[str, int]  # the worker's pages by source: their place in its list
    templates: dict[str, object]  # their own `template` meta (_NONE if unset), put back
    handoff: Handoff
    contexts: dict[str, Any] = field(default_factory=dict)  # for a page filled here after all
    taken: int = 0  # pages the worker filled and wrote
    quiet: _WrittenAhead = field(default_factory=lambda: _WrittenAhead())

    def context(self, context: Any, page: Page) -> Any:
        """At `page_context` (after every plugin): keep the context of the worker's pages, in
        case one is filled here after all; and take this page or the next one, if the worker
        has not begun it, to fill here (at `post_page`) rather than wait for the worker."""
        position = self.positions.get(page.file.src_uri)
        if position is not None:
            self.contexts[page.file.src_uri] = context
            self.handoff.claim_ahead(position)
        return context

    def html(self, output: str, page: Page) -> str:
        """At `post_page`: nothing for MkDocs to write for one of the worker's pages (MkDocs
        filled the empty template; the worker wrote the page), or the page filled here when
        the worker did not."""
        source = page.file.src_uri
        position = self.positions.pop(source, None)
        if position is None:
            return output
        template = self.templates.pop(source)
        if template is _NONE:
            del page.meta["template"]
        else:
            page.meta["template"] = template
        context = self.contexts.pop(source)
        if self.handoff.take(position) is not None:  # None: this process is to fill it
            self.taken += 1
            self.quiet.expect(source)
            return ""
        return self.env.get_template(_template_name(page)).render(context)

    def finish(self) -> str | None:
        """After the build, or a failed one: end the worker if still running, drop what it
        handed over, and say how many pages it filled (for the hook to log)."""
        self.handoff.close()
        logging.getLogger(_BUILD_LOGGER).removeFilter(self.quiet)
        return f"{self.taken} filled into the theme on a second core" if self.taken else None


_BUILD_LOGGER = "mkdocs.commands.build"  # where MkDocs notes each page it writes nothing for


class _WrittenAhead(logging.Filter):
    """Leaves out MkDocs's note that a page "generated empty output" for the pages the worker
    wrote: nothing was skipped. Any other record passes."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: set[str] = set()

    def expect(self, source: str) -> None:
        self.notes.add(f"Page skipped: '{source}'. Generated empty output.")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno != logging.INFO or record.getMessage() not in self.notes


_NONE = object()


def fill_ahead(
    config: MkDocsConfig,
    env: Environment,
    files: Files,
    nav: Navigation | None,
    started: Started,
    hook: str,
) -> FilledAhead | None:
    """At `on_env` (mortem's `hook` module, which saw the `nav` and what the build was
    `started` for: the command, and whether --dirty): start a worker filling the later
    pages' template, and give those pages the empty one here. None when the build is not
    one this can do exactly as MkDocs would (see the module), or has too few pages to gain."""
    from mkdocs.structure.files import InclusionLevel

    if nav is None or not whole_build(started) or not _known_handlers(config, hook):
        return None
    built = files.documentation_pages(inclusion=InclusionLevel.is_included)
    pages = [file.page for file in built if file.page is not None]
    if len(pages) < MIN_AHEAD_PAGES or len(pages) != len(built):
        return None
    from mortem.parallel import Handoff

    later = pages[len(pages) - int(len(pages) * WORKER_SHARE) :]
    handoff = Handoff.start(lambda handoff: _fill(later, config, env, nav, built, handoff), len(later))
    if handoff is None:
        return None
    _add_blank(env)
    templates = {}
    for page in later:
        templates[page.file.src_uri] = page.meta.get("template", _NONE)
        page.meta["template"] = BLANK
    positions = {page.file.src_uri: position for position, page in enumerate(later)}
    filled = FilledAhead(env, positions, templates, handoff)
    logging.getLogger(_BUILD_LOGGER).addFilter(filled.quiet)
    return filled


def _known_handlers(config: MkDocsConfig, hook: str) -> bool:
    """Whether nothing but mortem's hook acts at `env` and `post_page`, nothing but it and a
    search plugin at `page_context`, and its hook is the last to see the `nav`."""
    events = config.plugins.events

    def mortem(handler: object) -> bool:
        return getattr(handler, "__module__", None) == hook

    return (
        bool(events["nav"])
        and mortem(events["nav"][-1])
        and all(map(mortem, events["env"]))
        and all(map(mortem, events["post_page"]))
        and all(mortem(handler) or _is_search(handler) for handler in events["page_context"])
    )


def _is_search(handler: object) -> bool:
    """Whether an event handler is MkDocs's or Material's search plugin's."""
    return type(getattr(handler, "__self__", None)).__module__ in _SEARCH_PLUGINS


def _add_blank(env: Environment) -> None:
    """Teach the theme's environment the empty template (loaded before the theme's own)."""
    from jinja2 import ChoiceLoader, DictLoader

    env.loader = ChoiceLoader([DictLoader({BLANK: ""}), *([env.loader] if env.loader else [])])


def _template_name(page: Page) -> str:
    return str(page.meta.get("template", "main.html"))


def _fill(
    pages: list[Page],
    config: MkDocsConfig,
    env: Environment,
    nav: Navigation,
    built: Sequence[File],
    handoff: Handoff,
) -> int:
    """In the worker: each page it claims filled as MkDocs fills it (mkdocs.commands.build
    ._build_page) and written where and as MkDocs writes it, then handed over (as no bytes)
    by its place in `pages`; or left to the other process when filling or writing it logged
    or failed. The number of pages written."""
    from mkdocs.commands.build import get_context
    from mkdocs.utils import write_file

    heard = hush_worker()

    def fill(position: int) -> bytes | None:
        page = pages[position]
        heard.anything = False
        config._current_page = page
        page.active = True
        try:
            context = get_context(nav, built, config, page)
            template = env.get_template(_template_name(page))
            context = _page_context(context, page, config, nav)
            html = template.render(context)
        except Exception:  # MkDocs meets it again in the other process, and reports it
            html = ""
        finally:
            page.active = False
            config._current_page = None
        if heard.anything or not html.strip():
            return None
        try:
            write_file(html.encode("utf-8", errors="xmlcharrefreplace"), page.file.abs_dest_path)
        except OSError:  # MkDocs writes it again in the other process, and reports it
            return None
        return b""  # written: nothing more to hand over

    return handoff.make_each(fill)


def _page_context(context: Any, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
    """The plugins' `page_context` as MkDocs runs it, less the search plugins' when the page's
    HTML has no `data-search-` attribute. A search plugin indexes the page (for nothing, in
    the worker: this process indexes it too) and, Material's, strips those attributes from
    the HTML: without them, skipping it changes nothing the worker fills. Indexing was a
    third of each page's time in the worker."""
    if "data-search-" in (page.content or ""):
        return config.plugins.on_page_context(context, page=page, config=config, nav=nav)
    for handler in config.plugins.events["page_context"]:
        if not _is_search(handler):
            result = handler(context, page=page, config=config, nav=nav)
            if result is not None:  # as MkDocs runs an event: None keeps the context
                context = result
    return context
