"""Reads for the impact pages: what the composer offers, and the content of a page (``compose``), computed from
facts only (``socle.measurement.dashboard``) and filtered for the public (``socle.lib.impact.public``).

The content is a JSON document (:data:`SCHEMA`) that the public page, the widget, the badge and the PDF render;
publishing stores it as it is, so a published version never depends on facts that change afterwards. Texts of the
framework (indicator labels, definitions) are kept in every language; the page picks the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from socle.collection.access import campaigns_of
from socle.collection.models import Campaign
from socle.lib.impact.public import PublicFigure, public_count, public_figure, public_rate
from socle.lib.measurement.estimate import Estimate
from socle.lib.measurement.stats import EvolutionStats, ProportionStats, RatioStats, Stats
from socle.measurement import dashboard as reads
from socle.measurement.contributions import version_indicators
from socle.measurement.queries import combined_estimate
from socle.network.access import establishments_of
from socle.network.models import Organisation
from socle.qualitative.queries import approved_quotes

__all__ = ["SCHEMA", "Candidate", "campaigns_for", "candidates", "compose", "figure_json"]

SCHEMA = 1
TREND_CAMPAIGNS = 4  # the selected campaign and up to three earlier ones of the same wave and framework


def campaigns_for(organisation_id: int) -> list[Campaign]:
    """The organisation's campaigns, latest first, with their framework versions."""
    return list(
        campaigns_of(organisation_id).select_related("framework_version__framework").order_by("-starts_on", "-pk")
    )


def _numerator(records: Iterable[Stats]) -> int | None:
    total = 0
    for record in records:
        if isinstance(record, ProportionStats):
            total += record.numerator
        elif isinstance(record, EvolutionStats):
            total += record.improved
        else:
            return None
    return total


def _figures(
    organisation_id: int, campaigns: Sequence[Campaign], codes: Iterable[str] | None
) -> dict[tuple[int, str], tuple[Estimate, PublicFigure]]:
    """(campaign id, indicator) → the organisation's estimate and its public form, for indicators over answers
    (two queries, whatever the number of campaigns)."""
    totals = reads.campaign_totals(organisation_id, campaigns)
    parts = reads.taking_part(c.pk for c in campaigns)
    wanted = None if codes is None else set(codes)
    out: dict[tuple[int, str], tuple[Estimate, PublicFigure]] = {}
    for campaign in campaigns:
        version = campaign.framework_version
        for code, indicator in version_indicators(version.pk, version.content_sha256).by_code.items():
            records = totals.get((campaign.pk, code))
            if indicator.source != "answers" or records is None or (wanted is not None and code not in wanted):
                continue
            estimate = combined_estimate(indicator, records, parts.get(campaign.pk, set()))
            out[(campaign.pk, code)] = (estimate, public_figure(estimate, _numerator(records.values())))
    return out


@dataclass(frozen=True)
class Candidate:
    """An indicator the composer offers: its label and how it would show on the public page."""

    code: str
    label: str
    unit: str
    figure: PublicFigure


def candidates(organisation_id: int, campaign: Campaign) -> list[Candidate]:
    """Every indicator over answers measured in the campaign, in the framework's order, with its public form."""
    version = campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256)
    infos = reads.indicator_infos(compiled.document)
    found = _figures(organisation_id, [campaign], None)
    return [
        Candidate(code, infos[code].label, infos[code].unit, found[(campaign.pk, code)][1])
        for code in compiled.by_code
        if (campaign.pk, code) in found
    ]


def figure_json(figure: PublicFigure) -> dict[str, Any]:
    """A public figure in the page's content: nothing of a masked figure but its status."""
    return {
        "status": figure.status,
        "value": figure.value if figure.shown else None,
        "low": figure.low if figure.shown else None,
        "high": figure.high if figure.shown else None,
        "n": figure.n if figure.status in ("ok", "E", "F") else None,
    }


def _trend_campaigns(campaign: Campaign, campaigns: Sequence[Campaign]) -> list[Campaign]:
    same = [
        c
        for c in campaigns
        if c.wave == campaign.wave
        and c.framework_version.framework_id == campaign.framework_version.framework_id
        and (c.starts_on, c.pk) <= (campaign.starts_on, campaign.pk)
    ]
    return sorted(same, key=lambda c: (c.starts_on, c.pk))[-TREND_CAMPAIGNS:]


def _indicators(
    organisation_id: int, campaign: Campaign, campaigns: Sequence[Campaign], codes: Sequence[str]
) -> list[dict[str, Any]]:
    version = campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256)
    specs = {str(spec["code"]): spec for spec in compiled.document.get("indicators", []) or []}
    trend = _trend_campaigns(campaign, campaigns)
    found = _figures(organisation_id, trend, codes)
    out = []
    for code in codes:
        spec = specs.get(code)
        if spec is None or (campaign.pk, code) not in found:
            continue  # not an indicator of this campaign, or not measured in it: nothing to show
        out.append(
            {
                "code": code,
                "label": spec.get("label"),
                "definition": spec.get("definition"),
                "kind": compiled.by_code[code].kind,
                "unit": str(spec.get("unit", "")),
                "direction": str(spec.get("direction", "none")),
                "outcomes": [str(o) for o in spec.get("outcomes", []) or []],
                "figure": figure_json(found[(campaign.pk, code)][1]),
                "trend": [
                    {"campaign": c.name, "starts_on": c.starts_on.isoformat(), **figure_json(found[(c.pk, code)][1])}
                    for c in trend
                    if (c.pk, code) in found
                ],
            }
        )
    return out


