"""The one way views and the API reach frameworks and their versions.

Who sees what:

- a **sector framework** is seen by its network's staff (admins edit drafts, publish and run consultations;
  analysts read, drafts included), its facilitators (published versions), and the staff of its member
  organisations (published versions, and a draft while it is open or was opened to consultation);
- an **organisation framework** is seen by the organisation's people and consented facilitators; its admins
  edit it. Network staff do not see it (an organisation's framework is its own business until it publishes
  results).

Anybody else gets 404; a role that may read but not write gets 403 on writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from socle.frameworks.models import Framework, FrameworkVersion
from socle.network.access import OrganisationAccess, get_organisation_for_user
from socle.network.models import Membership, Organisation, Role


@dataclass(frozen=True)
class FrameworkAccess:
    framework: Framework
    role: str
    # The organisation the person acts for: the owner of an organisation framework, or, for a sector
    # framework seen by a member, the member organisation (used for consultation comments and views).
    organisation: Organisation | None = None

    @property
    def can_write(self) -> bool:
        if self.framework.is_sector:
            return self.role == Role.NETWORK_ADMIN
        return self.role == Role.ORG_ADMIN

    @property
    def is_network_staff(self) -> bool:
        return self.role in (Role.NETWORK_ADMIN, Role.NETWORK_ANALYST)

    @property
    def is_member_staff(self) -> bool:
        """Admin or staff of the organisation in question (for the organisation's sub-navigation)."""
        return self.role in (Role.ORG_ADMIN, Role.ORG_STAFF)

    @property
    def is_member(self) -> bool:
        """Staff of a member organisation looking at the sector framework."""
        return self.framework.is_sector and self.role in (Role.ORG_ADMIN, Role.ORG_STAFF)

    @property
    def can_give_views(self) -> bool:
        return self.is_member and self.role == Role.ORG_ADMIN

    @property
    def sees_drafts(self) -> bool:
        return self.is_network_staff or not self.framework.is_sector

    def versions(self) -> QuerySet[FrameworkVersion]:
        """The versions this person may open."""
        versions = FrameworkVersion.objects.filter(framework=self.framework)
        if self.sees_drafts:
            return versions
        if self.is_member:
            return versions.filter(Q(status=FrameworkVersion.Status.PUBLISHED) | Q(consultation__isnull=False))
        return versions.filter(status=FrameworkVersion.Status.PUBLISHED)


def _sector_role(user, framework: Framework) -> tuple[str, Organisation | None] | None:  # type: ignore[no-untyped-def]
    memberships = list(
        Membership.objects.select_related("organisation")
        .filter(user=user, network_id=framework.network_id)
        .order_by("id")
    )
    for membership in memberships:
        if membership.organisation_id is None and membership.role in (Role.NETWORK_ADMIN, Role.NETWORK_ANALYST):
            return membership.role, None
    members = [m for m in memberships if m.organisation is not None and m.organisation.is_member]
    members.sort(key=lambda m: m.role != Role.ORG_ADMIN)  # an admin role first, if the person has one
    if members:
        return members[0].role, members[0].organisation
    if any(m.organisation_id is None and m.role == Role.FACILITATOR for m in memberships):
        return Role.FACILITATOR, None
    return None


def get_framework_for_user(request: HttpRequest, slug: str, *, write: bool = False) -> FrameworkAccess:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404
    framework = Framework.objects.select_related("network", "organisation", "field", "base").filter(slug=slug).first()
    if framework is None:
        raise Http404
    if framework.is_sector:
        found = _sector_role(user, framework)
        if found is None:
            raise Http404
        access = FrameworkAccess(framework, found[0], found[1])
    else:
        assert framework.organisation is not None
        organisation_access: OrganisationAccess = get_organisation_for_user(request, framework.organisation.slug)
        access = FrameworkAccess(framework, organisation_access.role, organisation_access.organisation)
    if write and not access.can_write:
        raise PermissionDenied
    return access


def get_version_for_user(
    request: HttpRequest, slug: str, number: int, *, write: bool = False
) -> tuple[FrameworkAccess, FrameworkVersion]:
    access = get_framework_for_user(request, slug, write=write)
    version = access.versions().select_related("base_version__framework").filter(number=number).first()
    if version is None:
        raise Http404
    return access, version


def sector_frameworks_for_organisation(organisation: Organisation) -> QuerySet[Framework]:
    """The sector frameworks an organisation's network offers it to adopt."""
    return Framework.objects.filter(network_id=organisation.network_id, kind=Framework.Kind.SECTOR)


def frameworks_of(organisation: Organisation) -> QuerySet[Framework]:
    """Every query for an organisation's own frameworks starts here (tenant key: organisation_id)."""
    return Framework.objects.filter(organisation_id=organisation.pk)
