"""The one way views and the API reach collection rows.

- A **collection link** is public: anybody with its code may answer, while its campaign is open (not closed, and
  today within its dates). Unknown codes and closed campaigns get 404 — a closed link says nothing more.
- A **campaign** belongs to its organisation: its people and consenting facilitators read it, its admins open
  and close it (`socle.network.access.get_organisation_for_user`).
- A **sector campaign** belongs to its network: network staff read it, network admins open it; members see the
  open sector campaigns of their network when they open a campaign that joins one. Network staff see members'
  participation in it (counts), never their answers.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from socle.collection.models import Campaign, CollectionLink, SectorCampaign, Submission
from socle.network.access import NetworkAccess, OrganisationAccess, get_network_for_user, get_organisation_for_user
from socle.network.models import Organisation


def campaigns_of(organisation_id: int) -> QuerySet[Campaign]:
    """Every query for an organisation's campaigns starts here (tenant key: organisation_id)."""
    return Campaign.objects.filter(organisation_id=organisation_id)


def submissions_of(organisation_id: int) -> QuerySet[Submission]:
    """Every query for an organisation's submissions (raw answers) starts here (tenant key: organisation_id)."""
    return Submission.objects.filter(organisation_id=organisation_id)


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


def sector_campaigns_of(network_id: int) -> QuerySet[SectorCampaign]:
    """Every query for a network's sector campaigns starts here (tenant key: network_id)."""
    return SectorCampaign.objects.filter(network_id=network_id)


def open_sector_campaigns_for(organisation: Organisation) -> QuerySet[SectorCampaign]:
    """The sector campaigns of the organisation's network that a campaign may still join."""
    today = timezone.localdate()
    return sector_campaigns_of(organisation.network_id).filter(closed_at__isnull=True, ends_on__gte=today)


def get_sector_campaign_for_user(
    request: HttpRequest, network_slug: str, public_id: UUID, *, write: bool = False
) -> tuple[NetworkAccess, SectorCampaign]:
    access = get_network_for_user(request, network_slug, write=write)
    sector_campaign = (
        sector_campaigns_of(access.network.pk)
        .select_related("framework_version__framework")
        .filter(public_id=public_id)
        .first()
    )
    if sector_campaign is None:
        raise Http404
    return access, sector_campaign


def get_submission_for_user(
    request: HttpRequest, organisation_slug: str, public_id: UUID, submission_uuid: UUID
) -> tuple[OrganisationAccess, Campaign, Submission]:
    """A submission's raw answers: for the organisation's own people (admins and staff) only — facilitators and
    everyone else get 404, as raw answers never leave the organisation."""
    access, campaign = get_campaign_for_user(request, organisation_slug, public_id)
    if not access.is_member_staff:
        raise Http404
    submission = (
        Submission.objects.select_related("establishment", "framework_version", "entered_by", "organisation__network")
        .filter(organisation_id=access.organisation.pk, campaign=campaign, uuid=submission_uuid)
        .first()
    )
    if submission is None:
        raise Http404
    return access, campaign, submission
