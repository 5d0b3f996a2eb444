"""The rules that read only a file's text, run apart from the parse (mortem.text_checks).

A check of a large archive runs PM081 and PM082 in a worker at idle priority that reads
each file again; these tests hold that to what the check in one process finds, including
when the file changes between the two reads and when the worker gets no CPU at all.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.unit.test_parallel import folder_full_from

from mortem import loader, parallel, text_checks
from mortem.checker import active_rules, check_paths
from mortem.config import load_config
from mortem.findings import Finding
from mortem.loader import Source, read_source, text_only
from mortem.model import Postmortem
from mortem.rules import ALL_RULES, BY_CODE, Context, Rule

TESTS = Path(__file__).parents[1]
REPOSITORY = TESTS.parent
EVAL = TESTS / "eval" / "recurrence" / "postmortems"
FIXTURES = TESTS / "fixtures" / "rules"
TODAY = date(2026, 11, 28)
UNSAFE = "2026-10-07-unsafe-to-publish.md"


def _postmortems() -> list[tuple[Postmortem, Source]]:
    """Every readable postmortem the repository holds: samples, fixtures, evaluation sets."""
    config = load_config(FIXTURES / "mortem.toml")
    found = []
    for path in sorted({*REPOSITORY.glob("postmortems/*.md"), *TESTS.rglob("*.md")}):
        source = read_source(path, config, str(path))
        if isinstance(source, Source):
            doc = loader.parse(path, str(path), source, config)
            if isinstance(doc, Postmortem):
                found.append((doc, source))
    return found


def _issues(rule: Rule, doc: Postmortem, context: Context) -> list[object]:
    assert rule.check is not None
    return list(rule.check(doc, context))


def _text_differs(rule: Rule, context: Context, docs: list[tuple[Postmortem, Source]]) -> list[str]:
    """The files where `rule` finds something else in the text alone than in the parse."""
    return [
        doc.display_path
        for doc, source in docs
        if _issues(rule, doc, context)
        != _issues(rule, text_only(doc.path, doc.display_path, source), context)
    ]


def test_the_text_only_rules_find_the_same_in_the_text_alone() -> None:
    config = load_config(FIXTURES / "mortem.toml")
    context = Context(config=config, today=TODAY)
    docs = _postmortems()
    text_rules = [rule for rule in ALL_RULES if rule.text_only]
    assert {rule.code for rule in text_rules} == {"PM081", "PM082"}
    for rule in text_rules:
        assert _text_differs(rule, context, docs) == [], rule.code
        assert sum(len(_issues(rule, doc, context)) for doc, _ in docs) > 0, f"{rule.code} found something"


def test_the_comparison_tells_a_rule_that_reads_more_than_the_text() -> None:
    """PM040 reads the sections and the front matter: in the text alone it finds less."""
    context = Context(config=load_config(FIXTURES / "mortem.toml"), today=TODAY)
    assert _text_differs(BY_CODE["PM040"], context, _postmortems())


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """The evaluation set with the rule fixtures (secrets and personal data in one of them),
    more than enough files for the workers, with secrets and an email in more files, one
    of them suppressed."""
    folder = tmp_path / "postmortems"
    shutil.copytree(EVAL, folder)
    for path in [*(FIXTURES / "bad").iterdir(), *(FIXTURES / "good").iterdir()]:
        shutil.copy(path, folder / path.name)
    for index, path in enumerate(sorted(folder.glob("2030-*.md"))[:40]):
        leak = f"\nRetried with postgres://admin:s3cr3t-pw-{index}@db.internal/app; paged jo{index}@example.com.\n"
        if index % 10 == 0:
            leak = "<!-- mortem: disable PM082 -->" + leak
        path.write_text(path.read_text() + leak)
    config = (FIXTURES / "mortem.toml").read_text().replace('archive = "good"', 'archive = "postmortems"')
    (tmp_path / "mortem.toml").write_text(config)
    return tmp_path


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[Finding], list[Path]]]:
    """What each TextChecks gave the check: a test of the rules apart must see them run."""
    given: list[tuple[list[Finding], list[Path]]] = []
    real = text_checks.TextChecks.findings

    def findings(self: text_checks.TextChecks, texts: dict[Path, int]) -> tuple[list[Finding], list[Path]]:
        result = real(self, texts)
        given.append(result)
        return result

    monkeypatch.setattr(text_checks.TextChecks, "findings", findings)
    return given


def _check(root: Path, workers: str, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    monkeypatch.setenv("MORTEM_WORKERS", workers)
    monkeypatch.chdir(root)
    return list(check_paths([], load_config(), today=TODAY).findings)


def test_a_large_check_runs_the_text_rules_apart_and_finds_what_one_process_finds(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    two = _check(archive, "2", monkeypatch)
    assert len(apart) == 1, "the text rules ran apart"
    made_apart, changed = apart[0]
    assert changed == []
    assert {f.code for f in made_apart} == {"PM081", "PM082"}
    one = _check(archive, "1", monkeypatch)
    assert len(apart) == 1, "in one process, with the other rules"
    assert two == one
    counts = {code: sum(f.code == code for f in one) for code in ("PM081", "PM082")}
    assert counts["PM081"] >= 40 and counts["PM082"] >= 36, counts  # four emails suppressed
    assert not {f for f in one if f.code == "PM082" and "jo0@" in f.message}, "suppressed"


def test_a_file_changed_after_the_parse_is_checked_again_whole(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    """The worker apart reads a secret the parse never saw (as if the file were edited in
    between): its findings for that file are not taken; the file is checked again here."""
    edited = archive / "postmortems" / "2026-10-07-blame-wording.md"
    real = loader.read_source

    def read_edited(path: Path, config: object, shown: str) -> Source | loader.LoadFailure:
        source = real(path, config, shown)  # type: ignore[arg-type]
        if path.name == edited.name and isinstance(source, Source):
            text = source.text + "\nKey AKIAIOSFODNN7EXAMPLE pasted from the log.\n"
            return Source(text.encode(), text, False)
        return source

    monkeypatch.setattr(loader, "read_source", read_edited)
    two = _check(archive, "2", monkeypatch)
    assert [path.name for path in apart[0][1]] == [edited.name]
    assert not [f for f in two if f.path.endswith(edited.name) and f.code == "PM081"]
    monkeypatch.setattr(loader, "read_source", real)
    assert two == _check(archive, "1", monkeypatch)


def test_a_worker_that_gets_no_cpu_leaves_the_rules_here(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    """A worker at idle priority on a machine busy with other work may never run: the check
    waits for it briefly, then runs the rules itself."""

    woke = archive / "woke"

    def starved(self: text_checks.TextChecks, handoff: parallel.Handoff) -> int:
        handoff.claim(0)  # begun, never finished
        time.sleep(20)
        woke.touch()
        return 0

    monkeypatch.setattr(text_checks.TextChecks, "_work", starved)
    monkeypatch.setattr(text_checks, "PATIENCE", 0.05)
    two = _check(archive, "2", monkeypatch)
    assert not woke.exists(), "the check did not wait for the worker; it was ended"
    assert len(apart) == 1 and {f.code for f in apart[0][0]} == {"PM081", "PM082"}
    assert two == _check(archive, "1", monkeypatch)


def test_the_worker_apart_runs_at_idle_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORTEM_WORKERS", "2")

    def policy() -> int:
        text_checks._idle_priority()
        return os.sched_getscheduler(0)

    background = parallel.in_background(policy)
    assert background is not None
    assert background.result() == os.SCHED_IDLE
    assert os.sched_getscheduler(0) != os.SCHED_IDLE, "this process keeps its priority"


def test_without_text_rules_nothing_runs_apart(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    config = archive / "mortem.toml"
    config.write_text(config.read_text() + 'disable = ["PM081", "PM082"]\n')
    two = _check(archive, "2", monkeypatch)
    assert apart == []
    assert two and not {"PM081", "PM082"} & {f.code for f in two}
    assert not [rule for rule, _ in active_rules(load_config()) if rule.text_only]


def test_without_a_scratch_folder_the_rules_run_with_the_others(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    """A read-only or full temporary folder must not fail the check: nothing runs apart."""
    import tempfile

    one = _check(archive, "1", monkeypatch)

    def no_folder(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    assert _check(archive, "2", monkeypatch) == one
    assert apart == []


def test_a_worker_that_cannot_hand_over_leaves_the_rest_here(
    archive: Path, monkeypatch: pytest.MonkeyPatch, apart: list[tuple[list[Finding], list[Path]]]
) -> None:
    """The scratch folder fills while the worker writes: what it could not hand over, and
    everything after, is made here."""
    folder_full_from(3, monkeypatch)
    two = _check(archive, "2", monkeypatch)
    assert len(apart) == 1 and {f.code for f in apart[0][0]} == {"PM081", "PM082"}
    assert two == _check(archive, "1", monkeypatch)


def test_a_check_that_fails_leaves_its_worker_apart_to_be_ended(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check that fails while its workers parse (an internal error) never takes the worker
    apart's findings: the command ends it as it leaves (parallel.end_unfinished), worker and
    scratch folder, which it would otherwise leave waiting with the output open."""
    from multiprocessing.connection import wait

    from mortem import checker

    started: list[text_checks.TextChecks] = []
    start = text_checks.TextChecks.start

    def recording_start(*args: Any, **kwargs: Any) -> text_checks.TextChecks | None:
        made = start(*args, **kwargs)
        if made is not None:
            started.append(made)
        return made

    def failing_map(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug while the workers parse")

    monkeypatch.setattr(text_checks.TextChecks, "start", recording_start)
    monkeypatch.setattr(checker, "map_loaded", failing_map)
    with pytest.raises(RuntimeError):
        _check(archive, "2", monkeypatch)
    assert len(started) == 1 and started[0]._handoff is not None, "the worker apart was started"
    handoff = started[0]._handoff
    workers = list(handoff.background._pool._processes.values())  # type: ignore[attr-defined]
    assert workers and handoff.folder.exists(), "left as the failed check left it"
    parallel.end_unfinished()
    pending = [process.sentinel for process in workers]  # closed when the process has ended
    deadline = time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        for ended in wait(pending, timeout=max(0.0, deadline - time.monotonic())):
            pending.remove(ended)
    assert not pending, "the worker apart was ended"
    assert not handoff.folder.exists(), "its scratch folder was dropped"