def _activity(organisation_id: int, campaign: Campaign) -> list[dict[str, Any]]:
    version = campaign.framework_version
    compiled = version_indicators(version.pk, version.content_sha256)
    infos = reads.indicator_infos(compiled.document)
    specs = {str(spec["code"]): spec for spec in compiled.document.get("indicators", []) or []}
    out = []
    # the campaign's year, else the year before (a campaign often starts before its year's activity is reported)
    year = campaign.starts_on.year
    rows = reads.activity_results(organisation_id, campaign, infos, compiled.by_code, year=year)
    if not rows:
        rows = reads.activity_results(organisation_id, campaign, infos, compiled.by_code, year=year - 1)
    for row in rows:
        if isinstance(row.total, RatioStats):
            shown = public_rate(row.estimate.value, row.total.numerator, row.total.denominator)
        else:
            shown = public_count(row.estimate.value, people=True)
        if not shown.shown and shown.below is None:
            continue  # a rate that may not be shown is left out (a count says "fewer than 11")
        out.append(
            {
                "code": row.info.code,
                "label": specs[row.info.code].get("label"),
                "unit": row.info.unit,
                "year": row.period,
                "value": shown.value,
                "below": shown.below,
            }
        )
    return out


def _quotes(organisation_id: int, chosen: Sequence[str]) -> list[dict[str, Any]]:
    approved = {str(q.public_id): q for q in approved_quotes(organisation_id)}
    return [
        {"id": key, "text": approved[key].text, "month": approved[key].approved_at.strftime("%Y-%m")}
        for key in chosen
        if key in approved
    ]


def _sector(organisation: Organisation) -> dict[str, Any] | None:
    """The latest published sector figures the organisation's answers count in: which, and how many of its
    establishments took part."""
    from socle.sector.access import publications_of
    from socle.sector.inputs import organisation_records

    joined = set(
        campaigns_of(organisation.pk).filter(sector_campaign__isnull=False).values_list("sector_campaign_id", flat=True)
    )
    if not joined:
        return None
    publication = next(
        (
            p
            for p in publications_of(organisation.network)
            .filter(sector_campaign_id__in=joined)
            .select_related("sector_campaign", "consolidation")
            .order_by("-published_at", "-version")
            # the figures its answers were counted in (the consolidation's participants stay inside the network)
            if organisation.pk in p.consolidation.results.get("participants", {}).get("organisation_ids", [])
        ),
        None,
    )
    if publication is None:
        return None
    records = organisation_records(organisation.pk, publication.sector_campaign)
    establishments = {key for cell in records.values() for key in cell}
    if not establishments:
        return None
    return {
        "network": organisation.network.name,
        "network_slug": organisation.network.slug,
        "campaign": publication.sector_campaign.name,
        "code": publication.sector_campaign.code,
        "version": publication.version,
        "published_at": publication.published_at.date().isoformat(),
        "establishments": len(establishments),
    }


def compose(organisation: Organisation, page: Any, photos: Sequence[Any] = ()) -> dict[str, Any]:
    """The page's content as the public would see it, from the draft ``page`` (an ``ImpactPage``) and its
    ``photos``: every figure filtered, nothing else read from answers."""
    campaigns = campaigns_for(organisation.pk)
    campaign = next((c for c in campaigns if c.pk == page.campaign_id), None)
    content: dict[str, Any] = {
        "schema": SCHEMA,
        "organisation": {"name": organisation.name, "slug": organisation.slug},
        "network": {"name": organisation.network.name, "slug": organisation.network.slug},
        "mission": page.mission,
        "activities": page.activities,
        "imp": {
            "what": page.imp_what,
            "who": page.imp_who,
            "how_much": page.imp_how_much,
            "contribution": page.imp_contribution,
            "risk": page.imp_risk,
        },
        "establishments": establishments_of(organisation).count(),
        "campaign": None,
        "indicators": [],
        "activity": [],
        "theory_of_change": None,
        "quotes": _quotes(organisation.pk, [str(q) for q in page.quotes]),
        "photos": [
            {"id": str(p.public_id), "alt": p.alt_text, "caption": p.caption, "width": p.width, "height": p.height}
            for p in photos
        ],
        "sector": _sector(organisation) if page.show_sector else None,
    }
    if campaign is not None:
        version = campaign.framework_version
        content["campaign"] = {
            "name": campaign.name,
            "wave": campaign.wave,
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            "framework": version.content.get("title") or version.framework.slug,
        }
        content["indicators"] = _indicators(organisation.pk, campaign, campaigns, [str(c) for c in page.indicators])
        if page.show_activity:
            content["activity"] = _activity(organisation.pk, campaign)
        if page.show_theory_of_change:
            content["theory_of_change"] = {"version": version.pk, "sha256": version.content_sha256}
    return content
