"""The ordered registry of every rule. A test checks that each module's rules are here."""

from __future__ import annotations

from mortem.rules import (
    action_items,
    blameless,
    detection,
    follow_through,
    front_matter,
    identity,
    publishing,
    reading,
    recurrence,
    root_cause,
    structure,
)
from mortem.rules.base import Context, Rule

ALL_RULES: tuple[Rule, ...] = (
    *reading.RULES,
    *front_matter.RULES,
    *identity.RULES,
    *structure.RULES,
    *action_items.RULES,
    *follow_through.RULES,
    *blameless.RULES,
    *root_cause.RULES,
    *recurrence.RULES,
    *detection.RULES,
    *publishing.RULES,
    *follow_through.LINK_RULES,
)

BY_CODE = {r.code: r for r in ALL_RULES}
BY_NAME = {r.name: r for r in ALL_RULES}

__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "Context", "Rule"]
