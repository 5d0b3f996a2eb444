"""The JSON Schema in schema/ (or the wheel's copy): compiled once, errors turned into issues."""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mortem.findings import Issue
from mortem.model import Postmortem, parse_day, parse_instant
from mortem.schema_file import schema_path

if TYPE_CHECKING:
    from jsonschema import Validator
    from jsonschema.exceptions import ValidationError


@cache
def load_schema() -> dict[str, Any]:
    import json  # here: a check that finds every file in the cache reads no schema

    result: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return result


@cache
def validator() -> Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    # The standard library checks the three formats mortem uses, so format checking does
    # not depend on jsonschema's optional extras (and their import cost).
    formats = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        formats.checks(name)(check)
    return Draft202012Validator(load_schema(), format_checker=formats)


# --- a fast yes for valid front matter ------------------------------------------------------
#
# `mortem check` on one file runs on every commit, and importing jsonschema costs about as
# much as everything else the check does. So the schema is also compiled, once, into plain
# functions for the keywords it uses, with jsonschema's semantics (jsonschema/_keywords.py);
# they answer only "valid". Anything else, or any keyword they do not know, goes to
# jsonschema, which finds and explains the errors. tests/unit/test_schema_fast.py holds them
# to jsonschema's verdict on every fixture and on generated front matter.

Check = Callable[[Any], bool]
_IGNORED = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"})
_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class _Unsupported(Exception):
    """A keyword the fast validator does not implement: always ask jsonschema."""


@cache
def fast_validator() -> Check | None:
    try:
        return _Compiler(load_schema()).compile(load_schema())
    except (_Unsupported, re.error, KeyError, TypeError):
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, node: Any) -> Check:
        if node is True:
            return lambda v: True
        if node is False:
            return lambda v: False
        if not isinstance(node, dict):
            raise _Unsupported(repr(node))
        checks = [
            check
            for key, value in node.items()
            if key not in _IGNORED and (check := self.keyword(key, value, node)) is not None
        ]
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:  # noqa: SIM110 - a loop: all() over a generator is twice as slow here
                if not check(v):
                    return False
            return True

        return every

    def keyword(self, key: str, value: Any, node: dict[str, Any]) -> Check | None:
        if key == "$ref":
            return self.ref(value)
        if key == "type":
            kinds = [_TYPES[t] for t in ([value] if isinstance(value, str) else value)]
            if len(kinds) == 1:
                return kinds[0]  # most fields: one type, checked without a loop
            return lambda v: any(kind(v) for kind in kinds)
        if key == "enum":
            if not all(isinstance(e, str) for e in value):
                raise _Unsupported("enum of non-strings")  # jsonschema's equality has subtleties
            allowed = frozenset(value)
            return lambda v: isinstance(v, str) and v in allowed
        if key == "pattern":
            regex = re.compile(value)
            return lambda v: not isinstance(v, str) or regex.search(v) is not None
        if key == "format":
            known = _FORMATS.get(value)
            return None if known is None else (lambda v: bool(known(v)))
        if key in ("minLength", "minItems", "minProperties"):
            kind = {"minLength": str, "minItems": list, "minProperties": dict}[key]
            return lambda v: not isinstance(v, kind) or len(v) >= value
        if key == "minimum":
            number = _TYPES["number"]
            return lambda v: not number(v) or not v < value
        if key == "required":
            required = frozenset(value)
            return lambda v: not isinstance(v, dict) or required <= v.keys()
        if key == "properties":
            subs = {name: self.compile(sub) for name, sub in value.items()}

            def properties(v: Any) -> bool:
                if isinstance(v, dict):
                    for k, item in v.items():
                        sub = subs.get(k)
                        if sub is not None and not sub(item):
                            return False
                return True

            return properties
        if key == "additionalProperties":
            if "patternProperties" in node:
                raise _Unsupported("patternProperties")
            known_names = frozenset(node.get("properties", {}))
            if value is False:  # no other field: a comparison of key sets
                return lambda v: not isinstance(v, dict) or v.keys() <= known_names
            extra = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(extra(v[k]) for k in v if k not in known_names)
        if key == "propertyNames":
            names = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(names(k) for k in v)
        if key == "items":
            if "prefixItems" in node or value is False:
                raise _Unsupported("prefixItems")
            each = self.compile(value)

            def items(v: Any) -> bool:
                if isinstance(v, list):
                    for e in v:
                        if not each(e):
                            return False
                return True

            return items
        if key == "uniqueItems":
            # Only lists of text are judged here; jsonschema compares anything else.
            return None if not value else (lambda v: not isinstance(v, list) or _unique_texts(v))
        if key == "if":
            condition = self.compile(value)
            then = self.compile(node.get("then", True))
            otherwise = self.compile(node.get("else", True))
            return lambda v: then(v) if condition(v) else otherwise(v)
        if key in ("then", "else"):
            return None  # applied with `if`; without one, jsonschema ignores them too
        raise _Unsupported(key)

    def ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise _Unsupported(f"$ref {ref!r}")
        if ref not in self.refs:
            target: list[Check] = []
            self.refs[ref] = lambda v: target[0](v)  # resolved below; also ends a recursion
            target.append(self.compile(self.root["$defs"][ref.removeprefix("#/$defs/")]))
        return self.refs[ref]


