"""The rules that read only a file's text, run apart from the parse in a large check.

A check of a large archive without the cache parses every file on every core, then
analyses the archive here (PM060's patterns, PM039's owner load), on one core but for the
pair search, while the other core idles. The rules that read only a file's text
(Rule.text_only: PM081's secrets and PM082's personal data, a ninth of the check's time)
need no parse, so they run apart: a worker at idle priority reads each file again and
runs them, taking only the CPU the parse leaves, which is mostly the other core while this
process analyses. At the end this process takes what the worker made and makes the rest
itself, waiting a quarter second at most, so a machine that leaves the worker no CPU costs
the check little more than running the rules here would.

The parse's reading of a file is the one its findings belong to: each file's text is
compared (by its hash) with the text the parse read, and a file read differently (changed
between the two reads) is reported as such, for the caller to check again whole.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mortem.config import Config
from mortem.findings import Finding
from mortem.model import Postmortem

if TYPE_CHECKING:
    from mortem.parallel import Handoff

# Files per item handed over: a few milliseconds of work, so this process waits for at most
# one such item the worker is making, and the items are few (one scratch file each).
CHUNK = 50
# How long, in all, this process waits for items the worker is making before it makes them
# itself (a worker at idle priority gets no CPU on a machine busy with other work).
PATIENCE = 0.25

Check = Callable[[Postmortem], list[Finding]]
# Per file of a chunk: the hash of the text read and the rules' findings, or None when the
# file could not be read as text (the parse reports why).
Made = list[tuple[int, list[Finding]] | None]


class TextChecks:
    """The text-only rules' findings for `files`, made apart (see the module)."""

    def __init__(self, files: Sequence[Path], config: Config, check: Check) -> None:
        self.files = files
        self.config = config
        self.check = check
        self._handoff: Handoff | None = None

    @classmethod
    def start(cls, files: Sequence[Path], config: Config, check: Check) -> TextChecks | None:
        """The worker started on `files`, with `check` running the rules on one file; None
        when no worker may run (the caller runs the rules with the others)."""
        from mortem.parallel import Handoff

        made = cls(files, config, check)
        made._handoff = Handoff.start(made._work, made.count)
        return made if made._handoff is not None else None

    @property
    def count(self) -> int:
        return -(-len(self.files) // CHUNK)

    def findings(self, texts: Mapping[Path, int]) -> tuple[list[Finding], list[Path]]:
        """The findings for the files in `texts` (each with the hash of the text the parse
        read), and the files whose text was not that one: changed since, or unreadable now."""
        import time

        assert self._handoff is not None, "only a started TextChecks is asked"
        until = time.monotonic() + PATIENCE
        found: list[Finding] = []
        changed: list[Path] = []
        try:
            for position in range(self.count):
                data = self._handoff.take(position, until)
                made = self._made(position) if data is None else _loads(data)
                start = position * CHUNK
                for path, entry in zip(self.files[start : start + CHUNK], made, strict=True):
                    if path not in texts:  # not a postmortem as parsed: nothing to check
                        continue
                    if entry is None or entry[0] != texts[path]:
                        changed.append(path)
                    else:
                        found.extend(entry[1])
        finally:
            self._handoff.close()
        return found, changed

    def _work(self, handoff: Handoff) -> int:
        """In the worker: make every item it claims, at idle priority."""
        _idle_priority()
        return handoff.make_each(lambda position: pickle.dumps(self._made(position), pickle.HIGHEST_PROTOCOL))

    def _made(self, position: int) -> Made:
        from mortem.archive import display
        from mortem.loader import Source, read_source, text_only

        made: Made = []
        for path in self.files[position * CHUNK : (position + 1) * CHUNK]:
            shown = display(path, self.config)
            source = read_source(path, self.config, shown)
            if isinstance(source, Source):
                doc = text_only(path, shown, source)
                made.append((text_hash(doc), self.check(doc)))
            else:
                made.append(None)
        return made


def text_hash(doc: Postmortem) -> int:
    """What `findings` compares: the hash of the text (the same in every process forked from
    this one, which share its hash seed)."""
    return hash(doc.text)


def _loads(data: bytes) -> Made:
    made = pickle.loads(data)  # from this run's own worker, through its scratch folder
    assert isinstance(made, list)
    return made


def _idle_priority() -> None:
    """Run only when a core has nothing else to run (SCHED_IDLE), or else as nicely as may be."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(19)
