"""Rules on a postmortem's identity: its file name, its date, and links to others."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from datetime import date

from mortem.findings import Issue, Severity
from mortem.model import ID_PATTERN, Postmortem
from mortem.rules.base import Context, rule


@rule("PM010", "file-name", Severity.ERROR, "identity")
def file_name(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that the file is named `YYYY-MM-DD-slug.md`: the incident's date, then a short
    slug of lowercase letters, digits and hyphens. The name without `.md` is the
    postmortem's id, used by `related` and by the site's addresses.

    ## Why is this bad?
    Ids that sort by date keep the archive readable in a plain folder listing, and stable
    ids keep links between postmortems working.

    ## Example
    `postmortems/Checkout Outage March.md`

    ## Use instead
    `postmortems/2026-03-04-checkout-deploy-before-migration.md`
    """
    match = ID_PATTERN.match(doc.id)
    problem = None
    if doc.path.suffix != ".md":
        problem = "a postmortem file ends in .md"
    elif match is None:
        problem = "is not YYYY-MM-DD-slug (lowercase letters, digits and single hyphens)"
    else:
        try:
            date.fromisoformat(match.group(1))
        except ValueError:
            problem = f"starts with {match.group(1)}, which is not a real date"
    if problem:
        yield Issue(
            1,
            1,
            f"file name {doc.path.name!r} {problem}; "
            "for example 2026-03-04-checkout-deploy-before-migration.md",
        )


@rule("PM011", "dates-agree", Severity.ERROR, "identity")
def dates_agree(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that `date` equals the date in the file name and the day of `times.started`
    (in that time's own offset).

    ## Why is this bad?
    When the file name, the `date` field and the start time disagree, the archive sorts
    the incident in one place and the metrics count it in another.

    ## Example
    File `2026-03-04-checkout-outage.md` with `date: 2026-03-05`.

    ## Use instead
    File `2026-03-04-checkout-outage.md` with `date: 2026-03-04`.
    """
    day = doc.date
    match = ID_PATTERN.match(doc.id)
    if day is None:
        return
    if match and match.group(1) != day.isoformat():
        yield doc.at(
            ("date",),
            f"date {day.isoformat()} does not match the file name's "
            f"{match.group(1)}; rename the file or fix the date",
        )
    started = doc.times.started
    if started is not None and started.date() != day:
        yield doc.at(
            ("times", "started"),
            (
                f"times.started is on {started.date().isoformat()} but date is {day.isoformat()}; "
                "date is the day the incident started"
            ),
        )


@rule("PM012", "related-exists", Severity.ERROR, "identity")
def related_exists(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that every id in `related` names another postmortem in the archive.

    ## Why is this bad?
    Related links are how a familiar-feeling incident leads to its old write-up and how
    recurring causes get counted. A mistyped id is a dead link on the site.

    ## Example
    ```yaml
    related: [2025-11-18-api-deploy-missing-env]
    ```

    ## Use instead
    ```yaml
    related: [2025-11-18-api-deploy-missing-env-var]
    ```
    """
    for index, related_id in enumerate(doc.related):
        if related_id == doc.id:
            yield doc.at(("related", index), "a postmortem cannot be related to itself")
        elif related_id not in ctx.archive_ids:
            hint = _closest(related_id, ctx.archive_ids)
            yield doc.at(
                ("related", index),
                f"related id {related_id!r} is not in the archive"
                + (f"; did you mean {hint!r}?" if hint else ""),
            )


def _closest(wanted: str, ids: AbstractSet[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(wanted, sorted(ids), n=1, cutoff=0.75)
    return matches[0] if matches else None


RULES = (file_name, dates_agree, related_exists)
