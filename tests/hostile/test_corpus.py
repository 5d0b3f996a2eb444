"""Every command that reads postmortems, run over the adversarial corpus: a clear finding or
warning naming each bad file, a documented exit code, no traceback, no file modified, and a
bounded run time. Commands run as real processes, as a user or CI would run them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.hostile.corpus import GOOD_NAME, build, snapshot

BIN = Path(sys.executable).parent
# Names whose only problem a non-check command cannot see (they load fine: the finding is a
# rule's, reported by `mortem check`).
LOADABLE = {
    "2026-10-03-python-tag.md",
    "2026-10-04-other-tags.md",
    "2026-10-05-duplicate-keys.md",
    "2026-10-06-non-string-keys.md",
    "2026-10-07-types-swapped.md",
    "2026-10-08-free-text-dates.md",
    "2026-10-09-naive-datetime.md",
    "2026-10-10-impossible-datetimes.md",
    "2026-10-13-bom.md",
    "2026-10-16-front-matter-only.md",
    "2026 10 19 spaces in name.md",
    "2026-10-20-ünïcødé.md",
    "-2026-10-21-leading-dash.md",
    "2026-10-22-lone-cr.md",
    "2026-10-23-crlf-and-blame.md",
    "2026-10-25-script.md",
} | ({"2026-10-29-unreadable.md"} if os.geteuid() == 0 else set())  # root reads it anyway


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    good = (Path(__file__).parents[1] / "fixtures" / "rules" / "good" / GOOD_NAME).read_text()
    root = tmp_path_factory.mktemp("hostile") / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "postmortems").mkdir()
    (root / "mortem.toml").write_text('archive = "postmortems"\n')
    cleanups = build(root / "postmortems", good)
    request.addfinalizer(lambda: [undo() for undo in cleanups.values() if undo])
    return root


def run(root: Path, *args: str, timeout: float = 120) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "mortem"), *args], cwd=root, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-3000:]
    return done.returncode, output, elapsed


def test_check_names_every_hostile_file_with_a_line(archive: Path) -> None:
    before = snapshot(archive / "postmortems")
    code, output, elapsed = run(archive, "check", "--format", "text", "--color", "never")
    assert code == 1
    bad = [name for name in snapshot(archive / "postmortems") if name != GOOD_NAME]
    bad += ["2026-10-27-a-directory.md"]
    for name in bad:
        assert f"postmortems/{name}:" in output, f"no finding for {name}"
    # the good file has twenty copies in this corpus, so only warnings (owner load) are fair
    assert not any(
        line.startswith(f"postmortems/{GOOD_NAME}:") and "(error," in line for line in output.splitlines()
    )
    assert "root:x" not in output
    assert snapshot(archive / "postmortems") == before
    assert elapsed < 90


@pytest.mark.parametrize(
    "args",
    [
        ("patterns",),
        ("patterns", "--format", "json"),
        ("related", GOOD_NAME.removesuffix(".md")),
        ("metrics", "--format", "json"),
        ("actions", "--all", "--as-of", "2026-11-28"),
        ("pages", "--out", "../pages-out", "--today", "2026-11-28"),
    ],
    ids=lambda a: " ".join(a),
)
def test_reading_commands_warn_about_every_unreadable_file(archive: Path, args: tuple[str, ...]) -> None:
    before = snapshot(archive / "postmortems")
    code, output, elapsed = run(archive, *args)
    assert code in (0, 1, 2), output[-2000:]
    unreadable = [n for n in before if n not in LOADABLE and n != GOOD_NAME]
    if args[0] != "pages":  # pages refuses on check errors instead, naming them
        for name in unreadable:
            assert f"postmortems/{name}:" in output, f"{args[0]} said nothing about {name}"
    else:
        assert code == 1 and "PM003" in output
    assert "root:x" not in output
    assert snapshot(archive / "postmortems") == before
    assert elapsed < 90


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        ("[]".encode("utf-16"), "UTF-8"),
        (b'{"version": "4", "alerts": [{"status": "firing", "startsAt": "2026-10-07T25:00:00Z"', "JSON"),
        (b"timestamp,event,detail\n2026-10-07 12:02,down,\x00\n", "line"),
        (b"timestamp,event,detail\n" + b"x" * 3_000_000 + b"\n", "line"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "UTF-8"),
    ],
    ids=["deep-json", "utf-16", "truncated", "nul-in-csv", "huge-csv-line", "binary"],
)
def test_timeline_import_rejects_hostile_exports(tmp_path: Path, content: bytes, words: str) -> None:
    export = tmp_path / "export.txt"
    export.write_bytes(content)
    code, output, elapsed = run(tmp_path, "timeline", "import", str(export))
    assert code in (1, 2)
    assert "export.txt" in output and words in output, output
    assert export.read_bytes() == content
    assert elapsed < 60
