"""The pair search against a plain reference: the same candidates, ties and scores."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import pytest

from mortem.analysis import similarity
from mortem.analysis.similarity import Vector, build_corpus, cosine


def _reference_pairs(vectors: list[Vector], threshold: float) -> Iterator[tuple[int, int, float]]:
    """The search as first written: one Counter update per block, most_common's candidates."""
    blocks: dict[str, list[int]] = {}
    for j, vector in enumerate(vectors):
        strongest = sorted(vector, key=vector.__getitem__, reverse=True)[: similarity.SIGNATURE]
        shared: Counter[int] = Counter()
        for term in strongest:
            block = blocks.setdefault(term, [])
            shared.update(block[-similarity.BLOCK_LIMIT :])
            block.append(j)
        for i, _ in shared.most_common(similarity.CANDIDATES):
            score = cosine(vectors[i], vector)
            if score >= threshold:
                yield i, j, score


def _corpus(seed: int) -> list[Vector]:
    rng = random.Random(seed)
    vocabulary = [f"w{k}" for k in range(40)]
    documents = [
        {t: rng.choice([1, 1, 2, 3]) for t in rng.sample(vocabulary, rng.randint(3, 12))} for _ in range(120)
    ]
    return build_corpus(documents).vectors


@pytest.mark.parametrize("seed", range(5))
def test_pairs_match_the_reference_when_the_caps_bind(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # Small caps, so that candidates are cut among equal counts and blocks overflow.
    monkeypatch.setattr(similarity, "CANDIDATES", 4)
    monkeypatch.setattr(similarity, "BLOCK_LIMIT", 6)
    vectors = _corpus(seed)
    corpus = similarity.Corpus(vectors, {})
    assert list(corpus.pairs(0.05)) == list(_reference_pairs(vectors, 0.05))


@pytest.mark.parametrize("seed", range(5))
def test_pairs_held_together_are_left_out_and_the_rest_kept(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(similarity, "CANDIDATES", 4)
    monkeypatch.setattr(similarity, "BLOCK_LIMIT", 6)
    vectors = _corpus(seed)
    labels = [k % 7 for k in range(len(vectors))]
    corpus = similarity.Corpus(vectors, {})
    expected = [(i, j, s) for i, j, s in _reference_pairs(vectors, 0.05) if labels[i] != labels[j]]
    assert list(corpus.pairs(0.05, together=labels)) == expected
