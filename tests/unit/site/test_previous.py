"""mortem.site.previous: the last build's site is deleted on a second core, leaving what
MkDocs's own emptying (mkdocs.utils.clean_directory, which still runs after it) leaves. The
hook's use of it, in real `mkdocs build`s, is in tests/acceptance/test_site_build.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mkdocs.utils import clean_directory

from mortem.site import previous
from mortem.site.previous import PREFIX, clear_ahead

BUILD = ("build", False)


def _last_site(site: Path) -> Path:
    """A site folder as a build leaves it, with what MkDocs keeps: hidden entries, and a
    link to a folder (a link to a file it deletes)."""
    (site / "2026-01-01-outage").mkdir(parents=True)
    (site / "2026-01-01-outage" / "index.html").write_text("<p>old page</p>")
    (site / "assets" / "javascripts").mkdir(parents=True)
    (site / "assets" / "javascripts" / "bundle.js").write_text("old();")
    (site / "index.html").write_text("<p>old index</p>")
    (site / ".nojekyll").write_text("")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages")
    elsewhere = site.parent / f"{site.name}-elsewhere"
    (elsewhere / "shared").mkdir(parents=True)
    (elsewhere / "note.txt").write_text("kept")
    (site / "linked-folder").symlink_to(elsewhere / "shared")
    (site / "linked-file").symlink_to(elsewhere / "note.txt")
    return site


def _listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORTEM_WORKERS", "2")


def test_the_build_finds_the_site_as_mkdocs_would_have_left_it(tmp_path: Path) -> None:
    """clear_ahead, then MkDocs's own emptying, then the build's end: the same folder as
    MkDocs's emptying alone makes, with the moved entries gone before MkDocs looks."""
    ours, theirs = _last_site(tmp_path / "ours"), _last_site(tmp_path / "theirs")
    clean_directory(str(theirs))
    clearing = clear_ahead(str(ours), BUILD)
    assert clearing is not None
    left_now = {name for name in os.listdir(ours) if not name.startswith(PREFIX)}
    assert left_now == {".nojekyll", ".git", "linked-folder", "linked-file"}
    clean_directory(str(ours))  # MkDocs, right after pre_build
    clearing.finish()
    assert _listing(ours) == _listing(theirs)
    assert (ours / "linked-folder").is_symlink()  # as MkDocs leaves it
    assert not (ours / "linked-file").exists()  # as MkDocs deletes it
    assert (tmp_path / "ours-elsewhere" / "note.txt").read_text() == "kept"


def test_a_folder_left_by_a_stopped_build_is_deleted_too(tmp_path: Path) -> None:
    site = _last_site(tmp_path / "site")
    (site / f"{PREFIX}killed" / "page").mkdir(parents=True)
    clearing = clear_ahead(str(site), BUILD)
    assert clearing is not None
    clearing.finish()
    assert not [name for name in os.listdir(site) if name.startswith(PREFIX)]


def test_what_the_child_did_not_delete_is_deleted_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that ended without deleting (it died): the build's end deletes the folder."""
    monkeypatch.setattr(previous, "_delete", lambda folder: b"")  # the forked child's work
    site = _last_site(tmp_path / "site")
    clearing = clear_ahead(str(site), BUILD)
    assert clearing is not None
    assert [name for name in os.listdir(site) if name.startswith(PREFIX)]
    clearing.finish()
    assert not [name for name in os.listdir(site) if name.startswith(PREFIX)]
    assert not (site / "index.html").exists()


def test_an_entry_that_cannot_be_moved_is_left_for_mkdocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _last_site(tmp_path / "site")
    rename = os.rename

    def refuse_assets(source: str, target: str) -> None:
        if os.path.basename(source) == "assets":
            raise OSError(16, "Device or resource busy")  # a mount point
        rename(source, target)

    monkeypatch.setattr(os, "rename", refuse_assets)
    clearing = clear_ahead(str(site), BUILD)
    assert clearing is not None
    clearing.finish()
    assert (site / "assets" / "javascripts" / "bundle.js").exists()
    assert not (site / "index.html").exists()


@pytest.mark.parametrize("started", [("serve", False), ("build", True), ("gh-deploy", True), None])
def test_a_build_that_keeps_its_site_or_builds_elsewhere_is_left_alone(
    tmp_path: Path, started: tuple[str, bool] | None
) -> None:
    site = _last_site(tmp_path / "site")
    before = _listing(site)
    assert clear_ahead(str(site), started) is None
    assert _listing(site) == before


def test_on_one_core_mkdocs_empties_the_folder_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MORTEM_WORKERS", "1")
    site = _last_site(tmp_path / "site")
    before = _listing(site)
    assert clear_ahead(str(site), BUILD) is None
    assert _listing(site) == before


def test_a_first_build_has_nothing_to_clear(tmp_path: Path) -> None:
    assert clear_ahead(str(tmp_path / "not-yet"), BUILD) is None
    (tmp_path / "empty").mkdir()
    assert clear_ahead(str(tmp_path / "empty"), BUILD) is None
    assert os.listdir(tmp_path / "empty") == []


def test_gh_deploy_clears_as_build_does(tmp_path: Path) -> None:
    site = _last_site(tmp_path / "site")
    clearing = clear_ahead(str(site), ("gh-deploy", False))
    assert clearing is not None
    clearing.finish()
    assert not (site / "index.html").exists()
    assert (site / ".git" / "HEAD").exists()
