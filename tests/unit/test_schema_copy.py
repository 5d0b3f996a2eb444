from __future__ import annotations

import json
from pathlib import Path

from mortem.schema_file import PACKAGE_COPY, SOURCE_SCHEMA, schema_path

REPO = Path(__file__).resolve().parents[2]


def test_the_wheel_copy_of_the_schema_matches_the_source_of_truth() -> None:
    assert SOURCE_SCHEMA == REPO / "schema" / "postmortem.schema.json"
    assert PACKAGE_COPY.read_bytes() == SOURCE_SCHEMA.read_bytes(), (
        "tools/mortem/data/postmortem.schema.json drifted: copy schema/postmortem.schema.json over it"
    )


def test_the_checkout_reads_schema_folder() -> None:
    assert schema_path() == SOURCE_SCHEMA


def test_schema_is_draft_2020_12_and_valid() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(SOURCE_SCHEMA.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
