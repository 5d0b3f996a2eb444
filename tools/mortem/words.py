"""The editable word lists in data/words.toml, read once and compiled for matching."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).parent / "data" / "words.toml"


@dataclass(frozen=True)
class Phrase:
    """A phrase from data/words.toml, matched as whole words, with its suggested rewording."""

    text: str
    suggest: str = ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on first use: the word lists hold dozens of phrases, the pre-commit check
        # starts a process per commit, and most phrases' anchors never occur in a file.
        return phrase_pattern(self.text)

    @cached_property
    def anchor(self) -> str:
        """The phrase's longest word, lowercased: a cheap substring test before the regex."""
        return max(re.findall(r"\w+", self.text.lower()), key=len, default=self.text.lower())

    def finditer(self, text: str, lowered: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text)) if self.anchor in lowered else []

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        """The phrase's first match in `text` (`lowered`: text.lower(), when the caller
        looks for many phrases in one text)."""
        lowered = text.lower() if lowered is None else lowered
        return self.pattern.search(text) if self.anchor in lowered else None

    @cached_property
    def lowered_pattern(self) -> re.Pattern[str]:
        """`pattern` for lowercased text, without case folding: over a whole file, ten times
        quicker again (PM040 looks for every phrase in the whole body first)."""
        return phrase_pattern(self.text.lower(), fold_case=False)

    def occurs_in(self, lowered: str) -> bool:
        """Whether the phrase occurs in `lowered`, a lowercased text of any length."""
        return self.anchor in lowered and self.lowered_pattern.search(lowered) is not None


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))


def phrase_pattern(text: str, fold_case: bool = True) -> re.Pattern[str]:
    """Whole-word, case-insensitive unless told; a boundary only where the phrase starts/ends
    with a word char. The first word comes first and the boundary before it is checked after
    it (a lookbehind over both), so the regex engine skips from one occurrence of that word
    to the next instead of trying every position: five times quicker with case folding."""
    words = [re.escape(part) for part in text.split()]
    left = rf"(?<!\w{words[0]})" if re.match(r"\w", text) else ""
    right = r"(?!\w)" if re.search(r"\w$", text) else ""
    body = words[0] + left + "".join(rf"\s+{word}" for word in words[1:])
    return re.compile(body + right, re.IGNORECASE if fold_case else 0)


def normalise(text: str) -> str:
    """Typographic apostrophes as plain ones; same length, so columns stay true."""
    return text.replace("’", "'").replace("‘", "'")


@cache
def blame_phrases() -> tuple[Phrase, ...]:
    return tuple(Phrase(entry["phrase"], entry.get("suggest", "")) for entry in _data()["blame"])


@cache
def group_owners() -> frozenset[str]:
    return frozenset(word.casefold() for word in _data()["owners"]["groups"])


@cache
def owner_joiners() -> tuple[str, ...]:
    return tuple(_data()["owners"]["joiners"])


@cache
def vague_phrases() -> tuple[Phrase, ...]:
    return tuple(Phrase(p) for p in _data()["vague"]["phrases"])


@cache
def non_causes() -> tuple[Phrase, ...]:
    return tuple(Phrase(p) for p in _data()["root_cause"]["non_causes"])
