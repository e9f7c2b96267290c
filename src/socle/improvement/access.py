"""The one way views and reports reach an organisation's targets and action plan.

- **read** (the improvement page, the comparison of campaigns): the organisation's admins and staff, and
  facilitators while the organisation's consent is active — ``get_organisation_for_user`` decides, so outsiders
  (other organisations, network staff, facilitators without consent) get 404;
- **write** (targets and actions): the organisation's **admins and staff**, the people who run the improvement
  plan day to day; facilitators read only and get 403. This rule lives here, as for activity data: the
  ``write=True`` of ``socle.network.access`` means "organisation admin".
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.improvement.models import PlannedAction, Target
from socle.network.access import get_organisation_for_user
from socle.network.models import Organisation, Role

WRITER_ROLES = (Role.ORG_ADMIN, Role.ORG_STAFF)


@dataclass(frozen=True)
class ImprovementAccess:
    organisation: Organisation
    role: str

    @property
    def can_write(self) -> bool:
        """Set targets and plan actions: the organisation's admins and staff."""
        return self.role in WRITER_ROLES

    @property
    def is_member_staff(self) -> bool:
        return self.role in (Role.ORG_ADMIN, Role.ORG_STAFF)


def get_improvement_access(request: HttpRequest, slug: str, *, write: bool = False) -> ImprovementAccess:
    """404 for outsiders (and anonymous or inactive users), 403 for a facilitator on a write."""
    organisation_access = get_organisation_for_user(request, slug)
    access = ImprovementAccess(organisation_access.organisation, organisation_access.role)
    if write and not access.can_write:
        raise PermissionDenied
    return access


def targets_of(organisation_id: int) -> QuerySet[Target]:
    """Every query for an organisation's targets starts here (tenant key: organisation_id)."""
    return Target.objects.filter(organisation_id=organisation_id)


def planned_actions_of(organisation_id: int) -> QuerySet[PlannedAction]:
    """Every query for an organisation's action plan starts here (tenant key: organisation_id)."""
    return PlannedAction.objects.filter(organisation_id=organisation_id)


def get_target_for_user(
    request: HttpRequest, slug: str, public_id: UUID, *, write: bool = False
) -> tuple[ImprovementAccess, Target]:
    access = get_improvement_access(request, slug, write=write)
    target = targets_of(access.organisation.pk).select_related("framework").filter(public_id=public_id).first()
    if target is None:
        raise Http404
    return access, target


def get_action_for_user(
    request: HttpRequest, slug: str, public_id: UUID, *, write: bool = False
) -> tuple[ImprovementAccess, PlannedAction]:
    access = get_improvement_access(request, slug, write=write)
    action = (
        planned_actions_of(access.organisation.pk)
        .select_related("framework", "owner")
        .filter(public_id=public_id)
        .first()
    )
    if action is None:
        raise Http404
    return access, action
