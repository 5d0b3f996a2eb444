"""Recurring root causes: which postmortems share one, and the patterns they form.

The unit compared is one root cause, not one postmortem: an incident usually has a
prevention cause and a detection cause, and each may recur with a different incident. Two
causes match when their normalised category slugs are equal, or when their text (summary,
plus the why-chain and trigger for the prevention side) is similar by TF-IDF cosine. A
pattern is a connected group of matching causes from two or more postmortems.
"""

from __future__ import annotations

import datetime
import itertools
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from mortem.analysis import kinds
from mortem.analysis.actions import BUCKETS
from mortem.analysis.periods import quarter_key
from mortem.analysis.similarity import (
    KIND_PREFIX,
    Corpus,
    Vector,
    Words,
    average_linkage,
    build_corpus,
    cosine,
    make_words,
)
from mortem.analysis.similarity import shared_terms as top_shared_terms
from mortem.archive import same_facts
from mortem.config import Config
from mortem.model import ID_PATTERN, ActionItem, Postmortem, RootCause

# Tuned on the "tune" set of tests/eval/recurrence (tests/eval/recurrence_eval.py), where
# any link threshold from 0.145 to 0.17 gives the same precision (1.0). Within that plateau,
# the development sets (heldout2, heldout3 and heldout4, strangers' words) chose 0.15: their
# pooled recall rose from 0.40 at 0.17 to 0.54, precision went from 0.92 to 0.89, and below
# 0.145 precision falls away. "heldout5" was written blind afterwards, to measure the choice.
LINK_THRESHOLD = 0.15  # mean cosine at which two groups of root causes are one cause
EDGE_MIN = 0.10  # pairs below this count as unrelated (0) when averaging (and are not searched)
DETECTION_DISCOUNT = 0.5  # a detection cause's similarity counts for less; see _discount
LINKED_THRESHOLD = 0.1  # lower bar when an author already linked the two in `related`
RELATED_MIN = 0.08  # below this, `mortem related` shows nothing rather than noise
LINKED_SCORE = 0.5  # an author's `related` link ranks like a clear text match

# How much each part of a postmortem says about its cause: the author's category and
# summary name it directly; the why-chain adds context and noise; the trigger is what
# happened rather than why, so it counts least.
WEIGHT_CATEGORY = 2.0
WEIGHT_SUMMARY = 1.0
WEIGHT_WHY = 0.75
WEIGHT_TRIGGER = 0.25
WEIGHT_MODEL_KIND = 12.0  # a recognised kind of cause (analysis.kinds), against the weights above


Counts = defaultdict[str, float]  # weighted term counts of one root cause


@dataclass(frozen=True)
class Link:
    other: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Pattern:
    name: str
    postmortems: tuple[str, ...]
    dates: tuple[datetime.date, ...]
    by_quarter: Mapping[str, int]
    action_items: tuple[tuple[str, ActionItem], ...]

    @property
    def count(self) -> int:
        return len(self.postmortems)

    @property
    def open_action_items(self) -> int:
        return sum(1 for _, item in self.action_items if item.is_open)

    @property
    def open_by_bucket(self) -> Counter[str]:
        """Open action items per bucket; a missing or misspelt one (the schema rule's
        finding) counts as "other", so no item goes uncounted."""
        return Counter(
            item.bucket if item.bucket in BUCKETS else "other"
            for _, item in self.action_items
            if item.is_open
        )


@dataclass(frozen=True)
class _Cause:
    doc: int  # index into Analysis.docs
    root: RootCause | None  # None for a postmortem without root_causes: its text stands in
    key: str  # normalised category, "" when there is none


@dataclass(frozen=True)
class _Members:
    """One pattern as PM060 asks of it for every file checked: its postmortems' sort keys
    (in the pattern's order) and how many of its causes carry each category. Asking the
    pattern itself each time made a check of thousands of postmortems quadratic."""

    keys: list[tuple[datetime.date, str]]  # sorted, for bisect
    ids: list[str]  # the postmortem of each key
    causes: frozenset[int]
    categories: Counter[str]


@dataclass
class _Analysis:
    docs: Sequence[Postmortem]
    config: Config
    words: Words
    causes: list[_Cause]
    corpus: Corpus
    by_key: dict[str, list[int]]
    by_doc: dict[str, list[int]]  # postmortem id -> its causes
    linked_from: dict[str, set[str]]  # postmortem id -> ids whose `related` names it
    patterns: list[tuple[Pattern, list[int]]] | None = None
    in_patterns: dict[int, list[int]] | None = None  # cause -> the patterns holding it, in rank order
    members: dict[int, _Members] = field(default_factory=dict)  # pattern position -> its index
    item_causes: dict[int, list[int]] = field(default_factory=dict)  # doc -> each item's cause


