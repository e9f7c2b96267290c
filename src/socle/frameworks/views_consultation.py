"""The consultation of member organisations on a draft sector version (co-construction of the framework).

Who sees what on `/f/<slug>/v/<n>/consultation/` (sector frameworks only; organisation frameworks answer 404):

- **network admin**: opens the consultation on a draft (with a message to members), sees the tally of views per
  indicator and every comment grouped by element, answers each member comment, closes the consultation (the
  version can then be published from its overview page);
- **network analyst**: the same tally and comments, read-only;
- **member organisations** (admin and staff of a member organisation of the network), once the draft is open to
  consultation: the network's message, their *own* organisation's views and comments with the network's answers,
  and nothing of other organisations (not even the aggregate tally: with a handful of members a count can name
  one). Org admins give the organisation's views (keep / change / drop per indicator, one form); org admins and
  org staff may comment;
- **facilitators** see published versions only: there, the consultation's message and dates, not the members'
  comments or views.

Once closed, the page is a read-only record, kept after publication. Writes go through `socle.frameworks.actions`;
an `ActionError` is shown with `messages.error` and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from socle.frameworks import actions, presentation
from socle.frameworks.access import FrameworkAccess, get_version_for_user
from socle.frameworks.models import (
    Consultation,
    FrameworkVersion,
    IndicatorView,
    TargetKind,
    text_in,
)
from socle.frameworks.queries import taking_part, tally, threads
from socle.frameworks.views import version_context
from socle.network.models import Organisation

MAX_TEXT = 5000
VIEW_PREFIX = "view-"


# --- the elements one can comment on --------------------------------------------------------------------------


def _element_choices(doc: dict[str, Any]) -> list[Any]:
    """The select's options, grouped: general, theory of change, indicators, then one group per questionnaire."""
    choices: list[Any] = [(f"{TargetKind.GENERAL}:", _("The framework as a whole"))]
    nodes = [(f"{TargetKind.NODE}:{n['code']}", text_in(n["label"])) for n in doc.get("nodes", [])]
    if nodes:
        choices.append((_("Theory of change"), nodes))
    indicators = [(f"{TargetKind.INDICATOR}:{i['code']}", text_in(i["label"])) for i in doc.get("indicators", [])]
    if indicators:
        choices.append((_("Indicators"), indicators))
    for questionnaire in doc.get("questionnaires", []):
        questions = [
            (f"{TargetKind.QUESTION}:{questionnaire['code']}/{q['name']}", f"{text_in(q['label'])} ({q['name']})")
            for s in questionnaire["sections"]
            for q in s["questions"]
        ]
        if questions:
            label = _("Questionnaire: %(title)s") % {"title": text_in(questionnaire["title"])}
            choices.append((label, questions))
    return choices


# --- forms -----------------------------------------------------------------------------------------------------


class OpenConsultationForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to member organisations"),
        help_text=gettext_lazy("What you ask them, and by when. Every member organisation reads it."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
        required=False,
    )


class CommentForm(forms.Form):
    """A member's comment on one element of the draft."""

    element = forms.ChoiceField(label=gettext_lazy("What you comment on"), choices=[])
    text = forms.CharField(
        label=gettext_lazy("Your comment"), widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_TEXT
    )

    def __init__(self, *args: Any, doc: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        element = self.fields["element"]
        assert isinstance(element, forms.ChoiceField)
        element.choices = _element_choices(doc)
        element.error_messages["invalid_choice"] = _("The element you comment on is not in this draft.")

    def target(self) -> tuple[str, str]:
        kind, _sep, code = self.cleaned_data["element"].partition(":")
        return kind, code


class AnswerForm(forms.Form):
    """The network's answer to one member comment."""

    reply_to = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT)


