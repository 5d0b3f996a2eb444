"""Assemble every page of the site from the analysis functions and the renderers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from mortem.analysis import actions, metrics, response
from mortem.analysis.patterns import MIN_RELATED_PARTS, Link, find_patterns, related_by_position
from mortem.config import Config
from mortem.model import Postmortem
from mortem.parallel import from_both_ends
from mortem.render import exports, markup, paths, report_pages, site_pages
from mortem.render.postmortem_page import postmortem_page
from mortem.render.rules import rule_markdown
from mortem.rules import ALL_RULES
from mortem.site import Page


def all_pages(docs: Sequence[Postmortem], config: Config, today: date) -> list[Page]:
    # A tuple, which cannot change: the analysis behind `related` indexes it once, not per page.
    docs = tuple(docs)
    notes = notes_text(config)

    def others() -> tuple[list[Page], list[Page]]:
        """The pages that show no related incidents: made while a worker finds those, from
        the last postmortem back, before this process finds them from the first one on."""
        before = [*_lists(docs, today, notes is not None), *notes_page(notes)]
        return before, [*_reports(docs, config, today), *_rules(), *_exports(docs, today)]

    related = related_by_position(docs, config, RELATED_SHOWN)
    by_id = {d.id: d for d in docs}

    def postmortem(index: int) -> Page:
        """A postmortem's page whole, its related incidents found, on whichever core finds
        them: the pages are made with them, not after, on one core."""
        return _chrome(_postmortem(docs[index], by_id, related(index), config, today))

    made, (before, after) = from_both_ends(len(docs), postmortem, others, MIN_RELATED_PARTS)
    return [*map(_chrome, before), *made, *map(_chrome, after)]


def notes_text(config: Config) -> str | None:
    """The small-events log, published as written (each line is a dated one-liner)."""
    try:
        return (config.archive_dir / paths.NOTES).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def notes_page(notes: str | None) -> list[Page]:
    return [Page(paths.NOTES, notes)] if notes is not None else []


def _chrome(page: Page) -> Page:
    if not page.path.endswith(".md"):
        return page
    # The archive tables have no headings to list, and need the width.
    parts = ("navigation", "toc") if page.path.startswith("archive/") else ("navigation",)
    return Page(page.path, markup.hide(parts, page.text, searchable=_searchable(page.path)))


def _searchable(path: str) -> bool:
    """Search should land on the postmortem itself. The archive lists, follow-through, the
    patterns and the metrics only repeat what the postmortem pages say (titles, root-cause
    categories, owners, action items, times) or hold chart labels, so in the index they would
    match nearly every query ahead of the page that answers it; and indexing them was a large
    share of the build time of a big archive. They stay one click away in the navigation."""
    return not (path.startswith("archive/") or path in (paths.FOLLOW_THROUGH, paths.METRICS, paths.PATTERNS))


def _lists(docs: Sequence[Postmortem], today: date, notes: bool) -> Iterator[Page]:
    open_rows = actions.open_actions(docs, today)
    late = actions.overdue(open_rows)
    yield Page(paths.HOME, site_pages.home(docs, metrics.summary(docs, today), open_rows, late, notes))
    by_service, by_severity = _facets(docs)
    yield Page(paths.ARCHIVE, site_pages.archive_index(docs, list(by_service), list(by_severity)))
    for service, chosen in by_service.items():
        here = paths.service_path(service)
        yield Page(here, site_pages.filtered_index("Service", service, chosen, here))
    for severity, chosen in by_severity.items():
        here = paths.severity_path(severity)
        yield Page(here, site_pages.filtered_index("Severity", severity, chosen, here))
    yield Page(paths.FOLLOW_THROUGH, site_pages.follow_through(actions.by_owner(open_rows), len(late), today))


def _facets(
    docs: Sequence[Postmortem],
) -> tuple[dict[str, list[Postmortem]], dict[str, list[Postmortem]]]:
    """Each service's and each severity's postmortems, by name: the pages the site makes for
    them and the links the archive page gives to those pages, decided once. One pass, not
    one per service: an archive grows services as it grows."""
    by_service: dict[str, list[Postmortem]] = {}
    by_severity: dict[str, list[Postmortem]] = {}
    for doc in docs:
        for service in dict.fromkeys(doc.services):
            by_service.setdefault(service, []).append(doc)
        if doc.severity:
            by_severity.setdefault(doc.severity, []).append(doc)
    return dict(sorted(by_service.items())), dict(sorted(by_severity.items()))


# The three most similar incidents: the strongest signal of a recurrence, and a short list to
# read (the first three of the five `mortem related ID` prints).
RELATED_SHOWN = 3


def _postmortem(
    doc: Postmortem, by_id: Mapping[str, Postmortem], links: Sequence[Link], config: Config, today: date
) -> Page:
    shown = [(by_id[link.other], link.reasons) for link in links if link.other in by_id]
    cost = response.cost_usd(doc, config)
    return Page(paths.postmortem_path(doc.id), postmortem_page(doc, today, shown, cost))


def _reports(docs: Sequence[Postmortem], config: Config, today: date) -> Iterator[Page]:
    by_id = {d.id: d for d in docs}
    yield Page(paths.PATTERNS, report_pages.patterns_page(find_patterns(docs, config), by_id, today))
    yield Page(
        paths.METRICS,
        report_pages.metrics_page(
            metrics.incident_times(docs),
            metrics.incidents_per_month(docs, today),
            metrics.actions_per_month(docs, today),
            response.response_report(docs, config, by="quarter").periods,
        ),
    )


def _rules() -> Iterator[Page]:
    yield Page(paths.RULES, site_pages.rules_index(ALL_RULES))
    for rule in ALL_RULES:
        yield Page(paths.rule_path(rule.code), rule_markdown(rule))


def _exports(docs: Sequence[Postmortem], today: date) -> Iterator[Page]:
    rows = actions.action_rows(docs, today)
    yield Page(paths.EXPORTS, exports.exports_page())
    yield Page(paths.INCIDENTS_JSON, exports.incidents_json(docs))
    yield Page(paths.ACTIONS_JSON, exports.actions_json(rows, today))
    yield Page(paths.ACTIONS_ICS, exports.actions_ics(rows, today))
