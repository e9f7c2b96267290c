"""Open-text answers of one's own organisation: the listing with its coding forms, themes and their counts over
time, and quotes proposed for the impact page. Reads in `queries.py`, writes in `actions.py`."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.lib.charts import data_uri, grouped_bars
from socle.network.access import OrganisationAccess
from socle.qualitative import actions, queries
from socle.qualitative.access import get_open_answers_for_user, get_theme_counts_for_user, proposals_of
from socle.qualitative.models import QuoteStatus

PAGE_SIZE = 25
FILTER_KEYS = ("campaign", "question", "theme", "q", "page")


def _lang() -> str:
    return (translation.get_language() or "fr")[:2]


class FilterForm(forms.Form):
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    question = forms.ChoiceField(label=gettext_lazy("Question"), required=False)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    q = forms.CharField(
        label=gettext_lazy("Words"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, choices: queries.Filters, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        campaigns = [("", gettext("All campaigns")), *((str(c.public_id), c.name) for c in choices.campaigns)]
        self.fields["campaign"].choices = campaigns  # type: ignore[attr-defined]
        self.fields["question"].choices = [("", gettext("All questions")), *choices.questions]  # type: ignore[attr-defined]
        self.fields["theme"].choices = [  # type: ignore[attr-defined]
            ("", gettext("All themes")),
            (queries.NOT_CODED, gettext("Not coded yet")),
            *((str(t.public_id), t.name) for t in choices.themes),
        ]


class AnswerForm(forms.Form):
    """Names one open answer: a submission's id and a question's name; `back` is the listing's query string."""

    submission = forms.UUIDField()
    question = forms.CharField(max_length=64)
    back = forms.CharField(required=False, max_length=1000)


def _back(request: HttpRequest, slug: str, anchor: str = "") -> str:
    """The listing with the filters it had (only its own parameters are kept)."""
    raw = request.POST.get("back", "")
    from django.http import QueryDict

    given = QueryDict(raw)
    kept = {key: given[key] for key in FILTER_KEYS if given.get(key)}
    url = reverse("qualitative:answers", args=[slug])
    return url + (f"?{urlencode(kept)}" if kept else "") + (f"#{anchor}" if anchor else "")


def _problem(request: HttpRequest, access: OrganisationAccess, message: str) -> HttpResponse:
    """A write refused with a message (nothing written): 422, with a way back."""
    return render(
        request,
        "qualitative/problem.html",
        {
            "organisation": access.organisation,
            "access": access,
            "message": message,
            "back": _back(request, access.organisation.slug),
        },
        status=422,
    )


