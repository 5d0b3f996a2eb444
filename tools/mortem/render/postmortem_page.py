"""One postmortem's page: a header card from the front matter, the body as written, the
action items as a table with overdue ones marked, and related incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mortem.analysis.actions import overdue_days
from mortem.model import ActionItem, Postmortem
from mortem.render import markup as md
from mortem.render.paths import postmortem_path, service_path, severity_path

IMPACT_LABELS = {
    "users": "users affected",
    "requests_failed": "requests failed",
    "orders_lost": "orders lost",
    "cost_usd": "cost (USD)",
    "duration_minutes": "minutes of impact",
}


def number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def title_of(doc: Postmortem) -> str:
    return doc.title or doc.id


def postmortem_page(
    doc: Postmortem,
    today: date,
    related: Sequence[tuple[Postmortem, Sequence[str]]],
    cost_usd: float | None = None,
) -> str:
    here = postmortem_path(doc.id)
    parts = [
        f"# {md.text(title_of(doc))}\n",
        header_card(doc, here, cost_usd),
        body(doc),
        action_items(doc.action_items, today),
        related_incidents(related, here),
    ]
    return "\n".join(part for part in parts if part)


def cost_text(doc: Postmortem, cost_usd: float | None) -> str:
    """The cost of downtime, saying whether a person wrote it or mortem estimated it."""
    if cost_usd is None:
        return ""
    how = "" if "cost_usd" in doc.impact else " (estimated: duration × cost per minute)"
    return f"${number(round(cost_usd, 2))}{how}"


def header_card(doc: Postmortem, here: str, cost_usd: float | None = None) -> str:
    times = doc.times
    services = ", ".join(md.link(s, service_path(s), here) for s in doc.services)
    severity = md.link(doc.severity, severity_path(doc.severity), here) if doc.severity else ""
    facts = [
        ("Date", md.day(doc.date)),
        ("Severity", severity),
        ("Services", services),
        ("Why a postmortem", ", ".join(md.text(w) for w in doc.why)),
        ("Status", md.text(doc.status or "")),
        ("Duration", md.duration(times.duration)),
        ("Time to detect", md.duration(times.time_to_detect)),
        ("Time to acknowledge", md.duration(times.time_to_acknowledge)),
        (
            "Impact",
            " · ".join(
                f"{md.text(IMPACT_LABELS.get(k, k.replace('_', ' ')))} {number(v)}"
                for k, v in doc.impact.items()
            ),
        ),
        ("Cost of downtime", cost_text(doc, cost_usd)),
        ("Trigger", md.text(doc.trigger or "")),
        ("Authors", ", ".join(md.text(a) for a in doc.authors)),
    ]
    lines = ['!!! abstract "At a glance"', ""]
    lines.extend(f"    - **{name}:** {value or md.DASH}" for name, value in facts)
    if doc.root_causes:
        lines.append("    - **Root causes:**")
        for cause in doc.root_causes:
            label = md.text(cause.category or "uncategorised")
            kind = f" ({md.text(cause.kind)})" if cause.kind else ""
            lines.append(f"        - **{label}**{kind}: {md.text(cause.summary or '')}")
    return "\n".join(lines) + "\n"


def body(doc: Postmortem) -> str:
    """The sections exactly as the team wrote them (they are Markdown already)."""
    lines = doc.text.splitlines()[doc.body_line - 1 :]
    return "\n".join(lines).strip("\n") + "\n"


def action_items(items: Sequence[ActionItem], today: date) -> str:
    if not items:
        return ""
    rows = [
        (
            md.text(item.bucket or ""),
            md.text(item.title or ""),
            md.text(item.owner or ""),
            md.day(item.due),
            status(item, today),
            md.external_link(item.link),
        )
        for item in items
    ]
    return "## Action items\n\n" + md.table(("Bucket", "Action", "Owner", "Due", "Status", "Tracking"), rows)


def status(item: ActionItem, today: date) -> str:
    late = overdue_days(item, today)
    if late is not None:
        return f"**overdue by {md.plural(late, 'day')}**"
    shown = md.text(item.status or "open")
    if item.closed:
        shown += f" on {item.closed.isoformat()}"
    return shown


def related_incidents(related: Sequence[tuple[Postmortem, Sequence[str]]], here: str) -> str:
    if not related:
        return "## Related incidents\n\nNone found in the archive.\n"
    lines = ["## Related incidents", ""]
    for other, reasons in related:
        why = f": {md.text('; '.join(reasons))}" if reasons else ""
        lines.append(
            f"- {md.day(other.date)} {md.link(title_of(other), postmortem_path(other.id), here)}{why}"
        )
    return "\n".join(lines) + "\n"
