"""The one way views reach impact pages, their photos and their published versions.

Inside the organisation: its people and consenting facilitators read the composer, the preview and the versions
(everything there is already filtered for the public); only its admins change the page, publish or unpublish it
(others get 403). Outside: anybody reads the latest version of a published page; an unknown organisation, a page
never published or unpublished is a 404, as is a photo the page does not show.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest

from socle.impact.models import ImpactPage, ImpactPhoto, ImpactPublication
from socle.network.access import OrganisationAccess, get_organisation_for_user
from socle.network.models import Organisation


def pages_of(organisation_id: int) -> QuerySet[ImpactPage]:
    """Every query for an organisation's impact page starts here (tenant key: organisation_id)."""
    return ImpactPage.objects.filter(organisation_id=organisation_id)


def photos_of(organisation_id: int) -> QuerySet[ImpactPhoto]:
    return ImpactPhoto.objects.filter(organisation_id=organisation_id)


def publications_of(organisation_id: int) -> QuerySet[ImpactPublication]:
    return ImpactPublication.objects.filter(organisation_id=organisation_id)


def page_of(organisation: Organisation) -> ImpactPage:
    """The organisation's page; an empty draft, not saved, the first time (reading writes nothing)."""
    return pages_of(organisation.pk).first() or ImpactPage(organisation=organisation)


def get_page_for_user(request: HttpRequest, slug: str, *, write: bool = False) -> OrganisationAccess:
    """The organisation's people and consenting facilitators; ``write=True`` for its admins only."""
    return get_organisation_for_user(request, slug, write=write)


def get_published(slug: str) -> tuple[Organisation, ImpactPublication]:
    """The latest version of a published page, for anybody; 404 otherwise."""
    organisation = Organisation.objects.select_related("network").filter(slug=slug, is_member=True).first()
    if organisation is None or not pages_of(organisation.pk).filter(published=True).exists():
        raise Http404
    publication = publications_of(organisation.pk).order_by("-version").first()
    if publication is None:
        raise Http404
    return organisation, publication


def published_pages(network_id: int) -> QuerySet[ImpactPublication]:
    """The latest version of every published page of a network's members (the public directory), by name."""
    pages = ImpactPage.objects.filter(published=True, organisation__network_id=network_id, organisation__is_member=True)
    latest = ImpactPublication.objects.filter(organisation_id=OuterRef("organisation_id")).order_by("-version")
    return (
        ImpactPublication.objects.filter(
            organisation_id__in=pages.values("organisation_id"), version=Subquery(latest.values("version")[:1])
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
