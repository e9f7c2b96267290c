"""A campaign's answers one by one, for the organisation's own people: the list, one submission with its history
of corrections, and the correction form (a correction is a new version; the received answers never change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socle.collection import actions, queries
from socle.collection.access import get_campaign_for_user, get_submission_for_user
from socle.collection.models import Submission
from socle.frameworks import presentation
from socle.lib.collection.answers import DONT_KNOW

PAGE_SIZE = 50
CHOICE_TYPES = frozenset({"single_choice", "scale", "either_or"})


def _questionnaire(submission: Submission, lang: str) -> tuple[str, list[presentation.QuestionView]]:
    """The title of the submission's questionnaire and its questions (notes left out), in `lang`."""
    document = submission.framework_version.effective_content()
    spec = presentation.find(document.get("questionnaires", []), "code", submission.questionnaire_code)
    if spec is None:  # pragma: no cover - a submission's questionnaire is in its version
        raise Http404
    sections = presentation.questionnaire_sections(document, spec, lang=lang, easy=False)
    title = presentation.pick(spec, "title", lang, False)
    return title, [q for section in sections for q in section.questions if q.type != "note"]


def _shown(question: presentation.QuestionView, value: object) -> str:
    if value in (None, "", []):
        return "—"
    if value == DONT_KNOW:
        return gettext("Don't know / prefer not to say")
    labels = {c.value: c.label for c in question.choices}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


class CorrectionForm(forms.Form):
    """One field per question, built from the questionnaire; the answers are checked by `actions.submit`'s
    rules (`Questionnaire.check`), not by the form."""

    reason = forms.CharField(
        label=gettext_lazy("Why are these answers corrected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("For example: “typing mistake when entering the paper form”. Kept in the history."),
    )

    def __init__(self, questions: list[presentation.QuestionView], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        dont_know = gettext("Don't know / prefer not to say")
        for q in questions:
            choices = [(c.value, c.label) for c in q.choices] + ([(DONT_KNOW, dont_know)] if q.dont_know else [])
            field: forms.Field
            if q.type == "multiple_choice":
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, required=False)
            elif q.type in CHOICE_TYPES:
                field = forms.ChoiceField(
                    choices=[("", gettext("No answer")), *choices], widget=forms.RadioSelect, required=False
                )
            else:
                widget = forms.Textarea(attrs={"rows": 3}) if q.type == "long_text" else forms.TextInput()
                field = forms.CharField(required=False, widget=widget, strip=True)
                if q.dont_know:
                    field.help_text = gettext("Type %(dk)s for “don't know”.") % {"dk": DONT_KNOW}
            field.label = q.label
            self.fields[f"q_{q.name}"] = field
        self.order_fields([*(f"q_{q.name}" for q in questions), "reason"])

    def answers(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q_{q.name}")
            if value not in (None, "", []):
                out[q.name] = value
        return out


def _initial(questions: list[presentation.QuestionView], answers: Mapping[str, object]) -> dict[str, object]:
    return {f"q_{q.name}": answers[q.name] for q in questions if q.name in answers}


@login_required
@require_GET
def submissions(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, campaign = get_campaign_for_user(request, slug, public_id)
    if not access.is_member_staff:
        raise Http404
    latest = queries.current(campaign.submissions.all()).select_related("establishment").order_by("-received_at", "-id")
    page = Paginator(latest, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "collection/submissions.html",
        {"organisation": access.organisation, "access": access, "campaign": campaign, "page": page},
    )


@login_required
@require_GET
def submission_detail(request: HttpRequest, slug: str, public_id: UUID, submission_uuid: UUID) -> HttpResponse:
    access, campaign, submission = get_submission_for_user(request, slug, public_id, submission_uuid)
    lang = translation.get_language() or "fr"
    title, questions = _questionnaire(submission, lang)
    chain = [submission]
    while chain[-1].corrects_id is not None:
        chain.append(Submission.objects.select_related("entered_by").get(pk=chain[-1].corrects_id))
    later = Submission.objects.filter(corrects=submission).first()
    versions = list(reversed(chain))
    rows = [
        {"question": q, "values": [_shown(q, version.answers.get(q.name)) for version in versions]} for q in questions
    ]
    for row in rows:
        row["changed"] = len(set(row["values"])) > 1
    return render(
        request,
        "collection/submission.html",
        {
            "organisation": access.organisation,
            "access": access,
            "campaign": campaign,
            "submission": submission,
            "title": title,
            "versions": versions,
            "rows": rows,
            "later": later,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, slug: str, public_id: UUID, submission_uuid: UUID) -> HttpResponse:
    access, campaign, submission = get_submission_for_user(request, slug, public_id, submission_uuid)
    later = Submission.objects.filter(corrects=submission).first()
    if later is not None:
        messages.info(request, gettext_lazy("These answers were corrected: here is the latest version."))
        return redirect("collection:submission", slug, public_id, later.uuid)
    _title, questions = _questionnaire(submission, translation.get_language() or "fr")
    status = 200
    if request.method == "POST":
        form = CorrectionForm(questions, request.POST)
        if form.is_valid():
            try:
                correction = actions.correct_submission(
                    submission, form.answers(), reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except actions.InvalidSubmission as error:
                for problem in error.errors:
                    field = f"q_{problem.question}"
                    form.add_error(field if field in form.fields else None, problem.message)
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext_lazy("The correction is recorded; the first answers are kept."))
                return redirect("collection:submission", slug, public_id, correction.uuid)
        status = 422
    else:
        form = CorrectionForm(questions, initial=_initial(questions, submission.answers))
    return render(
        request,
        "collection/correct.html",
        {
            "organisation": access.organisation,
            "access": access,
            "campaign": campaign,
            "submission": submission,
            "form": form,
        },
        status=status,
    )
