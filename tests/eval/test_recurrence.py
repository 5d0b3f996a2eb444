"""How well `mortem patterns` finds postmortems that share a cause family, measured.

Pairwise precision and recall of "same cause family" against hand labels
(recurrence/labels.toml tells each set's history). The engine's kinds model is trained on
the development sets (train_kinds.TRAINING), so their figures here are cross-validated: each
set is scored by a model trained without it. "heldout7" to "heldout11" were written blind by
authors who never saw the engine, its word lists, its model or any held-out file; the model was
never trained on them and its settings were not chosen with them: they are scored by the shipped
model, and they are the honest figures. heldout10 and heldout11 were written after the model was
shipped, and read once to confirm it.
"""

from __future__ import annotations

import pytest
from recurrence_eval import HERE, Score, evaluate, labels, pooled
from train_kinds import BLIND, TRAINING, examples, serialised, trained

from mortem.analysis import kinds
from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem

DEVELOPMENT = tuple(s for s in TRAINING if s != "other")
# Floors under the figures reached, so a change that makes matching worse fails. The target
# is precision 0.9 and recall 0.85.
FLOORS = {
    "tune": (0.95, 0.95),
    "heldout": (0.95, 0.95),
    "heldout2": (0.95, 0.80),
    "heldout3": (0.85, 0.75),
    "heldout4": (0.80, 0.75),
    "heldout5": (0.85, 0.75),
    "heldout6": (0.90, 0.80),
    "heldout7": (0.95, 0.90),
    "heldout8": (0.95, 0.80),
    "heldout9": (0.95, 0.80),
    "heldout10": (0.95, 0.90),
    "heldout11": (0.95, 0.90),
}
TARGET = (0.90, 0.85)
FRESH = ("heldout10", "heldout11")
UNKNOWN_KIND_FLOOR = 0.55  # precision on the pairs that involve a family the model never saw


@pytest.fixture(scope="module")
def training_examples() -> dict[str, list[tuple[list[str], str]]]:
    return examples(TRAINING)


def test_every_eval_file_is_a_real_postmortem() -> None:
    config = Config(root=HERE)
    files = sorted((HERE / "postmortems").glob("*.md"))
    assert len(files) >= 40
    assert {f.stem for f in files} == set(labels())
    for path in files:
        assert isinstance(load(path, config), Postmortem), path.name


def test_the_set_is_hard_enough() -> None:
    """At least 8 families, and the category slug alone does not give the answer."""
    families = {family for family, _ in labels().values()}
    assert len([f for f in families if not f.startswith("singleton")]) >= 8
    config = Config(root=HERE)
    slugs = [
        doc.root_causes[0].category
        for path in sorted((HERE / "postmortems").glob("*.md"))
        if isinstance(doc := load(path, config), Postmortem)
    ]
    assert len(set(slugs)) >= 0.95 * len(slugs)


def test_the_shipped_model_is_trained_from_the_development_sets_only(
    training_examples: dict[str, list[tuple[list[str], str]]],
) -> None:
    """data/kinds.json is what train_kinds.py makes from the labelled sets, and no blind set
    is among them: regenerate it with `python tests/eval/train_kinds.py`."""
    assert not set(BLIND) & set(TRAINING)
    assert {split for _, split in labels().values()} == set(TRAINING) | set(BLIND)
    assert kinds.MODEL_FILE.read_text(encoding="utf-8") == serialised(trained(training_examples))


@pytest.mark.parametrize("split", DEVELOPMENT + BLIND)
def test_precision_and_recall(
    split: str, training_examples: dict[str, list[tuple[list[str], str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    if split in DEVELOPMENT:
        with kinds.using(trained(training_examples, without_split=split)):
            score, how = evaluate(split), "cross-validated"
    else:
        score, how = evaluate(split), "blind, shipped model"
    _report(f"{split}, {how}", score, capsys)
    precision, recall = FLOORS[split]
    assert score.precision >= precision
    assert score.recall >= recall


def test_the_blind_sets_pooled(capsys: pytest.CaptureFixture[str]) -> None:
    score = pooled([evaluate(split) for split in BLIND])
    _report(f"{BLIND[0]}-{BLIND[-1].removeprefix('heldout')} pooled, blind", score, capsys)
    fresh = pooled([evaluate(split) for split in FRESH])
    _report("heldout10-11 pooled, blind, written after the model shipped", fresh, capsys)
    assert score.precision >= TARGET[0]
    assert score.recall >= TARGET[1]


def test_a_kind_the_model_never_saw(
    training_examples: dict[str, list[tuple[list[str], str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    """A team's recurring cause may be of no kind the model knows. Each family in turn is taken
    out of training, as if unknown, and each development set scored without it: what counts is
    the pairs that involve the unknown family's postmortems, which should meet on their words
    and not be pulled into a known kind."""
    families = sorted({kind for rows in training_examples.values() for _, kind in rows} - {kinds.OTHER})
    scores = []
    for family in families:
        for split in DEVELOPMENT[2:]:  # the sets of forty, written by five other authors
            with kinds.using(trained(training_examples, without_split=split, without_kind=family)):
                scores.append(evaluate(split, only=family))
    score = pooled(scores, docs=sum(len(training_examples[split]) for split in DEVELOPMENT[2:]))
    _report(f"each of {len(families)} families unknown in turn, heldout2-6", score, capsys)
    assert score.precision >= UNKNOWN_KIND_FLOOR


def _report(what: str, score: Score, capsys: pytest.CaptureFixture[str]) -> None:
    met = "meets" if score.precision >= TARGET[0] and score.recall >= TARGET[1] else "below"
    with capsys.disabled():
        print(
            f"\nrecurrence eval [{what}]: {score} ({met} the target "
            f"precision {TARGET[0]}, recall {TARGET[1]})"
        )
