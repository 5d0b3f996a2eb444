"""render/markup.py and render/charts.py: escaping, durations, and SVG that parses."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mortem.render import markup as md
from mortem.render.charts import Series, bar_chart, point_chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 min"), (7, "7 min"), (78, "1 h 18 min"), (60 * 26 + 5, "1 d 2 h")]
)
def test_duration(minutes: int, shown: str) -> None:
    assert md.duration(timedelta(minutes=minutes)) == shown
    assert md.duration(None) == md.DASH


_PART = st.sampled_from(["a", "b", "archive", "services", "x.md", ".", "..", ""])
_PATH = st.lists(_PART, min_size=1, max_size=4).map("/".join)


@settings(max_examples=500, deadline=None)
@given(_PATH, _PATH | st.just("."))
def test_relative_links_match_relpath(target: str, folder: str) -> None:
    assume(target)  # relpath refuses an empty path; the site never links one
    assert md._relative.__wrapped__(target, folder) == posixpath.relpath(target, folder)


def test_text_neutralises_markdown_and_html() -> None:
    assert md.text("a|b") == "a&#124;b"
    assert md.text("<b>") == "&#60;b&#62;"
    assert md.text("- item") == "&#45; item"
    assert md.text("12. twelve") == "12&#46; twelve"
    assert md.text("line\nbreak") == "line break"
    assert md.text("plain words, 1,240 diners") == "plain words, 1,240 diners"


def test_external_links_only_for_http() -> None:
    assert md.external_link("https://x.test/issues/12") == '<a href="https://x.test/issues/12">#12</a>'
    assert md.external_link("javascript:alert(1)") == "javascript:alert&#40;1&#41;"
    quoted = md.external_link('https://x.test/"><script>')
    assert "<script" not in quoted and 'href="https://x.test/&quot;&gt;&lt;script&gt;"' in quoted


def svg_of(figure: str) -> ET.Element:
    assert "\n\n" not in figure  # a blank line would end the raw HTML block
    start, end = figure.index("<svg"), figure.index("</svg>") + len("</svg>")
    return ET.fromstring(figure[start:end])


def test_bar_chart_draws_a_bar_per_value_and_escapes_labels() -> None:
    figure = bar_chart(
        "Title <&>",
        "caption",
        ["2026-01", "<b>"],
        [Series("opened", [1, 3], "#000"), Series("closed", [0, 2], "#111")],
        "items",
        "kind",
    )
    svg = svg_of(figure)
    assert len(svg.findall(f"{SVG}rect")) == 4 + 2  # bars plus legend swatches
    assert "<b>" not in figure and "&lt;b&gt;" in figure
    assert svg.find(f"{SVG}title").text == "Title <&>"


def test_point_chart_skips_missing_values_and_breaks_the_line() -> None:
    figure = point_chart(
        "t",
        "c",
        ["a", "b", "c", "d"],
        Series("p", [1, None, 3, 4], "#000"),
        Series("m", [1, None, 2, 3], "#111"),
        "minutes",
        "kind",
    )
    svg = svg_of(figure)
    assert len(svg.findall(f"{SVG}circle")) == 3
    path = svg.find(f"{SVG}path").get("d")
    assert path.count("M") == 2 and path.count("L") == 1
