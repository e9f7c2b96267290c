"""The one way views, commands and later issues reach activity data.

Who may do what:

- **read** (the overview, the history, the template file): the organisation's admins and staff, and
  facilitators while the organisation's consent is active — `get_organisation_for_user` decides, so outsiders
  (other organisations, network staff, facilitators without consent) get 404;
- **write** (enter, correct, import): the organisation's **admins and staff**. The product gives data entry to
  the organisation's staff ("adhérent … admin, staff: … enter activity data", PRODUCT.md): the people who run an
  establishment are the ones who know its numbers. Facilitators read only and get 403 on writes. This rule
  lives here, not in `socle.network.access`, whose `write=True` means "organisation admin".

`current_reports` is the query later issues build on (measurement, consolidation): the current revision of every
report of an organisation, one row per (establishment, period, framework).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.activity.models import ActivityReport
from socle.frameworks.access import frameworks_of
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.activity.periods import Period, PeriodError, parse_period
from socle.network.access import OrganisationAccess, establishments_of, get_organisation_for_user
from socle.network.models import Establishment, Organisation, Role

WRITER_ROLES = (Role.ORG_ADMIN, Role.ORG_STAFF)


@dataclass(frozen=True)
class ActivityAccess:
    """The organisation and the person's role in it, with what that role may do with activity data."""

    organisation: Organisation
    role: str

    @property
    def can_write(self) -> bool:
        """Enter, correct and import activity data: the organisation's admins and staff."""
        return self.role in WRITER_ROLES

    @property
    def is_member_staff(self) -> bool:
        return self.role in (Role.ORG_ADMIN, Role.ORG_STAFF)

    @classmethod
    def of(cls, access: OrganisationAccess) -> ActivityAccess:
        return cls(access.organisation, access.role)


def get_activity_access(request: HttpRequest, slug: str, *, write: bool = False) -> ActivityAccess:
    """404 for outsiders (and anonymous or inactive users), 403 for a facilitator on a write."""
    access = ActivityAccess.of(get_organisation_for_user(request, slug))
    if write and not access.can_write:
        raise PermissionDenied
    return access


def activity_frameworks(organisation: Organisation) -> list[tuple[Framework, FrameworkVersion]]:
    """The organisation's frameworks that have a published version, each with its latest published version:
    the items and checks that new reports are entered against."""
    versions = (
        FrameworkVersion.objects.filter(
            framework__in=frameworks_of(organisation), status=FrameworkVersion.Status.PUBLISHED
        )
        .select_related("framework", "base_version")
        .order_by("framework__slug", "-number")
    )
    found: dict[int, tuple[Framework, FrameworkVersion]] = {}
    for version in versions:
        found.setdefault(version.framework_id, (version.framework, version))
    return list(found.values())


def get_framework_for_activity(access: ActivityAccess, framework_slug: str) -> tuple[Framework, FrameworkVersion]:
    """One of the organisation's frameworks with its latest published version, or 404."""
    for framework, version in activity_frameworks(access.organisation):
        if framework.slug == framework_slug:
            return framework, version
    raise Http404


def period_or_404(code: str) -> Period:
    """A period from a URL: only its canonical code is a valid address (`2026-Q1`, not `2026-q1`)."""
    try:
        period = parse_period(code)
    except PeriodError:
        raise Http404 from None
    if period.code != code:
        raise Http404
    return period


@dataclass(frozen=True)
class ReportPlace:
    """Where a report lives: organisation (with the person's role), framework, establishment and period."""

    access: ActivityAccess
    framework: Framework
    version: FrameworkVersion  # the latest published version: what a new revision is checked against
    establishment: Establishment
    period: Period

    def revisions(self) -> QuerySet[ActivityReport]:
        return reports_of(self.access.organisation.pk).filter(
            framework=self.framework, establishment=self.establishment, period=self.period.code
        )

    def current(self) -> ActivityReport | None:
        return (
            current_reports(self.access.organisation.pk)
            .filter(framework=self.framework, establishment=self.establishment, period=self.period.code)
            .select_related("entered_by", "framework_version")
            .first()
        )


def get_report_place_for_user(
    request: HttpRequest,
    slug: str,
    framework_slug: str,
    establishment_id: UUID,
    period_code: str,
    *,
    write: bool = False,
) -> ReportPlace:
    access = get_activity_access(request, slug, write=write)
    framework, version = get_framework_for_activity(access, framework_slug)
    establishment = establishments_of(access.organisation).filter(public_id=establishment_id).first()
    if establishment is None:
        raise Http404
    return ReportPlace(access, framework, version, establishment, period_or_404(period_code))


def reports_of(organisation_id: int) -> QuerySet[ActivityReport]:
    """Every revision of an organisation's reports; every query for activity data starts here."""
    return ActivityReport.objects.filter(organisation_id=organisation_id)


def current_reports(organisation_id: int) -> QuerySet[ActivityReport]:
    """The current revision of each report of an organisation: one row per (establishment, period, framework).

    Narrow it as needed, e.g. the current values of item X for establishment E over period P::

        report = current_reports(org.pk).filter(framework=f, establishment=e, period="2026-Q1").first()
        value = report.numbers.get("people_supported") if report else None   # int, Decimal or None

    or every yearly report of 2025: ``.filter(period_kind="year", period_start__year=2025)``. Periods of
    different kinds may coexist for one establishment (a year and its quarters); each is its own report.
    """
    return reports_of(organisation_id).filter(superseded_by__isnull=True)
