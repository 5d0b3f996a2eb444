"""`[tool.mortem]` in pyproject.toml, or mortem.toml: read once into a frozen Config."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mortem.errors import ConfigError
from mortem.findings import Severity

CONFIG_FILES = ("mortem.toml", "pyproject.toml")


@dataclass(frozen=True)
class Config:
    """Settings for one archive. Every field has a default so an archive needs no config at all."""

    root: Path = field(default_factory=Path.cwd)
    archive: str = "postmortems"
    word_limit: int = 800
    summary_sentences: int = 3
    min_whys: int = 3
    due_window_days: int = 14
    roster: tuple[str, ...] = ()
    link_pattern: str | None = None
    disable: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    max_file_bytes: int = 1_000_000
    max_yaml_depth: int = 32
    max_yaml_nodes: int = 20_000
    source: Path | None = None

    @property
    def archive_dir(self) -> Path:
        return self.root / self.archive


_INT_KEYS = {
    "word_limit": 1,
    "summary_sentences": 1,
    "min_whys": 0,
    "due_window_days": 0,
    "max_file_bytes": 1,
    "max_yaml_depth": 2,
    "max_yaml_nodes": 10,
}


def find_config_file(start: Path) -> Path | None:
    """The nearest mortem.toml, or pyproject.toml with a [tool.mortem] table, up to the repo root."""
    for folder in (start, *start.parents):
        mortem_toml = folder / "mortem.toml"
        if mortem_toml.is_file():
            return mortem_toml
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_mortem_table(pyproject):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _has_mortem_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\[tool\.mortem[\].]", text, re.MULTILINE) is not None


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    """Read the configuration; a missing file means defaults rooted at `start`."""
    start = (start or Path.cwd()).resolve()
    path = explicit or find_config_file(start)
    if path is None:
        return Config(root=_repo_root(start))
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("mortem", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mortem] must be a table")
    return config_from_table(table, root=path.parent.resolve(), source=path)


def _repo_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def config_from_table(table: Mapping[str, Any], root: Path, source: Path | None = None) -> Config:
    """Validate the table key by key so a mistake names the key and what it expects."""
    where = str(source) if source else "configuration"
    known = {f.name for f in fields(Config)} - {"root", "source"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) in mortem configuration: {', '.join(unknown)}"
            f" (known: {', '.join(sorted(known))})"
        )
    values: dict[str, Any] = {"root": root, "source": source}
    for key, value in table.items():
        values[key] = _coerce(where, key, value)
    return Config(**values)


def _coerce(where: str, key: str, value: Any) -> Any:
    if key in _INT_KEYS:
        if not isinstance(value, int) or isinstance(value, bool) or value < _INT_KEYS[key]:
            raise ConfigError(f"{where}: {key} must be a whole number >= {_INT_KEYS[key]}")
        return value
    if key == "archive":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: archive must be a folder path, such as \"postmortems\"")
        return value
    if key in ("roster", "disable"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
        return tuple(value)
    if key == "link_pattern":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: link_pattern must be a regular expression string")
        try:
            re.compile(value)
        except re.error as exc:
            raise ConfigError(f"{where}: link_pattern is not a valid regular expression: {exc}")
        return value
    if key == "severity":
        return _coerce_severities(where, value)
    raise AssertionError(key)  # every known key is handled above


def _coerce_severities(where: str, value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: severity must be a table such as {{ PM022 = \"error\" }}")
    result: dict[str, Severity] = {}
    for rule, level in value.items():
        try:
            result[rule] = Severity(level)
        except ValueError:
            raise ConfigError(
                f"{where}: severity.{rule} must be \"error\" or \"warning\", not {level!r}"
            ) from None
    return result
