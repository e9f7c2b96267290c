"""The one way views reach import jobs: through the organisation, and only for its admins.

An import writes answers, so every import page, even the progress and the result, is for the organisation's
admins (`get_organisation_for_user(..., write=True)`): staff and facilitators get 403, outsiders 404. The error
report holds cells of the file, which are raw answers: they never leave the organisation's admins.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.imports.models import ImportJob
from socle.network.access import OrganisationAccess, get_organisation_for_user


def jobs_of(organisation_id: int) -> QuerySet[ImportJob]:
    """Every query for an organisation's import jobs starts here (tenant key: organisation_id)."""
    return ImportJob.objects.filter(organisation_id=organisation_id)


def get_job_for_user(
    request: HttpRequest, organisation_slug: str, public_id: UUID
) -> tuple[OrganisationAccess, ImportJob]:
    access = get_organisation_for_user(request, organisation_slug, write=True)
    job = (
        jobs_of(access.organisation.pk)
        .select_related(
            "campaign__framework_version__framework", "campaign__framework_version__base_version", "establishment"
        )
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise Http404
    return access, job
