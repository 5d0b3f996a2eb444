"""The pre-commit case: a `mortem check` whose file the cache already holds parses nothing, so
it imports neither the YAML and Markdown parsers nor the reporters it does not print with.
Each of those imports cost every commit milliseconds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
PROBE = """
import sys
from mortem.cli.main import main
code = main(["check", sys.argv[1]])
heavy = [m for m in sorted(sys.modules) if m.split(".")[0] in ("yaml", "markdown_it", "jsonschema")
         or m.startswith("mortem.reporters.")]
print(code, heavy)
"""


def _probe(root: Path, name: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "MORTEM_NO_CACHE"}
    env["MORTEM_CACHE"] = "1"  # on even where CI would turn it off
    done = subprocess.run(
        [sys.executable, "-c", PROBE, f"good/{name}"], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_check_answered_from_the_cache_imports_no_parser_or_other_reporter(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "good", tmp_path / "good")
    shutil.copy(FIXTURES / "mortem.toml", tmp_path / "mortem.toml")
    name = sorted(p.name for p in (tmp_path / "good").glob("*.md"))[0]
    first = _probe(tmp_path, name)
    assert first.startswith("0 ") and "yaml" in first, "the first run parses the file"
    assert _probe(tmp_path, name) == "0 ['mortem.reporters.text']"


def test_a_body_edit_reads_the_front_matter_without_the_yaml_parser(tmp_path: Path) -> None:
    """A commit that edits only a postmortem's body (a timeline entry, a summary) has its
    front matter's reading from the cache's `front` entry: the YAML parser is not loaded,
    nor the Markdown parser while the body stays plain (mortem.body). Editing the front
    matter loads the YAML parser again."""
    shutil.copytree(FIXTURES / "good", tmp_path / "good")
    shutil.copy(FIXTURES / "mortem.toml", tmp_path / "mortem.toml")
    name = sorted(p.name for p in (tmp_path / "good").glob("*.md"))[0]
    path = tmp_path / "good" / name
    _probe(tmp_path, name)
    path.write_text(path.read_text() + "\n<!-- reworded in review -->\n")
    assert _probe(tmp_path, name) == "0 ['mortem.reporters.text']"
    path.write_text(path.read_text() + "\n| a table | makes it |\n|---|---|\n| not | plain |\n")
    body_edit = _probe(tmp_path, name)
    assert body_edit.startswith("0 ") and "markdown_it" in body_edit and "yaml" not in body_edit
    path.write_text(path.read_text().replace("---\n", "---\n# reviewed\n", 1))
    front_edit = _probe(tmp_path, name)
    assert front_edit.startswith("0 ") and "yaml" in front_edit
