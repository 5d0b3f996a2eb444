"""Run the rules over postmortems into a CheckResult. No printing, no exits, no writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from mortem import sweep
from mortem.archive import ArchiveIds, ArchiveView, Handed, Loaded, Reader, bulk, expand, slim
from mortem.config import Config
from mortem.errors import ConfigError
from mortem.findings import Finding, Issue, Severity
from mortem.loader import LoadFailure, Source
from mortem.model import Postmortem
from mortem.parallel import MIN_FILES, map_loaded, one_process, workers
from mortem.rules import ALL_RULES, BY_CODE, BY_NAME, Context, Rule

if TYPE_CHECKING:
    from mortem.cache import Store
    from mortem.parallel import Forked
    from mortem.text_checks import TextChecks

# Rules whose findings depend on more than the file and the settings: on the other
# postmortems (PM039, PM060) or the archive's ids (PM012). The cache keys their findings by
# the whole archive; every other rule's by the file alone. tests/unit/test_cache.py fails
# when a rule reads the context's archive, ids or date without being listed here.
CONTEXT_RULES = frozenset({"PM012", "PM039", "PM060"})
# Checks of at most this many files look their archive-wide findings up file by file only.
FEW_FILES = 16


@dataclass(frozen=True)
class CheckResult:
    """The findings of a check, sorted, and how many files it read."""

    findings: tuple[Finding, ...]
    files: int

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def resolve_rule(key: str) -> Rule:
    rule = BY_CODE.get(key.upper()) or BY_NAME.get(key)
    if rule is None:
        raise ConfigError(f"unknown rule {key!r}; `mortem rules` lists them")
    return rule


def active_rules(config: Config) -> tuple[tuple[Rule, Severity], ...]:
    """The enabled rules with their configured severities (config errors surface here)."""
    disabled = {resolve_rule(key).code for key in config.disable}
    overrides = {resolve_rule(key).code: level for key, level in config.severity.items()}
    return tuple((r, overrides.get(r.code, r.severity)) for r in ALL_RULES if r.code not in disabled)


def check_paths(
    paths: Sequence[Path], config: Config, today: date | None = None, ahead: Forked | None = None
) -> CheckResult:
    """Check the files (the archive when none is given). `ahead`: the archive's sweep
    (mortem.sweep), started by the caller before importing this module; else started here."""
    reader = Reader(config, sweep=ahead or sweep.start(config))
    try:
        files = expand(paths, config)
        # The archive is read only if a rule asks for it: with the cache, through the same
        # reader, so a file both checked and compared with the others is read once; without,
        # as slim copies on every core (ArchiveView).
        context = Context(
            config=config,
            archive_ids=ArchiveIds(reader, files),
            today=today or date.today(),
            documents=ArchiveView(reader, facts_only=True),
        )
        # Its memory at 10,000 postmortems (see one_process): only the pair search of a check
        # without the cache splits over the cores.
        with one_process(light_parts=reader.store is None):
            return check_files(files, reader, context)
    finally:
        reader.close()


def check_files(files: Sequence[Path], reader: Reader, context: Context, keep: bool = False) -> CheckResult:
    """check_documents over files read by `reader`, with results from its cache when the
    file's bytes (and, for CONTEXT_RULES, the whole archive's) are those checked before.
    `keep`: the caller reads the postmortems next (the site), so `reader` keeps them whole."""
    with bulk():
        if reader.store is None:
            if workers(len(files)) > 1 and not reader.loaded:
                return _check_parallel(files, reader, context, keep)
            return check_documents((reader.load(path) for path in files), context)
        return _check_cached(files, reader, reader.store, context)


def check_documents(docs: Iterable[Postmortem | LoadFailure], context: Context) -> CheckResult:
    rules = active_rules(context.config)
    severities = {rule.code: level for rule, level in rules}
    findings: list[Finding] = []
    count = 0
    for doc in docs:
        count += 1
        if isinstance(doc, LoadFailure):
            if doc.code in severities:
                findings.append(
                    _finding(doc.display_path, BY_CODE[doc.code], severities[doc.code], doc.issue)
                )
            continue
        findings.extend(_check_one(doc, rules, context))
    return CheckResult(tuple(sorted(findings)), count)


def _check_one(
    doc: Postmortem, rules: Sequence[tuple[Rule, Severity]], context: Context, load_issues: bool = True
) -> list[Finding]:
    found = []
    enabled = dict(rules)
    for code, issue in doc.load_issues if load_issues else ():
        rule = BY_CODE[code]
        if rule in enabled:
            found.append(_finding(doc.display_path, rule, enabled[rule], issue))
    for rule, severity in rules:
        if rule.check is None:
            continue
        for issue in rule.check(doc, context):
            found.append(_finding(doc.display_path, rule, severity, issue))
    # Suppression is applied in one place, after the rules ran.
    return [f for f in found if not doc.suppressions.hides(f.code, f.name, f.line)]


def _own_and_wider(config: Config) -> tuple[list[tuple[Rule, Severity]], list[tuple[Rule, Severity]]]:
    """The active rules that read only their file, and the CONTEXT_RULES."""
    rules = active_rules(config)
    own = [(rule, level) for rule, level in rules if rule.code not in CONTEXT_RULES]
    return own, [(rule, level) for rule, level in rules if rule.code in CONTEXT_RULES]


def _finding(path: str, rule: Rule, severity: Severity, issue: Issue) -> Finding:
    return Finding(path, issue.line, issue.column, rule.code, rule.name, severity, issue.message)


# --- on every core ----------------------------------------------------------------------

# What a worker sends back for each file: its own findings, the postmortem (a slim copy
# unless kept whole) or why it could not be read, and the hash of the text parsed (0 when
# the text-only rules run with the others).
_Parsed = tuple[list[Finding], Loaded, int]


def _check_parallel(files: Sequence[Path], reader: Reader, context: Context, keep: bool) -> CheckResult:
    """check_documents over many files with no cache: the workers parse every file and run
    its own rules; the archive-wide rules (CONTEXT_RULES) then run here, over the slim copies
    the workers send back, or with `keep` the whole postmortems, which `reader` then keeps
    (it is never handed a slim copy). Without `keep`, the rules that read only the text run
    apart from the parse, in the CPU it leaves (mortem.text_checks)."""
    from mortem.text_checks import text_hash

    own, wider = _own_and_wider(context.config)
    checked = set(files)
    extra = [path for path in reader.archive_paths() if path not in checked] if wider else []
    apart = None if keep else _text_checks_apart(files, own, context)
    parsed = [(rule, level) for rule, level in own if not rule.text_only] if apart else own

    def work(path: Path, doc: Loaded) -> _Parsed:
        found = _own_findings(doc, parsed, context) if path in checked else []
        text = text_hash(doc) if apart and path in checked and isinstance(doc, Postmortem) else 0
        return found, doc if isinstance(doc, LoadFailure) or keep else slim(doc), text

    own_found: dict[Path, list[Finding]] = {}
    copies: dict[Path, Loaded] = {}
    texts: dict[Path, int] = {}  # for each postmortem checked, the hash of its text as parsed
    batch = [*files, *extra]
    findings: list[Finding] = []
    with _causes_ahead(context.config, wider, filling=True) as arrived:
        sent = None if arrived is None else lambda result: arrived(result[1])
        results = map_loaded(batch, context.config, work, sent)
        for path, (found, doc, text) in zip(batch, results, strict=True):
            own_found[path] = found
            copies[path] = doc
            if isinstance(doc, Postmortem) and path in checked:
                texts[path] = text
            if keep:
                reader.keep(doc)
        if wider:  # (without them, only the files checked were read)
            wide = replace(context, documents=tuple(reader.in_order(copies.__getitem__)))
            for doc in map(copies.__getitem__, files):
                if isinstance(doc, Postmortem):
                    findings.extend(_check_one(doc, wider, wide, load_issues=False))
    if apart is not None:  # taken last: the worker makes them meanwhile
        findings.extend(_take_apart(apart, texts, own_found, own, context))
    findings.extend(finding for path in files for finding in own_found[path])
    return CheckResult(tuple(sorted(findings)), len(files))


def _text_checks_apart(
    files: Sequence[Path], own: Sequence[tuple[Rule, Severity]], context: Context
) -> TextChecks | None:
    """The text-only rules among `own`, started on `files` apart from the parse; None when
    there are none, or too few files to be worth a worker, or no worker may run them."""
    from mortem.text_checks import TextChecks

    rules = [(rule, level) for rule, level in own if rule.text_only]
    if not rules or workers(len(files)) < 2:
        return None
    check = partial(_check_one, rules=rules, context=context, load_issues=False)
    return TextChecks.start(files, context.config, check)


def _take_apart(
    apart: TextChecks,
    texts: dict[Path, int],
    own_found: dict[Path, list[Finding]],
    own: Sequence[tuple[Rule, Severity]],
    context: Context,
) -> list[Finding]:
    """The text-only rules' findings. A file whose text changed after the parse read it is
    read and checked again here with all its own rules, which replace the parse's findings
    in `own_found`, so that they come from one version of it (its archive-wide findings
    stay those of the version the parse read, as for any file changed during a check)."""
    found, changed = apart.findings(texts)
    if changed:
        again = Reader(context.config, store=None)
        for path in changed:
            own_found[path] = _own_findings(again.load(path), own, context)
    return found


def _own_findings(doc: Loaded, rules: Sequence[tuple[Rule, Severity]], context: Context) -> list[Finding]:
    """A file's findings of its own: why it could not be read, or its own `rules`'."""
    if isinstance(doc, LoadFailure):
        return list(check_documents([doc], context).findings)
    return _check_one(doc, rules, context)


@contextmanager
def _causes_ahead(
    config: Config, wider: Sequence[tuple[Rule, Severity]], filling: bool
) -> Iterator[Callable[[Loaded], None] | None]:
    """While the workers parse, this process reads the causes of the postmortems they send
    back into terms for PM060's analysis (patterns.CausesAhead), a third of that analysis,
    which would otherwise wait for the last file. Only while workers parse (`filling`): for
    a few files (the pre-commit check) it would import the analysis to read nothing ahead."""
    if not filling or not any(rule.code == "PM060" for rule, _ in wider):
        yield None
        return
    from mortem.analysis.patterns import reading_ahead

    with reading_ahead(config) as ahead:

        def arrived(doc: Loaded) -> None:
            if isinstance(doc, Postmortem):
                ahead.read(doc)

        yield arrived


# --- with the cache ------------------------------------------------------------------------


def _check_cached(files: Sequence[Path], reader: Reader, store: Store, context: Context) -> CheckResult:
    own, wider = _own_and_wider(context.config)
    findings: list[Finding] = []
    read: list[tuple[Path, str, str]] = []  # (path, display path, content hash) of each readable file
    entries: dict[Path, tuple[bool, list[Finding]]] = {}  # each readable file's `checked` entry
    # The readable files without one, and the text read of the first few: those this
    # process parses itself. From MIN_FILES on, workers read their own (_filled), and the
    # text of 10,000 files held meanwhile was 45 MB of the run's peak.
    missed: dict[Path, Source | None] = {}
    for path in files:
        shown, source, digest = reader.read(path)
        if isinstance(source, LoadFailure):  # unreadable: nothing to parse, nothing to cache
            findings.extend(check_documents([source], context).findings)
            continue
        read.append((path, shown, digest))
        cached = _entry(store.get("checked", _checked_key(digest, shown)))
        if cached is None:
            missed[path] = source if len(missed) < MIN_FILES else None
        else:
            entries[path] = cached
    to_fill = [r for r in read if r[0] in missed]
    with _causes_ahead(context.config, wider, _fills(to_fill, reader)) as arrived:
        for path, filled in _filled(to_fill, reader, store, context, own, arrived):
            if filled is None:
                missed[path] = None  # changed since it was read here: read again
            else:
                entries[path] = filled
        for path, shown, digest in read:
            if path not in entries:
                entries[path] = _check_here(path, shown, digest, missed[path], reader, store, context, own)
        del missed
        for path, _, _ in read:
            findings.extend(entries[path][1])
        postmortems = [r for r in read if entries[r[0]][0]]
        whole = _whole_archive(files, reader)
        if wider and postmortems:
            findings.extend(_check_wider(postmortems, wider, reader, store, context, whole))
    # Each file's own entry and its _wider_of_file one.
    store.prune("checked", 2 * len(reader.archive_names()), whole=whole)
    return CheckResult(tuple(sorted(findings)), len(files))


def _whole_archive(files: Sequence[Path], reader: Reader) -> bool:
    """Whether the run checked as many files as the archive holds, and so used the entries
    of every file: only such a run may prune the entries it did not use (Store.prune). A
    pre-commit check of one file that pruned at 10,000 postmortems deleted 80,000 entries
    in 3 s, and the next check of the archive took 19 s to make them again."""
    return len(files) >= len(reader.archive_names())


def _check_here(
    path: Path,
    shown: str,
    digest: str,
    source: Source | None,
    reader: Reader,
    store: Store,
    context: Context,
    own: Sequence[tuple[Rule, Severity]],
) -> tuple[bool, list[Finding]]:
    """A file's `checked` entry made and kept here, from the text read of it, or read again
    when none was kept or it changed since (the reader then knows the run saw two versions,
    and keeps no archive-wide result keyed by the first)."""
    if source is None:
        shown, again, digest = reader.read(path, shown)
        if isinstance(again, LoadFailure):
            return _own_entry(again, own, context)
        source = again
    entry = _own_entry(reader.parse(path, shown, source, digest), own, context)
    store.put("checked", _checked_key(digest, shown), entry)
    return entry


def _checked_key(digest: str, shown: str) -> str:
    """A file's `checked` entry: its own findings, under its bytes and display path."""
    return f"{digest}\0{shown}"


