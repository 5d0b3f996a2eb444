"""The adversarial corpus: files a tired or hostile author could put in an archive.

Built in a temporary folder by `build()`, because some entries cannot live in git (a 50 MB
file, a symlink out of the repository, a directory named like a postmortem).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

GOOD_NAME = "2026-10-07-checkout-deploy-before-migration.md"


def _front(good: str) -> tuple[str, str]:
    head, body = good.split("\n---\n", 1)
    return head + "\n", "---\n" + body


def _replace(good: str, old: str, new: str) -> bytes:
    assert old in good, old
    return good.replace(old, new, 1).encode()


def entries(good: str) -> dict[str, bytes]:
    """File name -> content. Every name but the good one must produce a finding or warning."""
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    head, body = _front(good)
    return {
        "2026-10-01-alias-bomb.md": ("---\n" + "\n".join(bomb) + "\n---\n## Summary\nx\n").encode(),
        "2026-10-02-deep-nesting.md": ("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n").encode(),
        "2026-10-03-python-tag.md": _replace(
            good, "status: final", "status: !!python/object/apply:os.system ['id']"
        ),
        "2026-10-04-other-tags.md": _replace(
            good,
            "authors: [Priya Raman]",
            "authors: !!set {Priya Raman: null}\nx_bin: !!binary aGVsbG8=\nx_custom: !shout hello",
        ),
        "2026-10-05-duplicate-keys.md": _replace(good, "severity: SEV2", "severity: SEV2\nseverity: SEV1"),
        "2026-10-06-non-string-keys.md": _replace(
            good, "severity: SEV2", "severity: SEV2\n? [a, b]\n: list key\n1: number key"
        ),
        "2026-10-07-types-swapped.md": _replace(
            good,
            "title: Checkout failed after a deploy ran ahead of its migration",
            "title: 12345\nservices: checkout",
        ),
        "2026-10-08-free-text-dates.md": _replace(good, "    due: 2026-10-14", "    due: next Friday"),
        "2026-10-09-naive-datetime.md": _replace(
            good, "  started: 2026-10-07T12:02:00+00:00", "  started: 2026-10-07T12:02:00"
        ),
        "2026-10-10-impossible-datetimes.md": _replace(
            good, "  detected: 2026-10-07T12:09:00+00:00", "  detected: 2026-02-30T25:00:00+00:00"
        ),
        "2026-10-11-latin-1.md": good.replace("Priya Raman", "Priya Ramán").encode("latin-1"),
        "2026-10-12-utf-16.md": good.encode("utf-16"),
        "2026-10-13-bom.md": b"\xef\xbb\xbf" + good.encode(),
        "2026-10-14-nul-bytes.md": _replace(good, "## Impact", "## Impact\x00\x00"),
        "2026-10-15-unclosed.md": head.encode(),
        "2026-10-16-front-matter-only.md": (head + "---\n").encode(),
        "2026-10-17-empty.md": b"",
        "2026-10-18-one-huge-line.md": (head + "---\n## Summary\n" + "x" * 10_000_000 + "\n").encode(),
        "2026 10 19 spaces in name.md": good.encode(),
        "2026-10-20-ünïcødé.md": good.encode(),
        "-2026-10-21-leading-dash.md": good.encode(),
        "2026-10-22-lone-cr.md": _replace(good, "## Impact", "## Impact\rsplit by a lone CR\r"),
        "2026-10-23-crlf-and-blame.md": good.replace(
            "## What was hard\n", "## What was hard\n- It was human error.\n"
        )
        .replace("\n", "\r\n")
        .encode(),
        "2026-10-24-no-front-matter.md": body.encode(),
        "2026-10-25-script.md": _replace(
            good, "## What was hard\n", "## What was hard\n<script>alert(document.cookie)</script>\n"
        ),
    }


def build(folder: Path, good: str) -> dict[str, Callable[[], None] | None]:
    """Write the corpus into `folder` (an archive folder); returns the names it made."""
    made: dict[str, Callable[[], None] | None] = {}
    (folder / GOOD_NAME).write_text(good.replace("related: [2025-09-16-api-deploy-missing-env-var]\n", ""))
    for name, content in entries(good).items():
        (folder / name).write_bytes(content)
        made[name] = None
    huge = folder / "2026-10-26-fifty-megabytes.md"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    made[huge.name] = None
    (folder / "2026-10-27-a-directory.md").mkdir()
    made["2026-10-27-a-directory.md"] = None
    outside = folder.parent.parent / "outside-secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "2026-10-28-symlink-out.md").symlink_to(outside)
    made["2026-10-28-symlink-out.md"] = None
    locked = folder / "2026-10-29-unreadable.md"
    locked.write_text(good)
    locked.chmod(0)
    made[locked.name] = lambda: locked.chmod(0o644)
    return made


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Bytes of every file (a link's target path), to prove nothing was modified."""
    result: dict[str, bytes | str] = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            result[path.name] = os.readlink(path)
        elif path.is_file():
            try:
                result[path.name] = path.read_bytes()
            except PermissionError:
                result[path.name] = "unreadable"
    return result