def find_patterns(docs: Sequence[Postmortem], config: Config) -> list[Pattern]:
    """Recurring patterns (2+ postmortems), most frequent first. Kept in the cache under the
    archive's facts (archive.facts), which an edit to a timeline or an impact leaves as they
    were: the analysis takes seconds at thousands of postmortems."""
    from mortem import cache

    key = cache.facts_key(docs, "patterns")
    return cache.cached(config, "archive", key, lambda: _patterns(docs, config), _are_patterns)


def _patterns(docs: Sequence[Postmortem], config: Config) -> list[Pattern]:
    from mortem.archive import bulk

    analysis = _analyse(docs, config)
    grouped = _grouped(analysis)
    with bulk():  # placing the items allocates enough to start a full collection (see bulk)
        _place_items(analysis, {analysis.causes[c].doc for _, group in grouped for c in group})
        return [_with_items(analysis, pattern, group) for pattern, group in grouped]


def archive_patterns(config: Config, warn: Callable[[str], None]) -> list[Pattern]:
    """find_patterns over the configured archive, kept under its facts (archive.over_archive)
    alone: find_patterns' own entry, keyed by loaded postmortems, would be a second copy."""
    from mortem.archive import over_archive

    return over_archive(config, "patterns", "", lambda docs: _patterns(docs, config), _are_patterns, warn)


def _are_patterns(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(p, Pattern) for p in value)


def _rank(pattern: Pattern) -> tuple[int, int, str]:
    """Most frequent first, then most recent, then by name for a stable order."""
    return (-pattern.count, -pattern.dates[-1].toordinal(), pattern.name)


def _grouped(analysis: _Analysis) -> list[tuple[Pattern, list[int]]]:
    """Patterns with the causes behind each, computed once per archive (`mortem check`
    asks for every file, the site for every page). Their action items are left empty:
    PM060 needs none, and placing each item costs more than the rest; _with_items adds them."""
    if analysis.patterns is None:
        from mortem.archive import bulk

        with bulk():
            found = [(_pattern(analysis, group), group) for group in _components(analysis)]
        analysis.patterns = sorted(found, key=lambda pg: _rank(pg[0]))
    return analysis.patterns


def _patterns_of(analysis: _Analysis, causes: Iterable[int]) -> list[int]:
    """Positions in `_grouped` of the patterns that hold any of these causes, in rank order.
    An index instead of a scan of every pattern: PM060 asks once per file checked."""
    if analysis.in_patterns is None:
        index: dict[int, list[int]] = {}
        for position, (_, group) in enumerate(_grouped(analysis)):
            for cause in group:
                index.setdefault(cause, []).append(position)
        analysis.in_patterns = index
    return sorted({p for c in causes for p in analysis.in_patterns.get(c, ())})


def related(
    doc: Postmortem, docs: Sequence[Postmortem], config: Config, limit: int = 5, earlier_only: bool = False
) -> list[Link]:
    """Most similar postmortems to doc (explicit `related` ids in either direction included,
    with reason "linked in related"), best first."""
    analysis = _analyse(docs, config)
    mine = _sort_key(doc)

    def keep(other: str) -> bool:
        return not earlier_only or _doc_key(analysis, other) < mine

    return _links(analysis, doc, RELATED_MIN, limit, keep)


# Below this many postmortems, `related` for each is quicker here than with a fork.
MIN_RELATED_PARTS = 500


def related_by_position(
    docs: Sequence[Postmortem], config: Config, limit: int
) -> Callable[[int], list[Link]]:
    """related(docs[i], docs, ...) by position, for every page of the site, with the archive
    analysed now, once: a worker forked after this call reads the same analysis (about 1 ms a
    postmortem, so the site finds them on two cores: mortem.parallel.from_both_ends)."""
    _analyse(docs, config)

    def one(index: int) -> list[Link]:
        return related(docs[index], docs, config, limit)

    return one


