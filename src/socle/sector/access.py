"""The one way to reach sector consolidations, members' reviews and publications.

- Network staff (admins write, analysts read) reach their network's consolidations:
  :func:`get_consolidation_for_network`.
- A member organisation reaches the consolidations of the sector campaigns it took part in, once they are opened
  to review (never a draft): :func:`get_consolidation_for_member`. Its admins review; staff and consenting
  facilitators read.
- Anybody reaches published figures: :func:`publications_of`, :func:`get_publication` (404 when there is none).
- Network staff reach their network's publications (:func:`get_publication_for_network`: admins start a report's
  PDF) and its report jobs (:func:`get_report_job_for_network`: staff follow and download them).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.collection.models import SectorCampaign
from socle.network.access import NetworkAccess, OrganisationAccess, get_network_for_user, get_organisation_for_user
from socle.network.models import Network
from socle.sector.models import Consolidation, ConsolidationStatus, Publication, ReportJob

__all__ = [
    "consolidations_for_member",
    "consolidations_of",
    "get_consolidation_for_member",
    "get_consolidation_for_network",
    "get_publication",
    "get_publication_for_network",
    "get_report_job_for_network",
    "publications_of",
    "report_jobs_of",
]


def consolidations_of(network_id: int) -> QuerySet[Consolidation]:
    """Every query for a network's consolidations starts here (tenant key: network_id)."""
    return Consolidation.objects.filter(network_id=network_id)


def get_consolidation_for_network(
    request: HttpRequest, slug: str, public_id: UUID, *, write: bool = False
) -> tuple[NetworkAccess, Consolidation]:
    access = get_network_for_user(request, slug, write=write)
    consolidation = (
        consolidations_of(access.network.pk)
        .select_related("sector_campaign__framework_version__framework")
        .filter(public_id=public_id)
        .first()
    )
    if consolidation is None:
        raise Http404
    return access, consolidation


def consolidations_for_member(organisation_id: int, network_id: int) -> QuerySet[Consolidation]:
    """Consolidations a member may read: of its network, opened to review or published, of a sector campaign one of
    its campaigns joined."""
    return (
        consolidations_of(network_id)
        .filter(status__in=[ConsolidationStatus.REVIEW, ConsolidationStatus.PUBLISHED, ConsolidationStatus.SUPERSEDED])
        .filter(review_opened_at__isnull=False, sector_campaign__member_campaigns__organisation_id=organisation_id)
        .distinct()
    )


def get_consolidation_for_member(
    request: HttpRequest, slug: str, public_id: UUID, *, write: bool = False
) -> tuple[OrganisationAccess, Consolidation]:
    access = get_organisation_for_user(request, slug, write=write)
    organisation = access.organisation
    consolidation = (
        consolidations_for_member(organisation.pk, organisation.network_id)
        .select_related("sector_campaign__framework_version__framework")
        .filter(public_id=public_id)
        .first()
    )
    if consolidation is None:
        raise Http404
    return access, consolidation


def publications_of(network: Network) -> QuerySet[Publication]:
    """Published figures of a network: public."""
    return Publication.objects.filter(network=network)


def get_publication(
    network_slug: str, code: str, version: int | None = None
) -> tuple[Network, SectorCampaign, Publication]:
    """A sector campaign's published figures (its latest version unless ``version``), for anybody; 404 when the
    network, the campaign or the version is unknown or nothing is published."""
    network = Network.objects.filter(slug=network_slug).first()
    if network is None:
        raise Http404
    publications = publications_of(network).select_related("sector_campaign").filter(sector_campaign__code=code)
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.order_by("-version").first()
    if publication is None:
        raise Http404
    return network, publication.sector_campaign, publication


def get_publication_for_network(
    request: HttpRequest, slug: str, public_id: UUID, *, write: bool = False
) -> tuple[NetworkAccess, Publication]:
    access = get_network_for_user(request, slug, write=write)
    publication = (
        publications_of(access.network)
        .select_related("sector_campaign__framework_version__framework")
        .filter(public_id=public_id)
        .first()
    )
    if publication is None:
        raise Http404
    return access, publication


def report_jobs_of(network_id: int) -> QuerySet[ReportJob]:
    """Every query for a network's report jobs starts here (tenant key: network_id)."""
    return ReportJob.objects.filter(network_id=network_id)


def get_report_job_for_network(request: HttpRequest, slug: str, public_id: UUID) -> tuple[NetworkAccess, ReportJob]:
    access = get_network_for_user(request, slug)
    job = (
        report_jobs_of(access.network.pk)
        .select_related("publication__sector_campaign", "created_by")
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise Http404
    return access, job
