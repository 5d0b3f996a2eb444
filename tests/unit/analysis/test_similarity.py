from __future__ import annotations

import itertools
import random
import re

from mortem.analysis.similarity import (
    average_linkage,
    build_corpus,
    cosine,
    make_words,
    shared_terms,
    stem,
)


def test_stem_brings_word_forms_together() -> None:
    assert stem("expired") == stem("expiry") == stem("expires") == stem("expire")
    assert stem("deploys") == stem("deploy") == stem("deployed")
    assert stem("unmonitored") == stem("monitored")
    assert stem("queue") == stem("queues")


def test_terms_drop_stop_words_and_apply_synonyms() -> None:
    words = make_words({"sequencing": "ordering"})
    assert words.terms("The DB was not monitored during the incident") == ["databas", "monitor"]
    assert words.terms("deploy sequencing") == words.terms("deploy ordering")


def test_category_key_ignores_case_separators_order_and_plurals() -> None:
    words = make_words()
    key = words.category_key("manual-deploy-ordering")
    assert words.category_key("Manual_Deploy_Ordering") == key
    assert words.category_key("ordering-deploys-manual") == key
    assert words.category_key("manual deploy orderings") == key
    assert words.category_key("deploy-sequencing-manual") != key


def test_a_category_is_read_once_as_its_terms_and_key() -> None:
    """The analysis reads a slug once, for its terms and its key: the terms of its words,
    and the key of those with every separator as a space, as when each was read apart; what
    it learns of the spellings is what reading it every time taught."""
    cached, fresh = (
        make_words({"deploy-sequencing": "deploy-ordering"}),
        make_words({"deploy-sequencing": "deploy-ordering"}),
    )
    slugs = [
        "Manual-Deploys",
        "manual-deploys",
        "Manual-Deploys",
        "deploy_sequencing.v2",
        "cert/expiry  it's-late",
        "a-b_c.d/e",
    ]
    for slug in slugs:
        terms = tuple(fresh.terms(slug.replace("-", " ")))
        key = "-".join(sorted(set(fresh.terms(re.sub(r"[-_./\s]+", " ", slug)))))
        assert cached.category(slug) == (terms, key)
        assert cached.category_key(slug) == key
    assert cached.surface == fresh.surface and cached.seen == fresh.seen
    assert len(cached.categories) == len(set(slugs))


def test_configured_synonyms_win_and_can_be_slugs() -> None:
    words = make_words({"deploy-sequencing": "deploy-ordering"})
    assert words.category_key("deploy-sequencing-manual") == words.category_key("manual-deploy-ordering")


def test_tfidf_cosine() -> None:
    corpus = build_corpus([{"disk": 1, "full": 1}, {"disk": 1, "full": 1}, {"certificate": 2}])
    a, b, c = corpus.vectors
    assert abs(cosine(a, b) - 1.0) < 1e-9
    assert cosine(a, c) == 0.0
    assert abs(sum(w * w for w in c.values()) - 1.0) < 1e-9
    assert shared_terms(a, b, 1) in (["disk"], ["full"])


def test_vectors_share_one_string_per_term() -> None:
    # Counts read in another process carry their own copy of each term (as pickling makes).
    copies = [{"".join(["di", "sk"]): 1.0, "full": 1.0} for _ in range(3)]
    first, *others = build_corpus(copies).vectors
    for vector in others:
        for mine, theirs in zip(first, vector, strict=True):
            assert mine is theirs


def test_rare_terms_weigh_more_than_common_ones() -> None:
    docs = [{"alert": 1.0, "disk": 1.0}] + [{"alert": 1.0, f"w{i}": 1.0} for i in range(9)]
    vector = build_corpus(docs).vectors[0]
    assert vector["disk"] > vector["alert"]


def test_pairs_match_brute_force_on_a_small_corpus() -> None:
    rng = random.Random(4)
    vocab = [f"t{i}" for i in range(30)]
    docs = [{t: 1.0 for t in rng.sample(vocab, rng.randint(2, 6))} for _ in range(60)]
    corpus = build_corpus(docs)
    found = {(i, j) for i, j, _ in corpus.pairs(0.3)}
    brute = {
        (i, j)
        for i, j in itertools.combinations(range(60), 2)
        if cosine(corpus.vectors[i], corpus.vectors[j]) >= 0.3
    }
    assert found == brute


def test_similar_ranks_by_cosine() -> None:
    corpus = build_corpus([{"pool": 1, "connection": 1}, {"pool": 1}, {"cache": 1}])
    hits = corpus.similar(corpus.vectorise({"pool": 1, "connection": 1}), 0.1)
    assert [doc for doc, _ in hits] == [0, 1]


def test_average_linkage_does_not_chain_through_one_stray_pair() -> None:
    vectors = [
        {"a": 1.0},
        {"a": 0.96, "b": 0.28},
        {"a": 0.8, "b": 0.6},
        {"b": 0.6, "c": 0.8},
        {"c": 1.0},
        {"c": 0.96, "b": 0.28},
    ]
    proposals = [
        (i, j) for i, j in itertools.combinations(range(6), 2) if cosine(vectors[i], vectors[j]) > 0.2
    ]
    groups = average_linkage([[i] for i in range(6)], vectors, proposals, 0.5)
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4, 5]]


def test_average_linkage_keeps_starting_groups() -> None:
    groups = average_linkage([[0, 1], [2]], [{"a": 1.0}, {"b": 1.0}, {"c": 1.0}], [], 0.5)
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2]]
