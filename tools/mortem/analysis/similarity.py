"""Root-cause text as sparse TF-IDF vectors, compared by cosine over an inverted index.

Written with dicts and the standard library rather than scikit-learn: a root cause is a few
dozen words, so its vector is a small dict, and importing scikit-learn alone costs more
(~0.7 s) than comparing a few thousand postmortems this way. Nothing builds an n-by-n
matrix: similar pairs are found by blocking on each vector's strongest terms in an inverted
index, and groups are merged by average linkage computed from summed vectors, so memory
grows with the number of terms and proposed pairs, which is capped per vector.
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import re
import tomllib
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

Vector = dict[str, float]
KIND_PREFIX = "kind:"  # a kind of cause among a vector's terms; no stem contains a colon
IDF_FLOOR = 1.0  # added to every idf; scikit-learn's smooth_idf uses 1
SIGNATURE = 10  # strongest terms per vector used to block candidate pairs
# Caps that keep the search near-linear when one cause recurs hundreds of times: each vector
# is compared with at most CANDIDATES earlier ones (those sharing most strong terms), found
# among the latest BLOCK_LIMIT holders of each term. Patterns still merge on exact means
# (see average_linkage), so a cap thins the proposals, not the similarity. Measured: every
# evaluation set scores the same with 20 and 100 as with 50 and 400, and 10,000 synthetic
# postmortems form the same 2,779 patterns, with half the pair search's time; 10 and 50
# change the evaluation's figures.
CANDIDATES = 20
BLOCK_LIMIT = 100
PAIR_PIECES = 16  # per core, for the pair search (_blocked_pairs)

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "recurrence.toml"
_WORD = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?")
_SEPARATORS = re.compile(r"[-_./\s]+")

# Suffixes stripped so "expired", "expiry" and "expires" meet, like a light Porter stemmer.
# Order matters: the first (longest) match wins, and a stem keeps at least three letters.
_SUFFIXES = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("nesses", ""),
    ("ness", ""),
    ("ities", ""),
    ("ity", ""),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("ers", ""),
    ("er", ""),
    ("ed", ""),
    ("s", ""),
    ("ly", ""),
)


@dataclass(frozen=True)
class Words:
    """Stop words and synonyms, applied the same way to every text and category slug."""

    stop: frozenset[str]
    synonyms: Mapping[tuple[str, ...], tuple[str, ...]]  # stemmed phrase -> stemmed canonical
    longest: int = 1
    canonical: Mapping[str, str] = field(default_factory=dict)  # stem -> word, for synonyms
    surface: dict[str, str] = field(default_factory=dict, compare=False)  # stem -> spelling shown
    seen: dict[str, str] = field(default_factory=dict, compare=False)  # word -> stem
    # slug -> its terms and category_key (Words.category)
    categories: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict, compare=False)
    starts: frozenset[str] = field(init=False, compare=False)  # first words of synonyms

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", frozenset(p[0] for p in self.synonyms))

    def terms(self, text: str, learn: bool = True) -> list[str]:
        """The stemmed content words of a text, with synonyms replaced by their canonical form.
        With learn=False its spellings are not among those `display` may show."""
        raws = _WORD.findall(text.casefold().replace("’", "'"))
        stems = self._stems(raws) if learn else [self.seen.get(raw) or self._stem_of(raw) for raw in raws]
        if self.starts.isdisjoint(stems):  # most texts: no synonym to look for, only stop words
            return list(itertools.filterfalse(self.stop.__contains__, stems))
        out: list[str] = []
        stop, starts = self.stop, self.starts  # locals: this runs per word
        i = 0
        count = len(stems)
        while i < count:
            word = stems[i]
            if word in starts:  # the first word of a synonym: try the longest phrase
                for size in range(min(self.longest, count - i), 0, -1):
                    canonical = self.synonyms.get(tuple(stems[i : i + size]))
                    if canonical is not None:
                        out.extend(canonical)
                        i += size
                        break
                else:
                    out.append(word)
                    i += 1
                continue
            if word not in stop:
                out.append(word)
            i += 1
        return out

    def _stems(self, raws: list[str]) -> list[str]:
        """Each word's stem. Once an archive's words are known, a word seen before is the rule:
        looking them all up in one call (map, in C) spares a Python step per word."""
        seen = self.seen
        try:
            return list(map(seen.__getitem__, raws))
        except KeyError:  # a new word
            return [seen.get(raw) or self._stem(raw) for raw in raws]

    def _stem(self, raw: str) -> str:
        """Stem once per distinct word, and keep its spelling for `display`."""
        known = self.seen.get(raw)
        if known is None:
            known = self._stem_of(raw)
            self._meet(raw, known)
        return known

    def _meet(self, raw: str, known: str) -> None:
        """A word met for the first time. A stem shows its alphabetically first spelling, so
        what `display` shows does not depend on the order texts are read in (nor on which
        process read them: learn)."""
        self.seen[raw] = known
        shown = self.surface.get(known)
        if shown is None or raw < shown:
            self.surface[known] = raw

    def _stem_of(self, raw: str) -> str:
        """Stop words (by spelling or stem) become their stem, which the stop set also holds."""
        return raw if len(raw) < 2 or raw in self.stop else stem(raw)

    def learned_since(self, known: int) -> list[tuple[str, str]]:
        """The (word, stem) pairs met after the first `known` (a dict keeps its order)."""
        return list(itertools.islice(self.seen.items(), known, None))

    def learn(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Take in words another process met (learned_since), as if they were met here: the
        spellings shown for a stem are the same whichever process read which text."""
        for raw, known in pairs:
            if raw not in self.seen:
                self._meet(raw, known)

    def category(self, slug: str) -> tuple[tuple[str, ...], str]:
        """A category slug's terms and its key (category_key), read once per slug: an
        archive reuses a few hundred. (Its separators need no replacing: no word runs
        through a hyphen, underscore, dot, slash or space.)"""
        found = self.categories.get(slug)
        if found is None:
            terms = tuple(self.terms(slug))
            found = self.categories[slug] = (terms, "-".join(sorted(set(terms))))
        return found

    def category_key(self, slug: str) -> str:
        """A slug in a canonical form: case, separators, plurals, synonyms and word order aside."""
        return self.category(slug)[1]

    def display(self, term: str) -> str:
        """A word written for a stem (a synonym's canonical word), for explanations a person reads."""
        if term.startswith(KIND_PREFIX):
            return "kind " + term.removeprefix(KIND_PREFIX)
        return self.canonical.get(term) or self.surface.get(term, term)