def _own_entry(
    doc: Loaded, own: Sequence[tuple[Rule, Severity]], context: Context
) -> tuple[bool, list[Finding]]:
    """A file's `checked` entry: whether it is a postmortem, and its own findings."""
    return isinstance(doc, Postmortem), _own_findings(doc, own, context)


def _fills(missed: Sequence[tuple[Path, str, str]], reader: Reader) -> bool:
    """Whether workers make the entries of these missed files (_filled): enough of them
    for workers, and a reader that keeps nothing whole (a site's, which parses here)."""
    return bool(missed) and not reader.loaded and workers(len(missed)) > 1


def _filled(
    missed: Sequence[tuple[Path, str, str]],
    reader: Reader,
    store: Store,
    context: Context,
    own: Sequence[tuple[Rule, Severity]],
    arrived: Callable[[Loaded], None] | None,
) -> list[tuple[Path, tuple[bool, list[Finding]] | None]]:
    """The `checked` entries of many files the cache lacks (a first run, a new mortem, new
    settings), made on every core: each worker parses its files through the cache, as this
    process would, and runs their own rules. This reader adopts the slim copies the workers
    hand over, for the archive-wide rules (`arrived` hears of each as it comes). None for a
    file whose bytes changed after this process read them (a worker's entry is then of
    other bytes); nothing for a few files or with no worker."""
    if not _fills(missed, reader):
        return []
    from mortem.parallel import map_cached

    def fill(worker: Reader, path: Path) -> tuple[tuple[bool, list[Finding]], Handed] | None:
        assert worker.store is not None, "map_cached reads through the cache"
        doc = worker.load(path)
        if path not in worker.hashes:  # unreadable now
            return None
        entry = _own_entry(doc, own, context)
        worker.store.put("checked", _checked_key(worker.hashes[path], doc.display_path), entry)
        return entry, worker.hand_over(path, doc)

    def sent(result: tuple[tuple[bool, list[Finding]], Handed] | None) -> None:
        if result is not None and arrived is not None:
            arrived(result[1][1])

    results = map_cached([path for path, _, _ in missed], context.config, fill, sent)
    if results is None:
        return []
    return [
        (path, result[0] if result is not None and reader.adopt(path, digest, result[1]) else None)
        for (path, _, digest), result in zip(missed, results, strict=True)
    ]


