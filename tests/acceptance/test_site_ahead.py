"""Real `mkdocs build`s of an archive large enough for a second core: a forked worker renders
the later pages (its share of the Markdown) while MkDocs renders the first, another then fills the
theme's template for most pages, and the site is the same as one process builds, warnings
included."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from tests.acceptance.test_site_build import build
from tests.acceptance.test_site_cache import contents, kept

from mortem import parallel
from mortem.site.built import WORKER_SHARE
from mortem.site.rendered import MIN_AHEAD_PAGES

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import synthetic  # noqa: E402 (the benchmark's seeded generator of valid postmortems)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic archive of 200 postmortems: more pages than MIN_AHEAD_PAGES."""
    root = tmp_path_factory.mktemp("large") / "archive"
    synthetic.generate(root, 200)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "hooks", root / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _build(root: Path, site: Path, workers: str, cache: bool = False) -> tuple[str, dict[str, bytes]]:
    done = build(root / "mkdocs.yml", site, True, cache, env={"MORTEM_WORKERS": workers})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr, contents(site)


def _scratch() -> set[Path]:
    folders = [Path(tempfile.gettempdir()), *map(Path, parallel._MEMORY_FOLDERS)]
    return {found for folder in folders for found in folder.glob("mortem-handoff-*")}


def test_pages_rendered_ahead_build_the_same_site(large: Path, tmp_path: Path) -> None:
    before = _scratch()
    said, one = _build(large, tmp_path / "one", "1")
    assert "rendered ahead" not in said
    said, two = _build(large, tmp_path / "two", "2")
    pages = [p for p in one if p.endswith(".html") and p != "404.html"]
    assert len(pages) >= MIN_AHEAD_PAGES
    found = re.search(r"mortem: (\d+) of (\d+) pages rendered ahead on a second core", said)
    assert found, said[-3000:]
    # Of the later pages (mortem's section pages, first, are the largest), those the worker
    # rendered before MkDocs reached them.
    assert 0 < int(found[1]) < len(pages) and int(found[2]) == len(pages)
    filled = re.search(r", (\d+) filled into the theme on a second core", said)
    assert filled, said[-3000:]
    # the worker's share, less those MkDocs reached first and filled itself
    assert 0 < int(filled[1]) <= int(len(pages) * WORKER_SHARE)
    assert "Page skipped" not in said, "a page the worker wrote was skipped by nobody"
    assert two == one  # every page, the search index and the sitemap byte for byte
    assert _scratch() <= before, "the workers' scratch folders are dropped"


def test_pages_rendered_ahead_are_kept_for_the_next_build(large: Path, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(large, copy)
    said, first = _build(copy, tmp_path / "first", "2", cache=True)
    assert "rendered ahead on a second core" in said
    said, second = _build(copy, tmp_path / "second", "2", cache=True)
    entries = len(kept(copy))
    assert f"mortem: {entries} of {entries} pages reused from the cache" in said
    assert "rendered ahead" not in said
    assert second == first


def test_a_broken_link_in_a_page_rendered_ahead_warns_once(large: Path, tmp_path: Path) -> None:
    """The worker's rendering logs nothing: a page that warns is rendered again here, where
    MkDocs says it (and --strict fails) as in one process."""
    copy = tmp_path / "archive"
    shutil.copytree(large, copy)
    last = sorted((copy / "postmortems").glob("*.md"))[-1]
    last.write_text(
        last.read_text().replace(
            "## What went well\n", "## What went well\n\nSee [the runbook](nowhere.md).\n", 1
        )
    )
    for workers in ("1", "2"):
        done = build(copy / "mkdocs.yml", tmp_path / workers, True, False, env={"MORTEM_WORKERS": workers})
        assert done.returncode != 0, "--strict fails on the broken link"
        assert done.stderr.count("nowhere.md") == 1, done.stderr[-3000:]
