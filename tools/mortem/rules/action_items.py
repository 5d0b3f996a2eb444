"""Rules on action items: one named owner, a real tracker link, small, specific, balanced."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import ActionItem, Postmortem, is_placeholder_link
from mortem.rules.base import Context, rule
from mortem.words import group_owners, normalise, owner_joiners, vague_phrases


def _item_label(item: ActionItem) -> str:
    title = (item.title or "").strip()
    short = title if len(title) <= 50 else title[:47] + "..."
    return f"action item {item.index + 1}" + (f" ({short!r})" if short else "")


def owner_problem(owner: str) -> str | None:
    """Why `owner` is not one named person, or None when it is."""
    name = " ".join(owner.split())
    folded = name.casefold().lstrip("@")
    if folded in group_owners() or folded.endswith((" team", "-team", "/team")) or folded.startswith("team "):
        return f"owner {owner!r} is a group, not a person"
    for joiner in owner_joiners():
        if joiner in f" {folded} ":
            return f"owner {owner!r} names more than one person"
    return None


@rule("PM030", "one-named-owner", Severity.ERROR, "action items")
def one_named_owner(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that each action item's `owner` is exactly one named person: not a group such
    as `team`, `ops` or `tbd`, and not two names joined by `and`, `/`, `,` or `&`.

    ## Why is this bad?
    An item owned by "the team" is owned by nobody and goes stale. Two owners each assume
    the other has it. Accountability stays with the team; each fix needs one person.

    ## Example
    ```yaml
    owner: the team
    ```

    ## Use instead
    ```yaml
    owner: Mei Chen
    ```
    """
    for item in doc.action_items:
        if item.owner is None or not item.owner.strip():
            continue  # a missing owner is the schema rule's finding
        problem = owner_problem(item.owner)
        if problem:
            yield doc.at(
                ("action_items", item.index, "owner"),
                (f"{_item_label(item)}: {problem}; name the one person who will see it through"),
            )


