"""`mortem new`: a one-page postmortem with each section's prompt, ready to fill in."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from mortem.errors import UsageError

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")

# One line each on what to write, from the one-page template. They are HTML comments, so
# an unfilled section still counts as empty and `mortem check` says what is left to do.
PROMPTS = {
    "Summary": (
        "Two or three sentences a non-engineer can read: what broke, who was affected, "
        "for how long, how it was resolved."
    ),
    "Impact": "Quantify it: failed requests, users or orders affected, minutes, and money where you can.",
    "Timeline": (
        "Timestamped facts, no interpretation, one bullet each: `- 14:02 First failed check on "
        "/checkout`. First failure, first alert, acknowledgement, key findings, mitigation, all-clear."
    ),
    "Root cause": (
        "Ask why about five times, one numbered line each (`1. Why did ...? Because ...`), until "
        "you reach a condition you can change. Describe the system, not people."
    ),
    "What went well": "Keep what worked: the alert that fired, the runbook that existed.",
    "What was hard": "Name the friction: what slowed detection, diagnosis or the fix.",
}


def slugify(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if not slug:
        raise UsageError(f"cannot make a file name from the title {title!r}; use some letters or digits")
    return slug


def postmortem_id(title: str, day: date) -> str:
    return f"{day.isoformat()}-{slugify(title)}"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def render(
    title: str, day: date, severity: str | None, services: Sequence[str], authors: Sequence[str] = ()
) -> str:
    services_yaml = "[" + ", ".join(services) + "]"
    authors_yaml = "[" + ", ".join(_quoted(a) for a in authors) + "]"
    front = f"""---
title: {_quoted(title)}
date: {day.isoformat()}
status: draft
severity: {severity or "SEV3"}
services: {services_yaml}
authors: {authors_yaml}
# Why this earns a postmortem: customer-visible, near-miss, monitoring-failure, long-resolution
why: []
# Timezone-aware times, such as {day.isoformat()}T14:02:00+00:00 (`mortem timeline import` can fill them)
times:
  started: ""
  detected: ""
  acknowledged: ""
  mitigated: ""
  resolved: ""
# Numbers only: users, requests_failed, orders_lost, cost_usd, duration_minutes
impact: {{}}
# The immediate event that set it off (not the root cause)
trigger: ""
root_causes:
  - category: ""        # a short slug for the systemic condition, such as manual-deploy-ordering
    kind: prevention
    summary: ""
  - category: ""
    kind: detection     # why did we find out late (or from a customer)?
    summary: ""
# One named owner each, due within about a week, linked to a tracked issue
# (leave link empty until then: `mortem actions --file-issues` opens the issues and fills it)
action_items:
  - title: ""
    bucket: prevention
    owner: ""
    due: ""
    link: ""
    status: open
  - title: ""
    bucket: detection
    owner: ""
    due: ""
    link: ""
    status: open
  - title: ""
    bucket: mitigation
    owner: ""
    due: ""
    link: ""
    status: open
---
"""
    body = "".join(f"\n## {section}\n<!-- {prompt} -->\n" for section, prompt in PROMPTS.items())
    return front + body


def check_services(services: Sequence[str]) -> list[str]:
    for service in services:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", service):
            raise UsageError(
                f"--service {service!r} is not a slug; use lowercase letters, "
                "digits and hyphens, such as postgres-main"
            )
    return list(dict.fromkeys(services))