def recurrence_of(
    doc: Postmortem, docs: Sequence[Postmortem], config: Config
) -> tuple[str, tuple[str, ...]] | None:
    """The pattern doc falls into with earlier postmortems while neither linking any of
    them in `related` nor sharing a category with them, as (name, earlier ids), or None."""
    pool = _with(doc, docs)
    analysis = _analyse(pool, config)
    mine = _sort_key(doc)
    linked = _linked_ids(doc, analysis)
    own = analysis.by_doc.get(doc.id, [])
    grouped = _grouped(analysis)
    for position in _patterns_of(analysis, own):
        pattern = grouped[position][0]
        members = _members(analysis, position)
        earlier = [pid for pid in members.ids[: bisect_left(members.keys, mine)] if pid != doc.id]
        # a shared category counts only between the causes that make this pattern
        mine_here = Counter(analysis.causes[c].key for c in own if c in members.causes)
        shares = any(members.categories[k] > n for k, n in mine_here.items() if k)
        if earlier and not linked & set(earlier) and not shares:
            return pattern.name, tuple(earlier)
    return None


def _members(analysis: _Analysis, position: int) -> _Members:
    found = analysis.members.get(position)
    if found is None:
        pattern, group = _grouped(analysis)[position]
        ordered = sorted((_doc_key(analysis, pid), pid) for pid in pattern.postmortems)
        categories = Counter(analysis.causes[c].key for c in group)
        keys, ids = [key for key, _ in ordered], [pid for _, pid in ordered]
        found = _Members(keys, ids, frozenset(group), categories)
        analysis.members[position] = found
    return found


def _with(doc: Postmortem, docs: Sequence[Postmortem]) -> Sequence[Postmortem]:
    """The archive as it would be with doc in it: unchanged when it already holds what the
    analysis reads of doc, its front matter and Root cause section (so the cached analysis
    is reused for every file of a `mortem check` run, whose archive may be slim copies)."""
    same = _identity(docs)[1].get(doc.id, [])
    if same and all(d is doc or same_facts(d, doc) for d in same):
        return docs
    return [*(d for d in docs if d.id != doc.id), doc]


# --- building the analysis -------------------------------------------------------------


class _Ids:
    """The objects' ids in an archive sequence, as a key hashed once. `mortem check` looks its
    analysis up for every file, and hashing a tuple of 10,000 ids each time (tuples do not
    keep their hash) was most of what recurrence_of cost per file."""

    __slots__ = ("hash", "ids")

    def __init__(self, ids: tuple[int, ...]) -> None:
        self.ids = ids
        self.hash = hash(ids)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ids) and self.hash == other.hash and self.ids == other.ids


_CACHE: OrderedDict[tuple[int, _Ids, int], _Analysis] = OrderedDict()
_Identity = tuple[_Ids, dict[str, list[Postmortem]]]
_IDENTITIES: OrderedDict[int, tuple[Sequence[Postmortem], _Identity]] = OrderedDict()


def _identity(docs: Sequence[Postmortem]) -> _Identity:
    """The objects' ids (the analysis cache key) and the postmortems by id. Both take a pass
    over the archive, and `mortem check` asks for each of its files: for a sequence that
    cannot change (a tuple, the checker's archive view), they are computed once."""
    frozen = not isinstance(docs, MutableSequence)
    if frozen:
        hit = _IDENTITIES.get(id(docs))
        if hit is not None and hit[0] is docs:
            return hit[1]
    by_id: dict[str, list[Postmortem]] = {}
    for d in docs:
        by_id.setdefault(d.id, []).append(d)
    found = (_known(_Ids(tuple(map(id, docs)))), by_id)
    if frozen:
        _IDENTITIES[id(docs)] = (docs, found)  # keeps docs alive, so its id stays its own
        while len(_IDENTITIES) > 4:
            _IDENTITIES.popitem(last=False)
    return found


def _known(ids: _Ids) -> _Ids:
    """The equal key of an analysis already made, if there is one, so that looking it up
    again finds the very object and skips comparing 10,000 ids: the site asks with a tuple
    of the postmortems the check analysed, once for each of its pages."""
    return next((known for _, known, _ in _CACHE if known == ids), ids)


def _analyse(docs: Sequence[Postmortem], config: Config) -> _Analysis:
    """Vectorise an archive once: the site asks for every page's related incidents, and
    `mortem check` asks for every file, over the same archive."""
    key = (id(config), _identity(docs)[0], id(kinds.model()))
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    from mortem.archive import bulk

    with bulk():
        analysis = _build(docs, config)
    _CACHE[key] = analysis  # keeps docs and config alive, so their ids stay theirs
    while len(_CACHE) > 4:
        _CACHE.popitem(last=False)
    return analysis


