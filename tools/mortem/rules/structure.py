"""Rules on the one-page structure: six sections, in order, short, quantified, timed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from mortem.findings import Issue, Severity
from mortem.model import SECTION_TITLES, Postmortem
from mortem.rules.base import Context, rule

_KNOWN = {title.casefold(): title for title in SECTION_TITLES}


def _canonical(title: str) -> str | None:
    return _KNOWN.get(title.strip().rstrip(":").casefold())


@rule("PM020", "required-sections", Severity.ERROR, "structure")
def required_sections(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that the body has the six `##` sections of the one-page template, once each and
    in this order: Summary, Impact, Timeline, Root cause, What went well, What was hard.

    ## Why is this bad?
    The same shape everywhere lets a reader find the root cause of any incident in seconds
    and keeps the write-up to one page. Other headings belong inside a section as `###`.

    ## Example
    ```markdown
    ## What happened
    ## Root cause
    ## Summary
    ```

    ## Use instead
    ```markdown
    ## Summary
    ## Impact
    ## Timeline
    ## Root cause
    ## What went well
    ## What was hard
    ```
    """
    seen: dict[str, int] = {}
    highest = -1
    for heading in doc.headings:
        title = _canonical(heading.text)
        if title is None:
            yield Issue(
                heading.number,
                1,
                (
                    f"unexpected section {heading.text!r}; the template's sections are "
                    f"{', '.join(SECTION_TITLES)} (make it a ### heading inside one of them)"
                ),
            )
            continue
        if title in seen:
            yield Issue(
                heading.number,
                1,
                f"section {title!r} appears twice (first on line {seen[title]}); merge them",
            )
            continue
        seen[title] = heading.number
        order = SECTION_TITLES.index(title)
        if order < highest:
            yield Issue(
                heading.number,
                1,
                (f"section {title!r} is out of order; it comes before {SECTION_TITLES[highest]!r}"),
            )
        highest = max(highest, order)
    missing = [title for title in SECTION_TITLES if title not in seen]
    if missing:
        line = doc.headings[-1].number if doc.headings else doc.body_line
        names = ", ".join(f"## {title}" for title in missing)
        yield Issue(line, 1, f"missing section{'s' if len(missing) > 1 else ''}: {names}")


