from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from socle.accounts.models import User
from socle.network.models import Organisation, Role


class InviteOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation of the frame"), queryset=Organisation.objects.none(), to_field_name="slug"
    )
    email = forms.EmailField(label=_("E-mail of its administrator"))

    def __init__(self, *args: object, network_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].queryset = Organisation.objects.filter(network_id=network_id)  # type: ignore[attr-defined]


class InviteNetworkStaffForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in (Role.NETWORK_ADMIN, Role.NETWORK_ANALYST, Role.FACILITATOR)],
    )


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in (Role.ORG_STAFF, Role.ORG_ADMIN)])


class FrameFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or FINESS"), required=False)
    participates = forms.ChoiceField(
        label=_("Participation"),
        required=False,
        choices=[("", _("All")), ("yes", _("Taking part")), ("no", _("Not taking part"))],
    )


class ConsentForm(forms.Form):
    """An organisation admin gives or withdraws consent to one facilitator of the network."""

    facilitator = forms.ModelChoiceField(queryset=User.objects.none(), to_field_name="public_id")
    decision = forms.ChoiceField(choices=[("grant", "grant"), ("revoke", "revoke")])

    def __init__(self, *args: object, facilitators: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]
