"""The `sample` fixture: a copy of the sample archive (tests never touch the real one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mortem.config import Config

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def sample(tmp_path: Path) -> Config:
    shutil.copytree(REPO / "postmortems", tmp_path / "postmortems")
    return Config(root=tmp_path)
