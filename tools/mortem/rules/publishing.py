"""Publishing safety: the archive site is served to the whole company, so a postmortem must
carry no script, no secret, and no personal data beyond the team's own roster."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mortem.findings import Issue, Severity
from mortem.model import Postmortem, SourceLine
from mortem.rules.base import Context, rule
from mortem.rules.blameless import body_lines

# Bounded repetitions keep every pattern linear on a hostile one-line file.
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).){1,2000}?\1")
_UNSAFE_TAG = re.compile(r"<\s*(script|iframe|object|embed|frame|frameset|base|meta)\b", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"<[a-z][^<>]{0,2000}?[\s/\"']on[a-z]+\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:javascript|vbscript|data\s*:\s*text/html)\s*:?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20]+")


def _without_code_spans(text: str) -> str:
    """Inline code is shown as text on the site, so `<script>` inside backticks is safe."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def _script_url(text: str) -> re.Match[str] | None:
    """A javascript: (or vbscript:, data:text/html) target, also when written with entities
    or whitespace, as browsers decode `java&#x09;script:` to the same thing."""
    import html  # here, not at the top: the pre-commit check imports the rules on every commit

    for target in re.finditer(
        r"\]\(\s*<?([^)\s>]*)|(?:href|src|action)\s*=\s*[\"']?([^\"'\s>]*)|<([a-z]+:[^>\s]*)>",
        text,
        re.IGNORECASE,
    ):
        value = next(g for g in target.groups() if g is not None)
        decoded = _CONTROL.sub("", html.unescape(value)).lower()
        if decoded.startswith(("javascript:", "vbscript:", "data:text/html")):
            return target
    return None