class CausesAhead:
    """The causes of postmortems read into terms before the analysis asks for them: while a
    check's workers parse the archive, this process would otherwise wait for them. An
    analysis of these settings (the same object) takes each postmortem's terms from here
    (by identity: the same object read) and reads any other itself, with the same words, so
    it finds what it would have found alone (a spelling shown is the alphabetically first
    met, whatever the order)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.words = make_words(config.synonyms)
        self._read: dict[int, tuple[Postmortem, tuple[list[Counts], list[str]]]] = {}

    def read(self, doc: Postmortem) -> None:
        if _day(doc) is not None:
            self._read[id(doc)] = (doc, _doc_causes(doc, self.words))

    def take(self, doc: Postmortem) -> tuple[list[Counts], list[str]] | None:
        found = self._read.pop(id(doc), None)
        return found[1] if found is not None and found[0] is doc else None


_AHEAD: list[CausesAhead] = []  # open reading_ahead blocks


@contextmanager
def reading_ahead(config: Config) -> Iterator[CausesAhead]:
    """A CausesAhead that analyses of `config` use while the block is open."""
    ahead = CausesAhead(config)
    _AHEAD.append(ahead)
    try:
        yield ahead
    finally:
        _AHEAD.remove(ahead)


def _build(docs: Sequence[Postmortem], config: Config) -> _Analysis:
    from mortem.parallel import in_parts

    ahead = next((a for a in _AHEAD if a.config is config), None)
    words = make_words(config.synonyms) if ahead is None else ahead.words
    dated = [d for d in docs if _day(d) is not None]  # undated ones cannot be placed; check reports them
    known = len(words.seen)

    def read(start: int, end: int) -> tuple[list[tuple[list[Counts], list[str]]], list[tuple[str, str]]]:
        """Each postmortem's causes' terms and category keys, and the words met on the way:
        a third of the analysis at 10,000 postmortems, so split over the cores (or read
        ahead: CausesAhead)."""
        found = []
        for index in range(start, end):
            taken = ahead.take(dated[index]) if ahead is not None else None
            found.append(taken if taken is not None else _doc_causes(dated[index], words))
        return found, words.learned_since(known)

    causes: list[_Cause] = []
    counts: list[Mapping[str, float]] = []  # handed to build_corpus, which empties it
    by_key: dict[str, list[int]] = {}
    by_doc: dict[str, list[int]] = {}
    parts = in_parts(len(dated), read)
    read_docs = itertools.chain.from_iterable([part for part, _ in parts])
    for index, (doc, (terms, keys)) in enumerate(zip(dated, read_docs, strict=True)):
        for root, key, cause_terms in zip(_roots(doc), keys, terms, strict=True):
            by_doc.setdefault(doc.id, []).append(len(causes))
            if key:
                by_key.setdefault(key, []).append(len(causes))
            causes.append(_Cause(index, root, key))
            counts.append(cause_terms)
    words.learn(itertools.chain.from_iterable([learned for _, learned in parts]))
    parts.clear()  # build_corpus lets each cause's counts go as it reads them: none kept here
    linked_from: dict[str, set[str]] = {}
    for doc in dated:
        for other in doc.related:
            linked_from.setdefault(other, set()).add(doc.id)
    return _Analysis(dated, config, words, causes, build_corpus(counts), by_key, by_doc, linked_from)


def _roots(doc: Postmortem) -> list[RootCause | None]:
    """The causes compared: a postmortem without root_causes is one cause, its text."""
    return list(doc.root_causes) or [None]


def _doc_causes(doc: Postmortem, words: Words) -> tuple[list[Counts], list[str]]:
    """Each root cause's weighted terms and normalised category ("" when none), in _roots
    order. The why-chain and trigger explain how it happened, so they go to the prevention
    causes; a "Detection" paragraph goes to detection causes."""
    why, detection = _root_cause_text(doc)
    context: Counts = defaultdict(float)
    _add(context, words.terms(why), WEIGHT_WHY)
    _add(context, words.terms(doc.trigger or ""), WEIGHT_TRIGGER)
    detected: Counts = defaultdict(float)
    _add(detected, words.terms(detection), WEIGHT_WHY)
    all_counts, keys = [], []
    for root in _roots(doc):
        terms: Counts = defaultdict(float)
        key = ""
        if root is not None:
            if root.category:
                category_terms, key = words.category(root.category)
                _add(terms, category_terms, WEIGHT_CATEGORY)
            _add(terms, words.terms(root.summary or ""), WEIGHT_SUMMARY)
        for term, weight in (detected if root is not None and root.kind == "detection" else context).items():
            terms[term] += weight
        _add_kind(terms)
        all_counts.append(terms)
        keys.append(key)
    return all_counts, keys


def kind_features(doc: Postmortem, words: Words) -> list[str]:
    """The terms the kind model reads for a postmortem's first root cause, as training sees
    them (tests/eval/train_kinds.py): the same terms the analysis recognises a kind from."""
    with kinds.using(None):
        counts, _ = _doc_causes(doc, words)
    return list(counts[0])


def _add_kind(terms: Counts) -> None:
    """The cause's kind, when the model recognises one, as a heavy term of its own: two
    causes of one kind then meet however differently they are worded."""
    kind_model = kinds.model()
    if kind_model is None:
        return
    kind = kind_model.recognise(terms.keys())  # no kind among them yet
    if kind is not None:
        terms[KIND_PREFIX + kind] += WEIGHT_MODEL_KIND


def _root_cause_text(doc: Postmortem) -> tuple[str, str]:
    section = doc.section("Root cause")
    if section is None:
        return "", ""
    paragraphs = section.prose.split("\n")
    detection = [p for p in paragraphs if p.lstrip().casefold().startswith("detection")]
    return "\n".join(p for p in paragraphs if p not in detection), "\n".join(detection)


def _add(counts: Counts, terms: Iterable[str], weight: float) -> None:
    for term in terms:
        counts[term] += weight


# --- links -----------------------------------------------------------------------------


# A first, higher bar for text matches in `related`: when it already yields the links shown,
# the text search reads far fewer posting lists (see _links).
TEXT_FIRST_BAR = 0.3


def _links(
    analysis: _Analysis, doc: Postmortem, min_score: float, limit: int, keep: Callable[[str], bool]
) -> list[Link]:
    """The `limit` best links from doc to other postmortems that `keep` accepts, best first:
    category, text, or an explicit link.

    Same-category and linked postmortems always score at least 0.5, so they are scored
    first; the `limit`-th best of them (or a first pass at TEXT_FIRST_BAR) is a bar that a
    text-only match must reach to be shown, and only text matches above the bar are
    searched for (Corpus.similar_above). The result is the same as scoring every
    postmortem that shares a word: with thousands, that search made the site quadratic.
    Every candidate is scored, and only the links shown are explained (_Query): in a
    large archive a cause's category is shared by dozens, and explaining each was most of
    the site's `related`."""
    vectors, keys = _vectors_of(analysis, doc)
    linked = {other for other in _linked_ids(doc, analysis) if keep(other)}
    same_category: dict[str, str] = {}
    category_hits: list[list[int]] = []  # per cause of doc: the causes sharing its category
    for root, key in zip(_roots(doc), keys, strict=True):
        hits = analysis.by_key.get(key, []) if key else []
        for theirs in hits:
            other = _doc_of(analysis, theirs)
            same_category.setdefault(other, (root.category if root else "") or key)
        category_hits.append(hits)
    sure = {o for o in same_category if o != doc.id and keep(o)} | linked
    best: dict[str, tuple[float, int, int]] = {}  # other id -> (score, my cause, their cause)
    # Their exact best pair, in the order the full search meets pairs: by my cause, then text
    # hits best first, then same-category causes at 0; a later pair wins a tie.
    for mine, (vector, hits) in enumerate(zip(vectors, category_hits, strict=True)):
        found = [
            (theirs, score)
            for other in sorted(sure)
            for theirs in analysis.by_doc[other]
            if (score := _accumulated(vector, analysis.corpus.vectors[theirs])) >= min_score
        ]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        found += [(theirs, 0.0) for theirs in hits if _doc_of(analysis, theirs) in sure]
        _improve(best, analysis, found, mine)
    for other in linked - best.keys():
        best[other] = _best_pair(vectors, analysis, other)
    query = _Query(analysis, vectors, same_category, linked)
    scores = {other: query.score(other, entry) for other, entry in best.items()}
    for bar in (TEXT_FIRST_BAR, min_score):
        bar = max(bar, min_score)
        text_best: dict[str, tuple[float, int, int]] = {}
        for mine, vector in enumerate(vectors):
            found = [
                (theirs, score)
                for theirs, score in analysis.corpus.similar_above(vector, max(bar, _floor(scores, limit)))
                if (other := _doc_of(analysis, theirs)) != doc.id and other not in sure and keep(other)
            ]
            _improve(text_best, analysis, found, mine)
        more = {o: query.score(o, e) for o, e in text_best.items()}
        if bar <= min_score or _floor({**scores, **more}, limit) >= bar:
            # every match that can be shown is at least the bar
            shown = sorted({**scores, **more}.items(), key=lambda pair: (-pair[1][0], pair[0]))[:limit]
            return [query.explained(other, entry) for other, (_, entry) in shown]
    raise AssertionError("the last bar is min_score")


