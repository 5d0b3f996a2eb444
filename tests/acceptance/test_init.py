"""`mortem init` in an empty git repository, then the ten-minute adoption path there:
`mortem new`, `mortem check`, `pre-commit run` and `mkdocs build --strict`. And the drift
tests: the templates `init` ships are this repository's own site, hooks and CI files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mortem import __version__
from mortem.adoption import templates
from mortem.cli.main import main

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURE = REPO / "tests" / "fixtures" / "rules" / "good" / "2026-10-07-checkout-deploy-before-migration.md"
GITHUB_FILES = [
    "postmortems/README.md",
    "mortem.toml",
    "mkdocs.yml",
    "hooks/mortem_site.py",
    ".pre-commit-config.yaml",
    ".github/workflows/postmortem-check.yml",
    ".github/workflows/postmortem-review.yml",
    ".github/workflows/pages.yml",
    ".github/workflows/weekly-follow-through.yml",
    ".github/pull_request_template.md",
]


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
            "NO_MKDOCS_2_WARNING": "1",
        }
    )
    return environment


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    work = tmp_path / "fernhill-ops"
    work.mkdir()
    assert run(["git", "init", "-q", "-b", "main"], work, env).returncode == 0
    return work


def test_init_then_new_check_pre_commit_and_site(repo: Path, env: dict[str, str]) -> None:
    done = run([str(BIN / "mortem"), "init"], repo, env)
    assert done.returncode == 0, done.stderr
    assert [line.split()[1] for line in done.stdout.splitlines() if line.startswith("wrote")] == GITHUB_FILES
    pin = f"mortem=={__version__}"
    for name in GITHUB_FILES[5:9]:
        assert f'python -m pip install "{pin}"' in (repo / name).read_text(), name
    assert f'additional_dependencies: ["{pin}"]' in (repo / ".pre-commit-config.yaml").read_text()
    assert 'site_name: "fernhill-ops postmortems"' in (repo / "mkdocs.yml").read_text()

    new = run(
        [str(BIN / "mortem"), "new", "Checkout failed after a deploy", "--date", "2026-10-07"], repo, env
    )
    assert new.returncode == 0, new.stderr
    started = repo / new.stdout.strip()
    check = run([str(BIN / "mortem"), "check"], repo, env)
    assert check.returncode == 1 and "PM021" in check.stdout  # what is left to write, and nothing else broken
    assert "README.md" not in check.stdout

    started.unlink()  # the team fills it in: here, the finished fixture
    (repo / "postmortems" / FIXTURE.name).write_text(
        FIXTURE.read_text().replace("related: [2025-09-16-api-deploy-missing-env-var]\n", "")
    )
    check = run([str(BIN / "mortem"), "check"], repo, env)
    assert check.returncode == 0, check.stdout
    assert check.stdout == "All clear: 1 file checked, no findings.\n"

    _use_the_installed_mortem_in_pre_commit(repo)
    assert run(["git", "add", "-A"], repo, env).returncode == 0
    hook = run([str(BIN / "pre-commit"), "run", "--all-files"], repo, env)
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "mortem check" in hook.stdout and "Passed" in hook.stdout

    if shutil.which("mkdocs", path=env["PATH"]) is None:
        pytest.skip("mkdocs is not installed (pip install -e .): the site build step cannot run")
    site = run([str(BIN / "mkdocs"), "build", "--strict"], repo, env)
    assert site.returncode == 0, site.stdout + site.stderr
    page = (repo / "site" / "index.html").read_text()
    assert "fernhill-ops postmortems" in page


def _use_the_installed_mortem_in_pre_commit(repo: Path) -> None:
    """`language: python` would install mortem from PyPI inside the test; `system` runs the
    mortem under test with the same id, entry, file filter and serial setting."""
    path = repo / ".pre-commit-config.yaml"
    config = yaml.safe_load(path.read_text())
    (hook,) = config["repos"][0]["hooks"]
    hook["language"] = "system"
    hook.pop("additional_dependencies")
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def test_init_never_overwrites_and_lists_what_it_skipped(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "mkdocs.yml").write_text("site_name: Ours\n")
    assert main(["init", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "skipped mkdocs.yml (exists;" in out and "wrote   mortem.toml" in out
    assert (repo / "mkdocs.yml").read_text() == "site_name: Ours\n"
    assert main(["init", str(repo)]) == 0
    again = capsys.readouterr().out
    assert "wrote" not in again and again.count("skipped") == len(GITHUB_FILES)


def test_init_for_gitlab(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["init", str(repo), "--gitlab", "--package", "mortem @ git+https://example.com/mortem@v1"]) == 0
    )
    assert not (repo / ".github").exists()
    text = (repo / ".gitlab-ci.yml").read_text()
    assert 'python -m pip install "mortem @ git+https://example.com/mortem@v1"' in text
    assert "--format codeclimate > gl-code-quality-report.json" in text


def test_init_needs_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path)]) == 2
    assert "not the root of a git repository" in capsys.readouterr().err


# Drift: the templates are this repository's own files, with the install step pinned ----------


def template(name: str) -> str:
    return (templates() / name).read_text(encoding="utf-8")


def _update_site_templates() -> None:
    """MORTEM_UPDATE_TEMPLATES=1: copy the site files into the templates after a deliberate change."""
    folder = Path(str(templates()))
    shutil.copyfile(REPO / "hooks" / "mortem_site.py", folder / "hooks" / "mortem_site.py.tmpl")
    shutil.copyfile(
        REPO / ".github" / "pull_request_template.md", folder / "github" / "pull_request_template.md"
    )
    lines = (REPO / "mkdocs.yml").read_text().splitlines(keepends=True)
    generic = {"site_name": 'site_name: "@SITE_NAME@"\n', "site_description": GENERIC_DESCRIPTION}
    (folder / "mkdocs.yml").write_text("".join(generic.get(line.split(":")[0], line) for line in lines))


GENERIC_DESCRIPTION = (
    "site_description: Blameless one-page postmortems, their patterns and their follow-through.\n"
)


def test_site_templates_match_the_repository() -> None:
    if os.environ.get("MORTEM_UPDATE_TEMPLATES"):
        _update_site_templates()
    hooks = sorted(p.name for p in (REPO / "hooks").glob("*.py"))
    assert hooks == ["mortem_site.py"]  # a new hook needs a template (and an entry in adoption.COMMON)
    assert template("hooks/mortem_site.py.tmpl") == (REPO / "hooks" / "mortem_site.py").read_text()
    ours, theirs = yaml.safe_load((REPO / "mkdocs.yml").read_text()), yaml.safe_load(template("mkdocs.yml"))
    for key in ("site_name", "site_description"):
        ours.pop(key), theirs.pop(key)
    assert theirs == ours
    assert (
        template("github/pull_request_template.md")
        == (REPO / ".github" / "pull_request_template.md").read_text()
    )


def _normalised(text: str) -> dict[str, object]:
    text = text.replace('python -m pip install "@MORTEM_PACKAGE@"', "python -m pip install .")
    data = yaml.safe_load(text)
    for job in (data.get("jobs") or {}).values():
        for step in job.get("steps", []):
            if step.get("name", "").startswith("Install mortem"):
                step["name"] = "Install mortem"
        # The adopter's review job installs the published package and checks out nothing.
        job["steps"] = [
            s
            for s in job.get("steps", [])
            if not (
                str(s.get("uses", "")).startswith("actions/checkout@")
                and "default_branch" in str(s.get("with", {}).get("ref", ""))
            )
        ]
    return data


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / ".github" / "workflows").glob("*.yml")))
def test_workflow_templates_match_the_repository(name: str) -> None:
    assert _normalised(template(f"github/workflows/{name}")) == _normalised(
        (REPO / ".github" / "workflows" / name).read_text()
    )


def test_gitlab_template_matches_the_repository() -> None:
    assert _normalised(template("gitlab-ci.yml")) == _normalised((REPO / ".gitlab-ci.yml").read_text())


def test_pre_commit_template_is_the_published_hook() -> None:
    (published,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = yaml.safe_load(template("pre-commit-config.yaml"))["repos"][0]["hooks"]
    for key in ("id", "name", "entry", "language", "files", "exclude", "require_serial"):
        assert hook[key] == published[key], key
