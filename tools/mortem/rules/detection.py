"""Detection: the two response numbers, and monitoring failures, drive detection fixes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from mortem.findings import Issue, Severity
from mortem.model import Postmortem
from mortem.rules.base import Context, rule


def _minutes(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes:.0f}" if minutes == int(minutes) else f"{minutes:.1f}"


def _has_bucket(doc: Postmortem, *buckets: str) -> bool:
    return any(item.bucket in buckets for item in doc.action_items)


@rule("PM070", "slow-detection", Severity.WARNING, "detection")
def slow_detection(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when the time to detect (`times.started` to `times.detected`) is longer than
    `detect_minutes` (10 by default) and no action item is in the `detection` bucket.

    ## Why is this bad?
    A long time to detect is a monitoring gap: the system was broken and nothing said so.
    Detection is the cheapest insurance a small team can buy; a monitor that catches the
    symptom in 60 seconds turns a two-hour outage into a five-minute one.

    ## Example
    ```yaml
    times:
      started: 2026-10-07T12:02:00+00:00
      detected: 2026-10-07T12:40:00+00:00
    action_items:
      - {title: Run migrations in CI before the deploy, bucket: prevention, ...}
    ```

    ## Use instead
    ```yaml
    action_items:
      - {title: Run migrations in CI before the deploy, bucket: prevention, ...}
      - {title: Synthetic order every minute; page after 2 failures, bucket: detection, ...}
    ```
    """
    took = doc.times.time_to_detect
    limit = ctx.config.detect_minutes
    if took is None or took <= timedelta(minutes=limit) or _has_bucket(doc, "detection"):
        return
    yield doc.at(
        ("times", "detected"),
        f"it took {_minutes(took)} minutes to detect (over {limit}) and no action item is in the "
        "detection bucket; add one, such as a monitor that catches this in 60 seconds",
    )


@rule("PM071", "slow-acknowledgement", Severity.WARNING, "detection")
def slow_acknowledgement(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when the time to acknowledge (`times.detected` to `times.acknowledged`) is longer
    than `acknowledge_minutes` (10 by default) and no action item is in the `detection` or
    `mitigation` bucket.

    ## Why is this bad?
    A long time to acknowledge is an alert-routing or on-call gap: the alert fired and no
    human saw it. The fix is in the routing (page, not a channel nobody reads), the
    escalation policy or the rota, and it belongs in an action item, or it happens again.

    ## Example
    ```yaml
    times:
      detected: 2026-05-19T09:14:00+00:00
      acknowledged: 2026-05-19T09:52:00+00:00
    action_items:
      - {title: Fix the template that broke notifications, bucket: prevention, ...}
    ```

    ## Use instead
    ```yaml
    action_items:
      - {title: Fix the template that broke notifications, bucket: prevention, ...}
      - {title: Route notifications alerts to the on-call pager, escalate after 5 minutes,
         bucket: detection, ...}
    ```
    """
    took = doc.times.time_to_acknowledge
    limit = ctx.config.acknowledge_minutes
    if took is None or took <= timedelta(minutes=limit) or _has_bucket(doc, "detection", "mitigation"):
        return
    yield doc.at(
        ("times", "acknowledged"),
        f"it took {_minutes(took)} minutes for a human to acknowledge the alert (over {limit}) and no "
        "action item is in the detection or mitigation bucket; add an alert-routing or on-call fix, "
        "such as paging the on-call and escalating after 5 minutes",
    )


@rule("PM072", "monitoring-failure-cause", Severity.WARNING, "detection")
def monitoring_failure_cause(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns when `why` includes `monitoring-failure` but no root cause is of kind `detection`.

    ## Why is this bad?
    A monitoring failure (an alert that should have fired and did not) is a detection
    problem by definition: a blind spot is a delayed outage. Its postmortem has to say why
    the monitor stayed silent, or the action items fix the outage and keep the blind spot.

    ## Example
    ```yaml
    why: [monitoring-failure]
    root_causes:
      - {category: wal-volume-undersized, kind: prevention, summary: ...}
    ```

    ## Use instead
    ```yaml
    why: [monitoring-failure]
    root_causes:
      - {category: wal-volume-undersized, kind: prevention, summary: ...}
      - {category: disk-alert-on-wrong-mount, kind: detection, summary: The alert watched / only.}
    ```
    """
    if "monitoring-failure" not in doc.why:
        return
    if any(cause.kind == "detection" for cause in doc.root_causes):
        return
    yield doc.at(
        ("why",),
        "why says monitoring-failure but no root cause is of kind detection; say why the monitor "
        "stayed silent, as a detection root cause",
    )


RULES = (slow_detection, slow_acknowledgement, monitoring_failure_cause)
