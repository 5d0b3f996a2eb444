"""Charts as inline SVG, drawn at build time: no script, no CDN, nothing fetched at view time.

Each chart is one `<figure>` with no blank line inside, so Markdown renderers pass it through
as a raw HTML block. Text uses `currentColor` so the charts follow the light or dark scheme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mortem.render.markup import html_text

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 30, 44
PRIMARY, SECONDARY = "#3f51b5", "#ef6c00"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value`: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _number(value: float) -> str:
    return f"{value:g}"


class _Frame:
    """The plot area and its scales for `count` slots along x and 0..top along y."""

    def __init__(self, count: int, top: float, whole: bool = False) -> None:
        self.count = max(count, 1)
        # Counts get whole-number ticks: four gridlines, so a multiple of four.
        self.top = 4.0 * max(1, math.ceil(top / 4)) if whole else _nice_max(top)
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM

    def slot(self) -> float:
        return self.width / self.count

    def x(self, index: int) -> float:
        return LEFT + self.slot() * (index + 0.5)

    def y(self, value: float) -> float:
        return TOP + self.height * (1 - value / self.top)


def _axes(frame: _Frame, labels: Sequence[str], unit: str) -> list[str]:
    parts = []
    for tick in range(5):
        value = frame.top * tick / 4
        y = frame.y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="currentColor">{_number(value)}</text>'
        )
    parts.append(f'<text x="12" y="{TOP - 12}" font-size="11" fill="currentColor">{html_text(unit)}</text>')
    # Skip labels rather than overlap them: about 7 px per character at this font size.
    widest = max((len(label) for label in labels), default=1)
    fits = max(1, int(frame.width / (widest * 7 + 10)))
    every = max(1, math.ceil(len(labels) / fits))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text x="{frame.x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle" font-size="11" fill="currentColor">'
                f"{html_text(label)}</text>"
            )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    x = WIDTH - RIGHT - 150 * len(series)
    for item in series:
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{item.colour}"/>')
        parts.append(
            f'<text x="{x + 14}" y="17" font-size="11" fill="currentColor">{html_text(item.name)}</text>'
        )
        x += 150
    return parts


def _figure(title: str, caption: str, parts: list[str], kind: str) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'style="width:100%;height:auto" role="img" aria-label="{html_text(title)}" '
        f'class="mortem-chart" data-chart="{html_text(kind)}">'
        f"<title>{html_text(title)}</title>" + "".join(parts) + "</svg>"
    )
    # Material shrinks a figure to its content; the chart should take the column's width.
    return (
        f'<figure class="mortem-chart" style="width:100%">\n{svg}\n'
        f"<figcaption>{html_text(caption)}</figcaption>\n</figure>\n"
    )


def bar_chart(
    title: str, caption: str, labels: Sequence[str], series: Sequence[Series], unit: str, kind: str
) -> str:
    """Grouped bars of counts: one group per label, one bar per series."""
    top = max((v for s in series for v in s.values if v is not None), default=0.0)
    frame = _Frame(len(labels), top, whole=True)
    parts = _axes(frame, labels, unit) + _legend(series)
    bar = frame.slot() * 0.8 / max(len(series), 1)
    for index, label in enumerate(labels):
        start = frame.x(index) - bar * len(series) / 2
        for offset, item in enumerate(series):
            value = item.values[index] or 0
            y = frame.y(value)
            parts.append(
                f'<rect x="{start + offset * bar:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{TOP + frame.height - y:.1f}" fill="{item.colour}">'
                f"<title>{html_text(label)}: {_number(value)} {html_text(item.name)}</title>"
                "</rect>"
            )
    return _figure(title, caption, parts, kind)


def point_chart(
    title: str, caption: str, labels: Sequence[str], points: Series, trend: Series, unit: str, kind: str
) -> str:
    """One dot per incident and a line through the trend (a rolling median)."""
    known = [v for s in (points, trend) for v in s.values if v is not None]
    frame = _Frame(len(labels), max(known, default=0.0))
    parts = _axes(frame, labels, unit) + _legend((points, trend))
    parts.append(_line(frame, trend))
    for index, value in enumerate(points.values):
        if value is None:
            continue
        parts.append(
            f'<circle cx="{frame.x(index):.1f}" cy="{frame.y(value):.1f}" r="4.5" '
            f'fill="{points.colour}"><title>{html_text(labels[index])}: '
            f"{_number(value)} {html_text(unit)}</title></circle>"
        )
    return _figure(title, caption, parts, kind)


def _line(frame: _Frame, series: Series) -> str:
    # A gap (no value yet) breaks the line instead of drawing a slope through nothing.
    commands, pen_down = [], False
    for index, value in enumerate(series.values):
        if value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{frame.x(index):.1f},{frame.y(value):.1f}")
        pen_down = True
    if not commands:
        return ""
    return f'<path d="{" ".join(commands)}" fill="none" stroke="{series.colour}" stroke-width="2.5"/>'
