"""Small archives made in the test: postmortem front matter and body for the site tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 28)

BODY = """
## Summary
Checkout failed for 40 minutes after a deploy; 300 diners saw errors until we rolled back.

## Impact
- 300 diners saw errors and 12 orders were lost.

## Timeline
- 12:00 Deploy finished.
- 12:07 Alert fired.
- 12:10 Acknowledged.
- 12:40 Rolled back; all clear.

## Root cause
1. Why did checkout fail? The deploy shipped a breaking change.
2. Why? Nothing tested the flow before release.
3. Why? The smoke test was never written.

## What went well
- The rollback was quick.

## What was hard
- Nobody knew who owned checkout.
"""


def front(day: str, slug: str, **changes: Any) -> dict[str, Any]:
    """Front matter for a clean postmortem on `day`; keyword arguments replace fields."""
    data: dict[str, Any] = {
        "title": f"Checkout failed on {day}",
        "date": day,
        "status": "final",
        "severity": "SEV2",
        "services": ["checkout"],
        "why": ["customer-visible"],
        "times": {
            "started": f"{day}T12:00:00+00:00",
            "detected": f"{day}T12:07:00+00:00",
            "acknowledged": f"{day}T12:10:00+00:00",
            "resolved": f"{day}T12:40:00+00:00",
        },
        "impact": {"users": 300, "orders_lost": 12},
        "trigger": "A deploy shipped a breaking change.",
        "root_causes": [
            {
                "category": f"cause-{slug}",
                "kind": "prevention",
                "summary": "Nothing tests the checkout flow before a release.",
            }
        ],
        "action_items": [
            {
                "title": "Add a post-deploy smoke check of checkout",
                "bucket": "detection",
                "owner": "Sam Okafor",
                "due": day,
                "link": "https://github.com/fernhill/platform/issues/1",
                "status": "open",
            }
        ],
    }
    data.update(changes)
    return data


Writer = Callable[..., Path]
