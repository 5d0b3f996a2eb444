"""Where each generated page lives, relative to the docs folder (the archive folder).

A postmortem's page keeps its source file's name, so its address is its id and a link
written by hand in one postmortem (`[x](2025-09-16-api-deploy.md)`) keeps working.
"""

from __future__ import annotations

from mortem.listing import NOTES_FILE
from mortem.render.markup import slug

HOME = "index.md"
ARCHIVE = "archive/index.md"
PATTERNS = "patterns.md"
METRICS = "metrics.md"
FOLLOW_THROUGH = "follow-through.md"
RULES = "rules/index.md"
EXPORTS = "exports.md"
INCIDENTS_JSON = "incidents.json"
ACTIONS_JSON = "actions.json"
ACTIONS_ICS = "actions.ics"
NOTES = NOTES_FILE


def postmortem_path(postmortem_id: str) -> str:
    return f"{postmortem_id}.md"


def service_path(service: str) -> str:
    return f"archive/service/{slug(service)}.md"


def severity_path(severity: str) -> str:
    return f"archive/severity/{slug(severity)}.md"


def rule_path(code: str) -> str:
    return f"rules/{slug(code)}.md"
