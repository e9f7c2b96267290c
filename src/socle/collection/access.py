"""The one way views and the API reach collection rows.

- A **collection link** is public: anybody with its code may answer, while its campaign is open (not closed, and
  today within its dates). Unknown codes and closed campaigns get 404 — a closed link says nothing more.
- A **campaign** belongs to its organisation: its people and consenting facilitators read it, its admins open
  and close it (`socle.network.access.get_organisation_for_user`).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from socle.collection.models import Campaign, CollectionLink
from socle.network.access import OrganisationAccess, get_organisation_for_user


def campaigns_of(organisation_id: int) -> QuerySet[Campaign]:
    """Every query for an organisation's campaigns starts here (tenant key: organisation_id)."""
    return Campaign.objects.filter(organisation_id=organisation_id)


def get_link_for_respondent(code: str) -> CollectionLink:
    link = (
        CollectionLink.objects.select_related(
            "campaign__framework_version__base_version", "campaign__organisation", "establishment"
        )
        .filter(code=code.lower())
        .first()
    )
    if link is None:
        raise Http404
    campaign = link.campaign
    today = timezone.localdate()
    if campaign.closed_at is not None or not (campaign.starts_on <= today <= campaign.ends_on):
        raise Http404
    return link


def get_campaign_for_user(
    request: HttpRequest, organisation_slug: str, public_id: UUID, *, write: bool = False
) -> tuple[OrganisationAccess, Campaign]:
    access = get_organisation_for_user(request, organisation_slug, write=write)
    campaign = (
        Campaign.objects.select_related("framework_version__framework", "framework_version__base_version")
        .filter(organisation_id=access.organisation.pk, public_id=public_id)
        .first()
    )
    if campaign is None:
        raise Http404
    return access, campaign
