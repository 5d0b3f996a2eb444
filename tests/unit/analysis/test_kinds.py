from __future__ import annotations

import json
from pathlib import Path

import pytest
from recurrence_archive import write

from mortem.analysis import kinds
from mortem.analysis.patterns import find_patterns, related
from mortem.analysis.similarity import make_words
from mortem.archive import load_archive
from mortem.config import Config

DISK = [
    "disk full binlog volume growth",
    "spool volume filled disk space",
    "partition full logs growth retention",
    "inode exhausted volume filled",
]
CERT = [
    "certificate expired renewal missed",
    "tls certificate lapsed expiry",
    "client cert expired renew",
    "intermediate certificate expiry unnoticed",
]
OTHER = [
    "deadlock lock ordering threads",
    "regex backtracking cpu spike",
    "clock drift token rejected",
    "integer overflow identifier column",
]


def _model() -> kinds.KindModel:
    words = make_words()
    rows = [(words.terms(t), "disk-growth") for t in DISK]
    rows += [(words.terms(t), "cert-expiry") for t in CERT]
    rows += [(words.terms(t), kinds.OTHER) for t in OTHER]
    return kinds.train(rows)


def test_a_kind_is_recognised_from_words_no_example_shared() -> None:
    words = make_words()
    assert (
        _model().recognise(words.terms("the journald volume filled and the disk was full")) == "disk-growth"
    )


def test_a_cause_between_two_kinds_gets_none() -> None:
    """The model names a kind only when it is sure: words of two kinds in equal measure are
    a guess, and a guess would join the cause to either kind's incidents."""
    words = make_words()
    model = _model()
    assert model.recognise(words.terms("certificate expired")) == "cert-expiry"
    assert model.recognise(words.terms("disk full")) == "disk-growth"
    assert model.recognise(words.terms("certificate expired disk full")) is None


def test_a_cause_of_no_known_kind_gets_none() -> None:
    words = make_words()
    assert _model().recognise(words.terms("lock ordering deadlock between threads")) is None
    assert _model().recognise(words.terms("zebra quartz")) is None  # no word the model knows


def test_other_is_the_last_class_and_never_a_kind() -> None:
    model = _model()
    assert model.classes[-1] == kinds.OTHER
    assert model.classes[:-1] == ("cert-expiry", "disk-growth")


def test_evidence_words_are_the_kinds_own() -> None:
    words = make_words()
    terms = words.terms("the certificate expired because renewal was manual")
    shown = _model().evidence_words(terms, "cert-expiry")
    assert shown
    assert set(shown) <= set(terms)
    assert "manual" not in {words.display(t) for t in shown}  # no training cause of the kind used it


def test_the_model_survives_its_json_form() -> None:
    model = _model()
    again = kinds.KindModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again == model
    words = make_words()
    terms = words.terms("tls certificate expired")
    assert again.recognise(terms) == model.recognise(terms)


def test_the_shipped_model_loads_and_knows_ten_kinds() -> None:
    model = kinds.model()
    assert model is not None
    assert len(model.classes) == 11
    assert model.classes[-1] == kinds.OTHER


def _two_disk_causes(root: Path) -> Config:
    """Two postmortems whose causes are of one kind (a volume that filled) and share no word."""
    (root / "postmortems").mkdir()
    write(
        root / "postmortems",
        "2026-01-10-binlogs",
        "binlog-retention",
        "Binlogs grew until the volume was full",
    )
    write(root / "postmortems", "2026-03-02-spool", "mail-spool", "The spool partition filled, no space left")
    return Config(root=root)


BOTH = [("2026-01-10-binlogs", "2026-03-02-spool")]


def test_a_link_by_kind_alone_says_which_words_made_it(tmp_path: Path) -> None:
    """Two causes that share no word but are of one kind are linked, and the reason names the
    kind and each side's words, so a reviewer can judge it."""
    config = _two_disk_causes(tmp_path)
    with kinds.using(_model()):
        docs = load_archive(config)
        links = related(docs[1], docs, config, limit=3)
        assert [p.postmortems for p in find_patterns(docs, config)] == BOTH
    (link,) = links
    reason = next(r for r in link.reasons if r.startswith("same kind of cause: "))
    assert reason.startswith("same kind of cause: disk-growth (")
    assert " / " in reason


def test_without_a_model_no_kind_links_them(tmp_path: Path) -> None:
    config = _two_disk_causes(tmp_path)
    with kinds.using(None):
        assert find_patterns(load_archive(config), config) == []


def test_an_evaluation_model_never_meets_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keys know the shipped model only: results made with a model set by `using`
    are neither read from it nor kept in it."""
    monkeypatch.delenv("MORTEM_NO_CACHE", raising=False)
    monkeypatch.setenv("MORTEM_CACHE", "1")
    config = _two_disk_causes(tmp_path)
    docs = load_archive(config)
    with kinds.using(None):
        assert find_patterns(docs, config) == []
    with kinds.using(_model()):
        assert [p.postmortems for p in find_patterns(docs, config)] == BOTH
    with kinds.using(None):
        assert find_patterns(docs, config) == []
