"""Split a postmortem into front matter and body, and read the YAML with positions.

python-frontmatter's splitter drops the offsets mortem needs to report lines, and its
loader turns `due: 2026-12-01` into a date (and crashes on 2026-13-01 with no line). So
this module composes YAML nodes with a safe loader that keeps timestamps as text, and
converts nodes itself: every value gets the line and column of its field, unknown tags,
duplicate keys and alias bombs become problems instead of exceptions.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
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

_SHORT = 40  # texts up to this long (statuses, buckets, owners, dates) are interned: shared copies


def _kept(text: str) -> str:
    """A text value as the data keeps it: a short one as the one shared copy of it."""
    return sys.intern(text) if len(text) <= _SHORT else text


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
    positions: Mapping[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)
    fatal: bool = False


class Positions(Mapping[Path_, tuple[int, int]]):
    """Where each value of a front matter sits, (line, column) by its path. Kept as the
    numbers alone, in the order of the data's paths (paths_below, the order the walk placed
    them), and made into a dict on the first lookup: only a finding or an edit asks, and at
    10,000 postmortems the dicts were a quarter of the memory and of the pickles the archive
    took (24 MB; 19 of a slim copy's 63 µs to unpickle)."""

    __slots__ = ("_by_path", "_data", "_numbers", "_wide")

    def __init__(self, data: Any, numbers: bytes, wide: bool = False) -> None:
        self._data = data
        self._numbers = numbers  # 16-bit numbers, or 32-bit when `wide` (a line past 65,535)
        self._wide = wide
        self._by_path: dict[Path_, tuple[int, int]] | None = None

    @classmethod
    def of(cls, data: Any, places: list[int]) -> Positions:
        """The positions of `data` from each value's line and column, in paths_below order."""
        from array import array  # here: a pre-commit check whose front matter is cached reads none

        wide = max(places, default=0) > 0xFFFF
        return cls(data, array("I" if wide else "H", places).tobytes(), wide)

    def _index(self) -> dict[Path_, tuple[int, int]]:
        if self._by_path is None:
            size = 8 if self._wide else 4  # a place's two numbers
            whole = isinstance(self._numbers, bytes) and len(self._numbers) % size == 0
            view = memoryview(self._numbers if whole else b"")  # not whole: planted in a cache
            numbers = iter(view.cast("I") if self._wide else view.cast("H"))
            self._by_path = dict(zip(paths_below(self._data), zip(numbers, numbers)))  # noqa: B905 - one per path
        return self._by_path

    def __getitem__(self, path: Path_) -> tuple[int, int]:
        return self._index()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._index()

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def __reduce__(self) -> tuple[type[Positions], tuple[Any, bytes, bool]]:
        return (Positions, (self._data, self._numbers, self._wide))

    def __repr__(self) -> str:
        return f"Positions({self._index()!r})"


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
        result.data = walker.value(node, 0)
    except _Budget as exc:
        result.problems.append(Issue(first_line, 1, str(exc)))
        result.fatal = True
        return result
    result.positions = Positions.of(result.data, walker.places)
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
    """Turns composed nodes into plain data, noting each value's place (Positions) and
    each problem, within the limits."""

    def __init__(self, first_line: int, max_depth: int, max_nodes: int, out: FrontMatter):
        self.first_line = first_line
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.out = out
        self.places: list[int] = []  # line, column of each value, in Positions' order
        self.loader = _loader()("")
        import yaml

        self.yaml = yaml  # imported by parse_yaml already

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.out.problems.append(Issue(self.first_line + mark.line, mark.column + 1, message))

    def spend(self, depth: int) -> None:
        """Count one value against the limits."""
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise _Budget(
                "front matter has too many values (aliases expanding?); write the fields out plainly"
            )
        if depth > self.max_depth:
            raise _Budget(f"front matter nests deeper than {self.max_depth} levels")

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.spend(depth)
        if isinstance(node, self.yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, self.yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.problem(node, f"unsupported YAML tag {_short(node.tag)}; write a plain list")
            return [self.item(child, depth) for child in node.value]
        return self.scalar(node)

    def item(self, node: yaml.Node, depth: int) -> Any:
        mark = node.start_mark
        self.places += (self.first_line + mark.line, mark.column + 1)
        return self.value(node, depth + 1)

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self.problem(node, f"unsupported YAML tag {_short(node.tag)}; write a plain mapping")
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}  # each field's line, for a field written twice
        places, first_line, scalar = self.places, self.first_line, self.yaml.ScalarNode
        for key_node, value_node in node.value:
            if isinstance(key_node, scalar) and key_node.tag == _STR:  # the usual field name
                key = sys.intern(key_node.value)
            else:
                found = self.field_name(key_node)
                if found is None:
                    continue
                key = found
            if key in lines:
                self.problem(key_node, f"field `{key}` appears twice (first on line {lines[key]}); keep one")
                continue
            # Placed at its value when that is a scalar on the key's line (what a reader
            # would fix), else at its key.
            mark = key_node.start_mark
            if isinstance(value_node, scalar) and value_node.start_mark.line == mark.line:
                mark = value_node.start_mark
            lines[key] = first_line + mark.line
            places += (lines[key], mark.column + 1)
            if isinstance(value_node, scalar) and value_node.tag == _STR:
                # The usual value, text, read here: a call per value was a fifth of the walk.
                self.spend(depth + 1)
                result[key] = _kept(value_node.value)
            else:
                result[key] = self.value(value_node, depth + 1)
        return result

    def field_name(self, node: yaml.Node) -> str | None:
        """A key other than plain text, as a field name, or None with the problem noted."""
        key = self.scalar(node) if isinstance(node, self.yaml.ScalarNode) else None
        if node.tag == "tag:yaml.org,2002:merge":
            self.problem(node, "YAML merge keys (<<) are not supported; write the fields out")
            return None
        if not isinstance(key, str):
            self.problem(node, f"a field name must be text, such as `owner:`; found {_describe(node)}")
            return None
        return sys.intern(key)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, self.yaml.ScalarNode):
            return None
        if node.tag == _STR:  # what SafeConstructor.construct_yaml_str returns, without its bookkeeping
            return _kept(node.value)
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


def paths_below(data: Any, path: Path_ = (), out: list[Path_] | None = None) -> list[Path_]:
    """The paths under `path`, depth first (a list, built by calls rather than nested
    generators: a third quicker, and Positions makes one per postmortem a finding places)."""
    out = [] if out is None else out
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, key)
            out.append(child)
            if isinstance(value, dict | list):
                paths_below(value, child, out)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            child = (*path, index)
            out.append(child)
            if isinstance(value, dict | list):
                paths_below(value, child, out)
    return out
