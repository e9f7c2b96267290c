"""The one way the token pages reach an organisation's API tokens.

Tokens are the organisation admin's business: they open the organisation's raw answers to outside tools. Only
its admins see the list and change it; its staff and consenting facilitators get 403 (they may know the
organisation, not its tokens), outsiders 404 (`get_organisation_for_user(..., write=True)`).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.api.models import ApiToken
from socle.network.access import OrganisationAccess, get_organisation_for_user
from socle.network.models import Organisation


def tokens_of(organisation: Organisation) -> QuerySet[ApiToken]:
    """Every query for an organisation's tokens starts here (tenant key: organisation_id)."""
    return ApiToken.objects.filter(organisation_id=organisation.pk)


def get_tokens_for_user(request: HttpRequest, slug: str) -> OrganisationAccess:
    """The organisation whose tokens the user manages: admins only, even to read."""
    return get_organisation_for_user(request, slug, write=True)


def get_token_for_user(request: HttpRequest, slug: str, public_id: UUID) -> tuple[OrganisationAccess, ApiToken]:
    access = get_tokens_for_user(request, slug)
    token = tokens_of(access.organisation).select_related("created_by").filter(public_id=public_id).first()
    if token is None:
        raise Http404
    return access, token
