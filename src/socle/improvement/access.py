"""The one way views and reports reach an organisation's targets and action plan.

- **read** (the improvement page, the comparison of campaigns): the organisation's admins and staff, and
  facilitators while the organisation's consent is active — ``get_organisation_for_user`` decides, so outsiders
  (other organisations, network staff, facilitators without consent) get 404;
- **write** (targets and actions): the organisation's **admins and staff**, the people who run the improvement
  plan day to day; facilitators read only and get 403. This rule lives here, as for activity data: the
  ``write=True`` of ``socle.network.access`` means "organisation admin".
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.improvement.models import PlannedAction, Target
from socle.network.access import StaffWriteAccess, get_organisation_for_staff

# Admins and staff set targets and plan actions, facilitators read: ``socle.network.access.StaffWriteAccess``.
ImprovementAccess = StaffWriteAccess
get_improvement_access = get_organisation_for_staff


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
