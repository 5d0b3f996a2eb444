"""Pairwise precision and recall of "same cause family" for the recurrence engine.

Shared by the evaluation test and by anyone re-tuning the thresholds: tune on the
"tune" split only, then read the "heldout" figures once.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mortem.analysis.patterns import find_patterns
from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem

HERE = Path(__file__).parent / "recurrence"


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    true_pos: int
    false_pos: int
    false_neg: int
    docs: int

    @classmethod
    def counted(cls, true_pos: int, false_pos: int, false_neg: int, docs: int) -> Score:
        found, gold = true_pos + false_pos, true_pos + false_neg
        return cls(
            true_pos / found if found else 1.0,
            true_pos / gold if gold else 1.0,
            true_pos,
            false_pos,
            false_neg,
            docs,
        )

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f} recall {self.recall:.3f} "
            f"(TP {self.true_pos}, FP {self.false_pos}, FN {self.false_neg}, {self.docs} postmortems)"
        )


def labels() -> dict[str, tuple[str, str]]:
    """id -> (family, split)."""
    table = tomllib.loads((HERE / "labels.toml").read_text(encoding="utf-8"))
    return {pid: (entry["family"], entry["split"]) for pid, entry in table.items()}


def load_split(split: str, config: Config) -> list[Postmortem]:
    wanted = {pid for pid, (_, s) in labels().items() if s == split}
    docs = []
    for path in sorted((HERE / "postmortems").glob("*.md")):
        if path.stem in wanted:
            doc = load(path, config)
            assert isinstance(doc, Postmortem), f"{path.name} does not load: {doc}"
            docs.append(doc)
    assert {d.id for d in docs} == wanted, "labels.toml and the postmortem files disagree"
    return docs


def predicted_pairs(docs: list[Postmortem], config: Config) -> set[frozenset[str]]:
    """Two postmortems are predicted to share a cause when they fall in one pattern."""
    pairs: set[frozenset[str]] = set()
    for pattern in find_patterns(docs, config):
        pairs.update(frozenset(p) for p in itertools.combinations(pattern.postmortems, 2))
    return pairs


def evaluate(split: str, config: Config | None = None, only: str = "") -> Score:
    """Pairwise scores on one split, with the kinds model in use (`kinds.using` sets another).
    With `only`, just the pairs that involve a postmortem of that family."""
    config = config or Config(root=HERE)
    docs = load_split(split, config)
    family = {pid: fam for pid, (fam, _) in labels().items()}
    gold = {
        frozenset((a.id, b.id)) for a, b in itertools.combinations(docs, 2) if family[a.id] == family[b.id]
    }
    found = predicted_pairs(docs, config)
    if only:
        gold = {pair for pair in gold if any(family[pid] == only for pid in pair)}
        found = {pair for pair in found if any(family[pid] == only for pid in pair)}
    return Score.counted(len(found & gold), len(found - gold), len(gold - found), len(docs))


def pooled(scores: list[Score], docs: int | None = None) -> Score:
    """The scores' pairs counted together; `docs` when the scores share postmortems."""
    return Score.counted(
        sum(s.true_pos for s in scores),
        sum(s.false_pos for s in scores),
        sum(s.false_neg for s in scores),
        sum(s.docs for s in scores) if docs is None else docs,
    )