def _check_wider(
    postmortems: list[tuple[Path, str, str]],
    rules: Sequence[tuple[Rule, Severity]],
    reader: Reader,
    store: Store,
    context: Context,
    whole: bool,
) -> list[Finding]:
    """The CONTEXT_RULES' findings, cached under each file's bytes and the archive's facts
    (_wider_of_file), and for a check of many files, under the state of the whole archive
    too: every archive file's name and bytes, the files checked, and the day. That one entry
    saves a lookup per file; for a few files it is the lookups' own cost, and it needs the
    hash of every file in the archive. `whole`: the run checked every file (Store.prune)."""
    from mortem.cache import digest

    view = context.documents
    key = None
    if not isinstance(view, ArchiveView) or len(postmortems) > FEW_FILES:
        archive = [(name, content or "-") for name, content in reader.archive_hashes()]
        key = digest(
            (
                context.today.isoformat(),
                *(f"{n}\0{h}" for n, h in archive),
                "",
                *(f"{shown}\0{h}" for _, shown, h in postmortems),
            )
        )
        cached = store.get("archive", key)
        if _findings(cached):
            return cached
    facts = None  # the archive's facts and ids (PM012 reads them), for each file's own entry
    if isinstance(view, ArchiveView):
        facts = digest((view.fingerprint(), *_ids_beyond(context.archive_ids, reader)))
    found: list[Finding] = []
    for path, shown, content in postmortems:
        found.extend(_wider_of_file(path, shown, content, facts, rules, reader, store, context))
    if key is not None and not reader.changed:  # a file edited during the run: not the key's results
        store.put("archive", key, found)
    store.prune("archive", len(reader.archive_names()), whole=whole)  # a PM060 verdict per postmortem
    return found


