from __future__ import annotations

import datetime
from pathlib import Path

from recurrence_archive import write

from mortem.archive import load_archive
from mortem.checker import check_paths
from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem
from mortem.rules import BY_CODE, Context
from mortem.rules.recurrence import link_recurrence

UNLINKED = (
    "Migrations are run by hand after the deploy script, so a release can go live "
    "before its migration; nothing in the pipeline enforces migration-before-deploy."
)


def _pm060(config: Config, *paths: Path) -> list[str]:
    result = check_paths(list(paths), config, today=datetime.date(2027, 2, 1))
    return [f.message for f in result.findings if f.code == "PM060"]


def test_registered_as_a_warning() -> None:
    assert BY_CODE["PM060"] is link_recurrence
    assert link_recurrence.name == "link-recurrence"
    assert str(link_recurrence.severity) == "warning"


def test_the_sample_archive_links_its_recurrences(sample: Config) -> None:
    assert _pm060(sample) == []


def test_an_unlinked_recurrence_is_flagged(sample: Config) -> None:
    path = write(
        sample.archive_dir, "2027-01-20-orders-deploy-ran-before-schema", "release-steps-by-hand", UNLINKED
    )
    [message] = _pm060(sample, path)
    assert message.startswith("this looks like manual-deploy-ordering (2025-09-16-api-deploy-missing-env-var")
    assert "link it so the archive counts it" in message


def test_a_related_link_or_shared_category_silences_it(sample: Config) -> None:
    linked = write(
        sample.archive_dir,
        "2027-01-20-orders-deploy-ran-before-schema",
        "release-steps-by-hand",
        UNLINKED,
        related=("2026-10-07-checkout-deploy-before-migration",),
    )
    assert _pm060(sample, linked) == []
    same = write(
        sample.archive_dir, "2027-01-21-orders-deploy-ran-before-schema", "Manual_Deploy_Orderings", UNLINKED
    )
    assert _pm060(sample, same) == []


def test_only_earlier_postmortems_count(sample: Config) -> None:
    path = write(
        sample.archive_dir, "2024-01-20-orders-deploy-ran-before-schema", "release-steps-by-hand", UNLINKED
    )
    assert _pm060(sample, path) == []


def test_a_file_outside_the_archive_is_compared_with_it(sample: Config, tmp_path: Path) -> None:
    outside = tmp_path / "branch"
    outside.mkdir()
    path = write(outside, "2027-01-20-orders-deploy-ran-before-schema", "release-steps-by-hand", UNLINKED)
    assert len(_pm060(sample, path)) == 1


def test_the_archive_is_loaded_only_when_asked(sample: Config, tmp_path: Path) -> None:
    context = Context(config=sample)
    assert "archive" not in vars(context)
    path = write(tmp_path, "2027-01-20-x", "c", "s")
    doc = load(path, sample)
    assert isinstance(doc, Postmortem)
    no_causes = Postmortem(**{**vars(doc), "front": {}, "sections": ()})
    assert list(link_recurrence.check(no_causes, context)) == []  # type: ignore[misc]
    assert "archive" not in vars(context)
    context_with = Context(config=sample, documents=tuple(load_archive(sample)))
    assert len(context_with.archive) == 11