def _vectors_of(analysis: _Analysis, doc: Postmortem) -> tuple[list[Vector], list[str]]:
    """doc's causes' vectors and category keys: the analysis's own when it read this very
    postmortem (the site asks for each of its pages), else read afresh (a file not yet in
    the archive, or changed since), weighted by the archive's idf."""
    own = analysis.by_doc.get(doc.id, [])
    if own and all(analysis.docs[analysis.causes[c].doc] is doc for c in own):
        return [analysis.corpus.vectors[c] for c in own], [analysis.causes[c].key for c in own]
    counts, keys = _doc_causes(doc, analysis.words)
    return [analysis.corpus.vectorise(c) for c in counts], keys


def _floor(scores: Mapping[str, tuple[float, tuple[float, int, int]]], limit: int) -> float:
    """A raw score below which a text match cannot be among the `limit` best links: the
    limit-th best shown score, less its rounding to three decimals (0 when fewer links)."""
    if limit < 1 or len(scores) < limit:
        return 0.0
    return sorted((shown for shown, _ in scores.values()), reverse=True)[limit - 1] - 0.001


def _improve(
    best: dict[str, tuple[float, int, int]], analysis: _Analysis, found: list[tuple[int, float]], mine: int
) -> None:
    for theirs, score in found:
        other = _doc_of(analysis, theirs)
        if score >= best.get(other, (-1.0, 0, 0))[0]:
            best[other] = (score, mine, theirs)


