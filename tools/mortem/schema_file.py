"""Where the JSON Schema of a postmortem is read from. Apart from mortem.schema, which loads
the model: the cache's salt stamps the schema file before a check imports anything else."""

from __future__ import annotations

from pathlib import Path

SCHEMA_NAME = "postmortem.schema.json"
PACKAGE_COPY = Path(__file__).parent / "data" / SCHEMA_NAME
# In a source checkout (editable install) the schema/ folder is the one source of truth;
# an installed wheel carries a copy, kept identical by a test.
SOURCE_SCHEMA = Path(__file__).resolve().parents[2] / "schema" / SCHEMA_NAME


def schema_path() -> Path:
    return SOURCE_SCHEMA if SOURCE_SCHEMA.is_file() else PACKAGE_COPY
