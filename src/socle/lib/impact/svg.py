"""Small SVG drawings for the impact pages, written by hand to stay within the page's weight budget (a chart of
vl-convert weighs 20 to 40 KB; these weigh about 1 KB): a badge ("82 % | des personnes accompagnées…") and a chart
of one indicator over campaigns, bars with their intervals. Every text is escaped; each drawing carries a
``<title>`` and the page gives its figures as text beside it (the chart is never the only way to read them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["TrendPoint", "badge", "escape", "text_width", "trend_chart"]

FONT: Final = "DejaVu Sans,Verdana,Arial,sans-serif"
INK: Final = "#1b1b1b"
ACCENT: Final = "#005a87"  # 7.4:1 on white
MUTED: Final = "#5a5a5a"  # 6.9:1 on white


def escape(value: object) -> str:
    """Text for an SVG element or attribute."""
    return (
        str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        .replace("'", "&#39;")
    )  # fmt: skip


def text_width(text: str, size: float = 11.0) -> float:
    """An estimate of the width of ``text`` in a sans-serif font of ``size`` px (about 0.6 em a character, more
    for capitals and digits): enough to size a badge, with a margin."""
    wide = sum(1 for c in text if c.isupper() or c.isdigit() or c in "%mwMW")
    return round((len(text) * 0.56 + wide * 0.1) * size, 1)


def badge(value: str, label: str, *, title: str = "") -> str:
    """A two-part badge: the figure on a dark ground, then what it says. ``title`` is the accessible name (the
    whole sentence, by default both parts)."""
    value_w = text_width(value) + 14
    label_w = text_width(label) + 14
    width = round(value_w + label_w, 1)
    name = escape(title or f"{value} {label}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="22" viewBox="0 0 {width} 22" '
        f'role="img" aria-label="{name}"><title>{name}</title>'
        f'<rect width="{value_w}" height="22" rx="3" fill="{ACCENT}"/>'
        f'<rect x="{value_w - 3}" width="{label_w + 3}" height="22" rx="3" fill="#eef2f5"/>'
        f'<rect x="{value_w - 3}" width="3" height="22" fill="{ACCENT}"/>'
        f'<g font-family="{FONT}" font-size="11">'
        f'<text x="{value_w / 2:.1f}" y="15" fill="#fff" text-anchor="middle" font-weight="bold">{escape(value)}</text>'
        f'<text x="{value_w + label_w / 2:.1f}" y="15" fill="{INK}" text-anchor="middle">{escape(label)}</text>'
        "</g></svg>"
    )


@dataclass(frozen=True)
class TrendPoint:
    """One campaign: its label and, when it may be shown, the value and interval; ``None`` draws no bar."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def _y(value: float, top: float, height: float, maximum: float) -> float:
    return round(top + height - (max(0.0, min(value, maximum)) / maximum) * height, 1)


def trend_chart(points: Sequence[TrendPoint], *, title: str, maximum: float | None = None, unit: str = "") -> str:
    """Bars of one indicator over campaigns, with their intervals as whiskers; a campaign whose value may not be
    shown gets an empty slot marked with a dash. ``maximum``: the top of the scale (100 for a percentage; else the
    largest upper bound)."""
    if not points:
        raise ValueError("a chart needs at least one campaign")
    highs = [p.high if p.high is not None else p.value for p in points if p.value is not None]
    top_value = maximum if maximum is not None else max([h for h in highs if h is not None] + [1.0])
    top_value = top_value or 1.0
    slot = 84
    width, height, top, bottom = slot * len(points) + 8, 150, 18, 112
    bars: list[str] = [f'<line x1="4" y1="{bottom}" x2="{width - 4}" y2="{bottom}" stroke="{MUTED}"/>']
    for index, point in enumerate(points):
        x = 4 + index * slot
        centre = x + slot / 2
        bars.append(
            f'<text x="{centre:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(point.label[:14])}</text>"
        )
        if point.value is None:
            bars.append(f'<text x="{centre:.1f}" y="{bottom - 6}" text-anchor="middle" fill="{MUTED}">–</text>')
            continue
        y = _y(point.value, top, bottom - top, top_value)
        bars.append(f'<rect x="{centre - 18:.1f}" y="{y}" width="36" height="{round(bottom - y, 1)}" fill="{ACCENT}"/>')
        label_y = y
        if point.low is not None and point.high is not None:
            y_low, label_y = _y(point.low, top, bottom - top, top_value), _y(point.high, top, bottom - top, top_value)
            bars.append(
                f'<path d="M{centre:.1f} {y_low}V{label_y}M{centre - 7:.1f} {y_low}h14M{centre - 7:.1f} {label_y}h14" '
                f'stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
        bars.append(
            f'<text x="{centre:.1f}" y="{max(12.0, label_y - 4):.1f}" text-anchor="middle" fill="{INK}" '
            f'font-weight="bold">{escape(f"{point.value:.0f}{unit}")}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<g font-family="{FONT}" font-size="11">{"".join(bars)}</g></svg>'
    )