@dataclass(frozen=True)
class _Query:
    """What scoring and explaining the links from one postmortem read."""

    analysis: _Analysis
    vectors: Sequence[Vector]  # the postmortem's causes'
    same_category: Mapping[str, str]  # other id -> the category they share
    linked: set[str]  # ids linked with it in `related`, either way

    def score(self, other: str, entry: tuple[float, int, int]) -> tuple[float, tuple[float, int, int]]:
        """The link's score as shown (a shared category lifts it to 0.5 and up, an explicit
        link to LINKED_SCORE; three decimals), with the pair it comes from."""
        score, mine, theirs = entry
        if other in self.same_category:
            score = 0.5 + 0.5 * max(score, cosine(self.vectors[mine], self.analysis.corpus.vectors[theirs]))
        if other in self.linked:
            score = max(score, LINKED_SCORE)
        return round(min(score, 1.0), 3), entry

    def explained(self, other: str, entry: tuple[float, int, int]) -> Link:
        """The link with its score and the reasons a reviewer reads."""
        _, mine, theirs = entry
        vector, their_vector = self.vectors[mine], self.analysis.corpus.vectors[theirs]
        reasons = []
        if other in self.same_category:
            reasons.append(f"same category {self.same_category[other]}")
        terms = top_shared_terms(vector, their_vector, limit=4)
        reasons += [
            _kind_reason(self.analysis, t, vector, their_vector) for t in terms if t.startswith(KIND_PREFIX)
        ]
        plain = [self.analysis.words.display(t) for t in terms if not t.startswith(KIND_PREFIX)][:3]
        if plain:
            reasons.append("shared terms: " + ", ".join(plain))
        if other in self.linked:
            reasons.append("linked in related")
        return Link(other, self.score(other, entry)[0], tuple(reasons))


def _kind_reason(analysis: _Analysis, term: str, mine: Vector, theirs: Vector) -> str:
    """`same kind of cause: disk-growth (binlog, full / spool, volume)`: the kind, and the
    words of each cause that speak for it most, for a reviewer to judge."""
    kind = term.removeprefix(KIND_PREFIX)
    kind_model = kinds.model()
    assert kind_model is not None, "a kind term comes from the model in use"
    sides = [
        ", ".join(analysis.words.display(t) for t in kind_model.evidence_words(vector.keys(), kind))
        for vector in (mine, theirs)
    ]
    return f"same kind of cause: {kind} ({' / '.join(sides)})"


def _doc_of(analysis: _Analysis, cause: int) -> str:
    return analysis.docs[analysis.causes[cause].doc].id


def _accumulated(vector: Vector, theirs: Vector) -> float:
    """Their cosine summed in `vector`'s term order, exactly as Corpus.similar sums it."""
    score = 0.0
    for term, weight in vector.items():
        if term in theirs:
            score += weight * theirs[term]
    return score


def _best_pair(vectors: Sequence[Vector], analysis: _Analysis, other: str) -> tuple[float, int, int]:
    pairs = [
        (cosine(v, analysis.corpus.vectors[theirs]), mine, theirs)
        for mine, v in enumerate(vectors)
        for theirs in analysis.by_doc.get(other, [])
    ]
    return max(pairs, default=(0.0, 0, analysis.by_doc[other][0]))


