"""Writes of activity data: entering or correcting one report, and importing a file of reports.

Both check the values with `socle.lib.activity` against the items and checks of the framework version (the
latest published one of the organisation's framework), and both write through `_revision`: a first revision, or
a new revision that supersedes the current one. Nothing is ever updated in place. Saving values equal to the
current ones creates nothing (`created=False`), which makes a re-import of the same file a no-op.

A correction needs a comment saying why (the form asks for it; an import takes one comment for the whole file).
Every new revision writes an audit row ("activity.entered" or "activity.corrected"); an import writes one more,
"activity.imported", with its counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from socle.activity.access import current_reports
from socle.activity.models import ActivityReport, Source
from socle.audit.models import AuditEvent, record
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.activity.imports import ImportCheck, RowError, check_file
from socle.lib.activity.periods import Period
from socle.lib.activity.values import ActivityForm, Problem, changed_items, compile_activity, to_json
from socle.lib.identifiers import normalise
from socle.measurement import actions as facts
from socle.network.access import establishments_of
from socle.network.actions import ActionError
from socle.network.models import Establishment, Organisation

MAX_COMMENT_LENGTH = 2000


class InvalidReport(ActionError):
    """Values that do not fit the framework; `problems` has every value refused and every check failed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.code or 'report'}: {p.message}" for p in self.problems))


class CommentRequired(ActionError):
    """A correction without a comment saying why."""


class ReportConflict(ActionError):
    """Somebody else entered or corrected the same report meanwhile."""


@lru_cache(maxsize=128)
def _compiled(version_pk: int, content_sha256: str, base_sha256: str) -> ActivityForm:
    version = FrameworkVersion.objects.select_related("base_version").get(pk=version_pk)
    return compile_activity(version.effective_content())


def activity_form(version: FrameworkVersion) -> ActivityForm:
    """The activity items and checks of a version's effective document (cached by content)."""
    base = version.base_version.content_sha256 if version.base_version_id else ""  # type: ignore[union-attr]
    return _compiled(version.pk, version.content_sha256, base)


def _language(language: str | None) -> str:
    return (language or get_language() or "fr")[:2]


def _check_place(organisation: Organisation, establishment: Establishment, version: FrameworkVersion) -> None:
    framework = version.framework
    if framework.organisation_id != organisation.pk or not version.is_published:
        raise ActionError(_("Activity data is entered against a published version of your organisation's framework."))
    if establishment.organisation_id != organisation.pk:
        raise ActionError(_("Choose one of your organisation's establishments."))


def _check_period(period: Period, today: datetime.date) -> None:
    if period.start > today:
        raise ActionError(_("This period has not started yet: activity data is entered once the period has begun."))


def _revision(
    *,
    organisation: Organisation,
    establishment: Establishment,
    version: FrameworkVersion,
    period: Period,
    values: dict[str, Any],
    current: ActivityReport | None,
    source: str,
    comment: str,
    acting_user: Any,
) -> ActivityReport:
    """A new, unsaved revision: the first one, or the one that supersedes ``current``."""
    return ActivityReport(
        organisation=organisation,
        establishment=establishment,
        framework=version.framework,
        framework_version=version,
        period=period.code,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        values=values,
        revision=current.revision + 1 if current else 1,
        supersedes=current,
        source=source,
        comment=comment,
        entered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )


def _audit(report: ActivityReport, previous: ActivityReport | None, acting_user: Any) -> AuditEvent:
    """The audit row of a new revision (unsaved: an import writes them in one batch)."""
    return AuditEvent(
        action="activity.corrected" if previous else "activity.entered",
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        network_id=report.organisation.network_id,
        organisation=report.organisation,
        target=str(report.public_id),
        data={
            "establishment": report.establishment.finess,
            "framework": report.framework.slug,
            "version": report.framework_version.number,
            "period": report.period,
            "revision": report.revision,
            "source": report.source,
            "changed": changed_items(previous.values if previous else {}, report.values),
        },
    )


@dataclass
class Saved:
    report: ActivityReport
    created: bool  # False: the values were those of the current revision, nothing was written


