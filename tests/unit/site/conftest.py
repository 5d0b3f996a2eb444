"""Fixtures for the site tests: an archive folder in tmp_path and a writer for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from archive_builder import BODY, Writer, front

from mortem.archive import load_archive
from mortem.config import Config
from mortem.model import Postmortem


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "postmortems"
    folder.mkdir()
    return folder


@pytest.fixture
def config(tmp_path: Path, archive_dir: Path) -> Config:
    return Config(root=tmp_path, archive="postmortems")


@pytest.fixture
def write(archive_dir: Path) -> Writer:
    def write_one(day: str, slug: str, body: str = BODY, **changes: Any) -> Path:
        path = archive_dir / f"{day}-{slug}.md"
        text = yaml.safe_dump(front(day, slug, **changes), sort_keys=False, allow_unicode=True)
        path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")
        return path

    return write_one


@pytest.fixture
def load(config: Config) -> Callable[[], list[Postmortem]]:
    return lambda: load_archive(config)
