"""Split a postmortem into front matter and body, and read the YAML with positions.

python-frontmatter's splitter drops the offsets mortem needs to report lines, and its
loader turns `due: 2026-12-01` into a date (and crashes on 2026-13-01 with no line). So
this module composes YAML nodes with a safe loader that keeps timestamps as text, and
converts nodes itself: every value gets the line and column of its field, unknown tags,
duplicate keys and alias bombs become problems instead of exceptions.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from mortem.findings import Issue

if TYPE_CHECKING:
    import yaml

Path_ = tuple[str | int, ...]


@cache
def _loader() -> type:
    """SafeLoader (libyaml when available) that resolves timestamps as plain strings. Made on
    first use: importing PyYAML is a tenth of a pre-commit check that finds every file in the
    cache, and so parses none."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolve_by_rules = base.resolve  # type: ignore[attr-defined]
    scalar = yaml.ScalarNode
    resolved: dict[str, str] = {}

    def resolve(self: Any, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        # A plain scalar's tag follows from its text alone (the resolvers' regexes). The same
        # few hundred texts (field names, statuses, buckets, owners) recur in every file, and
        # trying the regexes on each was an eighth of composing the front matter.
        if kind is scalar and implicit[0] and len(value) <= _REMEMBERED_LENGTH:
            tag = resolved.get(value)
            if tag is None:
                tag = resolve_by_rules(self, kind, value, implicit)
                if len(resolved) < _REMEMBERED_TEXTS:
                    resolved[value] = tag
            return tag
        return resolve_by_rules(self, kind, value, implicit)  # type: ignore[no-any-return]

    loader: Any = type("TextDatesLoader", (base,), {"resolve": resolve})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return loader  # type: ignore[no-any-return]


# The plain scalars whose tags are remembered (see _loader): short ones, a bounded number.
_REMEMBERED_LENGTH = 40
_REMEMBERED_TEXTS = 20_000


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR = "tag:yaml.org,2002:str"

# Every postmortem has the same field names and paths, and mostly the same (line, column)
# places: one shared copy of each keeps an archive of 10,000 in memory (and in the pickles a
# parallel check sends between processes) at half the size. Bounded, for hostile files.
_SHARED: dict[object, object] = {}
_SHARED_LIMIT = 100_000
_SHORT = 40


def _shared(value: Any) -> Any:
    found = _SHARED.get(value)
    if found is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            return value
        _SHARED[value] = found = value
    return found


_TEXT_TAGS = {"tag:yaml.org,2002:timestamp"}  # an explicit !!timestamp stays text, like the rest


@dataclass(frozen=True)
class Split:
    """Front matter text and body, with the 1-based file line each starts on."""

    front_matter: str | None
    front_matter_line: int
    body: str
    body_line: int
    closed: bool = True


def split(text: str) -> Split:
    """Split on a first line `---` and the next `---` or `...` line, as MkDocs does."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return Split(None, 0, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split("".join(lines[1:index]), 2, "".join(lines[index + 1 :]), index + 2)
    return Split("".join(lines[1:]), 2, "", len(lines) + 1, closed=False)


@dataclass
class FrontMatter:
    """The data (plain dicts, lists, str, int, float, bool, None) and where each value sits."""

    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)
    fatal: bool = False


class _Budget(Exception):
    """Raised inside the node walk when a limit is passed; turned into one problem."""


def parse_yaml(text: str, first_line: int, max_depth: int, max_nodes: int) -> FrontMatter:
    """Compose `text` (which starts at file line `first_line`) into data with positions."""
    result = FrontMatter()
    # Nesting cannot pass the limit with fewer brackets than that: the usual case, no scan.
    depth = _flow_depth(text) if text.count("[") + text.count("{") > max_depth else 0
    if depth > max_depth:
        result.problems.append(
            Issue(
                first_line,
                1,
                f"front matter nests {depth} levels deep (the limit is "
                f"{max_depth}); a postmortem's fields need a handful",
            )
        )
        result.fatal = True
        return result
    import yaml

    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "malformed YAML"
        result.problems.append(Issue(line, column, f"front matter is not valid YAML: {what}"))
        result.fatal = True
        return result
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        result.problems.append(Issue(first_line, 1, f"front matter is not valid YAML: {exc}"))
        result.fatal = True
        return result
    if node is None:
        result.data = {}
        return result
    walker = _Walker(first_line, max_depth, max_nodes, result)
    try:
        result.data = walker.value(node, (), 0)
    except _Budget as exc:
        result.problems.append(Issue(first_line, 1, str(exc)))
        result.fatal = True
    return result


def _flow_depth(text: str) -> int:
    """Deepest nesting of [ and { (quotes ignored, so it can only over-count).

    libyaml composes recursively in C: a few thousand nested brackets would overflow the
    stack, so nesting is bounded before the parser sees it.
    """
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


class _Walker:
    def __init__(self, first_line: int, max_depth: int, max_nodes: int, out: FrontMatter):
        self.first_line = first_line
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.out = out
        self.loader = _loader()("")
        import yaml

        self.yaml = yaml  # imported by parse_yaml already

    def where(self, node: yaml.Node) -> tuple[int, int]:
        place: tuple[int, int] = _shared((self.first_line + node.start_mark.line, node.start_mark.column + 1))
        return place

    def problem(self, node: yaml.Node, message: str) -> None:
        line, column = self.where(node)
        self.out.problems.append(Issue(line, column, message))

    def value(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise _Budget(
                "front matter has too many values (aliases expanding?); write the fields out plainly"
            )
        if depth > self.max_depth:
            raise _Budget(f"front matter nests deeper than {self.max_depth} levels")
        if isinstance(node, self.yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, self.yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.problem(node, f"unsupported YAML tag {_short(node.tag)}; write a plain list")
            return [self.item(child, (*path, i), depth) for i, child in enumerate(node.value)]
        return self.scalar(node)

    def item(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        path = _shared(path)
        self.out.positions[path] = self.where(node)
        return self.value(node, path, depth + 1)

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self.problem(node, f"unsupported YAML tag {_short(node.tag)}; write a plain mapping")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node) if isinstance(key_node, self.yaml.ScalarNode) else None
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "YAML merge keys (<<) are not supported; write the fields out")
                continue
            if not isinstance(key, str):
                self.problem(
                    key_node, f"a field name must be text, such as `owner:`; found {_describe(key_node)}"
                )
                continue
            if key in result:
                line = self.out.positions.get((*path, key), (0, 0))[0]
                self.problem(key_node, f"field `{key}` appears twice (first on line {line}); keep one")
                continue
            key = sys.intern(key)
            same_line = value_node.start_mark.line == key_node.start_mark.line
            anchor = value_node if isinstance(value_node, self.yaml.ScalarNode) and same_line else key_node
            field_path = _shared((*path, key))
            self.out.positions[field_path] = self.where(anchor)
            result[key] = self.value(value_node, field_path, depth + 1)
        return result

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, self.yaml.ScalarNode):
            return None
        if node.tag == _STR:
            if len(node.value) <= _SHORT:  # statuses, buckets, owners, dates: shared copies
                return sys.intern(node.value)
            return node.value  # what SafeConstructor.construct_yaml_str returns, without its bookkeeping
        if node.tag in _TEXT_TAGS:
            return str(node.value)
        if node.tag not in _SCALAR_TAGS:
            self.problem(
                node,
                f"unsupported YAML tag {_short(node.tag)}; mortem reads plain "
                "text, numbers, lists and mappings only",
            )
            return str(node.value)
        try:
            return self.loader.construct_object(node)
        except (ValueError, self.yaml.YAMLError):
            return str(node.value)


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _describe(node: yaml.Node) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return repr(node.value)


def iter_paths(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path in the data, depth first (used by tests and position lookups)."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))
