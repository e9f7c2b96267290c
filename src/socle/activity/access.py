"""The one way views, commands and later issues reach activity data.

Who may do what:

- **read** (the overview, the history, the template file): the organisation's admins and staff, and
  facilitators while the organisation's consent is active — `get_organisation_for_user` decides, so outsiders
  (other organisations, network staff, facilitators without consent) get 404;
- **write** (enter, correct, import): the organisation's **admins and staff**. The product gives data entry to
  the organisation's staff ("adhérent … admin, staff: … enter activity data", PRODUCT.md): the people who run an
  establishment are the ones who know its numbers. Facilitators read only and get 403 on writes. The rule is
  `socle.network.access.get_organisation_for_staff` (its `get_organisation_for_user(write=True)` means
  "organisation admin").

`current_reports` is the query later issues build on (measurement, consolidation): the current revision of every
report of an organisation, one row per (establishment, period, framework).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from socle.activity.models import ActivityReport
from socle.frameworks.access import frameworks_of
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.activity.periods import Period, PeriodError, parse_period
from socle.network.access import StaffWriteAccess, establishments_of, get_organisation_for_staff
from socle.network.models import Establishment, Organisation

# Admins and staff write activity data, facilitators read it: ``socle.network.access.StaffWriteAccess``.
ActivityAccess = StaffWriteAccess
get_activity_access = get_organisation_for_staff


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