@cache
def stem(word: str) -> str:
    word = word.removesuffix("'s").replace("'", "")
    if len(word) > 5 and word.startswith("un") and word.endswith(("ed", "ing")):
        word = word[2:]  # "unmonitored" names the same gap as "not monitored"
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1]  # "expire"/"expiry", "configure"/"configurate" meet
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "dropped" -> "dropp" -> "drop"
    return word


@cache
def _data() -> dict[str, object]:
    return tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def _default_stop() -> frozenset[str]:
    table = _data()["stop"]
    assert isinstance(table, dict)
    words = " ".join(str(v) for v in table.values()).split()
    return frozenset(words) | frozenset(stem(w) for w in words)


def make_words(synonyms: Mapping[str, str] | None = None) -> Words:
    """Stop words from the data file; its synonyms overlaid with the team's own."""
    stop = _default_stop()
    base = _data()["synonyms"]
    assert isinstance(base, dict)
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    shown: dict[str, str] = {}
    for key, value in (*base.items(), *(synonyms or {}).items()):
        phrase = tuple(stem(w) for w in _words(str(key)))
        canonical = [w for w in _words(str(value)) if w not in stop]
        shown.update((stem(w), w) for w in canonical)
        if phrase:
            table[phrase] = tuple(stem(w) for w in canonical)
    return Words(stop, table, max((len(p) for p in table), default=1), shown)


def _words(text: str) -> list[str]:
    return _WORD.findall(_SEPARATORS.sub(" ", text.casefold()))


