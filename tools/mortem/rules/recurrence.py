"""Recurrence: a root cause the archive has seen before should be counted with the others."""

from __future__ import annotations

from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import Postmortem
from mortem.rules.base import Context, rule

_SHOWN_IDS = 3


@rule("PM060", "link-recurrence", Severity.WARNING, "recurrence")
def link_recurrence(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when a postmortem's root cause falls into a pattern with earlier postmortems (the
    grouping `mortem patterns` shows, from similar root-cause summaries, why-chains and
    triggers) but the postmortem neither lists any of them in `related` nor shares their
    root cause `category`.

    ## Why is this bad?
    "The third incident this quarter caused by a manual deploy step" is the evidence that
    justifies a bigger prevention fix, and it only adds up if the archive knows the
    incidents share a cause. A recurrence filed under a new slug and linked to nothing is
    counted as a one-off, and the pattern stays invisible.

    ## Example
    ```yaml
    # 2026-10-07-checkout-deploy-before-migration.md
    root_causes:
      - category: release-steps-by-hand
        summary: Migrations are run by hand after the deploy script; nothing enforces the order.
    ```

    ## Use instead
    ```yaml
    root_causes:
      - category: manual-deploy-ordering
        summary: Migrations are run by hand after the deploy script; nothing enforces the order.
    related: [2025-09-16-api-deploy-missing-env-var]
    ```
    """
    if not doc.root_causes and doc.section("Root cause") is None:
        return  # nothing to compare, so no reason to load the archive
    from mortem.archive import facts

    found = ctx.remembered("recurrence", lambda: facts(doc), lambda: _recurrence(doc, ctx), _is_recurrence)
    if found is None:
        return
    name, ids = found
    more = len(ids) - _SHOWN_IDS
    shown = ", ".join(ids[:_SHOWN_IDS]) + (f" and {more} more" if more > 0 else "")
    where = ("related",) if "related" in doc.front else ("root_causes",)
    yield doc.at(
        where,
        f"this looks like {name} ({shown}); link it so the archive counts it "
        "(add the ids to `related`, or reuse the category)",
    )


RULES = (link_recurrence,)


def _recurrence(doc: Postmortem, ctx: Context) -> tuple[str, tuple[str, ...]] | None:
    # Imported here: when the verdict comes from the cache (a commit that did not touch a
    # root cause), the pre-commit check never loads the analysis modules.
    from mortem.analysis.patterns import recurrence_of

    return recurrence_of(doc, ctx.archive, ctx.config)


def _is_recurrence(value: object) -> bool:
    """A cached recurrence_of result: None, or (pattern name, earlier ids)."""
    if value is None:
        return True
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], tuple)
        and all(isinstance(i, str) for i in value[1])
    )
