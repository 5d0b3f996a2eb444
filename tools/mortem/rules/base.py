"""What a rule is: a code, a name, a severity, a docstring that teaches, and a check."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar, cast

from mortem.config import Config
from mortem.findings import Issue, Severity
from mortem.model import Postmortem

T = TypeVar("T")

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class Context:
    """What a rule may know beyond the one postmortem: settings, the archive's ids, and
    (loaded only when a rule asks) the archive's postmortems themselves."""

    config: Config
    archive_ids: AbstractSet[str] = frozenset()
    today: date = field(default_factory=date.today)
    documents: Sequence[Postmortem] | None = None  # the archive, when the caller has it
    _remembered: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def archive(self) -> Sequence[Postmortem]:
        """Every readable postmortem of the archive, loaded on first use and kept for the run:
        `mortem check` on one file runs on every commit, and most rules never need this."""
        if self.documents is not None:
            return self.documents
        from mortem.archive import load_archive

        return tuple(load_archive(self.config))

    def remembered(
        self,
        name: str,
        extra: str | Callable[[], str],
        compute: Callable[[], T],
        valid: Callable[[object], bool],
    ) -> T:
        """compute(), a judgement over the whole archive (`extra`: what else it depends on),
        made once per run (a rule runs for every file checked) and, across runs, kept in the
        cache while the archive's facts stand (ArchiveView.remember). An `extra` given as a
        function is a judgement of one file's, asked for once per file: with no cache to
        key, it is computed without one (a check of 10,000 files without the cache spent a
        fifth of a second digesting the keys)."""
        remember = getattr(self.documents, "remember", None)
        if remember is None and callable(extra):
            return compute()
        extra = extra() if callable(extra) else extra
        key = f"{name}\0{extra}"
        if key not in self._remembered:
            self._remembered[key] = compute() if remember is None else remember(name, extra, compute, valid)
        return cast(T, self._remembered[key])


Check = Callable[[Postmortem, Context], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """A rule: its code, name, default severity, family, check and documentation."""

    code: str
    name: str
    severity: Severity
    family: str
    check: Check | None  # None for the reading rules, whose issues come from the loader
    doc: str
    # The check reads the file's text and nothing else of the postmortem (no front matter, no
    # sections), so it gives the same findings on loader.text_only's reading of the file: a
    # check of a large archive runs such rules apart from the parse (mortem.text_checks).
    text_only: bool = False

    @property
    def summary(self) -> str:
        """The first sentence of "What it does", for one-line listings."""
        text = " ".join(self.section("What it does").split())
        return text.split(". ")[0].rstrip(".") + "." if text else ""

    def section(self, heading: str) -> str:
        """One `## heading` block of the rule's docstring (ruff's fixed headings)."""
        pattern = rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)"
        match = re.search(pattern, self.doc, re.MULTILINE | re.DOTALL)
        return match.group(1).strip() if match else ""


def rule(
    code: str, name: str, severity: Severity, family: str, text_only: bool = False
) -> Callable[[Check], Rule]:
    """Turn a check function into a Rule; its docstring is the rule's reference entry.
    `text_only`: the check reads only `doc.text` (see Rule.text_only)."""

    def wrap(check: Check) -> Rule:
        return Rule(code, name, severity, family, check, _dedent(check.__doc__ or ""), text_only)

    return wrap


def reading_rule(code: str, name: str, doc: str) -> Rule:
    """A rule whose findings the loader produces (a file that cannot be read as a postmortem)."""
    return Rule(code, name, Severity.ERROR, "reading", None, _dedent(doc))


def _dedent(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)
