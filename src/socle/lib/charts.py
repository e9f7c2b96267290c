"""Charts drawn on the server: Altair builds a Vega-Lite specification, vl-convert renders it to SVG.

Pages show the SVG as an image with a short text alternative, next to a table of the same figures (a chart is
never the only way to read a number). Rendering needs no browser and no network.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from typing import Any, Literal

import altair as alt
import vl_convert as vlc

BAR_COLOUR = "#1d4f91"  # the site's link blue: 8.6:1 on white
Locale = Literal["fr-FR", "en-GB"]
LOCALES: dict[str, Locale] = {"fr": "fr-FR", "en": "en-GB"}


def _svg(spec: dict[str, Any], language: str) -> str:
    locale: Locale = LOCALES.get(language, "fr-FR")
    return str(vlc.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale))


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
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=240),
            ),
        )
        .properties(width=width, height=200)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12)
        .configure_view(stroke=None)
    )
    return _svg(chart.to_dict(), language)
