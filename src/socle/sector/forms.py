from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from socle.sector.models import Decision, Method


class SettingsForm(forms.Form):
    min_establishments = forms.IntegerField(
        label=_("Participating establishments per stratum (type × region)"), min_value=1, max_value=1000
    )
    min_people_share = forms.DecimalField(
        label=_("Share of the stratum's people they support (0.1 = 10 %)"),
        min_value=Decimal(0),
        max_value=Decimal(1),
        decimal_places=3,
    )
    min_weighting_establishments = forms.IntegerField(
        label=_("Participating establishments needed to weight a type"), min_value=1, max_value=100
    )
    trim = forms.DecimalField(
        label=_("Trim weights above this many times the median weight"), min_value=Decimal("1.01"), decimal_places=2
    )
    method = forms.ChoiceField(label=_("Weighting"), choices=Method.choices)


class OpenReviewForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the participating members"), required=False, max_length=5000, widget=forms.Textarea
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your answer"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea)
    named = forms.BooleanField(
        label=_("We agree that our organisation is named among the participants in published reports"),
        required=False,
    )
