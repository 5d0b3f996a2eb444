"""Kinds of root cause that recur across teams (an expired certificate, a filling disk, an
exhausted connection pool...), recognised from a root cause's words by naive Bayes.

Two write-ups of one kind of cause often share no word: "binlogs near full" and "the spool
volume filled". Cosine over their words cannot join them; a model that has seen how authors
describe each kind can. It is trained on labelled postmortems (tests/eval/train_kinds.py
writes data/kinds.json), with 100 root causes of no known kind as a class of their own
(OTHER), so that it can answer "none of these". A cause is given a kind only when the model
is sure of it (`MIN_PROBABILITY`).

Chosen by cross-validation over the development sets (tests/eval/test_recurrence.py): with
0.95 and the kind weighted 12 in the cause's vector (patterns.WEIGHT_MODEL_KIND), pooled
precision 0.931 and recall 0.831, and 0.615 precision on the pairs that involve a family the
model was not trained on. A floor on how much better the kind explains the words than
postmortem text in general, and a penalty per word the model never saw, both cost recall
and bought nothing once the "other" class had 100 examples.

Pure Python with a sparse table: a cause has a few dozen terms, each known to a few classes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "kinds.json"
OTHER = "other"  # the class of root causes that are none of the known kinds
ALPHA = 0.3  # additive smoothing of each class's term counts
MIN_PROBABILITY = 0.95
EVIDENCE_WORDS = 3  # terms shown as the reason for a kind


@dataclass(frozen=True)
class KindModel:
    """Per class, how many training causes used each term (binary: a term counts once per
    cause). Everything else is derived from those counts."""

    classes: tuple[str, ...]
    causes: Mapping[str, int]  # class -> training causes
    counts: Mapping[str, Mapping[str, int]]  # term -> class -> training causes using it
    alpha: float = ALPHA
    _prior: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _base: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _gains: dict[str, tuple[tuple[tuple[int, float], ...], float]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # log P(t|c) = log(alpha / (total_c + alpha V)) + log1p(n_ct / alpha): the first part
        # is the same for every term, so a cause costs one addition per class it names.
        vocabulary = len(self.counts)
        index = {name: i for i, name in enumerate(self.classes)}
        totals = [0] * len(self.classes)
        for by_class in self.counts.values():
            for name, n in by_class.items():
                totals[index[name]] += n
        all_causes = sum(self.causes.values())
        a = self.alpha
        set_ = object.__setattr__
        set_(self, "_prior", tuple(math.log(self.causes[c] / all_causes) for c in self.classes))
        set_(self, "_base", tuple(math.log(a / (t + a * vocabulary)) for t in totals))
        set_(
            self,
            "_gains",
            {
                term: (
                    tuple((index[c], math.log1p(n / a)) for c, n in by_class.items()),
                    math.log1p(sum(by_class.values()) / a),
                )
                for term, by_class in self.counts.items()
            },
        )

    def recognise(self, terms: Iterable[str]) -> str | None:
        """The kind of cause these terms (each once) describe, if the model is sure of one."""
        gains = self._gains
        known = [t for t in terms if t in gains]  # unseen words weigh on no class
        if not known:
            return None
        m = len(known)
        scores = [p + m * b for p, b in zip(self._prior, self._base, strict=True)]
        for term in known:
            for i, gain in gains[term][0]:
                scores[i] += gain
        best = max(range(len(scores)), key=scores.__getitem__)
        name = self.classes[best]
        if name == OTHER:
            return None
        top = scores[best]
        probability = 1.0 / sum(math.exp(s - top) for s in scores)
        return name if probability >= MIN_PROBABILITY else None

    def evidence_words(self, terms: Iterable[str], kind: str) -> tuple[str, ...]:
        """The kind's own words among these terms: those its training causes used, most
        telling first (used by the kind, relative to how often every class used them). Asked
        only when a link is explained, so recognising a kind does not pay for it."""
        best = self.classes.index(kind)
        lifts = {}
        for term in terms:
            if term not in self._gains:
                continue
            by_class, overall = self._gains[term]
            mine = dict(by_class).get(best)
            if mine is not None:
                lifts[term] = mine - overall
        return tuple(sorted(lifts, key=lambda t: (-lifts[t], t))[:EVIDENCE_WORDS])

    def to_json(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "classes": list(self.classes),
            "causes": dict(self.causes),
            "counts": {t: dict(sorted(by.items())) for t, by in sorted(self.counts.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> KindModel:
        classes, causes, counts, alpha = data["classes"], data["causes"], data["counts"], data["alpha"]
        assert isinstance(classes, list) and isinstance(causes, dict) and isinstance(counts, dict)
        assert isinstance(alpha, int | float)
        return cls(tuple(classes), causes, counts, float(alpha))


def train(examples: Iterable[tuple[Iterable[str], str]], alpha: float = ALPHA) -> KindModel:
    """A model from (terms of one root cause, its class) pairs; OTHER is the class of causes
    that belong to no kind, and should be well represented."""
    causes: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {}
    for terms, name in examples:
        causes[name] += 1
        for term in set(terms):
            counts.setdefault(term, Counter())[name] += 1
    classes = tuple(sorted(causes, key=lambda c: (c == OTHER, c)))
    return KindModel(classes, dict(causes), {t: dict(c) for t, c in counts.items()}, alpha)


_override: list[KindModel | None] = []


def model() -> KindModel | None:
    """The model in use: data/kinds.json, or one set by `using` (the evaluation's
    cross-validation trains its own)."""
    if _override:
        return _override[-1]
    return _shipped()


@cache
def _shipped() -> KindModel | None:
    import json  # only where a model is read: the pre-commit check seldom needs one

    if not MODEL_FILE.exists():
        return None
    return KindModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


@contextmanager
def using(kind_model: KindModel | None) -> Iterator[None]:
    """Recognise kinds with this model (None: none at all) inside the block. The on-disk
    cache knows only the shipped model (its file is in the code fingerprint), so it is off
    meanwhile."""
    from mortem import cache

    _override.append(kind_model)
    try:
        with cache.suspended():
            yield
    finally:
        _override.pop()
