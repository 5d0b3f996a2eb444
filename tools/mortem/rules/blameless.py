"""Blameless wording: flag blame phrases and names in the root cause, and suggest rewording."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import Postmortem, SourceLine
from mortem.rules.base import Context, rule
from mortem.words import Phrase, blame_phrases, normalise


def body_lines(doc: Postmortem) -> Iterator[SourceLine]:
    """Lines of prose a reader sees: section text outside code fences and HTML comments."""
    for section in doc.sections:
        in_fence = in_comment = False
        for line in section.lines:
            stripped = line.text.strip()
            if stripped.startswith(("```", "~~~")):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            if in_comment or "<!--" in line.text:
                text, in_comment = _without_comments(line.text, in_comment)
                yield SourceLine(line.number, text)
            else:
                yield line  # as it is: most lines have no comment, and a new line object costs


def _without_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    out: list[str] = []
    position = 0
    while position < len(text):
        if in_comment:
            end = text.find("-->", position)
            if end < 0:
                return "".join(out), True
            out.append(" " * (end + 3 - position))  # keep columns
            position, in_comment = end + 3, False
        else:
            start = text.find("<!--", position)
            if start < 0:
                out.append(text[position:])
                break
            out.append(text[position:start])
            position, in_comment = start, True
    return "".join(out), in_comment


@rule("PM040", "blame-language", Severity.WARNING, "blameless")
def blame_language(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns on blame wording in the body and in the `trigger` and root-cause summaries:
    "'s fault", "careless", "should have known", "human error", "forgot to", and the other
    phrases in `data/words.toml`, each with a suggested systemic rewording.

    ## Why is this bad?
    In a small team the person involved is in the review and on call next week. If they
    fear blame they stop sharing detail, and the detail is what the postmortem is for.
    A competent, well-meaning engineer could have made the same choice, so the fix
    belongs to the system.

    ## Example
    ```markdown
    The outage was Sam's fault: he forgot to run the migration.
    ```

    ## Use instead
    ```markdown
    The migration is a manual step after the deploy, and nothing checks that it ran.
    ```
    """
    # Only the phrases the body holds (most bodies hold none) are looked for line by line:
    # every phrase on every line was most of this rule's time.
    lines = list(body_lines(doc))
    present = _phrases_in(normalise("\n".join(line.text for line in lines)))
    if present:
        for line in lines:
            yield from _blame_in(normalise(line.text), line.number, 0, present)
    for path in _front_texts(doc):
        value = _get(doc, path)
        if isinstance(value, str):
            text = normalise(value)
            phrases = _phrases_in(text)
            if phrases:  # placed only then: a field's place is looked up from the whole front matter
                line_number, column = doc.locate(path)
                yield from _blame_in(text, line_number, column - 1, phrases)


def _front_texts(doc: Postmortem) -> Iterator[tuple[str | int, ...]]:
    yield ("trigger",)
    for cause in doc.root_causes:
        yield ("root_causes", cause.index, "summary")


def _get(doc: Postmortem, path: tuple[str | int, ...]) -> object:
    value: object = doc.front
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _phrases_in(text: str) -> tuple[Phrase, ...]:
    """The blame phrases found anywhere in `text` (for the body, its lines joined: a superset
    of those found line by line, since the spaces of a phrase may also match a line break)."""
    lowered = text.lower()
    return tuple(phrase for phrase in blame_phrases() if phrase.occurs_in(lowered))


def _blame_in(text: str, line: int, column_offset: int, phrases: tuple[Phrase, ...]) -> Iterator[Issue]:
    """Each place in `text` where one of `phrases` (those _phrases_in found) reads as blame."""
    lowered = text.lower()
    for phrase in phrases:
        for match in phrase.finditer(text, lowered):
            yield Issue(
                line,
                column_offset + match.start() + 1,
                f"{match.group(0)!r} reads as blame; {phrase.suggest}",
            )


@rule("PM041", "no-names-in-root-cause", Severity.WARNING, "blameless")
def no_names_in_root_cause(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    When the configuration has a `roster`, warns when a person's name (full or first name)
    appears in the Root cause section or in a `root_causes` summary.

    ## Why is this bad?
    A root cause is a condition of the system, never a person. Names belong in the
    Timeline, as facts of who did what; in the root cause they turn a review into a trial.

    ## Example
    ```markdown
    3. Why did the migration not run? Because Sam skipped the runbook step.
    ```

    ## Use instead
    ```markdown
    3. Why did the migration not run? The runbook step is manual and nothing checks it ran.
    ```
    """
    pattern = _names_pattern(ctx.config.roster_names)
    if pattern is None:
        return
    section = doc.section("Root cause")
    if section is not None:
        for line in body_lines(doc):
            if section.lines and section.lines[0].number <= line.number <= section.lines[-1].number:
                yield from _names_in(pattern, line.text, line.number, 0)
    for cause in doc.root_causes:
        if cause.summary and pattern.search(cause.summary):
            line_number, column = doc.locate(("root_causes", cause.index, "summary"))
            yield from _names_in(pattern, cause.summary, line_number, column - 1)


def _names_pattern(roster: tuple[str, ...]) -> re.Pattern[str] | None:
    names = set()
    for person in roster:
        names.add(person)
        first = person.split()[0]
        if len(first) >= 3:
            names.add(first)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _names_in(pattern: re.Pattern[str], text: str, line: int, offset: int) -> Iterator[Issue]:
    for match in pattern.finditer(text):
        yield Issue(
            line,
            offset + match.start() + 1,
            (
                f"{match.group(0)!r} is named in the root cause; describe the condition that let "
                "a reasonable action cause the outage (keep names in the Timeline)"
            ),
        )


RULES = (blame_language, no_names_in_root_cause)
