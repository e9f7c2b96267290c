"""The one way views reach open answers, themes and quote proposals.

Open answers are raw answers: the organisation's admins and staff read and code them; facilitators and everyone
else get 404, as on the submissions page. Counts per theme are aggregates: consenting facilitators read them too.
Approving or withdrawing a quote is the admins' (staff get 403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.network.access import OrganisationAccess, get_organisation_for_staff, get_organisation_for_user
from socle.qualitative.models import Coding, QuoteProposal, Theme


def themes_of(organisation_id: int) -> QuerySet[Theme]:
    """Every query for an organisation's themes starts here (tenant key: organisation_id)."""
    return Theme.objects.filter(organisation_id=organisation_id)


def codings_of(organisation_id: int) -> QuerySet[Coding]:
    return Coding.objects.filter(organisation_id=organisation_id)


def proposals_of(organisation_id: int) -> QuerySet[QuoteProposal]:
    return QuoteProposal.objects.filter(organisation_id=organisation_id)


def get_open_answers_for_user(request: HttpRequest, slug: str, *, admin: bool = False) -> OrganisationAccess:
    """The organisation's own people (admins and staff) only; `admin=True` for what only its admins do."""
    access = get_organisation_for_user(request, slug)
    if not access.is_member_staff:
        raise Http404
    if admin and not access.can_write:
        raise PermissionDenied
    return access


# Counts per theme: the organisation's people and consenting facilitators read them; its admins and staff manage
# the themes (a facilitator gets 403).
get_theme_counts_for_user = get_organisation_for_staff