class IndicatorViewsForm(forms.Form):
    """One keep / change / drop choice per indicator (each optional: an indicator left blank keeps its view)."""

    def __init__(self, *args: Any, indicators: list[presentation.IndicatorRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [i.code for i in indicators]
        for indicator in indicators:
            self.fields[VIEW_PREFIX + indicator.code] = forms.ChoiceField(
                label=indicator.label,
                help_text=indicator.definition,
                choices=IndicatorView.View.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": _("Choose keep, change or drop.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        known = set(self.codes)
        unknown = sorted(
            key[len(VIEW_PREFIX) :]
            for key in self.data
            if key.startswith(VIEW_PREFIX) and key[len(VIEW_PREFIX) :] not in known
        )
        if unknown:
            raise forms.ValidationError(
                _("This indicator is not in the draft: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return data

    def chosen(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[VIEW_PREFIX + code]
            for code in self.codes
            if self.cleaned_data.get(VIEW_PREFIX + code)
        }

    def fields_by_indicator(self) -> list[forms.BoundField]:
        return [self[VIEW_PREFIX + code] for code in self.codes]


# --- reads for the page ------------------------------------------------------------------------------------


def _consultation_of(version: FrameworkVersion) -> Consultation | None:
    consultation = Consultation.objects.filter(version=version).first()
    if consultation is not None:
        version.consultation = consultation  # the header template asks for it: no second query
    return consultation


def _sector_version(
    request: HttpRequest, slug: str, number: int, *, write: bool = False
) -> tuple[FrameworkAccess, FrameworkVersion]:
    access, version = get_version_for_user(request, slug, number, write=write)
    if not access.framework.is_sector:
        raise Http404
    return access, version


def _page_url(slug: str, number: int, anchor: str = "") -> str:
    url = reverse("frameworks:consultation", args=[slug, number])
    return f"{url}#{anchor}" if anchor else url


def _render(
    request: HttpRequest,
    access: FrameworkAccess,
    version: FrameworkVersion,
    consultation: Consultation | None,
    *,
    open_form: OpenConsultationForm | None = None,
    comment_form: CommentForm | None = None,
    views_form: IndicatorViewsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    doc = version.effective_content()
    context = version_context(request, access, version)
    context.update({"consultation": consultation, "doc": doc})
    if consultation is None:
        can_open = access.can_write and not version.is_published
        context.update({"can_open": can_open, "open_form": open_form or (OpenConsultationForm() if can_open else None)})
        return render(request, "frameworks/consultation.html", context, status=status)
    if access.is_network_staff:
        context.update(
            {
                "tally": tally(consultation, doc),
                "members_total": Organisation.objects.filter(
                    network_id=access.framework.network_id, is_member=True
                ).count(),
                "taking_part": taking_part(consultation),
                "groups": threads(consultation, doc),
                "can_answer": access.can_write and consultation.is_open,
                "can_close": access.can_write and consultation.is_open,
            }
        )
    elif access.is_member:
        assert access.organisation is not None
        indicator_rows = presentation.indicators(doc)
        current = dict(
            IndicatorView.objects.filter(consultation=consultation, organisation_id=access.organisation.pk).values_list(
                "indicator_code", "view"
            )
        )
        labels = dict(IndicatorView.View.choices)
        context.update(
            {
                "groups": threads(consultation, doc, organisation=access.organisation),
                "own_views": [(row, labels.get(current.get(row.code, ""), "")) for row in indicator_rows],
            }
        )
        if consultation.is_open:
            if access.can_give_views:
                context["views_form"] = views_form or IndicatorViewsForm(
                    initial={VIEW_PREFIX + code: view for code, view in current.items()}, indicators=indicator_rows
                )
            initial = request.GET.get("element", "")
            context["comment_form"] = comment_form or CommentForm(initial={"element": initial}, doc=doc)
    return render(request, "frameworks/consultation.html", context, status=status)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    """Each error as a message at the top of the page, named after its field (the form shows it again in place)."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label} — {error}" if label else error)


# --- views ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def consultation(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, version = _sector_version(request, slug, number)
    return _render(request, access, version, _consultation_of(version))


@login_required
@require_POST
def open_(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Network admin: open the draft to member organisations."""
    access, version = _sector_version(request, slug, number, write=True)
    form = OpenConsultationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _render(request, access, version, _consultation_of(version), open_form=form, status=422)
    try:
        actions.open_consultation(version, message=form.cleaned_data["message"].strip(), acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The draft is open to consultation: member organisations can now read it, "
                "comment on it and give their views."
            ),
        )
    return redirect(_page_url(slug, number))


@login_required
@require_POST
def close(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Network admin: close the consultation; the draft can then be published."""
    _access, version = _sector_version(request, slug, number, write=True)
    found = _consultation_of(version)
    if found is None:
        raise Http404
    try:
        actions.close_consultation(found, acting_user=request.user)
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The consultation is closed. The version can now be published."))
    return redirect(_page_url(slug, number))


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A member organisation's comment (org admin or staff), or the network admin's answer to one (`reply_to`)."""
    access, version = _sector_version(request, slug, number)
    found = _consultation_of(version)
    if found is None:
        raise Http404
    if access.can_write:
        return _answer(request, found, slug, number)
    if not access.is_member:
        raise PermissionDenied
    assert access.organisation is not None
    form = CommentForm(request.POST, doc=version.effective_content())
    if form.is_valid():
        kind, code = form.target()
        try:
            actions.add_comment(
                found,
                organisation=access.organisation,
                target_kind=kind,
                target_code=code,
                text=form.cleaned_data["text"],
                acting_user=request.user,
            )
        except actions.ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your comment is sent to the network."))
            return redirect(_page_url(slug, number, "own-comments"))
    else:
        _form_errors(request, form)
    return _render(request, access, version, found, comment_form=form, status=422)


def _answer(request: HttpRequest, found: Consultation, slug: str, number: int) -> HttpResponse:
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if "reply_to" in form.errors:
            messages.error(request, _("The network answers members' comments: choose the comment you answer."))
        else:
            _form_errors(request, form)
        return redirect(_page_url(slug, number, "comments"))
    # Only a member's comment of this very consultation can be answered.
    reply_to = found.comments.filter(
        public_id=form.cleaned_data["reply_to"], reply_to__isnull=True, organisation__isnull=False
    ).first()
    if reply_to is None:
        messages.error(request, _("This comment is not part of this consultation."))
        return redirect(_page_url(slug, number, "comments"))
    try:
        actions.add_comment(
            found,
            organisation=None,
            target_kind=reply_to.target_kind,
            target_code=reply_to.target_code,
            text=form.cleaned_data["text"],
            acting_user=request.user,
            reply_to=reply_to,
        )
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your answer is sent to %(organisation)s.")
            % {"organisation": reply_to.organisation.name if reply_to.organisation else ""},
        )
    return redirect(_page_url(slug, number, f"comment-{reply_to.public_id}"))


@login_required
@require_POST
def give_views(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A member organisation's admin: keep / change / drop on the indicators, in one form."""
    access, version = _sector_version(request, slug, number)
    found = _consultation_of(version)
    if found is None:
        raise Http404
    if not access.can_give_views:
        raise PermissionDenied
    assert access.organisation is not None
    if not found.is_open:
        messages.error(request, _("This consultation is closed."))
        return redirect(_page_url(slug, number))
    doc = version.effective_content()
    form = IndicatorViewsForm(request.POST, indicators=presentation.indicators(doc))
    if not form.is_valid():
        _form_errors(request, form)
        return _render(request, access, version, found, views_form=form, status=422)
    current = dict(
        IndicatorView.objects.filter(consultation=found, organisation_id=access.organisation.pk).values_list(
            "indicator_code", "view"
        )
    )
    changed = {code: view for code, view in form.chosen().items() if current.get(code) != view}
    try:
        with transaction.atomic():  # all the views or none
            for code, view in changed.items():
                actions.give_view(
                    found, organisation=access.organisation, indicator_code=code, view=view, acting_user=request.user
                )
    except actions.ActionError as error:
        messages.error(request, str(error))
        return redirect(_page_url(slug, number, "views"))
    if changed:
        messages.success(request, _("Your organisation's views are saved."))
    else:
        messages.info(request, _("Nothing changed in your organisation's views."))
    return redirect(_page_url(slug, number, "views"))
