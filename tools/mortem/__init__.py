"""mortem: blameless one-page postmortems as Markdown in git."""

from __future__ import annotations

__version__ = "0.1.0"
