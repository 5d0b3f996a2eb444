"""Follow-through: closed items say when, dropped items say why, nobody owns too much, and
every fix links a real issue once the postmortem leaves draft."""

from __future__ import annotations

from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import ActionItem, Postmortem, is_placeholder_link, owner_key
from mortem.rules.base import Context, rule


def _label(item: ActionItem) -> str:
    title = " ".join((item.title or "").split())
    short = title if len(title) <= 50 else title[:47] + "..."
    return f"action item {item.index + 1}" + (f" ({short!r})" if short else "")


@rule("PM037", "done-has-closed", Severity.WARNING, "follow-through")
def done_has_closed(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when an action item is `done` but has no `closed` day.

    ## Why is this bad?
    The `closed` day is how the archive knows how long fixes take to ship, per bucket and
    per owner. Without it, "detection items take three weeks" is a guess, and the metrics
    page leaves the item out of the month it closed in.

    ## Example
    ```yaml
    status: done
    ```

    ## Use instead
    ```yaml
    status: done
    closed: 2026-10-13
    ```
    `mortem actions --sync --write` fills it from the tracker's closed date.
    """
    for item in doc.action_items:
        if item.status == "done" and item.closed is None and "closed" not in _fields(doc, item):
            yield doc.at(
                ("action_items", item.index, "status"),
                f"{_label(item)} is done but has no `closed` day; add `closed: YYYY-MM-DD`, the day "
                "it shipped (`mortem actions --sync --write` takes it from the tracker)",
            )


@rule("PM038", "dropped-has-reason", Severity.ERROR, "follow-through")
def dropped_has_reason(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that an action item marked `dropped` says why, in `reason`.

    ## Why is this bad?
    Overdue items are re-owned or de-prioritised out loud, never silently dropped. A drop
    with no reason reads as a fix that was forgotten; the next incident with the same cause
    then finds nothing to explain why the fix never shipped.

    ## Example
    ```yaml
    status: dropped
    ```

    ## Use instead
    ```yaml
    status: dropped
    reason: Superseded by moving deploys into CI (issue 402), agreed at the weekly sync.
    ```
    """
    for item in doc.action_items:
        if item.status != "dropped" or item.reason == "":  # an empty reason is the schema's finding
            continue
        if item.reason is None or not item.reason.strip():
            yield doc.at(
                ("action_items", item.index, "status"),
                f"{_label(item)} was dropped without a `reason`; say why it was de-prioritised, "
                "so the decision is made out loud",
            )


@rule("PM039", "owner-load", Severity.WARNING, "follow-through")
def owner_load(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when an owner of an open action item owns more than `max_open_per_owner` (5 by
    default) open items across the archive, counting this postmortem's.

    ## Why is this bad?
    Each fix is sized to ship in about a week. Someone holding six of them will not ship
    them all; the rest go stale quietly while the list says they are owned. The weekly sync
    re-owns some or de-prioritises them out loud.

    ## Example
    Sam Okafor owns 7 open items across the archive, and this postmortem adds another.

    ## Use instead
    Give the new item to someone with room, or close, re-own or drop (with a `reason`) some
    of Sam's older items first.
    """
    mine = [item for item in doc.action_items if item.is_open and item.owner and item.owner.strip()]
    if not mine:
        return  # nothing to weigh, so no reason to load the archive
    from mortem.analysis.actions import OwnerLoad  # (the archive-wide pass only: lean start-up)

    limit = ctx.config.max_open_per_owner
    load = ctx.remembered(
        "owner-load", "", lambda: OwnerLoad(ctx.archive), lambda value: isinstance(value, OwnerLoad)
    ).of_owners_in(doc)
    warned: set[str] = set()
    for item in mine:
        key = owner_key(item.owner or "")
        if load[key] <= limit or key in warned:
            continue
        warned.add(key)
        yield doc.at(
            ("action_items", item.index, "owner"),
            f"{item.owner} owns {load[key]} open action items across the archive (more than {limit}); "
            "re-own or de-prioritise out loud at the weekly sync",
        )


@rule("PM090", "link-placeholder", Severity.WARNING, "follow-through")
def link_placeholder(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    While a postmortem is a `draft`, warns for each action item whose `link` is still a
    placeholder: empty, `TBD`, `TODO` or `#`.

    ## Why is this bad?
    A fix that lives only in the postmortem is forgotten by the next sprint; the issue is
    how it reaches the team's planning. A draft may wait for it, and the warning keeps it
    on the list. From `review` on it is an error (PM091).

    ## Example
    ```yaml
    link: TBD
    ```

    ## Use instead
    ```yaml
    link: https://github.com/example/platform/issues/481
    ```
    `mortem actions --file-issues POSTMORTEM` opens the issues and writes their links.
    """
    if doc.status == "draft":
        for item in _placeholders(doc):
            yield doc.at(
                ("action_items", item.index, "link"),
                f"{_label(item)} has no tracking issue yet (link {item.link or ''!r}); file it before "
                "review: `mortem actions --file-issues` opens one and writes the link",
            )


@rule("PM091", "link-required", Severity.ERROR, "follow-through")
def link_required(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Once a postmortem is past `draft` (in `review`, `final`, or with no status), checks that
    every action item's `link` is a real URL, not a placeholder such as empty, `TBD`,
    `TODO` or `#`.

    ## Why is this bad?
    Each action item has one owner, a due date, and a link to a real tracked issue. A
    postmortem reviewed or published with an untracked fix has a fix nobody will see again.

    ## Example
    ```yaml
    status: review
    ...
        link: ""
    ```

    ## Use instead
    ```yaml
        link: https://github.com/example/platform/issues/481
    ```
    `mortem actions --file-issues POSTMORTEM` opens the issues and writes their links.
    """
    if doc.status != "draft":
        for item in _placeholders(doc):
            yield doc.at(
                ("action_items", item.index, "link"),
                f"{_label(item)} links no issue (link {item.link or ''!r}); from review on every fix "
                "needs its tracked issue: `mortem actions --file-issues` opens them",
            )


def _placeholders(doc: Postmortem) -> Iterator[ActionItem]:
    for item in doc.action_items:
        written = _written(doc, item)
        # A missing `link` key, or one that is not text, is the schema rule's finding.
        text_or_empty = "link" in written and (written["link"] is None or isinstance(written["link"], str))
        if text_or_empty and is_placeholder_link(item.link):
            yield item


def _fields(doc: Postmortem, item: ActionItem) -> set[str]:
    """The keys written in the item (a key with an empty value too)."""
    return set(_written(doc, item))


def _written(doc: Postmortem, item: ActionItem) -> dict[str, object]:
    raw = doc.front.get("action_items")
    entry = raw[item.index] if isinstance(raw, list) and item.index < len(raw) else None
    return entry if isinstance(entry, dict) else {}


RULES = (done_has_closed, dropped_has_reason, owner_load)
LINK_RULES = (link_placeholder, link_required)  # registered last, in code order