def _unique_texts(values: list[Any]) -> bool:
    return all(isinstance(v, str) for v in values) and len(set(values)) == len(values)


def _date(value: object) -> bool:
    return not isinstance(value, str) or parse_day(value) is not None


def _date_time(value: object) -> bool:
    return not isinstance(value, str) or parse_instant(value) is not None


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and " " not in value


_FORMATS: dict[str, Check] = {"date": _date, "date-time": _date_time, "uri": _is_uri}


def schema_issues(doc: Postmortem) -> Iterator[Issue]:
    fast = fast_validator()
    if fast is not None and fast(doc.front):
        return  # valid: jsonschema (and its import) is needed only to explain what is not
    errors = sorted(validator().iter_errors(dict(doc.front)), key=lambda e: list(map(str, e.absolute_path)))
    reported: set[tuple[str | int, ...]] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "required":
            yield doc.at(path, _required_message(path, _missing_field(error), error))
        elif path not in reported:  # one message per value, however many keywords it breaks
            reported.add(path)
            yield doc.at(_pointed(path, error), _message(path, error))


def _pointed(path: tuple[str | int, ...], error: ValidationError) -> tuple[str | int, ...]:
    """Unknown fields are reported on their own line, not on their parent's."""
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = _properties(error)
        extra = [key for key in error.instance if key not in known]
        if extra:
            return (*path, extra[0])
    return path


def _properties(error: ValidationError) -> dict[str, Any]:
    schema = error.schema
    return dict(schema.get("properties", {})) if isinstance(schema, Mapping) else {}


def _missing_field(error: ValidationError) -> str | None:
    if isinstance(error.validator_value, list) and isinstance(error.instance, Mapping):
        for name in error.validator_value:
            if name not in error.instance:
                return str(name)
    return None


def describe_path(path: tuple[str | int, ...]) -> str:
    """`action_items[2].owner` style, counting items from 1 as people do."""
    if not path:
        return "front matter"
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_help(path: tuple[str | int, ...], field: str | None = None) -> str | None:
    """The schema's description of a field: the schema explains itself in the messages."""
    node: Any = load_schema()
    for part in (*path, *([field] if field else [])):
        node = _resolve(node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, node.get("additionalProperties", {}))
        if not isinstance(node, dict):
            return None
    description = node.get("description") or _resolve(node).get("description")
    if not description and path and field is None:
        return _field_help(path[:-1])  # a free key, such as an impact figure: its parent explains
    return str(description) if description else None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = load_schema()["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def _required_message(path: tuple[str | int, ...], missing: str | None, error: ValidationError) -> str:
    if missing is None:
        return f"{describe_path(path)}: {error.message}"
    hint = _field_help(path, missing)
    where = "front matter" if not path else describe_path(path)
    return f"{where} is missing `{missing}`" + (f": {hint}" if hint else "")


def _message(path: tuple[str | int, ...], error: ValidationError) -> str:
    where = describe_path(path)
    hint = _field_help(path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(_properties(error))) if isinstance(value, dict) else []
        names = ", ".join(f"`{e}`" for e in extra) or "a field"
        known = ", ".join(sorted(_properties(error)))
        return f"{where}: unknown field {names} (a typo?); known fields: {known}"
    if value == "" or value == [] or value == {}:
        kind = "minLength"
    if kind in ("format", "pattern", "enum", "type", "minLength", "minItems", "minProperties"):
        shown = _show(value)
        problem = {
            "format": "is not in the expected form",
            "pattern": "is not in the expected form",
            "enum": "is not one of the allowed values",
            "type": f"has the wrong type ({_json_type(value)})",
            "minLength": "is empty",
            "minItems": "is empty",
            "minProperties": "is empty",
        }[kind]
        subject = (
            f"{where} {shown}" if kind not in ("minLength", "minItems", "minProperties", "type") else where
        )
        return f"{subject} {problem}" + (f": {hint}" if hint else "")
    return f"{where}: {error.message}"


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__
