"""How well `mortem patterns` finds postmortems that share a cause family, measured.

Pairwise precision and recall of "same cause family" against hand labels: tuned on the
"tune" split, reported on the "heldout" split (see recurrence/labels.toml for its history),
on "heldout2" (written blind, then read again to design the kinds of cause), and on
"heldout3" and "heldout4" (written blind, each read once as the blind set, then used to
choose the link threshold and the weight of the kinds of cause), and on "heldout5",
"heldout6" and "heldout7": 40 postmortems each, written blind by authors who never saw the
engine, its word lists or any held-out file, and never used to choose anything. heldout5,
heldout6 and heldout7 are the honest figures.
"""

from __future__ import annotations

import pytest
from recurrence_eval import HERE, evaluate, labels

from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem

# The issue asks for precision >= 0.9 and recall >= 0.85 on held-out data. The floors
# below guard the figures reached so far, so a change that makes matching worse fails;
# raising them to the targets is open work. On blind sets, recall is the gap: authors'
# vocabulary varies more than the word lists cover. "heldout2", "heldout3" and "heldout4" were
# each read again to choose something (the kinds of cause, the link threshold), so they are
# development sets now; "heldout5", "heldout6" and "heldout7" are the blind ones. See labels.toml.
FLOORS = {
    "tune": (0.95, 0.90),
    "heldout": (0.85, 0.80),
    "heldout2": (0.95, 0.75),
    "heldout3": (0.90, 0.50),
    "heldout4": (0.75, 0.30),
    "heldout5": (0.85, 0.40),
    "heldout6": (0.60, 0.25),
    "heldout7": (0.90, 0.45),
}
TARGET = (0.90, 0.85)


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


@pytest.mark.parametrize(
    "split", ["tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7"]
)
def test_precision_and_recall(split: str, capsys: pytest.CaptureFixture[str]) -> None:
    score = evaluate(split)
    with capsys.disabled():
        met = "meets" if score.precision >= TARGET[0] and score.recall >= TARGET[1] else "below"
        print(
            f"\nrecurrence eval [{split}]: {score} ({met} the target "
            f"precision {TARGET[0]}, recall {TARGET[1]})"
        )
    precision, recall = FLOORS[split]
    assert score.precision >= precision
    assert score.recall >= recall
