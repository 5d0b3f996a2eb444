"""Real `mkdocs build`s with mortem's cache on: a page rendered before is not rendered again,
and the site, its search index and MkDocs's link checks are the same as without the cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.acceptance.test_site_build import CHECKOUT, copy_layout
from tests.acceptance.test_site_build import build as build_site

from mortem.cache import decode, encode
from mortem.site.rendered import KIND, _is_rendered

PAYMENTS = "2025-06-20-payments-provider-timeout-no-breaker"
PAYMENTS_TITLE = "Checkout hung during Friday dinner service while the payment provider timed out"


def build(repo: Path, site: Path, cache: bool = True, *options: str) -> subprocess.CompletedProcess[str]:
    return build_site(repo / "mkdocs.yml", site, True, cache, *options)


def contents(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def kept(repo: Path) -> list[Path]:
    return sorted((repo / ".mortem-cache" / KIND).glob("[0-9a-f]*"))


def add_to_body(page: Path, line: str) -> None:
    text = page.read_text()
    page.write_text(text.replace("## What went well\n", f"## What went well\n\n{line}\n", 1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "repo").mkdir()
    return copy_layout(tmp_path / "repo")


def test_kept_pages_build_the_same_site(repo: Path, tmp_path: Path) -> None:
    plain = build(repo, tmp_path / "plain", cache=False)
    assert plain.returncode == 0, plain.stderr
    assert not kept(repo), "MORTEM_NO_CACHE=1 must keep nothing"
    filling = build(repo, tmp_path / "filling")
    assert filling.returncode == 0, filling.stderr
    entries = kept(repo)
    pages = [p for p in contents(tmp_path / "plain") if p.endswith(".html") and p != "404.html"]
    assert len(entries) == len(pages)  # every page kept, but the theme's own 404
    reusing = build(repo, tmp_path / "reusing")
    assert reusing.returncode == 0, reusing.stderr
    assert f"mortem: {len(entries)} of {len(entries)} pages reused from the cache" in reusing.stderr
    assert f"mortem: 0 of {len(entries)} pages reused from the cache" in filling.stderr
    assert contents(tmp_path / "reusing") == contents(tmp_path / "plain")
    assert contents(tmp_path / "filling") == contents(tmp_path / "plain")
    assert kept(repo) == entries


def test_a_kept_page_is_what_the_next_build_publishes(repo: Path, tmp_path: Path) -> None:
    """The reuse is real: a kept entry, altered, is what the next build writes."""
    assert build(repo, tmp_path / "first").returncode == 0
    altered = 0
    for entry in kept(repo):
        value = decode(entry.read_bytes())
        if isinstance(value, tuple) and value[2] == PAYMENTS_TITLE:
            entry.write_bytes(encode((value[0] + "<p>KEPT-MARKER</p>", *value[1:])) or b"")
            altered += 1
    assert altered == 1
    done = build(repo, tmp_path / "second")
    assert done.returncode == 0, done.stderr
    assert "KEPT-MARKER" in (tmp_path / "second" / PAYMENTS / "index.html").read_text()
    # The edited page itself is rendered again.
    add_to_body(repo / "postmortems" / f"{PAYMENTS}.md", "A sentence added after the review.")
    assert build(repo, tmp_path / "third").returncode == 0
    third = (tmp_path / "third" / PAYMENTS / "index.html").read_text()
    assert "KEPT-MARKER" not in third and "A sentence added after the review." in third


def test_a_broken_link_warns_on_every_build(repo: Path, tmp_path: Path) -> None:
    add_to_body(repo / "postmortems" / f"{CHECKOUT}.md", "See [the runbook](no-such-runbook.md).")
    for run in range(2):
        done = build(repo, tmp_path / f"site{run}")
        assert done.returncode != 0, f"build {run} passed --strict"
        assert "no-such-runbook.md" in done.stderr, done.stderr


def test_a_link_to_a_removed_file_warns_once_the_file_is_gone(repo: Path, tmp_path: Path) -> None:
    (repo / "postmortems" / "img").mkdir()
    (repo / "postmortems" / "img" / "flow.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    add_to_body(repo / "postmortems" / f"{CHECKOUT}.md", "![The deploy flow](img/flow.svg)")
    first = build(repo, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    (repo / "postmortems" / "img" / "flow.svg").unlink()
    second = build(repo, tmp_path / "second")
    assert second.returncode != 0
    assert "img/flow.svg" in second.stderr, second.stderr


def test_anchor_links_are_checked_on_kept_pages(repo: Path, tmp_path: Path) -> None:
    """MkDocs checks links to other pages' anchors once every page is rendered: from the
    kept pages' links and anchors as much as from freshly rendered ones."""
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text() + "\nvalidation:\n  anchors: warn\n")
    add_to_body(repo / "postmortems" / f"{CHECKOUT}.md", f"As in [the timeline]({PAYMENTS}.md#timeline).")
    for run in range(2):
        done = build(repo, tmp_path / f"good{run}")
        assert done.returncode == 0, done.stderr
    assert kept(repo)
    page = repo / "postmortems" / f"{CHECKOUT}.md"
    page.write_text(page.read_text().replace(f"{PAYMENTS}.md#timeline", f"{PAYMENTS}.md#no-such-part"))
    for run in range(2):
        done = build(repo, tmp_path / f"bad{run}")
        assert done.returncode != 0, f"build {run} passed --strict"
        assert "no-such-part" in done.stderr, done.stderr


