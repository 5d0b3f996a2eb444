from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_ARCHIVE = REPO / "postmortems"


@pytest.fixture
def sample_postmortem_text() -> str:
    """A clean postmortem from the fixture corpus, to copy and break in a test."""
    return (FIXTURES / "rules" / "good" / "2026-10-07-checkout-deploy-before-migration.md").read_text()
