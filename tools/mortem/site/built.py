"""Pages whose theme template a forked worker fills while MkDocs fills the others.

Once every page is converted, MkDocs fills the theme's template for one page at a time: with
Material, 1.7 ms a page, and 0.95 ms more for the search plugin to index it; a third of a
build of 1,000 postmortems without mortem's cache, and more of one with it. In a build of
200 pages or more, when every page is converted (`on_env`), a forked worker fills the
template of the later pages, in order and as MkDocs would, each into a file of a scratch
folder. MkDocs gives each of those pages an empty template (the `template` a page's meta
may name, put back once the page is built), still indexes it for search, and writes the
worker's HTML (`on_post_page`), taking each page as soon as the worker has it. A page the
worker could not fill without logging or failing is filled here instead, from the same
context, so that what it says is said once.

It is used only where mortem knows everything that acts on a page at that stage: in
`mkdocs build` (not `serve`, which shows drafts, nor a --dirty build), with nothing but a
search plugin (MkDocs's or Material's) at `page_context` besides mortem, and nothing but
mortem at `post_page` and `env`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mortem.site.rendered import MIN_AHEAD_PAGES, hush_worker

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from mortem.parallel import Background

# The worker's share of the pages, by count. For each of its pages the worker fills the
# template and indexes the page (the search plugin changes the HTML it indexes), while this
# process still indexes it and writes it, taking each as soon as the worker has it. At 1,000
# postmortems this stage took 2.9-3.0 s with three quarters, 3.1 s with 0.65 and 3.3 s with
# 0.85, against 4.4-4.5 s in one process.
WORKER_SHARE = 0.75
BLANK = "mortem-filled-ahead.html"  # the empty template MkDocs fills for the worker's pages
_WAIT = 0.002  # seconds between looks for a page the worker has not finished yet
_COMMANDS = ("build", "gh-deploy")
_SEARCH_PLUGINS = ("mkdocs.contrib.search", "material.plugins.search.plugin")


@dataclass
class FilledAhead:
    """The later pages of one build, filled into the theme's template by a forked worker."""

    env: Environment
    positions: dict[str, int]  # the worker's pages by source: their place in its list
    templates: dict[str, object]  # their own `template` meta (_NONE if unset), put back
    background: Background[int]
    scratch: Path
    contexts: dict[str, Any] = field(default_factory=dict)  # for a page filled here after all
    taken: int = 0  # pages built from the worker's HTML

    def context(self, context: Any, page: Page) -> Any:
        """At `page_context` (after every plugin): keep the context of the worker's pages, in
        case one is filled here after all."""
        if page.file.src_uri in self.positions:
            self.contexts[page.file.src_uri] = context
        return context

    def html(self, output: str, page: Page) -> str:
        """At `post_page`: the worker's HTML for one of its pages (MkDocs filled the empty
        template), or the page filled here when the worker could not."""
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
        html = self._from_worker(position)
        if html is not None:
            self.taken += 1
            return html
        return self.env.get_template(_template_name(page)).render(context)

    def _from_worker(self, position: int) -> str | None:
        """The worker's HTML for its page at `position`, waiting for it; None when the worker
        left that page (it logged or failed there) or ended without it."""
        filled, left = self.scratch / f"{position}.html", self.scratch / f"{position}.left"
        while True:
            ended = self.background.done()  # before looking: a page written just before counts
            try:
                return filled.read_bytes().decode("utf-8")
            except FileNotFoundError:
                pass
            except (OSError, UnicodeDecodeError):
                return None
            if ended or left.exists():
                return None
            time.sleep(_WAIT)

    def finish(self) -> str | None:
        """After the build, or a failed one: end the worker if still running, drop the
        scratch folder, and say how many pages the worker filled (for the hook to log)."""
        if self.background.done():
            self.background.result()  # lets its pool go
        else:
            self.background.cancel()
        shutil.rmtree(self.scratch, ignore_errors=True)
        return f"{self.taken} filled into the theme on a second core" if self.taken else None


_NONE = object()


def fill_ahead(
    config: MkDocsConfig,
    env: Environment,
    files: Files,
    nav: Navigation | None,
    started: tuple[str, bool] | None,
    hook: str,
) -> FilledAhead | None:
    """At `on_env` (mortem's `hook` module, which saw the `nav` and what the build was
    `started` for: the command, and whether --dirty): start a worker filling the later
    pages' template, and give those pages the empty one here. None when the build is not
    one this can do exactly as MkDocs would (see the module), or has too few pages to gain."""
    from mkdocs.structure.files import InclusionLevel

    if nav is None or started is None or not _known_handlers(config, hook):
        return None
    command, dirty = started
    if command not in _COMMANDS or dirty:
        return None
    built = files.documentation_pages(inclusion=InclusionLevel.is_included)
    pages = [file.page for file in built if file.page is not None]
    if len(pages) < MIN_AHEAD_PAGES or len(pages) != len(built):
        return None
    later = pages[len(pages) - int(len(pages) * WORKER_SHARE) :]
    scratch = Path(tempfile.mkdtemp(prefix="mortem-filled-"))
    background = _start(lambda: _fill(later, config, env, nav, built, scratch))
    if background is None:
        shutil.rmtree(scratch, ignore_errors=True)
        return None
    _add_blank(env)
    templates = {}
    for page in later:
        templates[page.file.src_uri] = page.meta.get("template", _NONE)
        page.meta["template"] = BLANK
    positions = {page.file.src_uri: position for position, page in enumerate(later)}
    return FilledAhead(env, positions, templates, background, scratch)


def _start(work: Callable[[], int]) -> Background[int] | None:
    from mortem.parallel import in_background

    return in_background(work)


def _known_handlers(config: MkDocsConfig, hook: str) -> bool:
    """Whether nothing but mortem's hook acts at `env` and `post_page`, nothing but it and a
    search plugin at `page_context`, and its hook is the last to see the `nav`."""
    events = config.plugins.events

    def mortem(handler: object) -> bool:
        return getattr(handler, "__module__", None) == hook

    def search(handler: object) -> bool:
        return type(getattr(handler, "__self__", None)).__module__ in _SEARCH_PLUGINS

    return (
        bool(events["nav"])
        and mortem(events["nav"][-1])
        and all(map(mortem, events["env"]))
        and all(map(mortem, events["post_page"]))
        and all(mortem(handler) or search(handler) for handler in events["page_context"])
    )


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
    scratch: Path,
) -> int:
    """In the worker: each page's template filled as MkDocs fills it (mkdocs.commands.build
    ._build_page), written to the scratch folder by its place in `pages` (whole, by a rename,
    so that a file there is finished), or a mark that the page was left because filling it
    logged or failed. The number of pages filled."""
    from mkdocs.commands.build import get_context

    heard = hush_worker()
    filled = 0
    for position, page in enumerate(pages):
        heard.anything = False
        config._current_page = page
        page.active = True
        try:
            context = get_context(nav, built, config, page)
            template = env.get_template(_template_name(page))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            html = template.render(context)
        except Exception:  # MkDocs meets it again in the other process, and reports it
            html = ""
        finally:
            page.active = False
            config._current_page = None
        if heard.anything or not html.strip():
            (scratch / f"{position}.left").touch()
            continue
        writing = scratch / f".{position}.html"
        writing.write_bytes(html.encode("utf-8", errors="xmlcharrefreplace"))
        writing.rename(scratch / f"{position}.html")
        filled += 1
    return filled