@rule("PM031", "owner-on-roster", Severity.ERROR, "action items")
def owner_on_roster(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    When the configuration has a `roster`, checks that every owner is on it (spelled as
    there, case aside).

    ## Why is this bad?
    The weekly review groups open items by owner; "Sam", "sam.okafor" and "Sam Okafor"
    split one person's list into three, and a name nobody recognises is an orphan.

    ## Example
    ```yaml
    owner: sam
    ```

    ## Use instead
    ```yaml
    owner: Sam Okafor
    ```
    """
    roster = {name.casefold(): name for name in ctx.config.roster_names}
    if not roster:
        return
    for item in doc.action_items:
        if item.owner is None or not item.owner.strip() or owner_problem(item.owner):
            continue
        if item.owner.strip().casefold() not in roster:
            suggestion = _roster_match(item.owner, ctx.config.roster_names)
            yield doc.at(
                ("action_items", item.index, "owner"),
                (
                    f"{_item_label(item)}: owner {item.owner!r} is not on the roster"
                    + (
                        f"; did you mean {suggestion!r}?"
                        if suggestion
                        else "; use a name from [tool.mortem] roster, or add them there"
                    )
                ),
            )


def _roster_match(owner: str, roster: tuple[str, ...]) -> str | None:
    folded = owner.casefold()
    for name in roster:
        if any(part.casefold() == folded for part in name.split()):
            return name
    import difflib

    close = difflib.get_close_matches(owner, roster, n=1, cutoff=0.6)
    return close[0] if close else None


@rule("PM032", "tracker-link", Severity.ERROR, "action items")
def tracker_link(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    When the configuration has a `link_pattern` (a regular expression), checks that every
    action item's `link` matches it, so each one points at a real issue in the team's
    tracker.

    ## Why is this bad?
    An action item that lives only in the postmortem is forgotten by the next sprint. The
    link is how it shows up where the team plans its work.

    ## Example
    ```yaml
    link: https://docs.google.com/document/d/1abc
    ```

    ## Use instead
    ```yaml
    link: https://github.com/example/platform/issues/481
    ```
    """
    pattern = ctx.config.link_pattern
    if not pattern:
        return
    compiled = re.compile(pattern)
    for item in doc.action_items:
        # A placeholder (TBD, #) is not a wrong tracker: PM090/PM091 say it by status.
        if item.link and not is_placeholder_link(item.link) and not compiled.search(item.link):
            yield doc.at(
                ("action_items", item.index, "link"),
                (
                    f"{_item_label(item)}: link {item.link!r} does not look like an issue in "
                    f"the team's tracker (link_pattern {pattern!r}); file the issue and link it"
                ),
            )


@rule("PM033", "due-within-window", Severity.WARNING, "action items")
def due_within_window(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when an open action item is due more than `due_window_days` (14 by default) after
    the incident's date, or before it.

    ## Why is this bad?
    Each fix should be small enough to ship in about a week. A due date two months out
    marks a project, not a fix; split off the first piece that ships this week.

    ## Example
    ```yaml
    date: 2026-03-04
    ...
      due: 2026-06-30
    ```

    ## Use instead
    ```yaml
      due: 2026-03-11
    ```
    """
    day = doc.date
    if day is None:
        return
    window = ctx.config.due_window_days
    for item in doc.action_items:
        if item.due is None or not item.is_open:
            continue
        days = (item.due - day).days
        if days > window:
            yield doc.at(
                ("action_items", item.index, "due"),
                (
                    f"{_item_label(item)} is due {days} days after the incident (over {window}); "
                    "make it small enough to ship in about a week, or split off the first step"
                ),
            )
        elif days < 0:
            yield doc.at(
                ("action_items", item.index, "due"),
                (f"{_item_label(item)} is due {-days} days before the incident; a typo?"),
            )


@rule("PM034", "specific-action-item", Severity.WARNING, "action items")
def specific_action_item(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when an action item's title is a wish rather than a fix: "be more careful",
    "improve monitoring", "be vigilant", "double-check" and the other phrases in
    `data/words.toml`.

    ## Why is this bad?
    "Be more careful" fixes nothing, and "improve monitoring" never gets closed. A fix says
    what changes, where, and how anyone would know it is done.

    ## Example
    ```yaml
    title: Improve monitoring
    ```

    ## Use instead
    ```yaml
    title: Alert on /checkout after two consecutive failed synthetic checks
    ```
    """
    for item in doc.action_items:
        title = normalise(item.title or "")
        lowered = title.lower()
        for phrase in vague_phrases():
            if phrase.search(title, lowered):
                yield doc.at(
                    ("action_items", item.index, "title"),
                    (
                        f"{_item_label(item)}: {phrase.text!r} is a wish, not a fix; say what "
                        'will change and how you will know it is done (for example "alert on '
                        '/checkout after two failed checks")'
                    ),
                )
                break


@rule("PM035", "detection-item", Severity.WARNING, "action items")
def detection_item(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when no action item is in the `detection` bucket.

    ## Why is this bad?
    Detection is the cheapest insurance: a monitor that catches the symptom in a minute
    turns a two-hour outage into a five-minute one. Small teams under-invest in it.

    ## Example
    Every action item is `prevention`.

    ## Use instead
    Add one such as "alert when the checkout synthetic check fails twice", bucket `detection`.
    """
    yield from _bucket_missing(doc, "detection", "add a monitor on the thing that broke")


@rule("PM036", "mitigation-item", Severity.WARNING, "action items")
def mitigation_item(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when no action item is in the `mitigation` bucket.

    ## Why is this bad?
    Prevention never catches everything. Mitigation shrinks the blast radius next time: a
    one-line rollback runbook, a feature flag, a rate limit.

    ## Example
    Action items only in `prevention` and `detection`.

    ## Use instead
    Add one such as "one-command rollback documented in the deploy runbook", bucket `mitigation`.
    """
    yield from _bucket_missing(
        doc, "mitigation", "add one that shrinks the blast radius (a rollback runbook, a feature flag)"
    )


def _bucket_missing(doc: Postmortem, bucket: str, advice: str) -> Iterator[Issue]:
    items = doc.action_items
    if items and all(item.bucket != bucket for item in items):
        yield doc.at(("action_items",), f"no action item in the {bucket} bucket; {advice}")


RULES = (
    one_named_owner,
    owner_on_roster,
    tracker_link,
    due_within_window,
    specific_action_item,
    detection_item,
    mitigation_item,
)
