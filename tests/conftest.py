from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_ARCHIVE = REPO / "postmortems"

# No test writes a cache into the repository (the sample archive, the fixtures, the eval
# set), and none passes or fails by what an earlier run left there. Set in the environment,
# so mortem run as a subprocess (pre-commit, mkdocs, the console script) inherits it; the
# cache's own tests (tests/unit/test_cache.py) and the benchmark turn it back on in
# temporary folders.
os.environ["MORTEM_NO_CACHE"] = "1"

# Property tests run the same examples every time (derandomized, nothing remembered between
# runs), so CI is repeatable; each test sets only how many examples it draws.
settings.register_profile(
    "mortem", derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("mortem")


@pytest.fixture
def sample_postmortem_text() -> str:
    """A clean postmortem from the fixture corpus, to copy and break in a test."""
    return (FIXTURES / "rules" / "good" / "2026-10-07-checkout-deploy-before-migration.md").read_text()


@pytest.fixture
def mixed_archive(tmp_path: Path) -> Path:
    """The evaluation set (recurrences under other slugs: PM060) with the rule fixtures (an
    overloaded owner, a missing related id, unreadable files) in one archive folder of 607
    files, with its mortem.toml: every kind of finding, archive-wide ones included."""
    folder = tmp_path / "postmortems"
    shutil.copytree(Path(__file__).parent / "eval" / "recurrence" / "postmortems", folder)
    rules = FIXTURES / "rules"
    for path in [*(rules / "bad").iterdir(), *(rules / "good").iterdir()]:
        shutil.copy(path, folder / path.name)
    config = (rules / "mortem.toml").read_text().replace('archive = "good"', 'archive = "postmortems"')
    (tmp_path / "mortem.toml").write_text(config)
    return tmp_path
