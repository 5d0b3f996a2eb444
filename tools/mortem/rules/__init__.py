"""The ordered registry of every rule. A test checks that each module's rules are here.

ALL_RULES, BY_CODE and BY_NAME are built on first use: a pre-commit `mortem check` that
finds its file in the cache runs no rule, and importing every rule module (their word lists,
patterns and the schema) was a twentieth of that check at 10,000 postmortems.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from mortem.rules.base import Context, Rule

if TYPE_CHECKING:
    ALL_RULES: tuple[Rule, ...]
    BY_CODE: dict[str, Rule]
    BY_NAME: dict[str, Rule]

_REGISTRY = ("ALL_RULES", "BY_CODE", "BY_NAME")


@cache
def _registry() -> dict[str, Any]:
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

    every: tuple[Rule, ...] = (
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
    return {
        "ALL_RULES": every,
        "BY_CODE": {r.code: r for r in every},
        "BY_NAME": {r.name: r for r in every},
    }


def __getattr__(name: str) -> Any:
    if name in _REGISTRY:
        return _registry()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "Context", "Rule"]