@rule("PM080", "no-active-content", Severity.ERROR, "publishing")
def no_active_content(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Checks the body for raw HTML that would run in a reader's browser: `<script>`,
    `<iframe>`, `<object>`, `<embed>`, event attributes such as `onerror=`, and
    `javascript:` links (also when disguised with entities or whitespace).

    ## Why is this bad?
    The archive site is served to the whole company. A script in one postmortem runs for
    everyone who opens it, with their session. mortem shows code as text, never as markup.

    ## Example
    ```markdown
    The payload was <img src=x onerror=alert(1)> in the search box.
    ```

    ## Use instead
    ```markdown
    The payload was `<img src=x onerror=alert(1)>` in the search box.
    ```
    """
    for line in body_lines(doc):
        # Every pattern below needs a "<", a "](" or an "="; blanking code spans adds none.
        if "<" not in line.text and "](" not in line.text and "=" not in line.text:
            continue
        text = _without_code_spans(line.text)
        for pattern, what in (
            (_UNSAFE_TAG, "a raw <{0}> tag"),
            (_EVENT_ATTRIBUTE, "an HTML event attribute"),
        ):
            match = pattern.search(text)
            if match:
                shown = what.format(match.group(1).lower()) if match.groups() else what
                yield Issue(
                    line.number,
                    match.start() + 1,
                    (
                        f"{shown} would run in every reader's browser on the archive site; put it in "
                        "a code span (`...`) to show it as text, or remove it"
                    ),
                )
                break
        else:
            target = _script_url(text)
            if target:
                yield Issue(
                    line.number,
                    target.start() + 1,
                    (
                        "a javascript: link would run code when a reader clicks it; link to a "
                        "normal http(s) page, or show the text in a code span"
                    ),
                )


# Detector types that point at a real credential; the entropy and keyword heuristics flag
# ordinary words and commit ids in prose, and IP addresses are not secrets.
_NOISY_DETECTORS = ("High Entropy String", "Secret Keyword", "Public IP (ipv4)")
# A cheap gate so files with nothing token-like never import detect-secrets (~0.1 s, and
# the check runs on every commit): long mixed tokens, credentials in URLs, key blocks.
_URL_PATH = re.compile(r"https?://[^\s?#@]+(?=[\s?#)\]>\"']|$)")
# Timestamps and postmortem ids are long mixed tokens too, and in every file.
_ORDINARY = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?|-[a-z0-9]+(?:-[a-z0-9]+)*)")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_\-+/=.:]{20,}")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")
_CREDENTIAL_HINT = re.compile(r"://[^\s/@]+:[^\s@]+@|PRIVATE KEY|AccountKey")


def _credential_hint(text: str) -> bool:
    """_CREDENTIAL_HINT.search(text), after substring tests that rule out nearly every line
    (a regex search per line of every file was a third of this rule's time)."""
    maybe = ("@" in text and "://" in text) or "PRIVATE KEY" in text or "AccountKey" in text
    return maybe and _CREDENTIAL_HINT.search(text) is not None


def _looks_token_like(text: str) -> bool:
    # Runs are found in one linear pass; a lookahead per position would be quadratic on a
    # hostile one-line file.
    for run in _TOKEN_RUN.finditer(text):
        token = run.group(0)
        if _DIGIT.search(token) and _LETTER.search(token):
            return True
    return _credential_hint(text)


def _candidate_lines(doc: Postmortem) -> list[SourceLine]:
    lines = doc.text.splitlines()
    return [
        SourceLine(number, text)
        for number, text in enumerate(lines, start=1)
        # Blanking URL paths and ordinary tokens only shortens runs, so a line with neither a
        # long run nor a credential hint as written (most prose) cannot have one after.
        if (_TOKEN_RUN.search(text) or _credential_hint(text))
        and _looks_token_like(_ORDINARY.sub(" ", _URL_PATH.sub(" ", text)))
    ]


@rule("PM081", "no-secrets", Severity.ERROR, "publishing", text_only=True)
def no_secrets(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Looks for credentials anywhere in the file with detect-secrets' detectors: cloud and
    service keys (AWS, GitHub, GitLab, Slack, Stripe, npm, PyPI, OpenAI and more), JSON web
    tokens, private keys, and passwords in URLs.

    ## Why is this bad?
    A key pasted from a log into the Timeline is published to everyone who can read the
    archive and stays in git history after it is deleted. Rotate it, then redact it.

    ## Example
    ```markdown
    - 14:20 Retried with postgres://admin:s3cr3t-pw@db.internal/app and it worked.
    ```

    ## Use instead
    ```markdown
    - 14:20 Retried with postgres://admin:REDACTED@db.internal/app and it worked.
    ```
    """
    candidates = _candidate_lines(doc)
    if not candidates:
        return
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    with default_settings():
        for line in candidates:
            found = {
                s.type: s.secret_value
                for s in scan_line(line.text)
                if not any(noise in s.type for noise in _NOISY_DETECTORS)
            }
            for kind, value in sorted(found.items()):
                column = line.text.find(value) + 1 if value and value in line.text else 1
                yield Issue(
                    line.number,
                    column,
                    (
                        f"this looks like a secret ({kind}); rotate it now, then replace it with "
                        "REDACTED (it stays in git history, so rotating is the fix)"
                    ),
                )


_EMAIL = re.compile(
    r"(?<![\w.+:/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# Phone numbers: an optional +country code, then three or more groups of digits separated by
# spaces, dots or dashes (or an area code in brackets). Dates, times and ids do not look so.
_PHONE = re.compile(
    r"(?<![\w./:-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){2,4}(?![\w/:-])"
)
# Any phone number above has two groups of digits in a row: a cheap test that skips most lines.
_PHONE_HINT = re.compile(r"\d\d[\s.-]\(?\d\d")
_NOT_PHONE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[.:]\d{2}|\d+\.\d+\.\d+\.\d+")


@rule("PM082", "no-personal-data", Severity.WARNING, "publishing", text_only=True)
def no_personal_data(doc: Postmortem, ctx: Context) -> Iterator[Issue]:
    """
    ## What it does
    Warns on email addresses that are not on the configured roster (entries written as
    `Name <email>`) and on phone numbers, anywhere in the file.

    ## Why is this bad?
    Customers' and colleagues' contact details do not belong in a document the whole
    company can read and that git keeps forever. Say "a customer" or "the on-call engineer".

    ## Example
    ```markdown
    - 09:12 Customer jane.doe@example.com (+44 20 7946 0958) reported failed payments.
    ```

    ## Use instead
    ```markdown
    - 09:12 A customer reported failed payments through support (ticket 4821).
    ```
    """
    allowed = ctx.config.roster_emails
    for number, text in enumerate(doc.text.splitlines(), start=1):
        if "@" in text:
            for match in _EMAIL.finditer(text):
                if match.group(0).casefold() not in allowed:
                    yield Issue(
                        number,
                        match.start() + 1,
                        (
                            f"email address {match.group(0)!r} is personal data; replace it with a role "
                            '("a customer", "the on-call engineer") or add the person to the roster'
                        ),
                    )
        for match in _PHONE.finditer(text) if _PHONE_HINT.search(text) else ():
            digits = re.sub(r"\D", "", match.group(0))
            if 9 <= len(digits) <= 15 and not _NOT_PHONE.search(match.group(0)):
                yield Issue(
                    number,
                    match.start() + 1,
                    (
                        "this looks like a phone number, which is personal data; remove it or "
                        "replace it with a role"
                    ),
                )


RULES = (no_active_content, no_secrets, no_personal_data)
