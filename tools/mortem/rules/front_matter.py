"""Rules on the front matter as data: the schema, and the order of the recorded times."""

from __future__ import annotations

from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import TIME_FIELDS, Postmortem
from mortem.rules.base import Context, rule
from mortem.schema import schema_issues


@rule("PM004", "schema", Severity.ERROR, "front matter")
def schema(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Validates the front matter against `schema/postmortem.schema.json`: required fields,
    types, allowed values, dates as `YYYY-MM-DD`, timezone-aware times, numeric impact, and
    every action item with a title, bucket, owner, due date, tracking link and status.

    ## Why is this bad?
    The schema is what makes a postmortem trackable. A missing `due` or `owner` is an action
    item that will quietly never ship; a naive time makes time-to-detect a guess.

    ## Example
    ```yaml
    times:
      started: 2026-03-04 14:02
    action_items:
      - title: Alert on checkout errors
        bucket: detection
    ```

    ## Use instead
    ```yaml
    times:
      started: 2026-03-04T14:02:00+00:00
    action_items:
      - title: Alert on checkout errors
        bucket: detection
        owner: Mei Chen
        due: 2026-03-11
        link: https://github.com/example/platform/issues/413
        status: open
    ```
    """
    yield from schema_issues(doc)


@rule("PM005", "times-in-order", Severity.ERROR, "front matter")
def times_in_order(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks that the recorded times never go backwards: started, detected, acknowledged,
    mitigated, resolved.

    ## Why is this bad?
    Time to detect and time to acknowledge drive the detection and on-call action items.
    A time out of order (often a wrong time zone) makes those numbers negative or wrong.

    ## Example
    ```yaml
    times:
      started: 2026-03-04T14:02:00+00:00
      detected: 2026-03-04T13:09:00+00:00
    ```

    ## Use instead
    ```yaml
    times:
      started: 2026-03-04T14:02:00+00:00
      detected: 2026-03-04T14:09:00+00:00
    ```
    """
    times = doc.times
    previous_name, previous = None, None
    for name in TIME_FIELDS:
        value = getattr(times, name)
        if value is None:
            continue
        if previous is not None and value < previous:
            yield doc.at(
                ("times", name),
                (
                    f"times.{name} ({value.isoformat()}) is before times.{previous_name} "
                    f"({previous.isoformat()}); check the time zone offsets"
                ),
            )
        previous_name, previous = name, value


RULES = (schema, times_in_order)
