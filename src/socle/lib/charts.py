"""Charts drawn on the server: Altair builds a Vega-Lite specification, vl-convert renders it to SVG.

Pages show the SVG as an image with a short text alternative, next to a table of the same figures (a chart is
never the only way to read a number). Rendering needs no browser and no network.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import altair as alt
import vl_convert as vlc

BAR_COLOUR = "#1d4f91"  # the site's link blue: 8.6:1 on white
Locale = Literal["fr-FR", "en-GB"]
LOCALES: dict[str, Locale] = {"fr": "fr-FR", "en": "en-GB"}


# Text is measured by vl-convert with this font and drawn by the reader's browser (or WeasyPrint) with its own:
# DejaVu Sans is among the widest sans-serif fonts, so labels measured with it are not cut when drawn narrower.
FONT = "DejaVu Sans, Verdana, sans-serif"
LABEL_LIMIT = 300
INTERVAL_COLOUR = "#1f2328"  # the interval's rule: 16:1 on white, and on the bars' blue the caps show
TARGET_COLOUR = "#b45309"  # targets: 5.0:1 on white, drawn as a tick (a shape, not only a colour)


def _svg(spec: dict[str, Any], language: str) -> str:
    # Rendering costs tens of milliseconds: the same figures drawn again (the next visit of a dashboard whose
    # facts did not change) reuse the picture.
    return _rendered(json.dumps(spec, sort_keys=True), language)


@lru_cache(maxsize=512)
def _rendered(spec: str, language: str) -> str:
    locale: Locale = LOCALES.get(language, "fr-FR")
    return str(vlc.vegalite_to_svg(json.loads(spec), format_locale=locale, time_format_locale=locale))


@dataclass(frozen=True, slots=True)
class Point:
    """One estimate to draw: a label, the value, its interval (or None), and an optional target."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    target: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "low": self.low, "high": self.high, "target": self.target}


def estimate_bars(
    points: Sequence[Point],
    *,
    x_title: str,
    language: str,
    domain: tuple[float, float] | None = (0, 100),
    width: int = 420,
) -> str:
    """A horizontal bar per estimate with its interval as a black rule, and targets as ticks; returns the SVG text.
    The same definition serves the page and the PDF report. Cached on its arguments: the same figures are drawn
    once per process (building and checking an Altair specification costs more than drawing it)."""
    return _estimate_bars(tuple(points), x_title, language, domain, width)


@lru_cache(maxsize=256)
def _estimate_bars(
    points: tuple[Point, ...], x_title: str, language: str, domain: tuple[float, float] | None, width: int
) -> str:
    values = [p.as_dict() for p in points]
    scale = alt.Scale(domain=list(domain)) if domain is not None else alt.Undefined
    y = alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=12))
    base = alt.Chart(alt.Data(values=values))  # type: ignore[no-untyped-call]
    bars = base.mark_bar(color=BAR_COLOUR, height=14).encode(x=alt.X("value:Q", title=x_title, scale=scale), y=y)
    rules = (
        base.transform_filter("datum.low != null")
        .mark_rule(color=INTERVAL_COLOUR, strokeWidth=2)
        .encode(x="low:Q", x2="high:Q", y=y)
    )
    targets = (
        base.transform_filter("datum.target != null")
        .mark_tick(color=TARGET_COLOUR, thickness=3, size=22)
        .encode(x="target:Q", y=y)
    )
    chart = (
        alt.layer(bars, rules, targets)
        .properties(
            width=width, height=max(40, 26 * len(values)), padding={"left": 24, "right": 8, "top": 4, "bottom": 4}
        )
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
    )
    return _svg(chart.to_dict(), language)


def trend_points(
    points: Sequence[Point], *, y_title: str, language: str, domain: tuple[float, float] | None = None, width: int = 520
) -> str:
    """
        return _trend_points(tuple(points), y_title, language, domain, width)


    @lru_cache(maxsize=256)
    def _trend_points(
        points: tuple[Point, ...], y_title: str, language: str, domain: tuple[float, float] | None, width: int
    ) -> str:Estimates over campaigns (in the order given): a point per campaign joined by a line, its interval as a
        vertical rule, targets as ticks; returns the SVG text."""
    values = [dict(p.as_dict(), order=i) for i, p in enumerate(points)]
    scale = alt.Scale(domain=list(domain)) if domain is not None else alt.Scale(zero=False)
    x = alt.X("label:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=160))
    base = alt.Chart(alt.Data(values=values))  # type: ignore[no-untyped-call]
    line = base.mark_line(color=BAR_COLOUR, point=alt.OverlayMarkDef(color=BAR_COLOUR, size=70)).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=scale)
    )
    rules = (
        base.transform_filter("datum.low != null")
        .mark_rule(color=INTERVAL_COLOUR, strokeWidth=2)
        .encode(x=x, y="low:Q", y2="high:Q")
    )
    targets = (
        base.transform_filter("datum.target != null")
        .mark_tick(color=TARGET_COLOUR, thickness=3, size=26)
        .encode(x=x, y="target:Q")
    )
    chart = (
        alt.layer(line, rules, targets)
        .properties(width=width, height=220)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
    )
    return _svg(chart.to_dict(), language)


def daily_bars(
    series: Sequence[tuple[datetime.date, int]], *, x_title: str, y_title: str, language: str, width: int = 560
) -> str:
    """A bar per day; returns the SVG text."""
    values = [{"day": day.isoformat(), "n": n} for day, n in series]
    chart = (
        alt.Chart(alt.Data(values=values))  # type: ignore[no-untyped-call]
        .mark_bar(color=BAR_COLOUR)
        .encode(
            x=alt.X("day:T", title=x_title, axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=6)),
            y=alt.Y("n:Q", title=y_title, axis=alt.Axis(tickMinStep=1, format="d")),
        )
        .properties(width=width, height=180)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
    )
    return _svg(chart.to_dict(), language)


def data_uri(svg: str) -> str:
    """The SVG as a `data:` URI for an `<img>`: the picture is then one image with one text alternative."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


# dark enough to stand out from white (at least 3:1, most 4.5:1), and told apart by the table next to the chart
SERIES_COLOURS = ("#1d4f91", "#b3541e", "#2e7d32", "#6a3d9a", "#a4133c", "#00695c", "#5d4037", "#455a64")


def grouped_bars(
    rows: Sequence[tuple[str, str, int]],
    *,
    x_title: str,
    y_title: str,
    series_title: str,
    language: str,
    width: int = 560,
) -> str:
    """Bars grouped along x, one bar per series in each group (e.g. per campaign, one bar per theme); `rows` are
    (group, series, count) in the order to show. Returns the SVG text."""
    groups = list(dict.fromkeys(group for group, _series, _n in rows))
    series = list(dict.fromkeys(name for _group, name, _n in rows))
    values = [{"group": group, "series": name, "n": n} for group, name, n in rows]
    chart = (
        alt.Chart(alt.Data(values=values))  # type: ignore[no-untyped-call]
        .mark_bar()
        .encode(
            x=alt.X("group:N", title=x_title, sort=groups, axis=alt.Axis(labelAngle=0, labelLimit=160)),
            xOffset=alt.XOffset("series:N", sort=series),
            y=alt.Y("n:Q", title=y_title, axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "series:N",
                title=series_title,
                sort=series,
                scale=alt.Scale(range=list(SERIES_COLOURS)),
                # one column under the chart: vl-convert measures text a little narrower than it draws it
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
            ),
        )
        .properties(width=width, height=220)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
    )
    return _svg(chart.to_dict(), language)
