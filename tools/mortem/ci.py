"""The pull-request check as data: findings on the changed postmortems, the lines a review can
comment on, and each new postmortem's similar past incidents.

`mortem ci` builds a Report in the check job and writes it as JSON; the review job, which
must not run the contributor's code, reads it back. So the JSON is untrusted input there:
`Report.from_json` checks every field's type and size and refuses anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from mortem.changes import Changes
from mortem.checker import CheckResult
from mortem.config import Config
from mortem.errors import MortemError, UsageError
from mortem.findings import Finding, Severity

REPORT_FORMAT = "mortem-ci-report/1"
ANNOTATION_LIMIT = 10  # GitHub shows at most 10 error and 10 warning annotations per step
# Owner and due-date problems first: an unowned or undated item is the one that never ships.
OWNER_DUE_CODES = frozenset({"PM030", "PM031", "PM033"})
_OWNER_DUE_SCHEMA = re.compile(r"action_items\[\d+\].*`(owner|due)`")
_MAX_ITEMS = 5000
_MAX_TEXT = 20_000


@dataclass(frozen=True)
class SimilarIncident:
    other: str
    title: str | None
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class NewPostmortem:
    path: str
    id: str
    title: str | None
    similar: tuple[SimilarIncident, ...]


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str
    lines: tuple[int, ...]  # new-file lines inside the diff, where line comments may go


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]  # paths from the repository root, as GitHub and GitLab want
    files: int
    changed: tuple[ChangedFile, ...]
    new: tuple[NewPostmortem, ...]
    pull_request: int | None = None
    head_sha: str | None = None
    archive: str = "postmortems"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def to_json(self) -> str:
        data = {"format": REPORT_FORMAT, **asdict(self)}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "report") -> Report:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MortemError(f"{where}: not JSON ({exc})") from None
        try:
            return _report(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise MortemError(f"{where}: not a mortem ci report ({exc})") from None


def check_changed(config: Config, base: str, paths: Sequence[object] = ()) -> CheckResult:
    """`mortem check --changed-from BASE`: only the changed postmortems, every archive id known."""
    from mortem.changes import changed_postmortems

    if paths:
        raise UsageError("pass postmortem paths or --changed-from, not both")
    return check_changes(changed_postmortems(config, base), config)


def check_changes(changes: Changes, config: Config) -> CheckResult:
    from mortem.checker import check_paths

    # check_paths treats no paths as "the whole archive"; no changes means nothing to check.
    return check_paths(changes.files, config) if changes.items else CheckResult((), 0)


def build_report(
    config: Config, changes: Changes, pull_request: int | None = None, head_sha: str | None = None
) -> Report:
    result = check_changes(changes, config)
    prefix = _prefix(config, changes)
    findings = tuple(sorted(replace(f, path=prefix + f.path) for f in result.findings))
    changed = tuple(ChangedFile(c.path, c.status, tuple(sorted(c.lines))) for c in changes.items)
    new = tuple(_similar(config, changes))
    archive = prefix + config.archive
    return Report(findings, result.files, changed, new, pull_request, head_sha, archive)


def _prefix(config: Config, changes: Changes) -> str:
    """Finding paths are relative to the configuration's folder; hosts want them from the
    repository root, which differs when mortem.toml sits in a subfolder."""
    relative = config.root.resolve().relative_to(changes.repo_root).as_posix()
    return "" if relative == "." else relative + "/"


def _similar(config: Config, changes: Changes) -> list[NewPostmortem]:
    new = [c for c in changes.items if c.is_new]
    if not new:
        return []
    from mortem.analysis.patterns import related
    from mortem.archive import load_archive
    from mortem.loader import load
    from mortem.model import Postmortem

    archive = load_archive(config)
    titles = {doc.id: doc.title for doc in archive}
    found = []
    for change in new:
        doc = load(change.file, config, change.path)
        if not isinstance(doc, Postmortem):
            continue  # unreadable: the findings table says why
        links = related(doc, archive, config, limit=5, earlier_only=True)
        similar = tuple(SimilarIncident(lk.other, titles.get(lk.other), lk.score, lk.reasons) for lk in links)
        found.append(NewPostmortem(change.path, doc.id, doc.title, similar))
    return found


def priority(finding: Finding) -> tuple[bool, bool, str, int, int, str]:
    """Errors first; within each severity, action-item owner and due-date problems first."""
    owner_due = finding.code in OWNER_DUE_CODES or (
        finding.code == "PM004" and _OWNER_DUE_SCHEMA.search(finding.message) is not None
    )
    return (not finding.is_error, not owner_due, finding.path, finding.line, finding.column, finding.code)


def annotated(findings: Sequence[Finding], limit: int = ANNOTATION_LIMIT) -> tuple[list[Finding], int]:
    """The findings to annotate (at most `limit` of each severity, most important first) and
    how many were left for the job summary only."""
    chosen: list[Finding] = []
    left = 0
    counts = {Severity.ERROR: 0, Severity.WARNING: 0}
    for finding in sorted(findings, key=priority):
        if counts[finding.severity] < limit:
            counts[finding.severity] += 1
            chosen.append(finding)
        else:
            left += 1
    return chosen, left


# Reading the report back: every field checked, since the artifact comes from an untrusted run.


def _report(data: Any) -> Report:
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        raise ValueError(f"format is not {REPORT_FORMAT}")
    pull = data.get("pull_request")
    if pull is not None and (not isinstance(pull, int) or isinstance(pull, bool) or pull < 1):
        raise ValueError("pull_request must be a positive whole number")
    sha = data.get("head_sha")
    if sha is not None and not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha)):
        raise ValueError("head_sha must be a commit id")
    return Report(
        findings=tuple(_finding(f) for f in _items(data["findings"])),
        files=_int(data["files"]),
        changed=tuple(
            ChangedFile(_path(c["path"]), _text(c["status"]), tuple(_int(n) for n in _items(c["lines"])))
            for c in _items(data["changed"])
        ),
        new=tuple(_new(n) for n in _items(data["new"])),
        pull_request=pull,
        head_sha=sha,
        archive=_path(data.get("archive", "postmortems")),
    )


def _finding(raw: Mapping[str, Any]) -> Finding:
    return Finding(
        _path(raw["path"]),
        _int(raw["line"]),
        _int(raw["column"]),
        _text(raw["code"]),
        _text(raw["name"]),
        Severity(raw["severity"]),
        _text(raw["message"]),
    )


def _new(raw: Mapping[str, Any]) -> NewPostmortem:
    similar = tuple(
        SimilarIncident(
            _text(s["other"]),
            _optional(s.get("title")),
            float(_number(s["score"])),
            tuple(_text(r) for r in _items(s["reasons"])),
        )
        for s in _items(raw["similar"])
    )
    return NewPostmortem(_path(raw["path"]), _text(raw["id"]), _optional(raw.get("title")), similar)


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > _MAX_ITEMS:
        raise TypeError(f"expected a list of at most {_MAX_ITEMS} items")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000_000:
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _number(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise TypeError("expected text")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _path(value: Any) -> str:
    path = _text(value)
    if not path or path.startswith("/") or "\\" in path or ".." in path.split("/") or "\n" in path:
        raise ValueError(f"unsafe path {path!r}")
    return path
