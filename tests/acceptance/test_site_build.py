"""A real `mkdocs build --strict` of the archive site, and the same pages without hooks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mortem.checker import check_paths
from mortem.cli.main import main
from mortem.config import load_config
from mortem.rules import ALL_RULES

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "postmortems"
CHECKOUT = "2026-10-07-checkout-deploy-before-migration"
# Material prints an end-of-life banner on every build; it is not one of our warnings.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def build(
    config_file: Path,
    site: Path,
    strict: bool = True,
    cache: bool = False,
    *options: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """A real `mkdocs build`; with `cache`, mortem's cache on, as on a developer's clone;
    `env`: more environment variables (MORTEM_WORKERS)."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site), *options]
    base = {**ENV, **(env or {})}
    if cache:
        base = {k: v for k, v in base.items() if k not in ("MORTEM_NO_CACHE", "CI")}
    return subprocess.run(
        command + (["--strict"] if strict else []),
        cwd=config_file.parent,
        capture_output=True,
        text=True,
        env=base,
        timeout=300,
    )


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    before = files_under(SAMPLE)
    done = build(REPO / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    assert files_under(SAMPLE) == before, "the build wrote into the archive folder"
    return site


def copy_layout(target: Path) -> Path:
    """The repository's site layout in a temporary folder, to break without harm."""
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(REPO / name, target / name)
    for name in ("hooks", "postmortems"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_every_section_and_postmortem_has_a_page(sample_site: Path) -> None:
    built = files_under(sample_site)
    sections = (
        "index.html",
        "archive/index.html",
        "patterns/index.html",
        "metrics/index.html",
        "follow-through/index.html",
        "rules/index.html",
        "exports/index.html",
        "incidents.json",
        "actions.json",
        "actions.ics",
        "search/search_index.json",
    )
    assert set(sections) <= built
    assert {f"{p.stem}/index.html" for p in SAMPLE.glob("*.md")} <= built
    assert {f"rules/{r.code.lower()}/index.html" for r in ALL_RULES} <= built
    assert "archive/service/checkout/index.html" in built
    assert "archive/severity/sev2/index.html" in built


def test_pages_carry_the_sample_archives_content(sample_site: Path) -> None:
    home = (sample_site / "index.html").read_text()
    assert "Incidents this quarter" in home and "Median time to detect" in home
    page = (sample_site / CHECKOUT / "index.html").read_text()
    assert "Checkout failed after a deploy ran ahead of its migration" in page
    assert "Related incidents" in page and "2025-09-16-api-deploy-missing-env-var/" in page
    assert "manual-deploy-ordering" in page and "Action items" in page
    patterns = (sample_site / "patterns" / "index.html").read_text()
    assert re.search(r"manual-deploy-ordering: \d+ incidents?", patterns)
    metrics = (sample_site / "metrics" / "index.html").read_text()
    assert metrics.count("data-chart=") == 4
    incidents = json.loads((sample_site / "incidents.json").read_text())
    assert len(incidents["incidents"]) == len(list(SAMPLE.glob("*.md")))
    ics = (sample_site / "actions.ics").read_bytes()
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"BEGIN:VEVENT\r\n" in ics


def test_navigation_lists_sections_not_postmortems(sample_site: Path) -> None:
    home = (sample_site / "index.html").read_text()
    nav_links = re.findall(
        r'class="md-nav__link[^"]*"[^>]*href="([^"]*)"|'
        r'href="([^"]*)"[^>]*class="md-nav__link',
        home,
    )
    targets = {a or b for a, b in nav_links}
    assert "patterns/" in targets and "follow-through/" in targets
    assert not any(t.startswith(("2025-", "2026-")) for t in targets), targets


def test_mortem_pages_builds_the_same_site_without_hooks(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = tmp_path / "generated"
    monkeypatch.chdir(REPO)
    assert main(["pages", "--out", str(generated)]) == 0
    plain = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    del plain["hooks"]
    plain["docs_dir"] = str(generated)
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(plain))
    done = build(config_file, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert files_under(tmp_path / "site") == files_under(sample_site)
    # The same pages are searchable both ways.
    index = "search/search_index.json"
    locations = [
        {d["location"] for d in json.loads((site / index).read_text())["docs"]}
        for site in (tmp_path / "site", sample_site)
    ]
    assert locations[0] == locations[1]


def test_a_postmortem_with_check_errors_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_layout(tmp_path)
    broken = repo / "postmortems" / f"{CHECKOUT}.md"
    broken.write_text(broken.read_text().replace("severity: SEV2", "severity: SEV9"))
    errors = [f for f in check_paths([], load_config(start=repo)).findings if f.is_error]
    assert errors, "the broken copy should have check errors"
    done = build(repo / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    for finding in errors:
        assert f"{finding.path}:{finding.line}:" in done.stderr, done.stderr
        assert finding.message in done.stderr
    assert not (tmp_path / "site" / "index.html").exists()
    monkeypatch.chdir(repo)
    assert main(["pages", "--out", str(tmp_path / "pages")]) == 1
    assert not (tmp_path / "pages").exists()


def test_check_warnings_count_under_strict(tmp_path: Path) -> None:
    repo = copy_layout(tmp_path)
    page = repo / "postmortems" / f"{CHECKOUT}.md"
    page.write_text(
        page.read_text().replace(
            "title: Make the rollback script check migration state and stop before rolling code "
            "back past a schema change",
            "title: Be more careful with rollbacks",
        )
    )
    findings = check_paths([], load_config(start=repo)).findings
    assert findings and not any(f.is_error for f in findings)
    strict = build(repo / "mkdocs.yml", tmp_path / "strict")
    assert strict.returncode != 0
    assert f"postmortems/{CHECKOUT}.md:" in strict.stderr and "PM034" in strict.stderr
    lenient = build(repo / "mkdocs.yml", tmp_path / "lenient", strict=False)
    assert lenient.returncode == 0, lenient.stderr


# A hook after mortem's: how many objects the collector cannot see once the build is over.
_FROZEN_PROBE = """
import gc
from pathlib import Path
from mkdocs.plugins import event_priority


@event_priority(-200)
def on_post_build(*, config):
    Path(config.site_dir, "frozen.txt").write_text(str(gc.get_freeze_count()))
"""


def test_a_build_leaves_the_archive_out_of_the_collectors_sight(tmp_path: Path) -> None:
    """mortem.site.heap, as the hook uses it in `mkdocs build`: what it read stays frozen
    to the process's exit (which then skips walking it). Without the hook's hold, nothing
    is frozen."""
    repo = copy_layout(tmp_path)
    (repo / "hooks" / "frozen_probe.py").write_text(_FROZEN_PROBE)
    settings = yaml.safe_load((repo / "mkdocs.yml").read_text())
    settings["hooks"].append("hooks/frozen_probe.py")
    (repo / "mkdocs.yml").write_text(yaml.safe_dump(settings))
    done = build(repo / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    postmortems = len(list((repo / "postmortems").glob("*.md")))
    # every postmortem read is hundreds of objects (front matter, sections, action items)
    assert int((tmp_path / "site" / "frozen.txt").read_text()) > 100 * postmortems


# A hook after mortem's: what is in the site folder once pre_build is over, before MkDocs
# empties it (mortem.site.previous moved the last build aside by then). It then adds a file
# to the folder being deleted, which the child deleting it has most likely listed already:
# the build's end must delete what the child did not.
_CLEARED_PROBE = """
import json, os
from pathlib import Path
from mkdocs.plugins import event_priority


@event_priority(-200)
def on_pre_build(*, config):
    site = Path(config.site_dir)
    names = sorted(os.listdir(site)) if site.is_dir() else None
    site.parent.joinpath("at-pre-build.json").write_text(json.dumps(names))
    for name in names or ():
        if name.startswith(".mortem-previous-"):
            (site / name / "late.txt").write_text("added after the child began")
"""


def test_a_rebuild_deletes_the_last_site_on_a_second_core(tmp_path: Path) -> None:
    """mortem.site.previous, as the hook uses it: a build over an earlier one finds the last
    site moved into a hidden folder before MkDocs would empty it, and ends with the site a
    build into an empty folder makes, the hidden entries MkDocs keeps kept, nothing else."""
    repo = copy_layout(tmp_path)
    (repo / "hooks" / "cleared_probe.py").write_text(_CLEARED_PROBE)
    settings = yaml.safe_load((repo / "mkdocs.yml").read_text())
    settings["hooks"].append("hooks/cleared_probe.py")
    (repo / "mkdocs.yml").write_text(yaml.safe_dump(settings))
    two_cores = {"MORTEM_WORKERS": "2"}
    fresh, site = tmp_path / "fresh", tmp_path / "site"
    assert build(repo / "mkdocs.yml", fresh, env=two_cores).returncode == 0
    assert build(repo / "mkdocs.yml", site, env=two_cores).returncode == 0
    (site / "stale-page").mkdir()
    (site / "stale-page" / "index.html").write_text("<p>a page no postmortem makes any more</p>")
    (site / ".nojekyll").write_text("")
    again = build(repo / "mkdocs.yml", site, env=two_cores)
    assert again.returncode == 0, again.stderr
    at_pre_build = json.loads((tmp_path / "at-pre-build.json").read_text())
    assert [name for name in at_pre_build if not name.startswith(".mortem-previous-")] == [".nojekyll"]
    assert files_under(site) == files_under(fresh) | {".nojekyll"}
    assert not list(site.glob(".mortem-previous-*"))
    assert (site / "index.html").read_bytes() == (fresh / "index.html").read_bytes()


def test_the_search_index_holds_postmortems_not_lists(sample_site: Path) -> None:
    """Material's own index, as built: every postmortem and rule page is in it; the lists and
    reports (which only repeat postmortems, and outranked them) are not."""
    docs = json.loads((sample_site / "search" / "search_index.json").read_text())["docs"]
    pages = {d["location"].split("#")[0] for d in docs}
    assert f"{CHECKOUT}/" in pages
    assert any(p.startswith("rules/") for p in pages)
    for left_out in ("archive/", "patterns/", "metrics/", "follow-through/"):
        assert not [p for p in pages if p.startswith(left_out)], left_out
    assert "breaker" in " ".join(d["text"] for d in docs if d["location"].startswith("2025-06-20-"))
