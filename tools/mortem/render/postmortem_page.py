"""One postmortem's page: a header card from the front matter, the body as written, the
action items with overdue ones marked, and related incidents.

A big archive publishes a thousand of these, so the generated parts are kept to plain lines
with few elements: every element costs Markdown conversion and search indexing time."""

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
    """The front matter's facts as a few lines of one paragraph. A list item and a bold
    label per fact made the card the most expensive part of a postmortem's page to build
    (every item, label and cell is another pass of the Markdown inline parser, and another
    element for the search indexer), for no more than these lines say."""
    times = doc.times
    services = ", ".join(md.link(s, service_path(s), here) for s in doc.services)
    severity = md.link(doc.severity, severity_path(doc.severity), here) if doc.severity else ""
    impact = "; ".join(
        f"{md.text(IMPACT_LABELS.get(k, k.replace('_', ' ')))} {number(v)}" for k, v in doc.impact.items()
    )
    lines = [
        _facts(
            ("Date", md.day(doc.date)),
            ("Severity", severity),
            ("Status", md.text(doc.status or "")),
            ("Services", services),
        ),
        _facts(
            ("Duration", md.duration(times.duration)),
            ("Time to detect", md.duration(times.time_to_detect)),
            ("Time to acknowledge", md.duration(times.time_to_acknowledge)),
        ),
        _facts(("Impact", impact), ("Cost of downtime", cost_text(doc, cost_usd))),
        _facts(("Trigger", md.text(doc.trigger or ""))),
        _facts(
            ("Why a postmortem", ", ".join(md.text(w) for w in doc.why)),
            ("Authors", ", ".join(md.text(a) for a in doc.authors)),
        ),
    ]
    card = ['!!! abstract "At a glance"', "", _indented_lines(lines)]
    if doc.root_causes:
        causes = ["Root causes:"]
        for cause in doc.root_causes:
            label = md.text(cause.category or "uncategorised")
            kind = f" ({md.text(cause.kind)})" if cause.kind else ""
            causes.append(f"{label}{kind}: {md.text(cause.summary or '')}")
        card += ["", _indented_lines(causes)]
    return "\n".join(card) + "\n"


def _facts(*facts: tuple[str, str]) -> str:
    return " · ".join(f"{name}: {value or md.DASH}" for name, value in facts)


def _indented_lines(lines: Sequence[str]) -> str:
    """One paragraph inside the admonition, a hard line break (two trailing spaces)
    between lines."""
    return "  \n".join(f"    {line}" for line in lines)


def body(doc: Postmortem) -> str:
    """The sections exactly as the team wrote them (they are Markdown already)."""
    lines = doc.text.splitlines()[doc.body_line - 1 :]
    return "\n".join(lines).strip("\n") + "\n"


def action_items(items: Sequence[ActionItem], today: date) -> str:
    """One line per item: action, bucket, owner, due, status, tracking link. Raw HTML, every
    value escaped with `html_line`: the lines link nowhere within the site, so there is
    nothing for MkDocs to resolve, and a raw block skips the Markdown inline parser (a table
    of them cost three times as much to build)."""
    if not items:
        return ""
    lines = ["## Action items", "", "<ul>"]
    for item in items:
        fields = (
            md.html_line(item.title or "untitled"),
            md.html_line(item.bucket or "no bucket"),
            md.html_line(item.owner or "no owner"),
            f"due {item.due.isoformat()}" if item.due else "no due date",
            status(item, today),
            md.external_link(item.link) if item.link else "no tracking link",
        )
        lines.append(f"<li>{' · '.join(fields)}</li>")
    return "\n".join([*lines, "</ul>"]) + "\n"


def status(item: ActionItem, today: date) -> str:
    """As HTML: overdue items in bold."""
    late = overdue_days(item, today)
    if late is not None:
        return f"<strong>overdue by {md.plural(late, 'day')}</strong>"
    shown = md.html_line(item.status or "open")
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