def save_report(
    *,
    organisation: Organisation,
    establishment: Establishment,
    version: FrameworkVersion,
    period: Period,
    raw: Mapping[str, object],
    acting_user: Any,
    comment: str = "",
    source: str = Source.FORM,
    based_on: int | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
) -> Saved:
    """Enter the report of an (establishment, period), or correct it when it already has one.

    ``based_on`` is the revision the person saw when they opened the form (0 for none): if another revision
    was saved meanwhile, `ReportConflict` is raised instead of silently overwriting it. Raises `InvalidReport`
    when a value is refused or a check fails, `CommentRequired` for a correction without a comment.
    """
    _check_place(organisation, establishment, version)
    _check_period(period, today or timezone.localdate())
    checked = activity_form(version).check(raw, language=_language(language))
    if not checked.ok:
        raise InvalidReport(checked.problems)
    values = to_json(checked.values)
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ActionError(_("Shorten the comment to %(limit)d characters.") % {"limit": MAX_COMMENT_LENGTH})
    framework: Framework = version.framework
    with transaction.atomic():
        current = (
            current_reports(organisation.pk)
            .filter(framework=framework, establishment=establishment, period=period.code)
            .first()
        )
        if based_on is not None and (current.revision if current else 0) != based_on:
            raise ReportConflict(
                _("Somebody saved this report while you were editing it. Check the values now saved, then try again.")
            )
        if current is not None and current.values == values:
            return Saved(current, created=False)
        if current is not None and not comment:
            raise CommentRequired(_("Say why you correct these values: the comment is kept in the history."))
        report = _revision(
            organisation=organisation,
            establishment=establishment,
            version=version,
            period=period,
            values=values,
            current=current,
            source=source,
            comment=comment,
            acting_user=acting_user,
        )
        try:
            with transaction.atomic():
                report.save()
                facts.reports_revised([(report, current)])
        except IntegrityError:
            raise ReportConflict(
                _("Somebody saved this report while you were editing it. Check the values now saved, then try again.")
            ) from None
        _audit(report, current, acting_user).save()
    return Saved(report, created=True)


# --- import -----------------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import found and did. Nothing was written unless `ok` and not `dry_run`."""

    filename: str
    dry_run: bool
    data_rows: int = 0
    skipped_rows: tuple[int, ...] = ()
    errors: list[RowError] = field(default_factory=list)
    comment_required: bool = False  # the file corrects reports and no comment was given
    created: int = 0  # first revisions
    corrected: int = 0  # new revisions of existing reports
    unchanged: int = 0  # rows equal to the current revision: nothing written

    @property
    def ok(self) -> bool:
        return not self.errors and not self.comment_required


def establishment_keys(organisation: Organisation) -> dict[str, Establishment]:
    """The organisation's establishments by normalised FINESS number (what the file's establishment column holds)."""
    return {normalise(e.finess): e for e in establishments_of(organisation)}


def import_reports(
    *,
    organisation: Organisation,
    version: FrameworkVersion,
    filename: str,
    content: bytes,
    acting_user: Any,
    comment: str = "",
    dry_run: bool = False,
    language: str | None = None,
    today: datetime.date | None = None,
) -> ImportOutcome:
    """Checks every row of a file, then (unless ``dry_run`` or any problem) saves every row, all or nothing.

    Raises `socle.lib.activity.imports.ImportFileError` when the file cannot be read at all, `ActionError` when
    the version is not one of the organisation's published ones, `ReportConflict` when another write raced it.
    """
    if version.framework.organisation_id != organisation.pk or not version.is_published:
        raise ActionError(_("Activity data is entered against a published version of your organisation's framework."))
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ActionError(_("Shorten the comment to %(limit)d characters.") % {"limit": MAX_COMMENT_LENGTH})
    establishments = establishment_keys(organisation)
    checked: ImportCheck = check_file(
        filename,
        content,
        activity_form(version),
        {key: key for key in establishments},
        today=today or timezone.localdate(),
        language=_language(language),
    )
    outcome = ImportOutcome(filename, dry_run, checked.data_rows, checked.skipped_rows, list(checked.errors))
    if not checked.ok:
        return outcome
    framework = version.framework
    with transaction.atomic():
        current = {
            (report.establishment_id, report.period): report
            for report in current_reports(organisation.pk).filter(
                framework=framework, period__in={row.period.code for row in checked.rows}
            )
        }
        new: list[tuple[ActivityReport, ActivityReport | None]] = []
        for row in checked.rows:
            establishment = establishments[row.establishment]
            previous = current.get((establishment.pk, row.period.code))
            values = to_json(row.values)
            if previous is not None and previous.values == values:
                outcome.unchanged += 1
                continue
            if previous is None:
                outcome.created += 1
            else:
                outcome.corrected += 1
            new.append(
                (
                    _revision(
                        organisation=organisation,
                        establishment=establishment,
                        version=version,
                        period=row.period,
                        values=values,
                        current=previous,
                        source=Source.IMPORT,
                        comment=comment,
                        acting_user=acting_user,
                    ),
                    previous,
                )
            )
        if dry_run or not new:
            return outcome
        if outcome.corrected and not comment:
            outcome.comment_required = True
            return outcome
        try:
            with transaction.atomic():
                ActivityReport.objects.bulk_create([report for report, _previous in new], batch_size=500)
                facts.reports_revised(new)
        except IntegrityError:
            raise ReportConflict(
                _("Somebody entered or corrected some of these reports during the import: import the file again.")
            ) from None
        AuditEvent.objects.bulk_create(
            [_audit(report, previous, acting_user) for report, previous in new], batch_size=500
        )
        record(
            "activity.imported",
            actor=acting_user,
            network=organisation.network,
            organisation=organisation,
            target=filename,
            framework=framework.slug,
            version=version.number,
            created=outcome.created,
            corrected=outcome.corrected,
            unchanged=outcome.unchanged,
            rows=outcome.data_rows,
        )
    return outcome
