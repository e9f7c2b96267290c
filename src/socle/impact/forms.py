"""The composer's forms: the draft of the page, and a photo with its alternative text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socle.collection.models import Campaign
from socle.impact.queries import Candidate
from socle.qualitative.queries import ApprovedQuote

IMP_HELP = {
    "imp_what": _("What outcomes the people you support experience, and how important they are to them."),
    "imp_who": _("Who experiences them: the people you support, and how underserved they were."),
    "imp_how_much": _("How many people, how deep the change, how long it lasts."),
    "imp_contribution": _("What would have happened without you: your part in the change."),
    "imp_risk": _("What could make the impact different from what you expect, and how you watch it."),
}


class PageForm(forms.Form):
    mission = forms.CharField(
        label=_("Mission"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    activities = forms.CharField(
        label=_("Activities"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    campaign = forms.ChoiceField(label=_("Campaign whose results are shown"), required=False)
    indicators = forms.MultipleChoiceField(
        label=_("Indicators shown"), required=False, widget=forms.CheckboxSelectMultiple
    )
    show_activity = forms.BooleanField(label=_("Show the key activity figures of the campaign's year"), required=False)
    show_theory_of_change = forms.BooleanField(label=_("Show the theory of change"), required=False)
    quotes = forms.MultipleChoiceField(
        label=_("Testimonials shown"), required=False, widget=forms.CheckboxSelectMultiple
    )
    show_sector = forms.BooleanField(label=_("Show the contribution to the sector figures"), required=False)
    imp_what = forms.CharField(
        label=_("What"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    imp_who = forms.CharField(label=_("Who"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)
    imp_how_much = forms.CharField(
        label=_("How much"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    imp_contribution = forms.CharField(
        label=_("Contribution"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    imp_risk = forms.CharField(
        label=_("Risk"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )

    def __init__(
        self,
        data: Any,
        *,
        campaigns: Sequence[Campaign],
        candidates: Sequence[Candidate],
        quotes: Sequence[ApprovedQuote],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.campaigns = {str(c.public_id): c for c in campaigns}
        self.fields["campaign"].choices = [
            ("", _("No results shown")),
            *((k, c.name) for k, c in self.campaigns.items()),
        ]  # type: ignore[attr-defined]
        self.fields["indicators"].choices = [(c.code, c.label) for c in candidates]  # type: ignore[attr-defined]
        self.fields["quotes"].choices = [(str(q.public_id), q.text) for q in quotes]  # type: ignore[attr-defined]
        for name, text in IMP_HELP.items():
            self.fields[name].help_text = text

    def draft_values(self) -> dict[str, Any]:
        """The cleaned values as the draft stores them."""
        data = dict(self.cleaned_data)
        data["campaign"] = self.campaigns.get(data.get("campaign") or "")
        data["indicators"] = list(data.get("indicators") or [])
        data["quotes"] = list(data.get("quotes") or [])
        return data


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 8 MB)"))
    alt_text = forms.CharField(
        label=_("Alternative text"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it. Show no one who has not agreed to it."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