@rule("PM021", "section-not-empty", Severity.ERROR, "structure")
def section_not_empty(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that every template section has some text (HTML comments, such as the prompts
    `mortem new` writes, do not count).

    ## Why is this bad?
    An empty "What was hard" is where the next outage hides: the friction nobody wrote down
    is the friction nobody fixes.

    ## Example
    ```markdown
    ## What was hard
    <!-- Where did the team lose time? -->
    ```

    ## Use instead
    ```markdown
    ## What was hard
    - Nobody knew who owned the payments webhook, so paging took 20 minutes.
    ```
    """
    for section in doc.sections:
        if _canonical(section.title) and section.is_empty:
            yield Issue(
                section.line,
                1,
                f"section {section.title!r} is empty; "
                f"{_PROMPTS.get(_canonical(section.title) or '', 'write it')}",
            )


_PROMPTS = {
    "Summary": (
        "say in two or three sentences what broke, who was affected, for how long, and how it was resolved"
    ),
    "Impact": "quantify it: failed requests, users or orders affected, minutes, money",
    "Timeline": "list timestamped facts: first failure, first alert, acknowledgement, mitigation, all-clear",
    "Root cause": "ask why about five times until you reach a condition you can change",
    "What went well": "keep what worked, such as an alert that fired within a minute",
    "What was hard": "name the friction, such as not knowing who owned the service",
}


@rule("PM022", "one-page", Severity.WARNING, "structure")
def one_page(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Counts the words in the body and warns past the configured limit (`word_limit`,
    800 by default), at the section where the limit is crossed.

    ## Why is this bad?
    A postmortem that runs past a page is written for an audience that does not exist.
    Long write-ups get skimmed, and the action items at the end get lost.

    ## Example
    A 2,000-word body with the full chat log pasted into the Timeline.

    ## Use instead
    Keep the key moments in the Timeline and link the chat log.
    """
    total = 0
    for section in doc.sections:
        total += section.words
        if total > ctx.config.word_limit:
            overall = sum(s.words for s in doc.sections)
            yield Issue(
                section.line,
                1,
                (
                    f"the body has {overall} words, over the one-page limit of "
                    f"{ctx.config.word_limit}; the limit is passed in {section.title!r}: "
                    "cut detail that does not change an action item, or link it"
                ),
            )
            return


# The lookahead first: the regex engine tries every position, and one cheap test there
# spares the five lookbehinds at every letter (4 us a Summary instead of 21).
_SENTENCE_END = re.compile(r"(?=[.!?])(?<!\b[A-Za-z])(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?]+(?=\s|$)")


def count_sentences(text: str) -> int:
    flat = " ".join(text.split())
    flat = re.sub(r"\d\.\d", "0", flat)  # decimal numbers are not sentence ends
    ends = len(_SENTENCE_END.findall(flat))
    trailing = flat and not re.search(r"[.!?][\"')\]]*$", flat)
    return ends + (1 if trailing else 0)


@rule("PM023", "summary-length", Severity.WARNING, "structure")
def summary_length(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when the Summary has more sentences than `summary_sentences` (3 by default).

    ## Why is this bad?
    The Summary is read by people outside engineering and by the team a year later. Two or
    three sentences: what broke, who was affected, for how long, how it was resolved.

    ## Example
    A Summary paragraph that walks through the whole investigation.

    ## Use instead
    "Checkout returned errors for 78 minutes on 4 March after a release went out before its
    database migration. About 1,200 customers could not pay. Rolling back restored service."
    """
    section = doc.section("Summary")
    if section is None or section.is_empty:
        return
    sentences = count_sentences(section.prose)
    if sentences > ctx.config.summary_sentences:
        yield Issue(
            section.line,
            1,
            (
                f"the Summary has {sentences} sentences; keep it to {ctx.config.summary_sentences} "
                "a non-engineer can read: what broke, who was affected, how long, how it was resolved"
            ),
        )


@rule("PM024", "impact-quantified", Severity.ERROR, "structure")
def impact_quantified(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that the Impact section states at least one number.

    ## Why is this bad?
    Vague impact produces vague priority. "Some users were affected" cannot be weighed
    against the cost of a fix; "1,240 users could not pay for 78 minutes" can.

    ## Example
    ```markdown
    ## Impact
    Some customers had trouble checking out.
    ```

    ## Use instead
    ```markdown
    ## Impact
    1,240 customers saw errors at checkout for 78 minutes; 96 orders were lost (about $7,400).
    ```
    """
    section = doc.section("Impact")
    if section is None or section.is_empty:
        return
    if not re.search(r"\d", section.prose):
        yield Issue(
            section.line,
            1,
            "the Impact section states no number; quantify it "
            "(failed requests, users or orders affected, minutes, money)",
        )


@rule("PM025", "timeline-times", Severity.ERROR, "structure")
def timeline_times(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that the Timeline is a list whose every bullet begins with a time: `14:02`,
    `2026-03-05 00:10` for a new day, or a full ISO time such as `2026-03-04T14:02Z`.
    Clock times are read in the offset of `times.started`.

    ## Why is this bad?
    The Timeline is facts, not narrative. Times on every line are what let the team see
    where the minutes went: before the alert, before a human, before the fix.

    ## Example
    ```markdown
    - Alert fired and Sam looked at it
    ```

    ## Use instead
    ```markdown
    - 14:09 Alert "checkout 5xx > 2%" fired in #ops.
    - 14:12 Sam Okafor acknowledged the page.
    ```
    """
    section = doc.section("Timeline")
    if section is None or section.is_empty:
        return
    entries = doc.timeline
    if not entries:
        yield Issue(
            section.line,
            1,
            "the Timeline has no bullets; write it as a list of `- HH:MM what happened` lines",
        )
    for entry in entries:
        if entry.at is None:
            yield Issue(
                entry.line,
                1,
                (
                    f"timeline bullet does not begin with a valid time: {entry.text[:40]!r}; "
                    "start it with HH:MM (or YYYY-MM-DD HH:MM on a new day)"
                ),
            )


@rule("PM026", "timeline-order", Severity.ERROR, "structure")
def timeline_order(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that Timeline bullets are in chronological order. A bullet that crosses midnight
    carries the new date (`2026-03-05 00:10`).

    ## Why is this bad?
    An out-of-order Timeline hides how long each phase took, which is the point of it.

    ## Example
    ```markdown
    - 14:12 Page acknowledged.
    - 14:09 Alert fired.
    ```

    ## Use instead
    ```markdown
    - 14:09 Alert fired.
    - 14:12 Page acknowledged.
    ```
    """
    latest: tuple[datetime, int] | None = None  # the latest time so far, and its line
    for entry in doc.timeline:
        if entry.at is None:
            continue
        if latest is not None and entry.at < latest[0]:
            yield Issue(
                entry.line,
                1,
                (
                    f"timeline bullet at {entry.at:%H:%M} comes after one at {latest[0]:%H:%M} "
                    f"(line {latest[1]}); put bullets in time order, or add the date if it "
                    "is the next day"
                ),
            )
        else:
            latest = (entry.at, entry.line)


RULES = (
    required_sections,
    section_not_empty,
    one_page,
    summary_length,
    impact_quantified,
    timeline_times,
    timeline_order,
)
