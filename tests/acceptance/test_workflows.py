"""The CI definitions are checked by the tools a security reviewer would use: zizmor (offline)
finds nothing, and each file validates against the published GitHub workflow / GitLab CI
schema (shipped in check-jsonschema). The same holds for what `mortem init` writes. Then the
rules those tools do not know about: least privilege, pinning, nothing untrusted in `run:`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mortem.adoption import initialise

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = REPO / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing: pip install -e '.[test]'"
    return str(path)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`mortem init` output for GitHub and for GitLab."""
    roots = {}
    for kind in ("github", "gitlab"):
        root = tmp_path_factory.mktemp(kind)
        (root / ".git").mkdir()
        initialise(root, gitlab=kind == "gitlab")
        roots[kind] = root
    return roots


def workflow_dirs(adopted: dict[str, Path]) -> list[Path]:
    return [WORKFLOWS, adopted["github"] / ".github" / "workflows"]


def test_zizmor_finds_nothing(adopted: dict[str, Path]) -> None:
    for folder in workflow_dirs(adopted):
        result = run(tool("zizmor"), "--offline", "--no-progress", str(folder))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No findings to report" in result.stdout, result.stdout


def test_zizmor_would_catch_an_injection(tmp_path: Path) -> None:
    """The audit is live: an untrusted expression in `run:` fails it."""
    bad = (
        (WORKFLOWS / "postmortem-check.yml")
        .read_text()
        .replace(
            'run: mortem ci --report "$RUNNER_TEMP/mortem-report/report.json"',
            "run: echo ${{ github.event.pull_request.title }}",
        )
    )
    (tmp_path / "bad.yml").write_text(bad)
    result = run(tool("zizmor"), "--offline", "--no-progress", str(tmp_path / "bad.yml"))
    assert result.returncode != 0 and "template-injection" in result.stdout


def test_workflow_schema(adopted: dict[str, Path]) -> None:
    files = [str(p) for folder in workflow_dirs(adopted) for p in sorted(folder.glob("*.yml"))]
    assert len(files) == 8
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_ci_schema(adopted: dict[str, Path]) -> None:
    files = [str(REPO / ".gitlab-ci.yml"), str(adopted["gitlab"] / ".gitlab-ci.yml")]
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` as true
    return data


def all_workflows(adopted: dict[str, Path]) -> list[Path]:
    return [p for folder in workflow_dirs(adopted) for p in sorted(folder.glob("*.yml"))]


def test_least_privilege_everywhere(adopted: dict[str, Path]) -> None:
    for path in all_workflows(adopted):
        data = load(path)
        assert data["permissions"] == {}, path
        assert "pull_request_target" not in data["on"], path
        for name, job in data["jobs"].items():
            assert isinstance(job.get("permissions"), dict), f"{path}: job {name} has no permissions"
            granted = {k for k, v in job["permissions"].items() if v == "write"}
            if {"pages", "id-token"} & granted:
                assert path.name == "pages.yml" and name == "deploy", (path, name)


def steps(path: Path) -> list[dict[str, Any]]:
    return [step for job in load(path)["jobs"].values() for step in job.get("steps", [])]


def test_no_expressions_in_run_and_actions_pinned(adopted: dict[str, Path]) -> None:
    for path in all_workflows(adopted):
        lines = path.read_text().splitlines()
        for step in steps(path):
            if "run" in step:
                assert "${{" not in step["run"], (path, step["run"])
            if "uses" in step:
                (line,) = [
                    x.strip().removeprefix("- ").removeprefix("uses: ")
                    for x in lines
                    if x.strip().removeprefix("- ").startswith(f"uses: {step['uses']}")
                ]
                assert PINNED.match(line), (path, line)
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path


def test_the_review_workflow_never_runs_pull_request_code(adopted: dict[str, Path]) -> None:
    for folder in workflow_dirs(adopted):
        path = folder / "postmortem-review.yml"
        assert set(load(path)["on"]) == {"workflow_run"}
        for step in steps(path):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["ref"] == "${{ github.event.repository.default_branch }}"
            if str(step.get("uses", "")).startswith("actions/download-artifact@"):
                assert step["with"]["path"].startswith("${{ runner.temp }}")
        assert "--head-sha" in path.read_text()
    adopted_steps = steps(adopted["github"] / ".github" / "workflows" / "postmortem-review.yml")
    assert not [s for s in adopted_steps if str(s.get("uses", "")).startswith("actions/checkout@")]


def test_check_workflow_runs_on_archive_pull_requests_with_full_history() -> None:
    data = load(WORKFLOWS / "postmortem-check.yml")
    assert data["on"] == {"pull_request": {"paths": ["postmortems/**"]}}
    checkout = next(s for s in steps(WORKFLOWS / "postmortem-check.yml") if "checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0
