from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from recurrence_archive import write

from mortem.analysis import patterns
from mortem.analysis.patterns import Pattern, find_patterns, recurring_since, related
from mortem.archive import load_archive
from mortem.config import Config, config_from_table
from mortem.errors import ConfigError
from mortem.loader import load
from mortem.model import ActionItem, Postmortem

RECURRENCES = {
    "manual-deploy-ordering": (
        "2025-09-16-api-deploy-missing-env-var",
        "2026-10-07-checkout-deploy-before-migration",
        "2026-11-18-payments-rollback-needed-manual-down-migration",
    ),
    # Credentials that expired untracked: two certificates, and a provider API key whose
    # postmortem links the certificate one in `related`.
    "cert-expiry-unmonitored": (
        "2025-08-02-edge-proxy-tls-cert-expired",
        "2026-04-14-payments-webhook-client-cert-expired",
        "2026-05-19-notifications-alert-routed-to-archived-channel",
    ),
    "disk-growth-unmonitored": (
        "2025-12-03-worker-queue-log-volume-full",
        "2026-07-22-postgres-wal-volume-near-full",
    ),
}


def test_the_sample_archive_recurrences_are_found(sample: Config) -> None:
    patterns = {p.name: p for p in find_patterns(load_archive(sample), sample)}
    for name, ids in RECURRENCES.items():
        assert patterns[name].postmortems == ids
    # nothing else is grouped with them, and the most frequent comes first
    assert next(iter(patterns)) == "manual-deploy-ordering"
    deploy = patterns["manual-deploy-ordering"]
    assert deploy.dates == (
        datetime.date(2025, 9, 16),
        datetime.date(2026, 10, 7),
        datetime.date(2026, 11, 18),
    )
    assert dict(deploy.by_quarter) == {"2025-Q3": 1, "2026-Q4": 2}
    assert deploy.count == 3
    assert deploy.open_action_items == sum(1 for _, item in deploy.action_items if item.is_open) > 0


def test_action_items_follow_the_cause_they_fix(sample: Config) -> None:
    """A postmortem in two patterns gives each the items that belong to that cause."""
    patterns = {p.name: p for p in find_patterns(load_archive(sample), sample)}
    disk = [
        item.title or ""
        for pid, item in patterns["disk-growth-unmonitored"].action_items
        if pid == "2025-12-03-worker-queue-log-volume-full"
    ]
    assert any("disk" in title for title in disk)
    assert not any("oldest job" in title for title in disk)


def test_related_explains_each_link(sample: Config) -> None:
    docs = load_archive(sample)
    doc = next(d for d in docs if d.id == "2026-10-07-checkout-deploy-before-migration")
    links = related(doc, docs, sample, limit=3)
    assert links[0].score >= links[-1].score
    top = {link.other: link for link in links}
    link = top["2025-09-16-api-deploy-missing-env-var"]
    assert "same category manual-deploy-ordering" in link.reasons
    assert "linked in related" in link.reasons
    assert any(r.startswith("shared terms: ") for r in link.reasons)
    assert all(0.0 <= link.score <= 1.0 for link in links)


def test_related_links_count_in_both_directions(sample: Config) -> None:
    docs = load_archive(sample)
    old = next(d for d in docs if d.id == "2025-09-16-api-deploy-missing-env-var")
    links = {link.other: link for link in related(old, docs, sample, limit=10)}
    assert "linked in related" in links["2026-10-07-checkout-deploy-before-migration"].reasons


def test_related_earlier_only_and_limit(sample: Config) -> None:
    docs = load_archive(sample)
    doc = next(d for d in docs if d.id == "2026-10-07-checkout-deploy-before-migration")
    links = related(doc, docs, sample, limit=2, earlier_only=True)
    assert len(links) == 2
    assert all(link.other < doc.id for link in links)


def test_an_equal_sequence_finds_the_analysis_by_identity(sample: Config) -> None:
    # The site asks with a new tuple of the postmortems the check analysed, for every page:
    # its key must be the analysed one's object, not an equal one compared id by id.
    docs = load_archive(sample)
    analysed = patterns._analyse(tuple(docs), sample)
    again = tuple(docs)
    assert patterns._analyse(again, sample) is analysed
    assert any(key[1] is patterns._identity(again)[0] for key in patterns._CACHE)


def test_related_works_for_a_file_outside_the_archive(sample: Config, tmp_path: Path) -> None:
    branch = tmp_path / "branch"
    branch.mkdir()
    path = write(
        branch,
        "2027-01-12-booking-api-deploy-before-schema",
        "release-steps-by-hand",
        "Schema migrations are run by hand after the deploy script, so new code can go "
        "live before its migration; nothing enforces the order.",
    )
    doc = load(path, sample)
    assert isinstance(doc, Postmortem)
    links = related(doc, load_archive(sample), sample, limit=3, earlier_only=True)
    assert links[0].other in RECURRENCES["manual-deploy-ordering"]
    assert any("migration" in reason for reason in links[0].reasons)


def test_synonyms_join_differently_named_categories(tmp_path: Path) -> None:
    folder = tmp_path / "postmortems"
    folder.mkdir()
    write(folder, "2026-01-05-a", "keystore-rotation-gap", "The yearly job had no owner.")
    write(folder, "2026-03-05-b", "credential-refresh-missed", "A reminder went to an unread inbox.")
    plain = Config(root=tmp_path)
    assert find_patterns(load_archive(plain), plain) == []
    config = config_from_table({"synonyms": {"keystore-rotation-gap": "credential-refresh-missed"}}, tmp_path)
    [pattern] = find_patterns(load_archive(config), config)
    assert pattern.postmortems == ("2026-01-05-a", "2026-03-05-b")
    assert pattern.name in ("keystore-rotation-gap", "credential-refresh-missed")


@pytest.mark.parametrize("value", ["cert", {"cert": 3}, {"cert": ""}, {"bad key!": "x"}])
def test_synonyms_are_validated(tmp_path: Path, value: object) -> None:
    with pytest.raises(ConfigError, match="synonyms"):
        config_from_table({"synonyms": value}, tmp_path)


def test_recurring_since_keeps_whole_history() -> None:
    item = ActionItem(0, "x", "prevention", "Sam", None, None, "done", None, None)
    old = Pattern(
        "old",
        ("a", "b"),
        (datetime.date(2024, 1, 1), datetime.date(2024, 5, 1)),
        {"2024-Q1": 1, "2024-Q2": 1},
        (("a", item),),
    )
    new = Pattern(
        "new",
        ("c", "d"),
        (datetime.date(2024, 1, 1), datetime.date(2026, 8, 1)),
        {"2024-Q1": 1, "2026-Q3": 1},
        (),
    )
    assert recurring_since([old, new], datetime.date(2026, 7, 1)) == [new]
    assert old.open_action_items == 0 and old.count == 2


def test_empty_archive_has_no_patterns(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    assert find_patterns([], config) == []


def test_open_items_are_counted_per_bucket_with_strays_as_other() -> None:
    def item(bucket: str | None, status: str) -> tuple[str, ActionItem]:
        return "a", ActionItem(0, "x", bucket, "Sam", None, None, status, None, None)

    pattern = Pattern(
        "p",
        ("a", "b"),
        (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)),
        {"2026-Q1": 2},
        (
            item("prevention", "open"),
            item("prevention", "done"),
            item("detection", "open"),
            item("prevnetion", "open"),
            item(None, "open"),
        ),
    )
    assert pattern.open_by_bucket == {"prevention": 1, "detection": 1, "other": 2}
    assert pattern.open_action_items == sum(pattern.open_by_bucket.values())
