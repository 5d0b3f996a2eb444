"""The registry is explicit, complete and documented."""

from __future__ import annotations

import importlib
import pkgutil
import re

import mortem.rules
from mortem.rules import ALL_RULES
from mortem.rules.base import DOC_HEADINGS, Rule


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"PM\d{3}", code) for code in codes)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)


def test_every_rule_module_is_registered() -> None:
    registered = {id(rule) for rule in ALL_RULES}
    for info in pkgutil.iter_modules(mortem.rules.__path__):
        module = importlib.import_module(f"mortem.rules.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Rule):
                assert id(value) in registered, f"{value.code} in {info.name} is not in ALL_RULES"


def test_every_rule_documents_itself_under_the_fixed_headings() -> None:
    for rule in ALL_RULES:
        for heading in DOC_HEADINGS:
            assert rule.section(heading), f"{rule.code} has no '## {heading}' section"
        assert rule.summary.endswith(".")
