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
