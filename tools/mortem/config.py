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
    synonyms: Mapping[str, str] = field(default_factory=dict)  # slug or word -> canonical form
    detect_minutes: int = 10  # PM070: a longer time to detect wants a detection action item
    acknowledge_minutes: int = 10  # PM071: a longer time to acknowledge wants a routing fix
    cost_per_minute: float | None = None  # cost of downtime, when no service has its own rate
    service_cost_per_minute: Mapping[str, float] = field(default_factory=dict)
    max_open_per_owner: int = 5  # PM039: more open items than this is re-owned or dropped out loud
    tracker: str | None = None  # where `mortem actions --file-issues` opens issues: github or gitlab
    tracker_repo: str | None = None  # OWNER/REPO on GitHub, GROUP/PROJECT on GitLab
    tracker_url: str | None = None  # GitHub Enterprise or self-managed GitLab: its web address
    postmortem_url: str | None = None  # links back from an issue: a URL with {id} or {path}
    max_file_bytes: int = 262_144  # a one-page postmortem is about 10 KB
    max_yaml_depth: int = 32
    max_yaml_nodes: int = 20_000
    cache: bool = True  # .mortem-cache/ at the archive root; false for a checkout that must not write
    source: Path | None = None

    @property
    def archive_dir(self) -> Path:
        return self.root / self.archive

    @property
    def roster_names(self) -> tuple[str, ...]:
        """Roster entries may be `Name` or `Name <email>`; owners are named by the name."""
        return tuple(entry.split("<", 1)[0].strip() for entry in self.roster)

    @property
    def roster_emails(self) -> frozenset[str]:
        return frozenset(
            entry.split("<", 1)[1].rstrip(">").strip().casefold() for entry in self.roster if "<" in entry
        )


_INT_KEYS = {
    "word_limit": 1,
    "summary_sentences": 1,
    "min_whys": 0,
    "due_window_days": 0,
    "max_file_bytes": 1,
    "max_yaml_depth": 2,
    "max_yaml_nodes": 10,
    "detect_minutes": 1,
    "acknowledge_minutes": 1,
    "max_open_per_owner": 1,
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
            raise ConfigError(f'{where}: archive must be a folder path, such as "postmortems"')
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
            raise ConfigError(f"{where}: link_pattern is not a valid regular expression: {exc}") from None
        return value
    if key == "severity":
        return _coerce_severities(where, value)
    if key == "synonyms":
        return _coerce_synonyms(where, value)
    if key == "cost_per_minute":
        return _cost(where, key, value)
    if key == "service_cost_per_minute":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: service_cost_per_minute must be a table such as {{ checkout = 40 }}")
        return {str(name): _cost(where, f"service_cost_per_minute.{name}", v) for name, v in value.items()}
    if key in ("tracker", "tracker_repo", "tracker_url", "postmortem_url"):
        return _coerce_tracker(where, key, value)
    if key == "cache":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: cache must be true or false")
        return value
    raise AssertionError(key)  # every known key is handled above


_TRACKER_FORMS = {
    "tracker": (r"github|gitlab", '"github" or "gitlab"'),
    "tracker_repo": (r"[\w.-]+(?:/[\w.-]+)+", 'a repository path such as "fernhill/platform"'),
    "tracker_url": (r"https?://[^\s/]+(?:/[^\s]*)?", 'a web address such as "https://gitlab.example.com"'),
    "postmortem_url": (
        r"https?://\S*\{(?:id|path)\}\S*",
        'a URL with {id} or {path}, such as "https://github.com/fernhill/platform/blob/main/{path}"',
    ),
}


def _coerce_tracker(where: str, key: str, value: Any) -> str:
    """The team's tracker, for `mortem actions --file-issues` (and GitHub Enterprise or
    self-managed GitLab links for `--sync`)."""
    pattern, expected = _TRACKER_FORMS[key]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    return value.rstrip("/") if key == "tracker_url" else value


def _coerce_severities(where: str, value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: severity must be a table such as {{ PM022 = "error" }}')
    result: dict[str, Severity] = {}
    for rule, level in value.items():
        try:
            result[rule] = Severity(level)
        except ValueError:
            raise ConfigError(
                f'{where}: severity.{rule} must be "error" or "warning", not {level!r}'
            ) from None
    return result


_SYNONYM = re.compile(r"[A-Za-z0-9]+(?:[-_ ][A-Za-z0-9]+)*")


def _coerce_synonyms(where: str, value: Any) -> dict[str, str]:
    """Words or slugs that mean the same cause, so `mortem patterns` counts them together."""
    example = '{ cert = "certificate", deploy-sequencing = "deploy-ordering" }'
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: synonyms must be a table such as {example}")
    for word, canonical in value.items():
        if not isinstance(canonical, str) or not _SYNONYM.fullmatch(canonical):
            raise ConfigError(
                f"{where}: synonyms.{word} must be a word or slug such as "
                f'"certificate" or "deploy-ordering", not {canonical!r}'
            )
        if not _SYNONYM.fullmatch(word):
            raise ConfigError(
                f"{where}: synonyms key {word!r} must be a word or slug "
                "(letters, digits, hyphens); for example " + example
            )
    return {word.casefold(): canonical.casefold() for word, canonical in value.items()}


def _cost(where: str, key: str, value: Any) -> float:
    """Money per minute of downtime: a number, zero or more (in the archive's currency, USD)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
        raise ConfigError(f"{where}: {key} must be a number >= 0 (money per minute of downtime)")
    return float(value)