def _linked_ids(doc: Postmortem, analysis: _Analysis) -> set[str]:
    """Ids linked with doc in `related`, in either direction, that are in the analysis."""
    ids = {r for r in doc.related if r in analysis.by_doc}
    ids |= analysis.linked_from.get(doc.id, set())
    ids.discard(doc.id)
    return ids


# --- patterns --------------------------------------------------------------------------


def _components(analysis: _Analysis) -> list[list[int]]:
    """Groups of causes that recur: causes an author tied together (same category, or a
    `related` link their text supports) start as one group; groups then merge by average
    linkage over root-cause text similarity."""
    causes = analysis.causes
    start = _UnionFind(len(causes))
    for members in analysis.by_key.values():
        for member in members[1:]:
            start.union(members[0], member)
    for doc in analysis.docs:
        for other in doc.related:
            pairs = [
                (cosine(analysis.corpus.vectors[i], analysis.corpus.vectors[j]), i, j)
                for i in analysis.by_doc.get(doc.id, [])
                for j in analysis.by_doc.get(other, [])
            ]
            score, i, j = max(pairs, default=(0.0, 0, 0))
            if pairs and score >= LINKED_THRESHOLD:
                start.union(i, j)
    groups = start.groups()
    scale = _discount(analysis)
    groups = average_linkage(
        groups, analysis.corpus.vectors, _proposals(analysis, groups, scale), LINK_THRESHOLD, scale
    )
    return [g for g in groups if len({causes[c].doc for c in g}) > 1]


def _proposals(analysis: _Analysis, groups: list[list[int]], factor: list[float]) -> list[tuple[int, int]]:
    """Pairs of causes in different postmortems whose text is similar (EDGE_MIN, discounted
    by each cause's factor).

    A pair inside one starting group is not searched: average_linkage reads a proposal only
    for the two groups it joins, and skips it when they are one. So its cosine, a fifth of
    the pairs' work at 10,000 postmortems, would change nothing."""
    causes = analysis.causes
    group_of = [0] * len(causes)
    for g, members in enumerate(groups):
        for c in members:
            group_of[c] = g
    return [
        (i, j)
        for i, j, score in analysis.corpus.pairs(EDGE_MIN, together=group_of)
        if causes[i].doc != causes[j].doc and score * min(factor[i], factor[j]) >= EDGE_MIN
    ]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            found.setdefault(self.find(i), []).append(i)
        return list(found.values())


def _discount(analysis: _Analysis) -> list[float]:
    """Each cause's factor: any cosine with a detection cause counts DETECTION_DISCOUNT."""
    return [DETECTION_DISCOUNT if _is_detection(c) else 1.0 for c in analysis.causes]


def _is_detection(cause: _Cause) -> bool:
    """Detection causes share generic monitoring words (alert, page, error rate), so their
    text similarity is weaker evidence of a shared cause: it counts DETECTION_DISCOUNT."""
    return cause.root is not None and cause.root.kind == "detection"


def _pattern(analysis: _Analysis, group: list[int]) -> Pattern:
    members = sorted({analysis.causes[c].doc for c in group}, key=lambda d: _sort_key(analysis.docs[d]))
    docs = [analysis.docs[d] for d in members]
    dates = tuple(_day(d) or datetime.date.min for d in docs)
    quarters = Counter(quarter_key(day) for day in dates)
    return Pattern(
        _name(analysis, group), tuple(d.id for d in docs), dates, dict(sorted(quarters.items())), ()
    )


def _title_terms(analysis: _Analysis, doc_index: int) -> list[list[str]]:
    """The terms of each action item's title. Their spellings are not learned: a pattern's
    name then reads the same whether or not its items were placed."""
    titles = (item.title or "" for item in analysis.docs[doc_index].action_items)
    return [analysis.words.terms(title, learn=False) for title in titles]


def _with_items(analysis: _Analysis, pattern: Pattern, group: list[int]) -> Pattern:
    members = sorted({analysis.causes[c].doc for c in group}, key=lambda d: _sort_key(analysis.docs[d]))
    items = tuple(
        (analysis.docs[d].id, item)
        for d in members
        for item in _items_for(analysis, d, [c for c in group if analysis.causes[c].doc == d])
    )
    return replace(pattern, action_items=items)


