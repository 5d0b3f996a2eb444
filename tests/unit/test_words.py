"""words.phrase_pattern puts a phrase's first word first (and checks the boundary before it
afterwards) so the regex engine skips to that word: it must match exactly what the plain
whole-word pattern matches, case-folded or on lowercased text, for every phrase shipped."""

from __future__ import annotations

import re

from mortem.words import blame_phrases, non_causes, phrase_pattern, vague_phrases

PHRASES = sorted({p.text for p in (*blame_phrases(), *vague_phrases(), *non_causes())})


def _plain(text: str, flags: int) -> re.Pattern[str]:
    """The whole-word pattern written the obvious way: boundary, words, boundary."""
    left = r"(?<!\w)" if re.match(r"\w", text) else ""
    right = r"(?!\w)" if re.search(r"\w$", text) else ""
    return re.compile(left + r"\s+".join(re.escape(part) for part in text.split()) + right, flags)


def _texts(phrase: str) -> list[str]:
    spaced = phrase.replace(" ", " \n\t ")
    return [
        f"{before}{form}{after}"
        for form in (phrase, phrase.upper(), phrase.title(), spaced)
        for before in ("", " ", "x", "_", "-", "'", "it was ", "a" + phrase[:2])
        for after in ("", ".", "s", " ok", "_", "' ")
    ]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_the_first_word_first_pattern_matches_what_the_plain_one_matches() -> None:
    assert len(PHRASES) > 40
    for phrase in PHRASES:
        folded, plain = phrase_pattern(phrase), _plain(phrase, re.IGNORECASE)
        lowered, plain_lowered = phrase_pattern(phrase.lower(), fold_case=False), _plain(phrase.lower(), 0)
        for text in _texts(phrase):
            assert _spans(folded, text) == _spans(plain, text), (phrase, text)
            assert _spans(lowered, text.lower()) == _spans(plain_lowered, text.lower()), (phrase, text)
    assert any(_spans(phrase_pattern(p), f"x{p}") == [] for p in PHRASES), "the boundary is tested"
