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


UNIT_LABELS = {
    "day": _("day"),
    "night": _("night"),
    "week": _("week"),
    "month": _("month"),
    "year": _("year"),
    "visit": _("visit"),
    "stay": _("stay"),
    "place_year": _("place for a year"),
    "person": _("person"),
    "event": _("event"),
}


class UnitCostForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200, required=False)
    value = forms.DecimalField(label=_("Cost in euros"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    low = forms.DecimalField(label=_("Low end of a published range (optional)"), required=False,
                             min_value=Decimal("0.01"), max_digits=12, decimal_places=2)  # fmt: skip
    high = forms.DecimalField(label=_("High end of a published range (optional)"), required=False,
                              min_value=Decimal("0.01"), max_digits=12, decimal_places=2)  # fmt: skip
    unit = forms.ChoiceField(label=_("Per"), choices=list(UNIT_LABELS.items()))
    year = forms.IntegerField(label=_("Year of the cost"), min_value=1990, max_value=2100)
    source = forms.CharField(label=_("Source"), max_length=500)
    verify = forms.BooleanField(label=_("To verify (second-hand or dated figure)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


SCENARIO_LABELS = {"low": _("Low"), "central": _("Central"), "high": _("High")}
ADJUSTMENT_LABELS = {
    "deadweight": _("Deadweight (would have happened anyway)"),
    "attribution": _("Attribution (due to others)"),
    "displacement": _("Displacement"),
    "drop_off": _("Drop-off per year"),
    "discount_rate": _("Discount rate"),
    "years": _("Years"),
}


class MappingForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Sector indicator (a share of people)"))
    wave = forms.ChoiceField(label=_("Wave"))
    baseline_wave = forms.ChoiceField(label=_("Counted as the change since"), required=False)
    unit_cost = forms.ModelChoiceField(label=_("Unit cost"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    quantity = forms.DecimalField(label=_("Units avoided per person counted, in a year"), min_value=Decimal("0.01"),
                                  max_digits=10, decimal_places=2)  # fmt: skip
    description = forms.CharField(label=_("What is avoided"), max_length=500)
    comparison_group = forms.BooleanField(label=_("The outcomes are net of a comparison group"), required=False)

    def __init__(self, *args: object, indicators: list[tuple[str, str]], waves: list[tuple[str, str]],
                 unit_costs: object, **kwargs: object) -> None:  # fmt: skip
        from socle.sector.costs import DEFAULT_SCENARIOS

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["wave"].choices = waves  # type: ignore[attr-defined]
        self.fields["baseline_wave"].choices = [("", _("— the share itself, not a change")), *waves]  # type: ignore[attr-defined]
        self.fields["unit_cost"].queryset = unit_costs  # type: ignore[attr-defined]
        for scenario, scenario_label in SCENARIO_LABELS.items():
            for name, label in ADJUSTMENT_LABELS.items():
                key = f"{scenario}_{name}"
                initial = DEFAULT_SCENARIOS[scenario][name]
                if name == "years":
                    self.fields[key] = forms.IntegerField(label=f"{scenario_label} · {label}", min_value=1,
                                                          max_value=30, initial=initial)  # fmt: skip
                else:
                    self.fields[key] = forms.DecimalField(label=f"{scenario_label} · {label}", min_value=Decimal(0),
                                                          max_value=Decimal(1), decimal_places=3,
                                                          initial=Decimal(initial))  # fmt: skip

    def scenarios(self) -> dict[str, dict[str, object]]:
        data = self.cleaned_data
        return {
            scenario: {
                name: (int(data[f"{scenario}_{name}"]) if name == "years" else str(data[f"{scenario}_{name}"]))
                for name in ADJUSTMENT_LABELS
            }
            for scenario in SCENARIO_LABELS
        }
