"""Run the rules over postmortems into a CheckResult. No printing, no exits, no writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mortem.archive import archive_ids, expand, load_all
from mortem.config import Config
from mortem.errors import ConfigError
from mortem.findings import Finding, Issue, Severity
from mortem.loader import LoadFailure
from mortem.model import Postmortem
from mortem.rules import ALL_RULES, BY_CODE, BY_NAME, Context, Rule


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    files: int

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def resolve_rule(key: str) -> Rule:
    rule = BY_CODE.get(key.upper()) or BY_NAME.get(key)
    if rule is None:
        raise ConfigError(f"unknown rule {key!r}; `mortem rules` lists them")
    return rule


def active_rules(config: Config) -> tuple[tuple[Rule, Severity], ...]:
    """The enabled rules with their configured severities (config errors surface here)."""
    disabled = {resolve_rule(key).code for key in config.disable}
    overrides = {resolve_rule(key).code: level for key, level in config.severity.items()}
    return tuple((r, overrides.get(r.code, r.severity)) for r in ALL_RULES if r.code not in disabled)


def check_paths(paths: Sequence[Path], config: Config, today: date | None = None) -> CheckResult:
    files = expand(paths, config)
    ids = archive_ids(config) | {p.stem for p in files}
    context = Context(config=config, archive_ids=ids, today=today or date.today())
    return check_documents(load_all(files, config), context)


def check_documents(docs: Iterable[Postmortem | LoadFailure], context: Context) -> CheckResult:
    rules = active_rules(context.config)
    severities = {rule.code: level for rule, level in rules}
    findings: list[Finding] = []
    count = 0
    for doc in docs:
        count += 1
        if isinstance(doc, LoadFailure):
            if doc.code in severities:
                findings.append(
                    _finding(doc.display_path, BY_CODE[doc.code], severities[doc.code], doc.issue)
                )
            continue
        findings.extend(_check_one(doc, rules, context))
    return CheckResult(tuple(sorted(findings)), count)


def _check_one(doc: Postmortem, rules: Sequence[tuple[Rule, Severity]], context: Context) -> list[Finding]:
    found = []
    enabled = dict(rules)
    for code, issue in doc.load_issues:
        rule = BY_CODE[code]
        if rule in enabled:
            found.append(_finding(doc.display_path, rule, enabled[rule], issue))
    for rule, severity in rules:
        if rule.check is None:
            continue
        for issue in rule.check(doc, context):
            found.append(_finding(doc.display_path, rule, severity, issue))
    # Suppression is applied in one place, after the rules ran.
    return [f for f in found if not doc.suppressions.hides(f.code, f.name, f.line)]


def _finding(path: str, rule: Rule, severity: Severity, issue: Issue) -> Finding:
    return Finding(path, issue.line, issue.column, rule.code, rule.name, severity, issue.message)
