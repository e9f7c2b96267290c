"""A network's sector campaigns: the list, opening one, and who takes part (counts, never answers)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socle.collection import actions, queries
from socle.collection.access import get_sector_campaign_for_user, sector_campaigns_of
from socle.collection.models import Wave
from socle.frameworks.models import FrameworkVersion
from socle.network.access import get_network_for_user
from socle.network.models import Network


class SectorCampaignForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("For example “LCEP 2026”.")
    )
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "Short name for files and public addresses, for example “lcep-2026”. Left empty: made from the name."
        ),
    )
    version = forms.ModelChoiceField(
        label=gettext_lazy("Sector framework version"), queryset=FrameworkVersion.objects.none(), empty_label=None
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, network: Network, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["version"].queryset = FrameworkVersion.objects.filter(  # type: ignore[attr-defined]
            framework__network=network, framework__organisation__isnull=True, status="published"
        ).select_related("framework")
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = datetime.date(today.year, 12, 31)


@login_required
@require_http_methods(["GET", "POST"])
def sector_campaigns(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=request.method == "POST")
    network = access.network
    form = SectorCampaignForm(network)
    status = 200
    if request.method == "POST":
        form = SectorCampaignForm(network, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sector_campaign = actions.open_sector_campaign(
                    network,
                    data["version"],
                    name=data["name"],
                    code=data["code"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    acting_user=request.user,
                )
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext_lazy("The sector campaign is open: members can now join it."))
                return redirect("collection:sector_campaign", slug, sector_campaign.public_id)
        status = 422
    rows = queries.with_participation(sector_campaigns_of(network.pk)).select_related("framework_version__framework")
    return render(
        request,
        "collection/sector_campaigns.html",
        {"network": network, "access": access, "sector_campaigns": rows, "form": form},
        status=status,
    )


@login_required
@require_GET
def sector_campaign_detail(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, sector_campaign = get_sector_campaign_for_user(request, slug, public_id)
    members, others = queries.sector_participation(sector_campaign)
    return render(
        request,
        "collection/sector_campaign.html",
        {
            "network": access.network,
            "access": access,
            "sector_campaign": sector_campaign,
            "members": members,
            "others": others,
            "waves": Wave.choices,
            "totals": {wave: sum(m.answers.get(wave, 0) for m in members) for wave in Wave.values},
        },
    )
