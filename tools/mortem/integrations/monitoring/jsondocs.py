"""JSON as webhook captures are saved: one document, an array of them, or one per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mortem.integrations.monitoring.events import BadExport


def documents(text: str) -> list[Any]:
    """Every JSON document in `text`, in order (concatenated or one per line)."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    index = _skip_space(text, 0)
    while index < len(text):
        if text[index] not in "{[":
            line = text.count("\n", 0, index) + 1
            raise BadExport(f"line {line}", "not JSON: an export is JSON objects or arrays, {...} or [...]")
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            # A string that never closes ran into the end of the file, like a missing bracket.
            ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
            reason = "the JSON ends early (a truncated file?)" if ends_early else f"not valid JSON: {exc.msg}"
            raise BadExport(f"line {exc.lineno}, column {exc.colno}", reason) from None
        except RecursionError:
            raise BadExport("", "the JSON nests too deeply to be a monitoring export") from None
        found.append(value)
        index = _skip_space(text, index)
    if not found:
        raise BadExport("", "the file is empty")
    return found


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def items(docs: list[Any]) -> Iterator[tuple[str, Any]]:
    """Each top-level object with where it sits: a document, or an element of an array
    document (a list of payloads). The label is empty for a file of one object."""
    single = len(docs) == 1
    for number, doc in enumerate(docs, start=1):
        prefix = "" if single else f"document {number}, "
        if isinstance(doc, list):
            for index, element in enumerate(doc):
                yield f"{prefix}[{index}]", element
        else:
            yield prefix.removesuffix(", "), doc


def join(where: str, path: str) -> str:
    """`document 2` + `alerts[0].startsAt` -> `document 2, alerts[0].startsAt`; `[3]` + `.x` -> `[3].x`."""
    if not where:
        return path
    if where.endswith("]"):
        return f"{where}.{path}"
    return f"{where}, {path}"