@dataclass
class Corpus:
    """TF-IDF vectors (unit length) for a list of documents, with an inverted index."""

    vectors: list[Vector]
    idf: dict[str, float]

    @cached_property
    def postings(self) -> dict[str, list[int]]:
        """Each term's documents, in order. Built on first use: only the search for one text's
        matches (`related`) reads it, not the pairs that patterns and PM060 are made of."""
        postings: dict[str, list[int]] = {}
        for doc, vector in enumerate(self.vectors):
            for term in vector:
                postings.setdefault(term, []).append(doc)
        return postings

    def vectorise(self, counts: Mapping[str, float]) -> Vector:
        """A vector for a text outside the corpus, weighted by the corpus's idf."""
        unseen = math.log(len(self.vectors) + 1) + IDF_FLOOR
        return _normalised(_weighted(counts, self.idf, unseen))

    def similar(self, vector: Vector, min_score: float) -> list[tuple[int, float]]:
        """Corpus documents with cosine >= min_score (> 0) to the vector, best first."""
        scores: dict[int, float] = {}
        for term, weight in vector.items():
            for doc in self.postings.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + weight * self.vectors[doc][term]
        found = [(doc, score) for doc, score in scores.items() if score >= min_score]
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    def similar_above(self, vector: Vector, min_score: float) -> list[tuple[int, float]]:
        """similar(vector, min_score), reading only the posting lists that can matter.

        A document sharing only terms in a set S scores at most |vector restricted to S|
        (Cauchy-Schwarz, its own norm being 1). So terms with the longest posting lists are
        left out while the norm of those left out stays below min_score: a document sharing
        none of the other terms cannot reach it. The rest are scored exactly as similar()."""
        budget = (min_score - 1e-9) ** 2  # rounding room, so no document is left out by it
        skipped = 0.0
        read: list[str] = []
        for term in sorted(vector, key=lambda t: (-len(self.postings.get(t, ())), t)):
            weight = vector[term]
            if skipped + weight * weight < budget:
                skipped += weight * weight
            else:
                read.append(term)
        candidates: set[int] = set()
        for term in read:
            candidates.update(self.postings.get(term, ()))
        found = []
        terms = list(vector.items())
        for doc in candidates:
            theirs = self.vectors[doc]
            score = 0.0
            for term, weight in terms:  # summed in the vector's order, as similar() sums
                if term in theirs:
                    score += weight * theirs[term]
            if score >= min_score:
                found.append((doc, score))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    def pairs(
        self, threshold: float, allowed: Iterable[int] | None = None, together: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """Every pair (i < j) with cosine >= threshold (> 0), without comparing all pairs.
        With `together` (a label per document), pairs with the same label are left out
        unscored: documents a caller already holds together need no similarity."""
        return _blocked_pairs(self.vectors, threshold, allowed, together)


def build_corpus(documents: list[Mapping[str, float]]) -> Corpus:
    """Weighted term counts -> TF-IDF (smoothed idf, sublinear tf), as scikit-learn computes it.

    The list is emptied as it is read: each document's counts are let go once its vector is
    made, so the archive's terms are never held twice (50 MB at 10,000 postmortems)."""
    df = Counter(itertools.chain.from_iterable(documents))  # each document's terms, once each
    n = len(documents)
    idf = {t: math.log((1 + n) / (1 + d)) + IDF_FLOOR for t, d in df.items()}
    # One string object per term in every vector: causes read on other cores arrive with
    # their own copies, and a lookup that finds the very object it holds skips comparing
    # characters (a tenth of a page's related incidents at 10,000 postmortems).
    same = {t: t for t in idf}.__getitem__
    vectors = []
    for position, counts in enumerate(documents):
        weighted = _weighted(counts, idf, 0.0)  # none unseen
        vectors.append(_normalised(weighted, map(same, weighted)))
        documents[position] = _RELEASED
    documents.clear()
    return Corpus(vectors, idf)


_RELEASED: Mapping[str, float] = {}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors: their dot product over the terms they share."""
    return sum([a[t] * b[t] for t in a.keys() & b.keys()])


def shared_terms(a: Vector, b: Vector, limit: int = 3) -> list[str]:
    """The terms that contribute most to the cosine of two vectors, strongest first."""
    products = sorted(((a[t] * b[t], t) for t in a.keys() & b.keys()), reverse=True)
    return [t for _, t in products[:limit]]


def _weighted(counts: Mapping[str, float], idf: Mapping[str, float], unseen: float) -> Vector:
    """Each term's sublinear tf (1 + log count; a count below 1 as it is) times its idf
    (`unseen` for a term the corpus lacks). Written out in one comprehension: a function
    call per term was a fifth of the corpus's time."""
    log, weight = math.log, idf.get
    return {t: (1.0 + log(c) if c >= 1 else c) * weight(t, unseen) for t, c in counts.items()}


def _normalised(vector: Vector, terms: Iterable[str] | None = None) -> Vector:
    """vector at unit length, under `terms` (its own, in order, unless given)."""
    weights = vector.values()
    norm = math.sqrt(sum(map(operator.mul, weights, weights)))  # summed in order, as a generator would
    keys = vector if terms is None else terms
    return dict(zip(keys, map(norm.__rtruediv__, weights), strict=True)) if norm else {}  # each w / norm


def _blocked_pairs(
    vectors: Sequence[Vector],
    threshold: float,
    allowed: Iterable[int] | None,
    together: Sequence[int] | None = None,
) -> list[tuple[int, int, float]]:
    """Candidate pairs share one of their SIGNATURE strongest terms (blocking on an
    inverted index of those terms only); each candidate then gets its exact cosine.

    A common word is rarely among a vector's strongest terms, so no posting list grows
    with the archive the way "deploy" or "alert" would, and the work stays near-linear.
    Two root causes that reach the threshold almost always share a strong term; the
    evaluation set measures what this misses (nothing there).

    Pairs labelled alike in `together` still count towards choosing the candidates (so the
    others are the same with or without it); only their cosine is skipped.

    The blocks are filled first; then the vectors' candidates, which read only the blocks'
    entries before them (found by bisection: a block lists its vectors in order), are scored
    in pieces over the cores (mortem.parallel.in_parts): half the analysis at 10,000. A
    later vector meets more earlier ones (two fixed halves took 0.69 s and 0.89 s at 10,000
    postmortems), so the cores take PAIR_PIECES pieces each in turn. The pieces read only
    the vectors and the blocks, so they split even in `mortem check`, which otherwise keeps
    to one process for its memory (parallel.one_process)."""
    from mortem.parallel import in_parts

    order = list(range(len(vectors))) if allowed is None else sorted(set(allowed))
    blocks: dict[str, list[int]] = {}
    strongest: list[list[str]] = []  # per vector in order
    for j in order:
        vector = vectors[j]
        terms = sorted(vector, key=vector.__getitem__, reverse=True)[:SIGNATURE]
        strongest.append(terms)
        for term in terms:
            blocks.setdefault(term, []).append(j)

    def score(start: int, end: int) -> list[tuple[int, int, float]]:
        found = []
        for j, terms in zip(order[start:end], strongest[start:end], strict=True):
            vector = vectors[j]
            held = [blocks[term] for term in terms]
            # One count over the blocks' latest holders before j, in the order one update
            # per block would meet them: ties in _most_shared follow it.
            latest = [block[max(0, at - BLOCK_LIMIT) : at] for block in held if (at := bisect_left(block, j))]
            candidates = _most_shared(Counter(itertools.chain.from_iterable(latest)), CANDIDATES)
            if together is not None:
                label = together[j]
                candidates = [i for i in candidates if together[i] != label]
            for i in candidates:
                similarity = cosine(vectors[i], vector)
                if similarity >= threshold:
                    found.append((i, j, similarity))
        return found

    return list(itertools.chain.from_iterable(in_parts(len(order), score, light=True, pieces=PAIR_PIECES)))


def _most_shared(shared: Counter[int], limit: int) -> list[int]:
    """The keys of shared.most_common(limit), in its order. A stable sort by count keeps its
    ties (first counted first) as heapq.nlargest does, without nlargest's Python-level loop,
    which took twice as long as this sort."""
    return sorted(shared, key=shared.__getitem__, reverse=True)[:limit]


def average_linkage(
    groups: Sequence[Sequence[int]],
    vectors: Sequence[Vector],
    proposals: Iterable[tuple[int, int]],
    threshold: float,
    scale: Sequence[float] | None = None,
) -> list[list[int]]:
    """Merge starting groups of items by average linkage: two groups merge while the mean
    cosine over all their cross pairs is at least `threshold`. With `scale`, each item's
    vector counts scaled by its factor (a scaled copy of every vector would be a third of the
    analysis's memory).

    Unlike single linkage, one stray similar pair cannot chain two unrelated groups. The
    mean needs no pairwise matrix: for unit vectors it is the dot product of the groups'
    summed vectors divided by |A|·|B|. Only groups joined by a proposed pair (a similar
    pair found by blocking) are compared; merges follow a heap, skipping stale entries.
    """
    members: dict[int, list[int]] = {g: list(items) for g, items in enumerate(groups)}
    group_of = {item: g for g, items in members.items() for item in items}
    sums: dict[int, Vector] = {}
    near: dict[int, set[int]] = {g: set() for g in members}
    for i, j in proposals:
        a, b = group_of[i], group_of[j]
        if a != b:
            near[a].add(b)
            near[b].add(a)
    heap: list[tuple[float, int, int, int, int]] = []

    def summed(g: int) -> Vector:
        """A group's summed vector, made when the group is first compared (many never are):
        a group is compared before it can merge, so its members are still its own."""
        total = sums.get(g)
        if total is None:
            total = sums[g] = {}
            for i in members[g]:
                _add_into(total, vectors[i], 1.0 if scale is None else scale[i])
        return total

    def push(a: int, b: int) -> None:
        mean = cosine(summed(a), summed(b)) / (len(members[a]) * len(members[b]))
        if mean >= threshold:
            heapq.heappush(heap, (-mean, a, b, len(members[a]), len(members[b])))

    for a, others in near.items():
        for b in others:
            if a < b:
                push(a, b)
    while heap:
        _, a, b, size_a, size_b = heapq.heappop(heap)
        if a not in members or b not in members or (len(members[a]), len(members[b])) != (size_a, size_b):
            continue  # stale: one side has merged or grown since this entry was pushed
        if len(members[a]) < len(members[b]):
            a, b = b, a
        members[a].extend(members.pop(b))
        _add_into(sums[a], sums.pop(b))
        for other in near.pop(b):
            near[other].discard(b)
            if other != a:
                near[other].add(a)
                near[a].add(other)
        near[a].discard(b)
        for other in near[a]:
            push(a, other)
    return list(members.values())


def _add_into(total: Vector, vector: Vector, factor: float = 1.0) -> None:
    """total += factor * vector, term by term (w * 1.0 is w: most vectors spare the products)."""
    if factor == 1.0:
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight
    else:
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight * factor
