"""From a page's content (``queries.compose``) to what templates show, in the reader's language: labels, the
charts and the badge (``socle.lib.impact.svg``), the theory of change, the photos' addresses. Nothing here reads
facts: a published page is rendered from its stored content only."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.frameworks import presentation as framework_presentation
from socle.frameworks.models import text_in
from socle.lib.frameworks import diagram
from socle.lib.impact import svg
from socle.measurement.contributions import version_indicators

NBSP = "\u00a0"


def shown_value(value: float | None, unit: str) -> str:
    """``82 %``, ``3,4`` (localised), or an em dash."""
    if value is None:
        return "—"
    whole = float(value).is_integer() or unit == "%"
    text = floatformat(value, 0 if whole else 1)
    return f"{text}{NBSP}{unit}" if unit else str(text)


@dataclass
class IndicatorView:
    code: str
    label: str
    definition: str
    unit: str
    kind: str
    figure: dict[str, Any]
    trend: list[dict[str, Any]]
    chart: SafeString | str = ""

    @property
    def value(self) -> str:
        return shown_value(self.figure["value"], self.unit)

    @property
    def interval(self) -> str:
        low, high = self.figure["low"], self.figure["high"]
        if low is None or high is None:
            return ""
        return f"{shown_value(low, '')} – {shown_value(high, self.unit)}"


@dataclass
class PageView:
    content: Mapping[str, Any]
    indicators: list[IndicatorView] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)
    theory_of_change: SafeString | str = ""
    photos: list[dict[str, Any]] = field(default_factory=list)
    headline: IndicatorView | None = None
    campaign: dict[str, Any] | None = None
    quotes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def imp(self) -> list[tuple[str, str]]:
        texts = self.content.get("imp", {})
        return [(str(label), texts.get(key, "")) for key, label in IMP_DIMENSIONS if texts.get(key, "").strip()]


IMP_DIMENSIONS = (
    ("what", gettext_lazy("What")),
    ("who", gettext_lazy("Who")),
    ("how_much", gettext_lazy("How much")),
    ("contribution", gettext_lazy("Contribution")),
    ("risk", gettext_lazy("Risk")),
)


@lru_cache(maxsize=64)
def _toc_layout(version_pk: int, content_sha256: str, language: str, highlight: tuple[str, ...]) -> diagram.Layout:
    document = version_indicators(version_pk, content_sha256).document
    return diagram.layout(document.get("nodes", []), document.get("links", []), language=language, highlight=highlight)


def _chart(indicator: IndicatorView) -> str:
    points = [
        svg.TrendPoint(
            date_format(datetime.date.fromisoformat(point["starts_on"]), "M Y"),
            point["value"],
            point["low"],
            point["high"],
        )
        for point in indicator.trend
    ]
    if not any(p.value is not None for p in points):
        return ""
    percent = indicator.unit == "%"
    return svg.trend_chart(
        points,
        title=_("%(indicator)s, campaign after campaign") % {"indicator": indicator.label},
        maximum=100.0 if percent else None,
        unit=f"{NBSP}%" if percent else "",
    )


def page_view(content: Mapping[str, Any], photo_url: Callable[[str], str], *, charts: bool = True) -> PageView:
    """What the page shows of ``content``; ``photo_url`` gives a photo's address from its id."""
    view = PageView(content)
    for item in content.get("indicators", []):
        indicator = IndicatorView(
            code=item["code"],
            label=text_in(item.get("label")) or item["code"],
            definition=text_in(item.get("definition")),
            unit=item.get("unit", ""),
            kind=item.get("kind", ""),
            figure=item["figure"],
            trend=item.get("trend", []),
        )
        if charts and indicator.figure["value"] is not None and len(indicator.trend) > 1:
            indicator.chart = mark_safe(_chart(indicator))  # noqa: S308 - every text in it is escaped by svg
        view.indicators.append(indicator)
    view.headline = next((i for i in view.indicators if i.figure["value"] is not None), None)
    view.activity = [
        {
            **row,
            "label_text": text_in(row.get("label")) or row["code"],
            "shown": shown_value(row["value"], row.get("unit", "")),
        }
        for row in content.get("activity", [])
    ]
    toc = content.get("theory_of_change")
    if toc:
        highlight = tuple(
            sorted(
                {
                    o
                    for item in content.get("indicators", [])
                    if item["figure"]["value"] is not None
                    for o in item.get("outcomes", [])
                }
            )
        )
        view.theory_of_change = mark_safe(  # noqa: S308 - the diagram escapes every text
            diagram.render_svg(
                _toc_layout(int(toc["version"]), str(toc["sha256"]), framework_presentation.language(), highlight),
                title=_("Theory of change: the outcomes with a figure on this page are drawn thicker"),
                column_titles={k: str(v) for k, v in framework_presentation.STAGE_TITLES.items()},
                highlight=highlight,
            )
        )
    view.photos = [{**photo, "url": photo_url(photo["id"])} for photo in content.get("photos", [])]
    campaign = content.get("campaign")
    if campaign:
        view.campaign = {
            **campaign,
            "starts_on": datetime.date.fromisoformat(campaign["starts_on"]),
            "ends_on": datetime.date.fromisoformat(campaign["ends_on"]),
        }
    view.quotes = [
        {**quote, "month": datetime.date.fromisoformat(f"{quote['month']}-01")} for quote in content.get("quotes", [])
    ]
    return view


def badge_text(view: PageView) -> tuple[str, str]:
    """(the figure, what it says) of the badge: the headline indicator, or the organisation's name alone."""
    if view.headline is None:
        return _("Impact"), str(view.content["organisation"]["name"])
    return view.headline.value, view.headline.label
