"""The names of months and quarters every report groups by ("2026-10", "2026-Q4")."""

from __future__ import annotations

from datetime import date


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
