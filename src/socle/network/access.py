"""The one way views and API endpoints reach tenant-owned data.

Each helper is called first by a view. It returns the object with the caller's role, raises ``Http404`` for
anybody who may not know the object exists (outsiders), and ``PermissionDenied`` (403) when a role may read but
the view writes. Superusers get no special treatment here: they use the Django admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.network.models import (
    Establishment,
    FacilitatorConsent,
    Membership,
    Network,
    Organisation,
    Role,
)

NETWORK_STAFF_ROLES = (Role.NETWORK_ADMIN, Role.NETWORK_ANALYST)


@dataclass(frozen=True)
class NetworkAccess:
    network: Network
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == Role.NETWORK_ADMIN


@dataclass(frozen=True)
class OrganisationAccess:
    organisation: Organisation
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == Role.ORG_ADMIN

    @property
    def is_member_staff(self) -> bool:
        return self.role in (Role.ORG_ADMIN, Role.ORG_STAFF)


@dataclass(frozen=True)
class StaffWriteAccess(OrganisationAccess):
    """For what the organisation's admins **and staff** write (activity data, targets and action plans, themes of
    open answers): the people who run the establishments do it. Facilitators read only."""

    @property
    def can_write(self) -> bool:
        return self.is_member_staff


def _user(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404
    return user


def get_network_for_user(request: HttpRequest, slug: str, *, write: bool = False) -> NetworkAccess:
    """The network whose staff (admin, analyst) the user is; analysts read only."""
    user = _user(request)
    membership = (
        Membership.objects.select_related("network")
        .filter(user=user, network__slug=slug, organisation__isnull=True, role__in=NETWORK_STAFF_ROLES)
        .first()
    )
    if membership is None:
        raise Http404
    access = NetworkAccess(membership.network, membership.role)
    if write and not access.can_write:
        raise PermissionDenied
    return access


def get_member_for_network_user(
    request: HttpRequest, network_slug: str, organisation_slug: str, *, write: bool = False
) -> tuple[NetworkAccess, Organisation]:
    """An organisation of the network's frame, as network staff see it (never its raw data)."""
    access = get_network_for_user(request, network_slug, write=write)
    organisation = Organisation.objects.filter(network=access.network, slug=organisation_slug).first()
    if organisation is None:
        raise Http404
    return access, organisation


def get_organisation_for_user(request: HttpRequest, slug: str, *, write: bool = False) -> OrganisationAccess:
    """The organisation the user works for, or that consented to the user as facilitator."""
    user = _user(request)
    membership = (
        Membership.objects.select_related("organisation__network").filter(user=user, organisation__slug=slug).first()
    )
    if membership is not None and membership.organisation is not None:
        access = OrganisationAccess(membership.organisation, membership.role)
    else:
        consent = (
            FacilitatorConsent.objects.select_related("organisation__network")
            .filter(facilitator=user, organisation__slug=slug, revoked_at__isnull=True)
            .first()
        )
        if (
            consent is None
            or not Membership.objects.filter(
                user=user,
                network=consent.organisation.network,
                organisation__isnull=True,
                role=Role.FACILITATOR,
            ).exists()
        ):
            raise Http404
        access = OrganisationAccess(consent.organisation, Role.FACILITATOR)
    if write and not access.can_write:
        raise PermissionDenied
    return access


def get_organisation_for_staff(request: HttpRequest, slug: str, *, write: bool = False) -> StaffWriteAccess:
    """As :func:`get_organisation_for_user` (404 for outsiders), for what admins and staff write: a write by a
    facilitator is 403."""
    found = get_organisation_for_user(request, slug)
    access = StaffWriteAccess(found.organisation, found.role)
    if write and not access.can_write:
        raise PermissionDenied
    return access


def get_establishment_for_user(
    request: HttpRequest, organisation_slug: str, public_id: UUID, *, write: bool = False
) -> tuple[OrganisationAccess, Establishment]:
    access = get_organisation_for_user(request, organisation_slug, write=write)
    establishment = establishments_of(access.organisation).select_related("type").filter(public_id=public_id).first()
    if establishment is None:
        raise Http404
    return access, establishment


def establishments_of(organisation: Organisation) -> QuerySet[Establishment]:
    """Every query for an organisation's establishments starts here (tenant key: organisation_id)."""
    return Establishment.objects.filter(organisation_id=organisation.pk)


@dataclass(frozen=True)
class Space:
    """A place the user can go to: a network (as staff) or an organisation."""

    kind: str  # "network" | "organisation"
    slug: str
    name: str
    role: str
    role_label: str


def spaces_for_user(user) -> list[Space]:  # type: ignore[no-untyped-def]
    if not user.is_authenticated:
        return []
    spaces: list[Space] = []
    memberships = Membership.objects.filter(user=user).select_related("network", "organisation")
    facilitator_networks = []
    for membership in memberships:
        if membership.organisation is not None:
            spaces.append(
                Space(
                    "organisation",
                    membership.organisation.slug,
                    membership.organisation.name,
                    membership.role,
                    str(membership.get_role_display()),
                )
            )
        elif membership.role == Role.FACILITATOR:
            facilitator_networks.append(membership.network_id)
        else:
            spaces.append(
                Space(
                    "network",
                    membership.network.slug,
                    membership.network.name,
                    membership.role,
                    str(membership.get_role_display()),
                )
            )
    if facilitator_networks:
        consents = FacilitatorConsent.objects.filter(
            facilitator=user, revoked_at__isnull=True, organisation__network_id__in=facilitator_networks
        ).select_related("organisation")
        label = str(Role.FACILITATOR.label)
        spaces.extend(
            Space("organisation", c.organisation.slug, c.organisation.name, Role.FACILITATOR, label) for c in consents
        )
    return sorted(spaces, key=lambda s: (s.kind != "network", s.name.lower()))
