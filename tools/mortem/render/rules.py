"""Rule reference entries as text, Markdown or JSON: `mortem rules` and the site share these."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from mortem.rules.base import DOC_HEADINGS, Rule


def rule_markdown(rule: Rule) -> str:
    """One rule's page: the docstring is already Markdown under ruff's fixed headings."""
    return (
        f"# {rule.code} {rule.name}\n\n"
        f"Severity: **{rule.severity}** by default · Family: {rule.family}\n\n{rule.doc}\n"
    )


def rule_text(rule: Rule) -> str:
    lines = [f"{rule.code} {rule.name} ({rule.severity}, {rule.family})"]
    for heading in DOC_HEADINGS:
        body = rule.section(heading)
        if not body:
            continue
        lines.append(f"  {heading}")
        for paragraph in body.splitlines():
            if paragraph.startswith("```"):
                continue
            wrapped = textwrap.wrap(paragraph, 88) if heading in DOC_HEADINGS[:2] else [paragraph]
            lines.extend(f"    {text}" for text in wrapped or [""])
    return "\n".join(lines).rstrip() + "\n"


def rule_record(rule: Rule) -> dict[str, str]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": str(rule.severity),
        "family": rule.family,
        **{heading: rule.section(heading) for heading in DOC_HEADINGS},
    }


def rules_table(rules: Sequence[Rule]) -> str:
    """A Markdown table of every rule: the README's rule list."""
    rows = ["| code | name | default | what it checks |", "|---|---|---|---|"]
    for rule in rules:
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| {rule.code} | `{rule.name}` | {rule.severity} | {summary} |")
    return "\n".join(rows) + "\n"


def render_rules(rules: Sequence[Rule], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([rule_record(r) for r in rules], indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return rules_table(rules)
    if fmt == "markdown":
        return "\n".join(rule_markdown(r).replace("\n# ", "\n## ", 1) for r in rules)
    return "\n".join(rule_text(r) for r in rules)