def _name(analysis: _Analysis, group: list[int]) -> str:
    """The category most postmortems in the group used, else the strongest shared terms."""
    docs_by_key: dict[str, set[int]] = {}
    for c in group:
        cause = analysis.causes[c]
        if cause.key:
            docs_by_key.setdefault(cause.key, set()).add(cause.doc)
    if docs_by_key:
        key, docs = max(docs_by_key.items(), key=lambda kv: (len(kv[1]), kv[0]))
        if len(docs) > 1:
            roots = [analysis.causes[c].root for c in group if analysis.causes[c].key == key]
            spellings = Counter(root.category for root in roots if root is not None and root.category)
            return min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0] if spellings else key
    weight: Counts = defaultdict(float)
    seen_in: dict[str, set[int]] = {}
    for c in group:
        for term, w in analysis.corpus.vectors[c].items():
            weight[term] += w
            seen_in.setdefault(term, set()).add(analysis.causes[c].doc)
    shared = [t for t, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0])) if len(seen_in[t]) > 1]
    words = ", ".join(analysis.words.display(t) for t in shared if not t.startswith(KIND_PREFIX))
    words = ", ".join(words.split(", ")[:3]) if words else ""
    kind = next((t.removeprefix(KIND_PREFIX) for t in shared if t.startswith(KIND_PREFIX)), None)
    if kind is not None:  # "queue-starvation (queue, depth)": the kind, then the words it was in
        return f"{kind} ({words})" if words else kind
    return words or "unnamed"


def _items_for(analysis: _Analysis, doc_index: int, causes: list[int]) -> list[ActionItem]:
    """The action items of a postmortem that belong to these causes: each item goes to the
    cause whose words it shares most, with detection items preferring detection causes."""
    doc = analysis.docs[doc_index]
    if len(analysis.by_doc[doc.id]) == 1:
        return list(doc.action_items)
    # A postmortem with two causes is in up to two patterns: place its items once.
    best = analysis.item_causes.get(doc_index)
    if best is None:
        best = analysis.item_causes[doc_index] = _item_causes(analysis, doc_index)
    return [item for item, cause in zip(doc.action_items, best, strict=True) if cause in causes]


def _place_items(analysis: _Analysis, doc_indexes: Iterable[int]) -> None:
    """Place the items of these postmortems (_items_for) over the cores, ahead of reading
    them: a tenth of `mortem patterns` at 10,000 postmortems."""
    from mortem.parallel import in_parts

    todo = [
        d
        for d in sorted(doc_indexes)
        if d not in analysis.item_causes and len(analysis.by_doc[analysis.docs[d].id]) > 1
    ]

    def place(start: int, end: int) -> list[list[int]]:
        return [_item_causes(analysis, d) for d in todo[start:end]]

    placed = itertools.chain.from_iterable(in_parts(len(todo), place))
    analysis.item_causes.update(zip(todo, placed, strict=True))


def _item_causes(analysis: _Analysis, doc_index: int) -> list[int]:
    """The cause of each of a postmortem's action items (_item_cause)."""
    doc = analysis.docs[doc_index]
    own = analysis.by_doc[doc.id]
    return [
        _item_cause(analysis, own, item, terms)
        for item, terms in zip(doc.action_items, _title_terms(analysis, doc_index), strict=True)
    ]


def _item_cause(analysis: _Analysis, own: list[int], item: ActionItem, terms: list[str]) -> int:
    """The cause an item (whose title has these terms) belongs to: the one whose words it
    shares most, with detection items preferring detection causes."""
    vector = analysis.corpus.vectorise(Counter(terms))
    detection_item = item.bucket == "detection"

    def fit(c: int) -> tuple[float, int]:
        root = analysis.causes[c].root
        bucket_match = (root is not None and root.kind == "detection") == detection_item
        return (cosine(vector, analysis.corpus.vectors[c]) + (0.1 if bucket_match else 0.0), -c)

    return max(own, key=fit)


# --- dates -----------------------------------------------------------------------------


def _day(doc: Postmortem) -> datetime.date | None:
    if doc.date is not None:
        return doc.date
    match = ID_PATTERN.match(doc.id)
    try:
        return datetime.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def _sort_key(doc: Postmortem) -> tuple[datetime.date, str]:
    return (_day(doc) or datetime.date.max, doc.id)


def _doc_key(analysis: _Analysis, doc_id: str) -> tuple[datetime.date, str]:
    return _sort_key(analysis.docs[analysis.causes[analysis.by_doc[doc_id][0]].doc])


def recurring_since(patterns: Sequence[Pattern], since: datetime.date) -> list[Pattern]:
    """The patterns with an incident on or after `since`, each with its whole history,
    since the earlier incidents are the evidence that it recurs."""
    return [p for p in patterns if p.dates and p.dates[-1] >= since]
