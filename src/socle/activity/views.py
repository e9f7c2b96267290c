"""The activity pages of an organisation: the overview, the entry and correction form, a report's history, the
file import and its template. Each view calls its access helper first (`socle.activity.access`)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socle.activity import actions, queries
from socle.activity.access import (
    ActivityAccess,
    ReportPlace,
    activity_frameworks,
    current_reports,
    get_activity_access,
    get_framework_for_activity,
    get_report_place_for_user,
)
from socle.activity.messages import problem_message, row_message
from socle.activity.models import ActivityReport
from socle.lib.activity.imports import ImportFileError, template_header
from socle.lib.activity.periods import KINDS, MAX_YEAR, MIN_YEAR, Period
from socle.lib.activity.values import ActivityForm, Item, Problem, text_in
from socle.lib.frame import SUPPORTED_EXTENSIONS
from socle.network.access import establishments_of
from socle.web.forms import checked_table_upload

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ERRORS_SHOWN = 2000
YEARS_OFFERED = 6


def _overview_url(slug: str, framework_slug: str, period: Period) -> str:
    query = {"framework": framework_slug, "year": period.year, "kind": period.kind}
    return f"{reverse('activity:overview', args=[slug])}?{urlencode(query)}"


# --- overview -----------------------------------------------------------------------------------------------------


def _year_or_none(text: str | None) -> int | None:
    return int(text) if text and re.fullmatch(r"\d{4}", text) else None


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_activity_access(request, slug)
    organisation = access.organisation
    frameworks = activity_frameworks(organisation)
    context: dict[str, Any] = {"organisation": organisation, "access": access, "frameworks": frameworks}
    if not frameworks:
        return render(request, "activity/overview.html", context)
    wanted = request.GET.get("framework")
    if wanted:
        framework, version = get_framework_for_activity(access, wanted)
    else:
        framework, version = frameworks[0]
    today = timezone.localdate()
    year = _year_or_none(request.GET.get("year"))
    if year is None or not MIN_YEAR <= year <= min(MAX_YEAR, today.year):
        year = queries.default_year(organisation, framework, today)
    kind = request.GET.get("kind")
    if kind not in KINDS:
        kind = queries.default_kind(organisation, framework, year)
    form = actions.activity_form(version)
    reported_years = {
        d.year for d in current_reports(organisation.pk).filter(framework=framework).dates("period_start", "year")
    }
    years = sorted(reported_years | set(range(today.year - YEARS_OFFERED + 1, today.year + 1)) | {year}, reverse=True)
    grid = queries.overview(organisation, framework, form, year=year, kind=kind, today=today)  # type: ignore[arg-type]
    context.update(
        framework=framework,
        version=version,
        year=year,
        kind=kind,
        years=years,
        kinds=[(k, _kind_label(k)) for k in KINDS],
        grid=grid,
        labels=[
            (item.code, queries.item_label(item, item.code), text_in(item.unit, queries.language()))
            for item in form.items
        ],
    )
    return render(request, "activity/overview.html", context)


def _kind_label(kind: str) -> str:
    return {"year": _("Year"), "quarter": _("Quarters"), "month": _("Months")}[kind]


# --- entry and correction -----------------------------------------------------------------------------------------


@dataclass
class FieldView:
    """One item of the form as the template shows it."""

    item: Item
    label: str
    description: str
    unit: str
    value: str
    errors: list[str] = field(default_factory=list)
    in_failed_checks: list[str] = field(default_factory=list)  # ids of the failed checks that name this item

    @property
    def name(self) -> str:
        return f"v_{self.item.code}"

    @property
    def id(self) -> str:
        return f"id_v_{self.item.code}"

    @property
    def inputmode(self) -> str:
        return "numeric" if self.item.type == "integer" else "decimal"

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.in_failed_checks)

    @property
    def described_by(self) -> str:
        ids = []
        if self.description:
            ids.append(f"{self.id}_help")
        if self.errors:
            ids.append(f"{self.id}_error")
        ids.extend(self.in_failed_checks)
        return " ".join(ids)


@dataclass
class SummaryEntry:
    text: str
    href: str = ""
    id: str = ""


def _fields(form: ActivityForm, values: dict[str, str]) -> list[FieldView]:
    language = queries.language()
    return [
        FieldView(
            item,
            queries.item_label(item, item.code),
            text_in(item.description, language),
            text_in(item.unit, language),
            values.get(item.code, ""),
        )
        for item in form.items
    ]


def _show_problems(fields: list[FieldView], problems: list[Problem]) -> list[SummaryEntry]:
    by_code = {f.item.code: f for f in fields}
    first = f"#{fields[0].id}" if fields else ""
    summary: list[SummaryEntry] = []
    for problem in problems:
        message = problem_message(problem)
        if problem.kind == "value" and problem.code in by_code:
            target = by_code[problem.code]
            target.errors.append(message)
            text = _("%(label)s: %(message)s") % {"label": target.label, "message": message}
            summary.append(SummaryEntry(text, f"#{target.id}"))
        elif problem.kind == "check":
            check_id = f"check_{problem.code}"
            named = [by_code[c] for c in problem.items if c in by_code]
            for named_field in named:
                named_field.in_failed_checks.append(check_id)
            labels = ", ".join(f.label for f in named)
            text = _("%(message)s Check: %(items)s.") % {"message": message, "items": labels} if labels else message
            summary.append(SummaryEntry(text, f"#{named[0].id}" if named else first, check_id))
        else:
            summary.append(SummaryEntry(message, first))
    return summary


def _render_entry(
    request: HttpRequest,
    place: ReportPlace,
    current: ActivityReport | None,
    fields: list[FieldView],
    *,
    summary: list[SummaryEntry] | None = None,
    comment: str = "",
    comment_error: str = "",
    based_on: int | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "activity/entry.html",
        {
            "organisation": place.access.organisation,
            "access": place.access,
            "place": place,
            "framework": place.framework,
            "version": place.version,
            "establishment": place.establishment,
            "period": place.period,
            "period_label": queries.period_label(place.period),
            "current": current,
            "fields": fields,
            "summary": summary or [],
            "comment": comment,
            "comment_error": comment_error,
            "based_on": based_on if based_on is not None else (current.revision if current else 0),
            "started": place.period.start <= today,
            "back_url": _overview_url(place.access.organisation.slug, place.framework.slug, place.period),
            "history_url": reverse(
                "activity:history",
                args=[
                    place.access.organisation.slug,
                    place.framework.slug,
                    place.establishment.public_id,
                    place.period.code,
                ],
            ),
            "comment_limit": actions.MAX_COMMENT_LENGTH,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, slug: str, framework: str, establishment: UUID, period: str) -> HttpResponse:
    place = get_report_place_for_user(request, slug, framework, establishment, period, write=True)
    form = actions.activity_form(place.version)
    current = place.current()
    if request.method == "GET":
        numbers = current.numbers if current else {}
        shown = {code: queries.input_text(value) for code, value in numbers.items()}
        return _render_entry(request, place, current, _fields(form, shown))
    raw = {item.code: request.POST.get(f"v_{item.code}", "") for item in form.items}
    comment = request.POST.get("comment", "")
    based_on = _revision_or_none(request.POST.get("based_on"))
    fields = _fields(form, {code: str(value) for code, value in raw.items()})
    try:
        saved = actions.save_report(
            organisation=place.access.organisation,
            establishment=place.establishment,
            version=place.version,
            period=place.period,
            raw=raw,
            comment=comment,
            based_on=based_on,
            acting_user=request.user,
        )
    except actions.InvalidReport as error:
        summary = _show_problems(fields, error.problems)
        return _render_entry(
            request, place, current, fields, summary=summary, comment=comment, based_on=based_on, status=422
        )
    except actions.CommentRequired as error:
        summary = [SummaryEntry(str(error), "#id_comment")]
        return _render_entry(
            request,
            place,
            current,
            fields,
            summary=summary,
            comment=comment,
            comment_error=str(error),
            based_on=based_on,
            status=422,
        )
    except actions.ReportConflict as error:
        # The person keeps what they typed; the page shows the values now saved, to compare before saving again.
        current = place.current()
        return _render_entry(
            request,
            place,
            current,
            fields,
            summary=[SummaryEntry(str(error), "")],
            comment=comment,
            based_on=current.revision if current else 0,
            status=409,
        )
    except actions.ActionError as error:
        return _render_entry(
            request,
            place,
            current,
            fields,
            summary=[SummaryEntry(str(error), "")],
            comment=comment,
            based_on=based_on,
            status=422,
        )
    names = {"establishment": place.establishment.name, "period": queries.period_label(place.period)}
    if not saved.created:
        messages.info(
            request, _("Nothing changed: these are the values already saved for %(establishment)s, %(period)s.") % names
        )
    elif saved.report.revision == 1:
        messages.success(request, _("Activity data saved for %(establishment)s, %(period)s.") % names)
    else:
        messages.success(
            request,
            _("Correction saved for %(establishment)s, %(period)s: revision %(revision)d.")
            % {**names, "revision": saved.report.revision},
        )
    return redirect(_overview_url(slug, place.framework.slug, place.period))


def _revision_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


# --- history ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def history(request: HttpRequest, slug: str, framework: str, establishment: UUID, period: str) -> HttpResponse:
    place = get_report_place_for_user(request, slug, framework, establishment, period)
    form = actions.activity_form(place.version)
    revisions = queries.history(place.revisions(), form)
    return render(
        request,
        "activity/history.html",
        {
            "organisation": place.access.organisation,
            "access": place.access,
            "place": place,
            "framework": place.framework,
            "establishment": place.establishment,
            "period": place.period,
            "period_label": queries.period_label(place.period),
            "revisions": revisions,
            "current": revisions[0] if revisions else None,
            "back_url": _overview_url(slug, place.framework.slug, place.period),
            "entry_url": reverse(
                "activity:entry", args=[slug, place.framework.slug, place.establishment.public_id, place.period.code]
            ),
        },
    )


# --- import -------------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of activity data (CSV or Excel .xlsx, 10 MB at most)"),
        widget=forms.FileInput(attrs={"accept": ",".join(SUPPORTED_EXTENSIONS)}),
    )
    comment = forms.CharField(
        label=gettext_lazy("Why (for corrections)"),
        help_text=gettext_lazy(
            "Required when the file changes values already saved: say why, for example “figures checked against "
            "the annual report”. Kept in the history of each report it corrects."
        ),
        required=False,
        max_length=actions.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only"),
        help_text=gettext_lazy("Checks every row and says what would change, without saving anything."),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload = checked_table_upload(self.cleaned_data["file"], MAX_UPLOAD_BYTES)
        return upload


@dataclass
class ShownError:
    row: int
    column: str
    value: str
    reason: str


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    access = get_activity_access(request, slug, write=True)
    chosen, version = get_framework_for_activity(access, framework)
    form_spec = actions.activity_form(version)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    context: dict[str, Any] = {
        "organisation": access.organisation,
        "access": access,
        "framework": chosen,
        "version": version,
        "form": form,
        "items": [
            (item.code, queries.item_label(item, item.code), item.type, text_in(item.unit, queries.language()))
            for item in form_spec.items
        ],
        "back_url": f"{reverse('activity:overview', args=[slug])}?{urlencode({'framework': chosen.slug})}",
    }
    if request.method == "GET":
        return render(request, "activity/import.html", context)
    status = 422
    if form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            outcome = actions.import_reports(
                organisation=access.organisation,
                version=version,
                filename=upload.name or "",
                content=upload.read(),
                acting_user=request.user,
                comment=form.cleaned_data["comment"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportFileError as error:
            form.add_error("file", _("This file cannot be read: %(reason)s.") % {"reason": error})
        except actions.ActionError as error:
            form.add_error(None, str(error))
        else:
            context["outcome"] = outcome
            if outcome.errors:
                shown = [
                    ShownError(e.row, e.column, e.value, row_message(e)) for e in outcome.errors[:MAX_ERRORS_SHOWN]
                ]
                context.update(errors_shown=shown, errors_cut=len(outcome.errors) > MAX_ERRORS_SHOWN)
            elif outcome.comment_required:
                form.add_error(
                    "comment",
                    _("This file changes %(count)d reports already saved: say why in this comment.")
                    % {"count": outcome.corrected},
                )
            elif outcome.dry_run:
                status = 200
            else:
                messages.success(
                    request,
                    _(
                        "%(file)s imported: %(created)d reports entered, %(corrected)d corrected, %(unchanged)d "
                        "unchanged."
                    )
                    % {
                        "file": outcome.filename,
                        "created": outcome.created,
                        "corrected": outcome.corrected,
                        "unchanged": outcome.unchanged,
                    },
                )
                return redirect(context["back_url"])
    return render(request, "activity/import.html", context, status=status)


@login_required
@require_GET
def template(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    """A CSV to fill in: the header, and one row per establishment for last year with empty values.

    Semicolons and a byte order mark, so that Excel in French opens it in columns; the import reads it back."""
    access: ActivityAccess = get_activity_access(request, slug)
    chosen, version = get_framework_for_activity(access, framework)
    form = actions.activity_form(version)
    period = str(timezone.localdate().year - 1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    header = template_header(form)
    writer.writerow(header)
    for establishment in establishments_of(access.organisation).order_by("name"):
        writer.writerow([establishment.finess, establishment.name, period, *([""] * (len(header) - 3))])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chosen.slug}-activity-template.csv"'
    return response
