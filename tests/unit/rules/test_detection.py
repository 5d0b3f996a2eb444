"""PM070-PM072: the thresholds are configurable and exclusive, and the right fix silences them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mortem.checker import check_documents
from mortem.config import Config, config_from_table
from mortem.loader import load
from mortem.model import Postmortem
from mortem.rules import Context

GOOD = (
    Path(__file__).parents[2]
    / "fixtures"
    / "rules"
    / "good"
    / "2026-10-07-checkout-deploy-before-migration.md"
)
DETECTION_ITEM = "    bucket: detection\n    owner: Mei Chen"
MITIGATION_ITEM = "    bucket: mitigation\n    owner: Sam Okafor"


def codes(tmp_path: Path, text: str, **table: object) -> set[str]:
    path = tmp_path / GOOD.name
    path.write_text(text)
    config = config_from_table(table, root=tmp_path) if table else Config(root=tmp_path)
    doc = load(path, config)
    assert isinstance(doc, Postmortem)
    ids = frozenset({doc.id, *doc.related})
    result = check_documents([doc], Context(config, archive_ids=ids, today=date(2026, 11, 28)))
    return {f.code for f in result.findings if f.code.startswith("PM07")}


def detected_at(clock: str, text: str | None = None) -> str:
    text = text or GOOD.read_text()
    return text.replace("detected: 2026-10-07T12:09:00", f"detected: 2026-10-07T{clock}").replace(
        "acknowledged: 2026-10-07T12:12:00", f"acknowledged: 2026-10-07T{clock}"
    )


@pytest.mark.parametrize(("clock", "fires"), [("12:12:00", False), ("12:12:01", True), ("12:40:00", True)])
def test_time_to_detect_over_the_limit_wants_a_detection_item(
    tmp_path: Path, clock: str, fires: bool
) -> None:
    no_detection_item = detected_at(clock).replace(
        DETECTION_ITEM, "    bucket: prevention\n    owner: Mei Chen"
    )
    assert codes(tmp_path, no_detection_item) == ({"PM070"} if fires else set())
    assert codes(tmp_path, detected_at(clock)) == set()  # the detection item is there


def test_detect_minutes_is_configurable(tmp_path: Path) -> None:
    text = detected_at("12:40:00").replace(DETECTION_ITEM, "    bucket: prevention\n    owner: Mei Chen")
    assert codes(tmp_path, text, detect_minutes=60) == set()
    assert codes(tmp_path, text, detect_minutes=30) == {"PM070"}


def test_time_to_acknowledge_wants_a_detection_or_mitigation_item(tmp_path: Path) -> None:
    slow = GOOD.read_text().replace("acknowledged: 2026-10-07T12:12:00", "acknowledged: 2026-10-07T12:30:00")
    only_prevention = slow.replace(DETECTION_ITEM, "    bucket: prevention\n    owner: Mei Chen").replace(
        MITIGATION_ITEM, "    bucket: prevention\n    owner: Sam Okafor"
    )
    assert codes(tmp_path, only_prevention) == {"PM071"}
    assert codes(tmp_path, only_prevention, acknowledge_minutes=30) == set()
    mitigation_only = slow.replace(DETECTION_ITEM, "    bucket: prevention\n    owner: Mei Chen")
    assert codes(tmp_path, mitigation_only) == set()
    missing_ack = only_prevention.replace("  acknowledged: 2026-10-07T12:30:00+00:00\n", "")
    assert codes(tmp_path, missing_ack) == set()  # unknown is not slow


def test_monitoring_failure_wants_a_detection_root_cause(tmp_path: Path) -> None:
    text = GOOD.read_text().replace("why: [customer-visible]", "why: [customer-visible, monitoring-failure]")
    assert codes(tmp_path, text) == set()
    without = text.replace("    kind: detection\n", "    kind: prevention\n")
    assert codes(tmp_path, without) == {"PM072"}