def _ids_beyond(ids: AbstractSet[str], reader: Reader) -> list[str]:
    """The ids PM012 accepts beyond the archive's listing (which the facts digest covers)."""
    if isinstance(ids, ArchiveIds):
        return ids.beyond_archive()
    return sorted(ids - reader.archive_ids())


def _wider_of_file(
    path: Path,
    shown: str,
    content: str,
    facts: str | None,
    rules: Sequence[tuple[Rule, Severity]],
    reader: Reader,
    store: Store,
    context: Context,
) -> list[Finding]:
    """One file's CONTEXT_RULES findings, cached under its bytes and the archive's `facts`
    (ArchiveView.fingerprint, with the ids): an edit to one postmortem's body leaves every
    other file's entry valid, so a full check after a one-file edit reads no other postmortem."""
    from mortem.cache import digest

    key = None
    if facts is not None:
        key = digest(("wider", context.today.isoformat(), facts, shown, content))
        cached = store.get("checked", key)
        if _findings(cached):
            return cached
    doc = reader.slim(path)  # what these rules read (as on every core): no second parse to rebuild
    found = _check_one(doc, rules, context, load_issues=False) if isinstance(doc, Postmortem) else []
    if key is not None and not reader.changed:
        store.put("checked", key, found)
    return found


def _findings(value: object) -> TypeGuard[list[Finding]]:
    return isinstance(value, list) and all(isinstance(f, Finding) for f in value)


def _entry(value: object) -> tuple[bool, list[Finding]] | None:
    """A `checked` entry as written by _check_cached, or None."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bool) and _findings(value[1]):
        return value[0], value[1]
    return None
