"""The Markdown mortem posts: job summary, review, similar-incidents comment, weekly issue.

GitHub and GitLab render the same text, so both integrations share it. Every value from a
postmortem or from the CI report goes through `plain()`: the report comes from an untrusted
pull-request run, so a title cannot inject markup, and an `@name` cannot ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from mortem.analysis.actions import ActionRow, by_owner, overdue
from mortem.ci import NewPostmortem, Report
from mortem.findings import Finding
from mortem.render.markup import external_link, table

# Hidden markers find mortem's own review and comments again on the next run.
REVIEW_MARKER = "<!-- mortem:review -->"
SUPERSEDED_MARKER = "<!-- mortem:review-superseded -->"
SIMILAR_MARKER = "<!-- mortem:similar-incidents -->"
WEEKLY_MARKER = "<!-- mortem:weekly-follow-through -->"
WEEKLY_TITLE = "Weekly review: open and overdue action items"

Link = Callable[[str], str | None]  # repository path -> URL to show it, or None for plain text


# Markdown syntax anywhere in a line (brackets: no links; "#": no issue cross-references;
# "$": no math). Parentheses and quotes stay readable: without "[" they cannot form a link.
_SYNTAX = frozenset("\\`*_{}[]<>&|~#$")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def plain(value: object) -> str:
    """One line of literal text, safe in a paragraph or a table cell."""
    return _leading(_inline(" ".join(str(value).split())))


def prose(value: object) -> str:
    """A finding's message: literal text, except that its `code spans` stay code spans
    (their content renders literally anyway; only a table's "|" needs escaping there)."""
    parts = _CODE_SPAN.split(" ".join(str(value).split()))
    return _leading(
        "".join(
            f"`{part.replace('|', chr(92) + '|')}`" if index % 2 else _inline(part)
            for index, part in enumerate(parts)
        )
    )


def _inline(text: str) -> str:
    # A word joiner after "@" stops GitHub and GitLab from reading a mention.
    return "".join(f"&#{ord(ch)};" if ch in _SYNTAX else ch for ch in text).replace("@", "@\u2060")


def _leading(text: str) -> str:
    """Escape a first character that would start a list, quote or heading underline."""
    return f"&#{ord(text[0])};{text[1:]}" if text[:1] in ("-", "+", "=", ">", ":") else text


def _linked(label: str, path: str, link: Link | None) -> str:
    url = link(path) if link else None
    return f"[{plain(label)}]({url})" if url else plain(label)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts(report: Report) -> str:
    if not report.findings:
        return f"All clear: {_plural(report.files, 'changed postmortem')} checked, no findings."
    warnings = len(report.findings) - report.errors
    return (
        f"{_plural(report.errors, 'error')}, {_plural(warnings, 'warning')} in "
        f"{_plural(report.files, 'changed postmortem')}."
    )


def findings_table(findings: Sequence[Finding], link: Link | None = None) -> str:
    rows = [
        (
            f.severity.value,
            _linked(f"{f.path}:{f.line}", f.path, link),
            f"`{f.code}` {plain(f.name)}",
            prose(f.message),
        )
        for f in findings
    ]
    return table(("severity", "where", "rule", "what to change"), rows)


def similar_section(new: Sequence[NewPostmortem], archive: str, link: Link | None = None) -> str:
    """For each new postmortem, the earlier ones whose root cause looks like its own."""
    parts = ["### Similar past incidents\n"]
    if not new:
        parts.append("This pull request adds no new postmortem.\n")
    for item in new:
        parts.append(f"**{_linked(item.title or item.id, item.path, link)}**\n")
        if not item.similar:
            parts.append("No earlier postmortem has a root cause like this one.\n")
            continue
        rows = [
            (
                _linked(s.title or s.other, f"{archive}/{s.other}.md", link),
                f"{s.score:.2f}",
                plain("; ".join(s.reasons)) or "—",
            )
            for s in item.similar
        ]
        parts.append(table(("past incident", "score", "why it looks alike"), rows))
    parts.append("Read them before the review: a cause that recurs is the case for a bigger fix.\n")
    return "\n".join(parts)


def job_summary(report: Report, shown: int, link: Link | None = None) -> str:
    parts = ["## mortem check\n", counts(report) + "\n"]
    if report.findings:
        if shown < len(report.findings):
            parts.append(f"The {shown} most important are annotated on the files; all of them:\n")
        parts.append(findings_table(report.findings, link))
    parts.append(similar_section(report.new, report.archive, link))
    return "\n".join(parts)


def review_comment(findings: Sequence[Finding]) -> str:
    return "\n\n".join(
        f"**{f.code} {plain(f.name)}** ({f.severity.value}): {prose(f.message)}" for f in findings
    )


def review_body(report: Report, outside: Sequence[Finding]) -> str:
    parts = [REVIEW_MARKER, "### mortem check\n", counts(report)]
    if outside:
        parts.append("\nThese findings sit on lines outside this pull request's diff:\n")
        parts.append(findings_table(outside))
    parts.append(
        "\nmortem replaces this review when the check runs again. What reviewers look for: "
        "blameless wording, the root cause rather than the trigger, and every action item "
        "owned by one person, dated, tracked and small."
    )
    return "\n".join(parts)


def superseded_body(all_clear: bool) -> str:
    status = (
        "the check now passes with no findings"
        if all_clear
        else "a newer mortem review on this pull request replaces it"
    )
    return f"{SUPERSEDED_MARKER}\n~~mortem check~~ Superseded: {status}."


def similar_comment(report: Report, link: Link | None = None) -> str:
    return f"{SIMILAR_MARKER}\n{similar_section(report.new, report.archive, link)}"


def weekly_issue_body(rows: Sequence[ActionRow], today: date, archive: str, link: Link | None = None) -> str:
    """The agenda for the first five minutes of the weekly sync: overdue items by owner, then
    the rest of the open ones. Overdue means re-own or drop out loud, never silently."""
    late = overdue(rows)
    parts = [
        WEEKLY_MARKER,
        f"Open action items as of {today.isoformat()}: {len(rows)} open, "
        f"{len(late)} overdue. Updated by `mortem weekly-issue` every week.\n",
    ]
    parts.append("### Overdue: re-own or de-prioritise each one out loud\n")
    if not late:
        parts.append("Nothing is overdue.\n")
    for owner, owned in by_owner(late):
        parts.append(f"**{plain(owner)}**\n")
        parts.append(_rows_table(owned, archive, link))
    upcoming = [r for r in rows if not r.is_overdue]
    parts.append("### Still open\n")
    parts.append(_rows_table(upcoming, archive, link) if upcoming else "No other open items.\n")
    return "\n".join(parts)


def _rows_table(rows: Sequence[ActionRow], archive: str, link: Link | None) -> str:
    return table(
        ("due", "action item", "owner", "postmortem", "tracked in"),
        [
            (
                row.item.due.isoformat() if row.item.due else "no date",
                plain(row.item.title or "(untitled)")
                + (f" ({row.overdue_days} days late)" if row.overdue_days else ""),
                plain(row.item.owner or "(no owner)"),
                _linked(row.postmortem, f"{archive}/{row.postmortem}.md", link),
                external_link(row.item.link),
            )
            for row in rows
        ],
    )
