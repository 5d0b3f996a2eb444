"""Positions: one place per front matter value, in the order of the data's paths, kept as
numbers and made into a dict only when asked."""

from __future__ import annotations

import pickle
import string
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mortem.frontmatter import Positions, parse_yaml, paths_below

names = st.sampled_from(["title", "owner", "due", "a", "b", "c", "times", "related"])
# Text of the characters a field holds: what YAML does to control characters such as NEL
# (a line break to it) is its own business, not the places'.
words = st.text(alphabet=string.ascii_letters + string.digits + " -_.:'#é", max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), words, st.just("2026-10-07"))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200)
@given(st.dictionaries(names, values, min_size=1, max_size=6), st.booleans())
def test_every_value_has_one_place_in_the_order_of_its_path(front: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(front, default_flow_style=flow, allow_unicode=True)
    result = parse_yaml(text, 2, 32, 20_000)
    assert not result.fatal and result.data == front
    paths = paths_below(result.data)
    assert list(result.positions) == paths
    assert len(result.positions) == len(paths)
    lines = text.splitlines()
    for path in paths:
        line, column = result.positions[path]
        assert 2 <= line < 2 + len(lines) and column >= 1
        if isinstance(path[-1], str) and not flow:  # a block mapping's field sits on its key's line
            assert path[-1] in lines[line - 2]


def test_fields_left_out_have_no_place_and_the_rest_keep_theirs() -> None:
    text = "title: one\ntitle: two\n<<: {x: 1}\n[a]: 3\nowner: Sam\nitems:\n  - due: 2026-10-07\n"
    result = parse_yaml(text, 5, 32, 20_000)
    assert result.data == {"title": "one", "owner": "Sam", "items": [{"due": "2026-10-07"}]}
    assert dict(result.positions) == {
        ("title",): (5, 8),
        ("owner",): (9, 8),
        ("items",): (10, 1),
        ("items", 0): (11, 5),
        ("items", 0, "due"): (11, 10),
    }
    assert "field `title` appears twice (first on line 5)" in result.problems[0].message
    tagged = parse_yaml("a: 1\n!!int abc: 1\nabc: 2\n", 2, 32, 20_000)  # a key read as text all the same
    assert [p.message for p in tagged.problems] == ["field `abc` appears twice (first on line 3); keep one"]


def test_a_copy_sends_the_numbers_not_the_dict_made_for_a_lookup() -> None:
    text = "".join(f"field_{n}: [{n}, {n + 1}]\n" for n in range(40))
    front = parse_yaml(text, 2, 32, 20_000)
    positions = front.positions
    assert isinstance(positions, Positions)
    before = pickle.dumps(positions, pickle.HIGHEST_PROTOCOL)
    assert positions[("field_7", 1)] == (9, 14)
    after = pickle.dumps(positions, pickle.HIGHEST_PROTOCOL)
    assert after == before  # asking made the dict, which is not sent
    sent = pickle.dumps((front.data, positions), pickle.HIGHEST_PROTOCOL)  # with its data, as a copy is
    data_alone = len(pickle.dumps((front.data, None), pickle.HIGHEST_PROTOCOL))
    as_dict = len(pickle.dumps((front.data, dict(positions)), pickle.HIGHEST_PROTOCOL))
    assert len(sent) - data_alone < (as_dict - data_alone) / 2
    data, received = pickle.loads(sent)
    assert received == dict(positions) and data == front.data


def test_numbers_that_do_not_fit_the_data_give_no_places_rather_than_an_error() -> None:
    data = {"title": "x", "items": [1, 2]}
    assert dict(Positions(data, b"\x01\x00\x00")) == {}  # not whole numbers: planted in a cache
    assert dict(Positions(data, bytes(4))) == {("title",): (0, 0)}
    assert ("items", 1) not in Positions(data, bytes(4))


def test_a_line_past_the_sixteen_bit_numbers_keeps_its_place() -> None:
    text = "title: x\n" + "#\n" * 70_000 + "owner: Sam\n"
    result = parse_yaml(text, 2, 32, 20_000)
    assert dict(pickle.loads(pickle.dumps(result.positions))) == {("title",): (2, 8), ("owner",): (70_003, 8)}
