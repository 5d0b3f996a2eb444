"""Write an action item's `status`, `closed` or `link` into its postmortem, and nothing else.

`mortem actions --sync --write` and `--file-issues` both come here: each change is a
one-line edit through yaml_edit.py (a value replaced where it is written, or a key added
after its sibling), proved by reading the front matter back, then written by atomic.py
(temporary file and rename) only if the file on disk is still the one that was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mortem.atomic import replace_existing
from mortem.errors import MortemError
from mortem.model import FieldPath, Postmortem
from mortem.yaml_edit import Edits, apply_and_prove, insert_after, last_field, replace_scalar, with_values


@dataclass(frozen=True)
class ItemChange:
    index: int  # the item's place in `action_items`
    status: str | None = None
    closed: date | None = None
    link: str | None = None

    def fields(self) -> list[tuple[str, str]]:
        """(key, new value) in the order new keys are written: status, then closed."""
        closed = self.closed.isoformat() if self.closed else None
        values = (("status", self.status), ("closed", closed), ("link", self.link))
        return [(key, value) for key, value in values if value is not None]


def edited_text(doc: Postmortem, changes: Sequence[ItemChange]) -> str:
    """The postmortem's text with the changes made; raises MortemError when it cannot be
    done without touching anything else (flow-style items, multi-line values)."""
    lines = doc.text.splitlines(keepends=True)
    edits = Edits()
    expected: dict[FieldPath, Any] = {}
    for change in changes:
        item: FieldPath = ("action_items", change.index)
        if item not in doc.positions:
            raise MortemError(f"action item {change.index + 1} is not in the file any more")
        anchor = _anchor(doc, item)
        for key, value in change.fields():
            path = (*item, key)
            if path in doc.positions:
                replace_scalar(doc, lines, path, value, edits)
            else:
                insert_after(doc, lines, anchor, key, value, edits)
            expected[path] = value
    return apply_and_prove(doc, lines, edits, with_values(doc.front, expected))


def _anchor(doc: Postmortem, item: FieldPath) -> FieldPath:
    """Where a missing key goes: after `status` (so `closed` sits under it), else last."""
    if (*item, "status") in doc.positions:
        return (*item, "status")
    last = last_field(doc, item)
    if last is None:
        raise MortemError(f"action item {int(item[1]) + 1} has no fields to add to; edit it by hand")
    return last


def write_changes(doc: Postmortem, changes: Sequence[ItemChange]) -> None:
    """Edit the file atomically, refusing when it changed since `doc` was read."""
    try:
        original = doc.path.read_bytes()
    except OSError as exc:
        raise MortemError(f"cannot read {doc.display_path} again: {exc.strerror or exc}") from None
    bom = "\ufeff" if original.startswith(b"\xef\xbb\xbf") else ""
    if (bom + doc.text).encode("utf-8") != original:
        raise MortemError(f"{doc.display_path} changed since mortem read it; nothing written, run it again")
    try:
        text = edited_text(doc, changes)
    except MortemError as exc:
        raise MortemError(f"{doc.display_path}: {exc}") from None
    replace_existing(doc.path, bom + text, original)
