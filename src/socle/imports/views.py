"""Import pages: upload a file from a campaign, check the column mapping, follow the progress, read the result.

Every page is for the organisation's admins (`socle.imports.access`). The import itself runs in the worker
(`socle worker`, or at once with SOCLE_TASKS_IMMEDIATE=1); the progress page reloads itself every 2 seconds
without JavaScript.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socle.collection.access import get_campaign_for_user
from socle.collection.models import Campaign, Wave
from socle.frameworks.models import text_in
from socle.imports import actions, messages
from socle.imports.access import get_job_for_user, jobs_of
from socle.imports.models import ImportJob
from socle.lib.collection.answers import DONT_KNOW
from socle.lib.imports.files import SUPPORTED_EXTENSIONS, write_csv, write_xlsx
from socle.lib.imports.mapping import ESTABLISHMENT, FOLLOWUP_CODE, IGNORE, QUOTE_CONSENT, ROW_ID, Plan, Question
from socle.lib.imports.rows import RowError, plan_problems
from socle.network.actions import ActionError
from socle.web.forms import checked_table_upload

ERRORS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EACH_ROW = "rows"


def _role_labels() -> dict[str, str]:
    return {
        ROW_ID: _("Row id (makes importing the file again safe)"),
        ESTABLISHMENT: _("Establishment (FINESS number or name)"),
        FOLLOWUP_CODE: _("Follow-up code given at entry"),
        QUOTE_CONSENT: _("Quote consent (oui or non)"),
    }


def _questionnaire_titles(campaign: Campaign) -> dict[str, str]:
    document = campaign.framework_version.effective_content()
    return {q["code"]: text_in(q.get("title")) or q["code"] for q in document.get("questionnaires", [])}


# --- Upload -------------------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of answers (CSV or Excel .xlsx, 20 MB at most)"),
        widget=forms.FileInput(attrs={"accept": ",".join(SUPPORTED_EXTENSIONS)}),
    )
    questionnaire = forms.ChoiceField(label=gettext_lazy("Questionnaire the file answers"))
    establishment = forms.ChoiceField(
        label=gettext_lazy("Establishment"),
        help_text=gettext_lazy("Every row goes to this establishment, or each row names its own in a column."),
    )

    def __init__(self, campaign: Campaign, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        links = list(campaign.links.select_related("establishment").order_by("establishment__name"))
        titles = _questionnaire_titles(campaign)
        codes = sorted({link.questionnaire_code for link in links})
        self.fields["questionnaire"].choices = [(code, f"{titles.get(code, code)} ({code})") for code in codes]  # type: ignore[attr-defined]
        if len(codes) == 1:
            self.fields["questionnaire"].initial = codes[0]
            self.fields["questionnaire"].widget = forms.HiddenInput()
        establishments = {link.establishment.public_id: link.establishment for link in links}
        choices = [(EACH_ROW, _("Each row names its establishment (column finess or etablissement)"))]
        choices += [(str(pid), f"{e.name} ({e.finess})") for pid, e in establishments.items()]
        self.fields["establishment"].choices = choices  # type: ignore[attr-defined]
        self.fields["establishment"].initial = choices[1][0] if len(establishments) == 1 else EACH_ROW
        self.establishments = {str(pid): e for pid, e in establishments.items()}

    def clean_file(self) -> UploadedFile:
        upload = checked_table_upload(self.cleaned_data["file"], actions.MAX_FILE_BYTES)
        if not upload.size:
            raise forms.ValidationError(_("The file is empty: choose the file that holds the answers."), code="empty")
        return upload


def _question_rows(questions: tuple[Question, ...]) -> list[dict[str, Any]]:
    rows = []
    for question in questions:
        codes = [choice.value for choice in question.choices]
        if question.dont_know:
            codes.append(DONT_KNOW)
        rows.append({"q": question, "label": text_in(dict(question.label)), "codes": codes})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, campaign = get_campaign_for_user(request, slug, public_id, write=True)
    posted = request.method == "POST"
    form = UploadForm(campaign, request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file: UploadedFile = form.cleaned_data["file"]
            chosen = form.cleaned_data["establishment"]
            try:
                target = actions.target_of(
                    campaign,
                    form.cleaned_data["questionnaire"],
                    None if chosen == EACH_ROW else form.establishments[chosen],
                )
                job = actions.create_job(
                    target=target,
                    file_name=upload_file.name or "file",
                    content=upload_file.read(),
                    acting_user=request.user,
                )
            except actions.FileProblem as error:
                reason = messages.file_problem(error.error) if error.error else str(error)
                form.add_error("file", _("This file cannot be read: %(reason)s") % {"reason": reason})
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                return redirect("imports:mapping", slug, job.public_id)
        status = 422
    code = form["questionnaire"].value() or next(iter(dict(form.fields["questionnaire"].choices)), "")  # type: ignore[attr-defined]
    try:
        questions = actions.target_of(campaign, str(code)).questions() if code else ()
    except ActionError:
        questions = ()
    jobs = (
        jobs_of(access.organisation.pk)
        .filter(campaign=campaign)
        .defer("content", "errors", "preview", "header", "mapping")
        .select_related("created_by")[:20]
    )
    context = {
        "organisation": access.organisation,
        "access": access,
        "campaign": campaign,
        "form": form,
        "questions": _question_rows(tuple(questions)),
        "jobs": jobs,
        "follow_up": campaign.wave != Wave.ENTRY,
        "max_rows": actions.MAX_ROWS,
    }
    return render(request, "imports/upload.html", context, status=status)


# --- Mapping ------------------------------------------------------------------------------------------------------


def _column_rows(job: ImportJob, plan: Plan, target: actions.Target) -> list[dict[str, Any]]:
    questions = target.questions()
    roles = _role_labels()
    options: list[tuple[str, str]] = [(IGNORE, _("Ignore this column"))]
    options += [(role, roles[role]) for role in target.roles()]
    question_options = [(q.name, f"{q.name} — {_short(text_in(dict(q.label)))}") for q in questions]
    rows = []
    for index, (title, chosen) in enumerate(zip(plan.header, plan.targets, strict=True)):
        samples = [row[index] for row in job.preview if index < len(row) and row[index]][:3]
        rows.append(
            {
                "index": index,
                "id": f"col-{index}",
                "title": title or _("(column %(number)s has no title)") % {"number": index + 1},
                "samples": samples,
                "chosen": chosen,
                "options": options,
                "question_options": question_options,
            }
        )
    return rows


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, job = get_job_for_user(request, slug, public_id)
    if job.status != ImportJob.Status.NEW:
        return redirect("imports:progress", slug, job.public_id)
    target = actions.job_target(job)
    plan = Plan.from_json(job.mapping)
    problems: list[RowError] = []
    status = 200
    dry_run = False
    if request.method == "POST":
        allowed = {IGNORE, *target.roles(), *(q.name for q in target.questions())}
        chosen = [request.POST.get(f"col-{index}", IGNORE) for index in range(len(plan.header))]
        chosen = [value if value in allowed else IGNORE for value in chosen]
        plan = Plan(plan.header, tuple(chosen))
        dry_run = request.POST.get("dry_run") == "on"
        problems = plan_problems(plan, target.questions(), needs_establishment=target.link is None)
        if not problems:
            try:
                actions.queue_job(job, targets=chosen, dry_run=dry_run, acting_user=request.user)
            except ActionError as error:
                problems = [RowError(1, "", "", "action", str(error))]
            else:
                return redirect("imports:progress", slug, job.public_id)
        status = 422
    unmapped = plan.unmapped(target.questions())
    context = {
        "organisation": access.organisation,
        "access": access,
        "job": job,
        "campaign": job.campaign,
        "target": target,
        "columns": _column_rows(job, plan, target),
        "preview": job.preview,
        "header": plan.header,
        "notes": [messages.note(n) for n in job.notes],
        "problems": [{"column": p.column, "reason": messages.reason(p)} for p in problems],
        "unmapped": [{"name": q.name, "label": text_in(dict(q.label)), "required": q.required} for q in unmapped],
        "has_row_id": plan.column(ROW_ID) is not None,
        "dry_run": dry_run,
    }
    return render(request, "imports/mapping.html", context, status=status)


# --- Progress and result ------------------------------------------------------------------------------------------


@login_required
@require_GET
def progress(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, job = get_job_for_user(request, slug, public_id)
    if job.status == ImportJob.Status.NEW:
        return redirect("imports:mapping", slug, job.public_id)
    if job.finished:
        return redirect("imports:result", slug, job.public_id)
    context = {
        "organisation": access.organisation,
        "access": access,
        "job": job,
        "campaign": job.campaign,
        "saving": job.status == ImportJob.Status.RUNNING and job.rows_processed >= job.rows_total,
    }
    response = render(request, "imports/progress.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def result(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, job = get_job_for_user(request, slug, public_id)
    if not job.finished:
        return redirect("imports:progress", slug, job.public_id)
    errors = [RowError.from_json(item) for item in job.errors[:ERRORS_SHOWN]]
    target_codes = job.imported and actions.job_target(job).issues_codes()
    context = {
        "organisation": access.organisation,
        "access": access,
        "job": job,
        "campaign": job.campaign,
        "errors": [{"error": e, "reason": messages.reason(e)} for e in errors],
        "errors_cut": job.error_count > len(errors),
        "errors_kept": len(job.errors),
        "codes": target_codes,
        "no_row_id": not job.row_id_column,
    }
    return render(request, "imports/result.html", context, status=200)


def _download(rows: list[list[object]], fmt: str, name: str, sheet: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(write_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(write_xlsx(rows, sheet=sheet), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_GET
def errors(request: HttpRequest, slug: str, public_id: UUID, fmt: str) -> HttpResponse:
    """The error report: one line per error, with the row, column and value as in the file, and the reason."""
    _access, job = get_job_for_user(request, slug, public_id)
    if fmt not in ("csv", "xlsx") or not job.finished:
        raise Http404
    rows: list[list[object]] = [[_("Row"), _("Column"), _("Value"), _("Reason")]]
    for item in job.errors:
        error = RowError.from_json(item)
        rows.append([error.row, error.column, error.value, messages.reason(error)])
    stem = PurePath(job.file_name).stem or "import"
    return _download(rows, fmt, f"{stem}-errors", _("Errors"))


@login_required
@require_GET
def codes(request: HttpRequest, slug: str, public_id: UUID, fmt: str) -> HttpResponse:
    """At entry, the follow-up code of each imported row, to hand out (derived again, never stored)."""
    _access, job = get_job_for_user(request, slug, public_id)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    found = actions.entry_codes(job)
    if not found:
        raise Http404
    rows: list[list[object]] = [[_("Row"), _("Row id"), _("Follow-up code")]]
    rows += [[row, row_id, code] for row, row_id, code in found]
    stem = PurePath(job.file_name).stem or "import"
    return _download(rows, fmt, f"{stem}-followup-codes", _("Follow-up codes"))
