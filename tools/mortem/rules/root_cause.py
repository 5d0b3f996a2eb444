"""Root cause, not trigger: a why-chain to a systemic condition, and a detection cause."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import Postmortem
from mortem.rules.base import Context, rule
from mortem.words import non_causes, normalise

_WHY_STEP = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])?\s*[*_]{0,2}why\b", re.IGNORECASE)
_STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "as",
        "into",
        "after",
        "before",
        "during",
        "our",
        "we",
    }
)


def why_steps(doc: Postmortem) -> int:
    section = doc.section("Root cause")
    if section is None:
        return 0
    return sum(1 for line in section.lines if _WHY_STEP.match(line.text))


@rule("PM050", "five-whys", Severity.WARNING, "root cause")
def five_whys(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when the Root cause section has fewer than `min_whys` (3 by default) "why" steps:
    lines or list items that begin with "Why".

    ## Why is this bad?
    "The deploy broke it" is a trigger, not a root cause. Asking why about five times,
    until you reach something you can change, is what turns one bad night into a fix.

    ## Example
    ```markdown
    ## Root cause
    The deploy had a bug.
    ```

    ## Use instead
    ```markdown
    ## Root cause
    1. Why did checkout fail? The code read a column that did not exist yet.
    2. Why did it not exist? The migration had not run before the deploy.
    3. Why not? Migrations are a manual step after the deploy script.
    4. Why manual? The pipeline predates migrations; no job runs them.
    ```
    """
    section = doc.section("Root cause")
    if section is None or section.is_empty:
        return
    steps = why_steps(doc)
    wanted = ctx.config.min_whys
    if steps < wanted:
        yield Issue(
            section.line,
            1,
            (
                f"the Root cause has {steps} why step{'s' if steps != 1 else ''}; ask why at least "
                f'{wanted} times (lines starting "Why") until you reach a condition you can change'
            ),
        )


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", normalise(text).casefold())
    return {w for w in words if w not in _STOP_WORDS and len(w) > 2}


def restates(summary: str, trigger: str) -> bool:
    """True when the summary adds (almost) nothing to the trigger's words."""
    cause, event = _content_words(summary), _content_words(trigger)
    if not cause or not event:
        return False
    new_words = cause - event
    return len(new_words) <= max(1, len(cause) // 5)


@rule("PM051", "root-cause-not-trigger", Severity.WARNING, "root cause")
def root_cause_not_trigger(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when a `root_causes` summary only restates the `trigger`, or names "human
    error", "a mistake" or "a typo" as the cause.

    ## Why is this bad?
    The trigger is what happened; the root cause is why the system let it cause an outage.
    "Human error" ends the inquiry exactly where it should start.

    ## Example
    ```yaml
    trigger: A deploy went out before its migration.
    root_causes:
      - summary: A deploy went out before its migration.
    ```

    ## Use instead
    ```yaml
    root_causes:
      - summary: Migrations run by hand after the deploy; nothing enforces the order.
    ```
    """
    trigger = doc.trigger or ""
    for cause in doc.root_causes:
        if not cause.summary:
            continue
        path = ("root_causes", cause.index, "summary")
        summary = normalise(cause.summary)
        lowered = summary.lower()
        bad = next((p.text for p in non_causes() if p.search(summary, lowered)), None)
        if bad:
            yield doc.at(
                path,
                (
                    f"root cause {cause.index + 1} names {bad!r}; ask why the system let a "
                    "reasonable action cause an outage, and name that condition"
                ),
            )
        elif trigger and restates(cause.summary, trigger):
            yield doc.at(
                path,
                (
                    f"root cause {cause.index + 1} restates the trigger; the trigger is what "
                    "happened, the root cause is the condition that let it cause an outage"
                ),
            )


@rule("PM052", "detection-cause", Severity.WARNING, "root cause")
def detection_cause(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when every root cause is of kind `prevention`.

    ## Why is this bad?
    An incident usually has two root causes: why it happened, and why we found out from a
    customer instead of a monitor. The second one is where the cheapest fixes are.

    ## Example
    ```yaml
    root_causes:
      - {category: manual-deploy-ordering, kind: prevention, summary: ...}
    ```

    ## Use instead
    ```yaml
    root_causes:
      - {category: manual-deploy-ordering, kind: prevention, summary: ...}
      - {category: checkout-flow-unmonitored, kind: detection, summary: ...}
    ```
    """
    causes = doc.root_causes
    if causes and all(cause.kind == "prevention" for cause in causes):
        yield doc.at(
            ("root_causes",),
            (
                "every root cause is about prevention; how did we find out? A detection root "
                "cause usually stands beside the prevention one"
            ),
        )


RULES = (five_whys, root_cause_not_trigger, detection_cause)
