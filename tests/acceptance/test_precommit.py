"""The real pre-commit, in a real temporary git repository, refuses an unowned action item."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NAME = "postmortems/2026-10-07-checkout-deploy-before-migration.md"


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "PATH": f"{BIN}{os.pathsep}{environment.get('PATH', '')}",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "GIT_AUTHOR_NAME": "Mei Chen",
            "GIT_AUTHOR_EMAIL": "mei@example.com",
            "GIT_COMMITTER_NAME": "Mei Chen",
            "GIT_COMMITTER_EMAIL": "mei@example.com",
            "NO_COLOR": "1",
        }
    )
    return environment


def test_published_manifest_and_own_config_are_valid(env: dict[str, str]) -> None:
    manifest = run([str(BIN / "pre-commit"), "validate-manifest", ".pre-commit-hooks.yaml"], REPO, env)
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    config = run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], REPO, env)
    assert config.returncode == 0, config.stdout + config.stderr


def local_config_from_manifest() -> str:
    """The published hook as a local one. `language: python` would pip-install mortem from an
    index inside the test; `system` runs the mortem under test, with the same id, entry,
    file filter and serial setting as the manifest."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = {**hook, "language": "system"}
    hook.pop("minimum_pre_commit_version", None)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False)


def test_commit_with_team_owned_item_is_refused_and_fixed_one_passes(
    tmp_path: Path, env: dict[str, str], sample_postmortem_text: str
) -> None:
    work = tmp_path / "ops"
    work.mkdir()
    assert run(["git", "init", "-q", "-b", "main"], work, env).returncode == 0
    (work / ".pre-commit-config.yaml").write_text(local_config_from_manifest())
    installed = run([str(BIN / "pre-commit"), "install"], work, env)
    assert installed.returncode == 0, installed.stderr
    (work / "postmortems").mkdir()
    good = sample_postmortem_text.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    path = work / NAME
    path.write_text(good.replace("    owner: Mei Chen\n", "    owner: the team\n"))
    run(["git", "add", "-A"], work, env)

    refused = run(["git", "commit", "-m", "Add the checkout postmortem"], work, env)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "mortem check" in output and "Failed" in output
    assert f"{NAME}:39:12: PM030" in output and "'the team' is a group" in output
    assert run(["git", "rev-parse", "--verify", "HEAD"], work, env).returncode != 0  # nothing committed

    path.write_text(good)
    run(["git", "add", "-A"], work, env)
    accepted = run(["git", "commit", "-m", "Add the checkout postmortem"], work, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "mortem check...." in accepted.stderr and "Passed" in accepted.stderr


def test_hook_skips_files_outside_the_archive(tmp_path: Path, env: dict[str, str]) -> None:
    work = tmp_path / "ops"
    work.mkdir()
    run(["git", "init", "-q", "-b", "main"], work, env)
    (work / ".pre-commit-config.yaml").write_text(local_config_from_manifest())
    (work / "postmortems").mkdir()
    (work / "postmortems" / "README.md").write_text("# Our postmortems\n")
    (work / "notes.md").write_text("no front matter\n")
    run(["git", "add", "-A"], work, env)
    result = run([str(BIN / "pre-commit"), "run", "--all-files"], work, env)
    assert result.returncode == 0, result.stdout
    assert "(no files to check)Skipped" in result.stdout
