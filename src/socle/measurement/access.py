"""The one way to reach facts: every query for an organisation's facts starts from :func:`facts_of`.

Facts carry no page of their own yet; a view that shows them first calls its organisation access helper
(``socle.network.access.get_organisation_for_user``), then reads with the organisation's id.
"""

from __future__ import annotations

from django.db.models import QuerySet

from socle.measurement.models import Fact


def facts_of(organisation_id: int) -> QuerySet[Fact]:
    """The organisation's facts, and no other's (tenant key: ``organisation_id``)."""
    return Fact.objects.filter(organisation_id=organisation_id)


def facts_of_sector_campaign(sector_campaign_id: int) -> QuerySet[Fact]:
    """The facts of every member campaign that joined a sector campaign, across organisations: only for the
    network's consolidation (``socle.sector.inputs``), whose every output goes through disclosure control
    (``socle.lib.sector.disclosure``). Never shown as such."""
    return Fact.objects.filter(campaign__sector_campaign_id=sector_campaign_id)
