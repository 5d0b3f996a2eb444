"""Bad input becomes one clear finding with a line, never a traceback, never a changed file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mortem.cli.main import main
from mortem.config import Config
from mortem.loader import LoadFailure, load
from mortem.model import Postmortem

NAME = "2026-10-07-checkout-deploy-before-migration.md"


def check_one(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str], name: str = NAME
) -> tuple[int, str]:
    """Run the real CLI on one file; assert it left the file alone and printed no traceback."""
    path = tmp_path / name
    path.write_bytes(content)
    before = path.read_bytes()
    code = main(["check", "--format", "text", "--color", "never", str(path)])
    out, err = capsys.readouterr()
    assert path.read_bytes() == before
    assert "Traceback" not in out + err
    return code, out + err


@pytest.mark.parametrize(
    ("content", "code", "where", "words"),
    [
        (b"", "PM001", ":1:1:", "empty"),
        (b"   \n\n", "PM001", ":1:1:", "empty"),
        (b"## Summary\nNo front matter here.\n", "PM002", ":1:1:", "no front matter"),
        (b"---\ntitle: x\n", "PM002", ":1:1:", "never closed"),
        (b"---\ntitle: [unclosed\ndate: 2026-10-07\n---\n", "PM003", ":3:", "not valid YAML"),
        (b"---\n- just\n- a list\n---\n", "PM003", ":2:1:", "must be a mapping"),
        (b"---\ntitle: x\n\x00\n---\n", "PM001", ":3:1:", "NUL byte"),
        (b"---\ntitle: caf\xe9\n---\n", "PM001", ":2:11:", "not UTF-8"),
        ("---\ntitle: x\n---\n".encode("utf-16"), "PM001", ":1:1:", "UTF-16"),
        (b"---\na: " + b"[" * 200 + b"]" * 200 + b"\n---\n", "PM003", ":2:1:", "nests"),
    ],
    ids=[
        "empty",
        "blank",
        "no-front-matter",
        "unclosed",
        "yaml-syntax",
        "not-a-mapping",
        "nul-byte",
        "latin-1",
        "utf-16",
        "deep-nesting",
    ],
)
def test_unreadable_input_is_one_finding_with_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, code: str, where: str, words: str
) -> None:
    exit_code, output = check_one(tmp_path, content, capsys)
    assert exit_code == 1
    first = output.splitlines()[0]
    assert NAME + where in first
    assert code in first
    assert words in first


def test_alias_bomb_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        levels.append(f"a{level}: &a{level} [{refs}]")
    bomb = "---\n" + "\n".join(levels) + "\n---\n"
    exit_code, output = check_one(tmp_path, bomb.encode(), capsys)
    assert exit_code == 1
    assert "PM003" in output and "too many values" in output


def test_python_tag_is_reported_and_never_constructed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str
) -> None:
    marker = tmp_path / "constructed"
    hostile = sample_postmortem_text.replace(
        "status: final\n",
        f"status: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    exit_code, output = check_one(tmp_path, hostile.encode(), capsys)
    assert exit_code == 1
    assert f"{NAME}:4:9: PM003 unsupported YAML tag !!python/object/apply:os.system" in output
    assert not marker.exists()


def test_huge_file_is_refused_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, output = check_one(tmp_path, b"---\ntitle: x\n---\n" + b"word " * 300_000, capsys)
    assert exit_code == 1
    assert "over the 262,144-byte limit" in output


def test_crlf_line_endings_read_like_lf(tmp_path: Path, sample_postmortem_text: str) -> None:
    path = tmp_path / NAME
    path.write_bytes(sample_postmortem_text.replace("\n", "\r\n").encode())
    doc = load(path, Config(root=tmp_path))
    assert isinstance(doc, Postmortem)
    assert [s.title for s in doc.sections][:2] == ["Summary", "Impact"]
    assert doc.locate(("action_items", 0, "owner")) == (32, 12)
    assert len(doc.timeline) == 8 and all(e.at is not None for e in doc.timeline)


def test_bom_is_a_finding_but_the_rest_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sample_postmortem_text: str
) -> None:
    broken = sample_postmortem_text.replace("    owner: Mei Chen\n", "    owner: the team\n")
    exit_code, output = check_one(tmp_path, b"\xef\xbb\xbf" + broken.encode(), capsys)
    assert exit_code == 1
    assert f"{NAME}:1:1: PM001 file starts with a byte-order mark" in output
    assert f"{NAME}:39:12: PM030" in output


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  started: 2026-10-07T12:02:00+00:00",
            "  started: 2026-10-07T12:02:00",
            ':10:12: PM004 times.started "2026-10-07T12:02:00" is not in the expected form',
        ),
        (
            "  started: 2026-10-07T12:02:00+00:00",
            "  started: 2026-02-30T25:00:00+00:00",
            ":10:12: PM004 times.started",
        ),
        ("date: 2026-10-07", "date: 7th of October", ':3:7: PM004 date "7th of October"'),
        ("  users: 1240", '  users: "1240"', ":16:10: PM004 impact.users has the wrong type (text)"),
        (
            "title: Checkout failed after a deploy ran ahead of its migration",
            "title: 42",
            ":2:8: PM004 title has the wrong type (a number)",
        ),
        (
            "services: [checkout, postgres-main]",
            "services: checkout",
            ":6:11: PM004 services has the wrong type (text)",
        ),
    ],
    ids=[
        "naive-datetime",
        "impossible-datetime",
        "free-text-date",
        "string-number",
        "number-title",
        "scalar-list",
    ],
)
def test_wrong_types_point_at_the_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sample_postmortem_text: str,
    old: str,
    new: str,
    expected: str,
) -> None:
    assert old in sample_postmortem_text
    exit_code, output = check_one(tmp_path, sample_postmortem_text.replace(old, new).encode(), capsys)
    assert exit_code == 1
    assert NAME + expected in output


def test_directory_named_like_a_postmortem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / NAME
    folder.mkdir()
    result = load(folder, Config(root=tmp_path))
    assert isinstance(result, LoadFailure) and result.code == "PM001"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_permissions(tmp_path: Path, sample_postmortem_text: str) -> None:
    path = tmp_path / NAME
    path.write_text(sample_postmortem_text)
    path.chmod(0)
    try:
        result = load(path, Config(root=tmp_path))
    finally:
        path.chmod(0o644)
    assert isinstance(result, LoadFailure) and "cannot read" in result.issue.message


def test_lone_cr_line_endings(tmp_path: Path, sample_postmortem_text: str) -> None:
    path = tmp_path / NAME
    path.write_bytes(sample_postmortem_text.replace("\n", "\r").encode())
    doc = load(path, Config(root=tmp_path))
    assert isinstance(doc, Postmortem)
    assert doc.title == "Checkout failed after a deploy ran ahead of its migration"
    assert doc.locate(("action_items", 0, "owner")) == (32, 12)
