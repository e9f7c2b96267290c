"""Template helpers of the sector pages: the régions a publication's report can be restricted to, and a network's
latest report jobs."""

from __future__ import annotations

from django import template

from socle.network.models import Network
from socle.sector.access import report_jobs_of
from socle.sector.models import Publication, ReportJob
from socle.sector.presentation import method_label, unit_label
from socle.sector.report import regions_of

register = template.Library()

RECENT_JOBS = 10


@register.filter
def report_regions(publication: Publication) -> list[tuple[str, str]]:
    """`{% for code, name in publication|report_regions %}`: (code, name) of the régions its figures cover."""
    return regions_of(publication.figures)


@register.filter
def cost_unit(code: str) -> str:
    """A unit cost's unit in the active language."""
    return unit_label(code)


@register.filter
def weighting_method(code: str) -> str:
    """A weighting method's name in the active language."""
    return method_label(code)


@register.simple_tag
def recent_report_jobs(network: Network) -> list[ReportJob]:
    """The network's latest report jobs started by its staff (not the public page's PDFs)."""
    return list(
        report_jobs_of(network.pk)
        .filter(for_public=False)
        .select_related("publication__sector_campaign", "created_by")
        .defer("content")
        .order_by("-created_at")[:RECENT_JOBS]
    )