@login_required
@require_GET
def answers(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_open_answers_for_user(request, slug)
    organisation = access.organisation
    lang = _lang()
    choices = queries.filters(organisation.pk, lang)
    form = FilterForm(choices, request.GET or None)
    form.is_valid()  # a filter that is no longer valid (a deleted campaign…) is left out, the others kept
    values = getattr(form, "cleaned_data", {})
    campaign = next((c for c in choices.campaigns if str(c.public_id) == values.get("campaign")), None)
    listing = queries.open_answers(
        organisation.pk,
        campaigns=choices.campaigns,
        campaign=campaign,
        question=values.get("question", ""),
        theme=values.get("theme", ""),
        search=values.get("q", ""),
        lang=lang,
    )
    page = Paginator(listing.answers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "qualitative/answers.html",
        {
            "organisation": organisation,
            "access": access,
            "form": form,
            "page": page,
            "listing": listing,
            "scan_limit": queries.SCAN_LIMIT,
            "active_themes": [t for t in choices.themes if not t.archived],
            "back": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def code(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_open_answers_for_user(request, slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _problem(request, access, gettext("Choose an answer to code."))
    try:
        theme_ids = [UUID(value) for value in request.POST.getlist("themes")]
    except ValueError:
        raise Http404 from None
    try:
        coded = actions.code_answer(
            access.organisation,
            submission_uuid=form.cleaned_data["submission"],
            question_code=form.cleaned_data["question"],
            theme_ids=theme_ids,
            acting_user=request.user,
        )
    except actions.NotFound:
        raise Http404 from None
    except actions.ActionError as error:
        return _problem(request, access, str(error))
    if coded.changed:
        messages.success(request, gettext("The answer's themes are saved."))
    else:
        messages.info(request, gettext("Nothing changed: the answer already had these themes."))
    anchor = f"answer-{form.cleaned_data['submission']}-{form.cleaned_data['question']}"
    return redirect(_back(request, slug, anchor))


@login_required
@require_POST
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_open_answers_for_user(request, slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _problem(request, access, gettext("Choose an answer to propose as a quote."))
    try:
        actions.propose_quote(
            access.organisation,
            submission_uuid=form.cleaned_data["submission"],
            question_code=form.cleaned_data["question"],
            acting_user=request.user,
        )
    except actions.NotFound:
        raise Http404 from None
    except actions.ActionError as error:
        return _problem(request, access, str(error))
    messages.success(request, gettext("The answer is proposed as a quote; an administrator approves it."))
    anchor = f"answer-{form.cleaned_data['submission']}-{form.cleaned_data['question']}"
    return redirect(_back(request, slug, anchor))


@login_required
@require_GET
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_open_answers_for_user(request, slug)
    proposals = (
        proposals_of(access.organisation.pk)
        .select_related("submission__campaign", "submission__establishment", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "qualitative/quotes.html",
        {"organisation": access.organisation, "access": access, "page": page, "statuses": QuoteStatus},
    )


class DecisionForm(forms.Form):
    proposal = forms.UUIDField()
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("withdraw", "withdraw")])


@login_required
@require_POST
def decide(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_open_answers_for_user(request, slug, admin=True)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _problem(request, access, gettext("Choose a quote and a decision."))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.decide_quote(
            access.organisation, proposal_id=form.cleaned_data["proposal"], approve=approve, acting_user=request.user
        )
    except actions.NotFound:
        raise Http404 from None
    except actions.ActionError as error:
        return _problem(request, access, str(error))
    messages.success(request, gettext("The quote is approved.") if approve else gettext("The quote is withdrawn."))
    return redirect("qualitative:quotes", slug)


class ThemeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=actions.MAX_THEME_NAME)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=actions.MAX_THEME_DESCRIPTION,
        help_text=gettext_lazy("Optional: what answers of this theme speak about, for whoever codes them."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_theme_counts_for_user(request, slug, write=request.method == "POST")
    organisation = access.organisation
    status = 200
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme = actions.create_theme(
                    organisation,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    acting_user=request.user,
                )
            except actions.ActionError as error:
                form.add_error("name", ValidationError(str(error)))
            else:
                messages.success(request, gettext("The theme “%(name)s” is added.") % {"name": theme.name})
                return redirect("qualitative:themes", slug)
        status = 422
    else:
        form = ThemeForm()
    counts = queries.theme_counts(organisation.pk)
    chart = ""
    rows = [
        (campaign.name, theme.name, cells[i].n)
        for theme in counts.themes
        for cells in [counts.by_campaign[theme.pk]]
        for i, campaign in enumerate(counts.campaigns)
    ]
    if rows and any(n for _c, _t, n in rows):
        chart = data_uri(
            grouped_bars(
                rows,
                x_title=gettext("Campaign"),
                y_title=gettext("Coded answers"),
                series_title=gettext("Theme"),
                language=_lang(),
            )
        )
    return render(
        request,
        "qualitative/themes.html",
        {
            "organisation": organisation,
            "access": access,
            "counts": counts,
            "rows_by_campaign": counts.rows("campaign"),
            "rows_by_month": counts.rows("month"),
            "chart": chart,
            "form": form,
        },
        status=status,
    )


class ArchiveForm(forms.Form):
    theme = forms.UUIDField()
    archived = forms.BooleanField(required=False)


@login_required
@require_POST
def theme_archive(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_theme_counts_for_user(request, slug, write=True)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        return _problem(request, access, gettext("Choose a theme."))
    try:
        theme = actions.set_theme_archived(
            access.organisation,
            form.cleaned_data["theme"],
            archived=form.cleaned_data["archived"],
            acting_user=request.user,
        )
    except actions.NotFound:
        raise Http404 from None
    if theme.archived:
        messages.success(request, gettext("The theme “%(name)s” is archived.") % {"name": theme.name})
    else:
        messages.success(request, gettext("The theme “%(name)s” is offered again.") % {"name": theme.name})
    return redirect("qualitative:themes", slug)
