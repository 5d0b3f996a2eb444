"""Pairwise precision and recall of "same cause family" for the recurrence engine.

Shared by the evaluation test and by anyone re-tuning the thresholds: tune on the
"tune" split only, then read the "heldout" figures once.
"""

from __future__ import annotations

import itertools
import tomllib
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mortem.analysis import kinds
from mortem.analysis.kinds import KindModel
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


def evaluate(
    split: str,
    config: Config | None = None,
    model: KindModel | Literal["shipped"] | None = "shipped",
    only: str = "",
) -> Score:
    """Pairwise scores on one split, with the shipped kinds model or the one given. With
    `only`, just the pairs that involve a postmortem of that family."""
    config = config or Config(root=HERE)
    docs = load_split(split, config)
    family = {pid: fam for pid, (fam, _) in labels().items()}
    gold = {
        frozenset((a.id, b.id)) for a, b in itertools.combinations(docs, 2) if family[a.id] == family[b.id]
    }
    with nullcontext() if model == "shipped" else kinds.using(model):
        found = predicted_pairs(docs, config)
    if only:
        gold = {pair for pair in gold if any(family[pid] == only for pid in pair)}
        found = {pair for pair in found if any(family[pid] == only for pid in pair)}
    return score(found, gold, len(docs))


def score(found: set[frozenset[str]], gold: set[frozenset[str]], docs: int) -> Score:
    tp, fp, fn = len(found & gold), len(found - gold), len(gold - found)
    return Score(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn, docs)


def pooled(scores: list[Score], docs: int | None = None) -> Score:
    """The scores' pairs counted together; `docs` when the scores share postmortems."""
    tp, fp, fn = (sum(getattr(s, f) for s in scores) for f in ("true_pos", "false_pos", "false_neg"))
    return Score(
        tp / (tp + fp) if tp + fp else 1.0,
        tp / (tp + fn) if tp + fn else 1.0,
        tp,
        fp,
        fn,
        sum(s.docs for s in scores) if docs is None else docs,
    )