def test_damaged_entries_are_rendered_again(repo: Path, tmp_path: Path) -> None:
    """Entries of the wrong shape, or not entries at all, are misses: the page is rendered
    as if nothing had been kept, and kept again."""
    assert build(repo, tmp_path / "plain", cache=False).returncode == 0
    assert build(repo, tmp_path / "filling").returncode == 0
    wrong_shapes = [
        ("<p>x</p>", (("title", "id", "not a level", ()),), None, (), None),
        ("<p>x</p>", (), None, (), (("only", "two"),)),
        ("<p>x</p>", (), 7, (), None),
        ("<p>x</p>", ()),
    ]
    for number, entry in enumerate(kept(repo)):
        damaged = encode(wrong_shapes[number % len(wrong_shapes)]) if number % 5 else b"not an entry"
        entry.write_bytes(damaged or b"")
    done = build(repo, tmp_path / "damaged")
    assert done.returncode == 0, done.stderr
    assert contents(tmp_path / "damaged") == contents(tmp_path / "plain")
    assert all(_is_rendered(decode(entry.read_bytes())) for entry in kept(repo))


def test_a_site_including_other_files_renders_every_page(repo: Path, tmp_path: Path) -> None:
    """pymdownx.snippets puts another file's text into a page: a kept page could not see that
    file change, so such a site keeps nothing and shows every edit."""
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - toc\n", "  - toc\n  - pymdownx.snippets\n", 1))
    (repo / "note.md").write_text("The first wording of the shared note.\n")
    add_to_body(repo / "postmortems" / f"{CHECKOUT}.md", '--8<-- "note.md"')
    first = build(repo, tmp_path / "first")
    assert first.returncode == 0, first.stderr
    page = tmp_path / "first" / CHECKOUT / "index.html"
    assert "The first wording of the shared note." in page.read_text()
    (repo / "note.md").write_text("The second wording of the shared note.\n")
    second = build(repo, tmp_path / "second")
    assert second.returncode == 0, second.stderr
    assert (
        "The second wording of the shared note."
        in (tmp_path / "second" / CHECKOUT / "index.html").read_text()
    )
    assert not kept(repo)
    assert "mortem: every page rendered afresh" in second.stderr


def test_a_verbose_build_renders_every_page_and_says_why(repo: Path, tmp_path: Path) -> None:
    """--verbose logs what each page's rendering does, which a kept page would not repeat."""
    assert build(repo, tmp_path / "filling").returncode == 0
    entries = kept(repo)
    verbose = build(repo, tmp_path / "verbose", True, "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert "mortem: every page rendered afresh: a --verbose build" in verbose.stderr
    assert "pages reused from the cache" not in verbose.stderr
    assert contents(tmp_path / "verbose") == contents(tmp_path / "filling")
    assert kept(repo) == entries
