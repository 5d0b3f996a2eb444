"""The compiled fast path of the schema says "valid" exactly when jsonschema finds no error.

mortem.schema skips jsonschema for front matter its compiled check accepts, so a wrong "valid"
would hide findings. These tests hold it to jsonschema's verdict on every postmortem in the
repository and on generated front matter.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem
from mortem.schema import fast_validator, validator

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *(REPO / "tests" / "fixtures" / "rules").rglob("*.md"),
        *(REPO / "postmortems").glob("20*.md"),
        *(REPO / "tests" / "eval" / "recurrence" / "postmortems").glob("*.md"),
    ]
)


def jsonschema_valid(front: Any) -> bool:
    return not any(validator().iter_errors(front))


def fast_valid(front: Any) -> bool:
    fast = fast_validator()
    assert fast is not None, "the schema uses a keyword the fast path does not know"
    return fast(front)


def fronts() -> list[dict[str, Any]]:
    found = []
    for path in FILES:
        doc = load(path, Config(root=REPO))
        if isinstance(doc, Postmortem):
            found.append(dict(doc.front))
    return found


def test_the_shipped_schema_compiles_to_a_fast_path() -> None:
    assert fast_validator() is not None


@pytest.mark.parametrize("front", fronts(), ids=lambda f: str(f.get("title", "?"))[:40])
def test_agrees_with_jsonschema_on_every_postmortem_in_the_repository(front: dict[str, Any]) -> None:
    assert fast_valid(front) == jsonschema_valid(front)


VALID = next(f for f in fronts() if jsonschema_valid(f))
FIELDS = sorted(VALID)
KEYS = [
    *FIELDS,
    "x",
    "kind",
    "owner",
    "status",
    "link",
    "closed",
    "due",
    "reason",
    "users",
    "category",
    "summary",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2026-10-07",
            "2026-02-30",
            "2026-10-07T12:02:00+00:00",
            "2026-10-07T12:02:00",
            "SEV2",
            "SEV9",
            "final",
            "prevention",
            "detection",
            "open",
            "done",
            "https://github.com/fernhill/platform/issues/1",
            "https://exa mple.com/x",
            "http://",
            "TBD",
            "#",
            "",
            "manual-deploy-ordering",
            "Bad Slug",
            "2025-09-16-api-deploy-missing-env-var",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=6,
)


def mutate(front: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    """A copy of the front matter with the value at path (as deep as it goes) replaced."""
    result = copy.deepcopy(front)
    node: Any = result
    for step in path[:-1]:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        ):
            node = node[step]
        else:
            break
    last = path[-1]
    if (isinstance(node, dict) and isinstance(last, str)) or (
        isinstance(node, list) and isinstance(last, int) and last < len(node)
    ):
        node[last] = value
    return result


paths = st.lists(st.one_of(st.sampled_from(KEYS), st.integers(0, 3)), min_size=1, max_size=3)


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(paths, values, st.booleans())
def test_agrees_with_jsonschema_on_generated_front_matter(
    path: list[str | int], value: Any, drop: bool
) -> None:
    front = mutate(VALID, path, value)
    if drop and isinstance(path[0], str):
        front.pop(path[0], None)
    if fast_valid(front):  # the one direction that matters: a wrong "valid" would hide findings
        assert jsonschema_valid(front), front
