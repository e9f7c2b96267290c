"""Forms of the improvement pages: choices come from the framework's latest published version and the
organisation's team, so that a forged code or person is a form error (422), not a crash."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socle.improvement.documents import FrameworkPlan
from socle.improvement.models import ActionStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    value = forms.CharField(
        label=_("Target"),
        max_length=20,
        help_text=_("In the indicator's unit: 70 for 70 %."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "short"}),
    )
    due_on = forms.DateField(label=_("To reach by (optional)"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        help_text=_("Why this target, or where it comes from: 500 characters at most."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, plan: FrameworkPlan, fixed_indicator: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        choices = plan.indicator_choices()
        field = self.fields["indicator"]
        field.choices = [("", _("Choose an indicator")), *choices]  # type: ignore[attr-defined]
        if fixed_indicator is not None:
            field.disabled = True
            field.initial = fixed_indicator

    def clean_value(self) -> Decimal:
        text = self.cleaned_data["value"].strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("The target must be a number, such as 70 or 12.5.")) from None
        if not number.is_finite():
            raise forms.ValidationError(_("The target must be a number, such as 70 or 12.5."))
        return number


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Outcomes it aims at"), required=False, widget=forms.CheckboxSelectMultiple
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it should move"), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.ChoiceField(label=_("Person in charge"), required=False)
    due_on = forms.DateField(label=_("Due on (optional)"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)

    def __init__(self, *args: Any, plan: FrameworkPlan, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.members = {str(user.public_id): user for user in members}
        self.fields["outcomes"].choices = plan.outcome_choices()  # type: ignore[attr-defined]
        self.fields["indicators"].choices = plan.indicator_choices()  # type: ignore[attr-defined]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody yet")),
            *[(key, user.full_name or user.email) for key, user in self.members.items()],
        ]

    def clean_owner(self) -> Any:
        key = self.cleaned_data.get("owner") or ""
        return self.members.get(key) if key else None
