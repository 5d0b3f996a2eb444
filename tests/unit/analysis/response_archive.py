"""A small archive with known times, for the response metrics at both test layers."""

from __future__ import annotations

from pathlib import Path

from mortem.config import Config
from mortem.loader import load
from mortem.model import Postmortem

# id: (services, impact, times as HH:MM[:SS] on the id's day, or None)
INCIDENTS: dict[str, tuple[list[str], str, dict[str, str]]] = {
    "2025-12-30-late-night": (["checkout"], "", {"started": "23:50", "detected": "23:55"}),
    "2026-01-10-a": (
        ["checkout"],
        "cost_usd: 1000",
        {
            "started": "10:00",
            "detected": "10:05",
            "acknowledged": "10:07",
            "mitigated": "10:30",
            "resolved": "11:00",
        },
    ),
    "2026-01-20-b": (
        ["checkout", "search"],
        "users: 10",
        {
            "started": "09:00",
            "detected": "09:20",
            "acknowledged": "09:21",
            "mitigated": "09:40",
            "resolved": "10:30",
        },
    ),
    "2026-02-03-c": (["search"], "", {"started": "12:00", "detected": "12:02:30", "resolved": "12:45"}),
    "2026-02-14-d": (
        ["billing"],
        "",
        {"started": "08:00", "detected": "08:40", "acknowledged": "08:55", "mitigated": "09:10"},
    ),
    "2026-02-20-g": (["checkout"], "", {"started": "10:00", "detected": "09:50", "resolved": "10:30"}),
    "2026-04-02-e": ([], "", {}),
}


def write_archive(folder: Path) -> list[Postmortem]:
    folder.mkdir(exist_ok=True)
    docs = []
    for doc_id, (services, impact, times) in INCIDENTS.items():
        day = doc_id[:10]
        lines = [
            f"  {name}: {day}T{clock}{':00' if clock.count(':') == 1 else ''}+00:00"
            for name, clock in times.items()
        ]
        front = (
            f"---\ntitle: {doc_id}\ndate: {day}\nservices: [{', '.join(services)}]\n"
            + ("times:\n" + "\n".join(lines) + "\n" if lines else "")
            + (f"impact:\n  {impact}\n" if impact else "")
            + "---\n\n## Summary\nx\n"
        )
        path = folder / f"{doc_id}.md"
        path.write_text(front)
        doc = load(path, Config(root=folder))
        assert isinstance(doc, Postmortem)
        docs.append(doc)
    return docs
