"""The page generator on small archives: empty, one postmortem, one with no times, hostile text."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from archive_builder import TODAY, Writer

from mortem.config import Config
from mortem.model import Postmortem
from mortem.render import report_pages, site_pages
from mortem.rules import ALL_RULES
from mortem.site import Page, pages, read_archive

Load = Callable[[], list[Postmortem]]
SECTIONS = {
    "index.md",
    "archive/index.md",
    "patterns.md",
    "metrics.md",
    "follow-through.md",
    "rules/index.md",
    "exports.md",
    "incidents.json",
    "actions.json",
    "actions.ics",
}


def by_path(generated: list[Page]) -> dict[str, str]:
    result = {p.path: p.text for p in generated}
    assert len(result) == len(generated), "two pages share a path"
    return result


def body(text: str) -> str:
    """A page without its front matter (MkDocs reads that as page metadata)."""
    return re.sub(r"\A---\n.*?\n---\n\n", "", text, flags=re.DOTALL)


def html(text: str) -> str:
    return markdown.markdown(body(text), extensions=["tables", "admonition", "toc"])


def broken_links(site: dict[str, str]) -> list[str]:
    """Relative Markdown links that point at no generated page."""
    broken = []
    for path, text in site.items():
        if not path.endswith(".md"):
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if resolved not in site:
                broken.append(f"{path} -> {target}")
    return broken


def test_an_empty_archive_still_has_every_section(config: Config, load: Load) -> None:
    site = by_path(pages(load(), config, TODAY))
    assert site.keys() >= SECTIONS
    assert {f"rules/{r.code.lower()}.md" for r in ALL_RULES} <= site.keys()
    assert "No postmortems yet" in site["index.md"]
    assert "<svg" not in site["metrics.md"]
    assert "No incidents recorded yet" in site["metrics.md"]
    assert "No recurring root causes" in site["patterns.md"]
    assert "Nothing open" in site["follow-through.md"]
    assert json.loads(site["incidents.json"]) == {"version": 1, "incidents": []}
    assert "BEGIN:VEVENT" not in site["actions.ics"]
    assert broken_links(site) == []


def test_one_postmortem_gets_its_page_and_a_row_everywhere(write: Writer, config: Config, load: Load) -> None:
    write("2026-10-07", "checkout-deploy")
    site = by_path(pages(load(), config, TODAY))
    page = site["2026-10-07-checkout-deploy.md"]
    assert page.startswith("---\nhide:\n  - navigation\n---\n")
    assert body(page).startswith("# Checkout failed on 2026-10-07\n")
    for fact in (
        "Severity: [SEV2](archive/severity/sev2.md)",
        "Services: [checkout](archive/service/checkout.md)",
        "Time to detect: 7 min",
        "Time to acknowledge: 3 min",
        "Duration: 40 min",
        "users affected 300",
        "## Root cause\n1. Why did checkout fail?",
    ):
        assert fact in page
    # Due 2026-10-07, open, seen from 2026-11-28: 52 days late.
    assert "<strong>overdue by 52 days</strong>" in page
    assert "<strong>overdue by 52 days</strong>" in html(page)  # a raw HTML list, passed through
    assert "## Related incidents\n\nNone found" in page
    assert "archive/service/checkout.md" in site and "archive/severity/sev2.md" in site
    assert "2026-10-07-checkout-deploy.md" in site["archive/index.md"]
    assert "| 40 min | 7 min | 3 min | final |" in site["archive/index.md"]
    assert (
        "[Checkout failed on 2026-10-07](../../2026-10-07-checkout-deploy.md) · SEV2 · checkout · "
        "duration 40 min · detect 7 min · acknowledge 3 min · final" in site["archive/service/checkout.md"]
    )
    assert "1 overdue" in site["follow-through.md"]
    assert "**overdue by 52 days** (due 2026-10-07)" in site["follow-through.md"]
    assert '<a href="https://github.com/fernhill/platform/issues/1">#1</a>' in site["follow-through.md"]
    assert "| Overdue action items | 1 |" in site["index.md"]
    assert site["metrics.md"].count("<svg") == 4
    assert broken_links(site) == []


def test_a_postmortem_with_no_times_recorded_draws_no_time_charts(
    write: Writer, config: Config, load: Load
) -> None:
    write("2026-10-07", "no-times", times={"started": "2026-10-07T12:00:00+00:00"})
    site = by_path(pages(load(), config, TODAY))
    page = site["2026-10-07-no-times.md"]
    assert "Time to detect: —" in page and "Duration: —" in page
    assert "| — | — | — | final |" in site["archive/index.md"]
    metrics = site["metrics.md"]
    assert "No incident records its time to detect yet" in metrics
    assert 'data-chart="time-to-detect"' not in metrics
    assert 'data-chart="incidents-per-month"' in metrics
    assert "| Median time to detect | — |" in site["index.md"]


def test_hostile_front_matter_renders_as_text(write: Writer, config: Config, load: Load) -> None:
    nasty = "<script>alert(1)</script> **bold** [link](http://x) | pipe `code` # hash"
    write(
        "2026-10-07",
        "nasty",
        title=nasty,
        trigger=nasty,
        authors=[nasty],
        root_causes=[{"category": "x", "kind": "prevention", "summary": nasty}],
        action_items=[
            {
                "title": nasty,
                "bucket": "detection",
                "owner": nasty,
                "due": "2026-12-01",
                "link": "javascript:alert(1)",
                "status": "open",
            }
        ],
    )
    site = by_path(pages(load(), config, TODAY))
    for path in ("2026-10-07-nasty.md", "archive/index.md", "follow-through.md", "index.md"):
        rendered = html(site[path])
        assert "<script" not in rendered, path
        assert "<strong>bold</strong>" not in rendered and "<code>code</code>" not in rendered
        assert 'href="http://x"' not in rendered and 'href="javascript' not in rendered, path
        assert "&#60;script&#62;alert&#40;1&#41;" in rendered, path
    # The action items are raw HTML: the title shows as text in its one line, and a link that
    # is not http(s) stays text.
    items = html(site["2026-10-07-nasty.md"]).split('<h2 id="action-items">')[1].split("</ul>")[0]
    assert items.count("<li>") == 1 and "<script" not in items and "<strong>bold" not in items
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](http://x) | pipe `code` # hash" in items
    assert 'href="javascript' not in items and 'href="http://x"' not in items


def test_leading_markdown_markers_are_not_lists(write: Writer, config: Config, load: Load) -> None:
    write("2026-10-07", "markers", title="1. - > not a list")
    rendered = html(by_path(pages(load(), config, TODAY))["index.md"])
    assert "<ol>" not in rendered and "<blockquote>" not in rendered


def test_pages_are_the_same_for_the_same_archive(write: Writer, config: Config, load: Load) -> None:
    write("2026-09-01", "first", related=["2026-10-07-second"])
    write("2026-10-07", "second")
    docs = load()
    assert pages(docs, config, TODAY) == pages(load(), config, TODAY)


def test_related_incidents_come_from_the_pattern_engine(write: Writer, config: Config, load: Load) -> None:
    shared = [
        {
            "category": "manual-deploy-ordering",
            "kind": "prevention",
            "summary": "Migrations are run by hand after the deploy.",
        }
    ]
    write("2026-10-01", "first", root_causes=shared)
    write("2026-10-07", "second", root_causes=shared)
    site = by_path(pages(load(), config, TODAY))
    related = site["2026-10-07-second.md"].split("## Related incidents")[1]
    assert (
        "- 2026-10-01 [Checkout failed on 2026-10-01](2026-10-01-first.md): "
        "same category manual-deploy-ordering" in related
    )
    assert (
        "## manual-deploy-ordering: 2 incidents this quarter, no open prevention items" in site["patterns.md"]
    )
    assert 'data-chart="pattern-per-quarter"' in site["patterns.md"]


def test_read_archive_reports_check_errors_and_keeps_readable_docs(
    write: Writer, archive_dir: Path, config: Config
) -> None:
    write("2026-10-07", "fine")
    (archive_dir / "2026-10-08-broken.md").write_text("---\ntitle: [unclosed\n---\n")
    archive = read_archive(config, TODAY)
    assert [d.id for d in archive.docs] == ["2026-10-07-fine"]
    assert any(f.path.endswith("2026-10-08-broken.md") and f.is_error for f in archive.check.findings)


def test_cost_of_downtime_is_shown_stated_or_estimated(write: Writer, tmp_path: Path, load: Load) -> None:
    config = Config(
        root=tmp_path, archive="postmortems", cost_per_minute=10.0, service_cost_per_minute={"checkout": 25.0}
    )
    write("2026-10-07", "estimated")
    write("2026-10-09", "stated", impact={"users": 300, "cost_usd": 1234})
    site = by_path(pages(load(), config, TODAY))
    # 40 minutes of downtime at checkout's 25 a minute, estimated; the other as written.
    assert (
        "Cost of downtime: $1,000 (estimated: duration × cost per minute)  \n"
        in site["2026-10-07-estimated.md"]
    )
    assert "Cost of downtime: $1,234  \n" in site["2026-10-09-stated.md"]
    assert "## Cost of downtime" in site["metrics.md"]
    assert "| 2026-Q4 | 2 | $2,234 |" in site["metrics.md"]


def test_small_events_are_published_and_linked_from_home(
    write: Writer, config: Config, load: Load, archive_dir: Path
) -> None:
    write("2026-10-07", "checkout-deploy")
    assert "Small events" not in by_path(pages(load(), config, TODAY))["index.md"]
    (archive_dir / "notes.md").write_text("# Small events\n\n- 2026-10-01 One payments timeout, recovered\n")
    site = by_path(pages(load(), config, TODAY))
    assert "[Small events](notes.md)" in site["index.md"]
    assert "- 2026-10-01 One payments timeout, recovered" in site["notes.md"]
    assert broken_links(site) == []


def test_lists_and_reports_stay_out_of_the_search_index(write: Writer, config: Config, load: Load) -> None:
    write("2026-10-07", "checkout-deploy")
    site = by_path(pages(load(), config, TODAY))
    for path in (
        "archive/index.md",
        "archive/service/checkout.md",
        "archive/severity/sev2.md",
        "follow-through.md",
        "metrics.md",
        "patterns.md",
    ):
        assert "\nsearch:\n  exclude: true\n---\n" in site[path], path
    for path in ("2026-10-07-checkout-deploy.md", "index.md", "rules/index.md", "exports.md"):
        assert "search:" not in site[path], path


def test_long_lists_stay_complete_but_compact(
    write: Writer, config: Config, load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_pages, "ARCHIVE_TABLE_ROWS", 2)
    monkeypatch.setattr(report_pages, "RECENT_INCIDENTS", 2)
    for day in ("2026-08-03", "2026-09-10", "2026-10-07"):
        write(day, f"on-{day}")
    site = by_path(pages(load(), config, TODAY))
    # The archive: the latest in the table, every older one on a line of its own.
    table, earlier = site["archive/index.md"].split("## Earlier postmortems")
    assert table.count("| 2026-") == 2 and "2026-08-03" not in table
    assert "1 more, newest first." in earlier
    assert "- 2026-08-03 [Checkout failed on 2026-08-03](../2026-08-03-on-2026-08-03.md) · SEV2" in earlier
    # The metrics: dots for the latest incidents only, the whole history per quarter.
    metrics = site["metrics.md"]
    assert "Each dot is one of the latest 2 incidents" in metrics
    assert metrics.count("<circle") == 4  # two incidents on each of the two time charts
    assert "| 2026-Q3 | 2 | 7 min | 7 min | 3 min | 3 min |" in metrics
    assert "| 2026-Q4 | 1 | 7 min | 7 min | 3 min | 3 min |" in metrics
    assert broken_links(site) == []


def test_patterns_past_the_leading_ones_take_a_line_each(
    write: Writer, config: Config, load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_pages, "DETAILED_PATTERNS", 0)
    shared = [
        {
            "category": "manual-deploy-ordering",
            "kind": "prevention",
            "summary": "Migrations are run by hand after the deploy.",
        }
    ]
    write("2026-10-01", "first", root_causes=shared)
    write("2026-10-07", "second", root_causes=shared)
    site = by_path(pages(load(), config, TODAY))
    patterns = site["patterns.md"]
    assert "pattern-per-quarter" not in patterns and "## Other recurring causes" in patterns
    assert (
        "- **manual-deploy-ordering**: [2026-10-01](2026-10-01-first.md), "
        "[2026-10-07](2026-10-07-second.md); open items: 2 detection" in patterns
    )
    assert broken_links(site) == []


def test_the_archive_links_each_service_and_severity_page_the_site_makes(
    write: Writer, config: Config, load: Load
) -> None:
    """The pages of each service and severity, and the archive's links to them, come from one
    grouping: every page linked, in name order, and each postmortem listed once per page."""
    write("2026-08-03", "payments", services=["payments", "checkout"], severity="SEV1")
    write("2026-09-10", "api", services=["api"], severity="SEV2")
    write("2026-10-07", "checkout", services=["checkout", "checkout"], severity="SEV2")  # twice: PM004
    site = by_path(pages(load(), config, TODAY))
    made = sorted(p for p in site if p.startswith("archive/") and p != "archive/index.md")
    assert made == [
        "archive/service/api.md",
        "archive/service/checkout.md",
        "archive/service/payments.md",
        "archive/severity/sev1.md",
        "archive/severity/sev2.md",
    ]
    archive = site["archive/index.md"]
    assert "By service: [api](service/api.md) · [checkout](service/checkout.md) · [payments]" in archive
    assert "By severity: [SEV1](severity/sev1.md) · [SEV2](severity/sev2.md)" in archive
    checkout = site["archive/service/checkout.md"]
    assert "2 postmortems, newest first" in checkout
    assert checkout.count("2026-08-03-payments.md") == 1 and checkout.count("2026-10-07-checkout.md") == 1
    assert "2026-09-10-api.md" not in checkout
    assert broken_links(site) == []
