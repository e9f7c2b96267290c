"""An organisation's campaigns: the list, opening one, and its collection links with their QR codes."""

from __future__ import annotations

import datetime
import io
from uuid import UUID

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from socle.collection import actions, exports, queries
from socle.collection.access import campaigns_of, get_campaign_for_user, open_sector_campaigns_for
from socle.collection.models import Mode, SectorCampaign, Wave
from socle.collection.paper import render_pdf
from socle.frameworks.access import frameworks_of
from socle.frameworks.models import FrameworkVersion
from socle.lib import charts
from socle.lib.collection import progress
from socle.network.access import establishments_of, get_organisation_for_user
from socle.network.models import Organisation


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    version = forms.ModelChoiceField(
        label=gettext_lazy("Framework version"), queryset=FrameworkVersion.objects.none(), empty_label=None
    )
    wave = forms.ChoiceField(label=gettext_lazy("Wave"), choices=Wave.choices)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    establishments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Establishments"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )
    sector_campaign = forms.ModelChoiceField(
        label=gettext_lazy("Join a sector campaign of your network"),
        queryset=SectorCampaign.objects.none(),
        required=False,
        empty_label=gettext_lazy("No, this campaign is the organisation's own"),
        help_text=gettext_lazy(
            "Your answers stay yours; the network sees how many people answered and, later, figures consolidated "
            "under disclosure control."
        ),
    )

    def __init__(self, organisation: Organisation, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["version"].queryset = FrameworkVersion.objects.filter(  # type: ignore[attr-defined]
            framework__in=frameworks_of(organisation), status="published"
        ).select_related("framework")
        self.fields["establishments"].queryset = establishments_of(organisation)  # type: ignore[attr-defined]
        sector = open_sector_campaigns_for(organisation).select_related("framework_version__framework")
        self.fields["sector_campaign"].queryset = sector  # type: ignore[attr-defined]
        if not sector.exists():
            del self.fields["sector_campaign"]
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + datetime.timedelta(days=90)


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug, write=request.method == "POST")
    organisation = access.organisation
    form = CampaignForm(organisation)
    status = 200
    if request.method == "POST":
        form = CampaignForm(organisation, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = actions.open_campaign(
                    organisation,
                    data["version"],
                    name=data["name"],
                    wave=data["wave"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    establishments=data["establishments"],
                    acting_user=request.user,
                    sector_campaign=data.get("sector_campaign"),
                )
            except actions.ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext_lazy("The campaign is open: share its links."))
                return redirect("collection:campaign", slug, campaign.public_id)
        status = 422
    rows = campaigns_of(organisation.pk).select_related("framework_version__framework").order_by("-starts_on")
    return render(
        request,
        "collection/campaigns.html",
        {
            "organisation": organisation,
            "access": access,
            "campaigns": rows,
            "form": form,
        },
        status=status,
    )


def respondent_url(request: HttpRequest, code: str) -> str:
    """The link as the person who opens this page reaches Socle (behind a proxy, set SOCLE_PROXY_COUNT)."""
    return request.build_absolute_uri(reverse("collection:respond", args=[code]))


@login_required
@require_GET
def campaign_detail(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, campaign = get_campaign_for_user(request, slug, public_id)
    state = queries.campaign_progress(campaign)
    language = translation.get_language() or "fr"
    chart = charts.daily_bars(
        state.days, x_title=gettext("Day"), y_title=gettext("People who answered"), language=language
    )
    return render(
        request,
        "collection/campaign.html",
        {
            "organisation": access.organisation,
            "access": access,
            "campaign": campaign,
            "progress": state,
            "chart": charts.data_uri(chart),
            "links": [
                {
                    "link": row.link,
                    "url": respondent_url(request, row.link.code),
                    "title": row.title,
                    "received": row.received,
                    "expected": row.expected,
                    "rate": row.rate,
                }
                for row in state.links
            ],
            "paired_percent": progress.percent(state.paired or 0, state.codes_given),
            "modes": [(Mode(mode).label, n) for mode, n in state.by_mode],
        },
    )


@login_required
@require_GET
def link_qr(request: HttpRequest, slug: str, public_id: UUID, code: str) -> HttpResponse:
    _access, campaign = get_campaign_for_user(request, slug, public_id)
    link = campaign.links.filter(code=code).first()
    if link is None:
        raise Http404
    # a whole SVG document (with its namespace): an <img> shows nothing without it
    buffer = io.BytesIO()
    segno.make(respondent_url(request, link.code), error="m").save(
        buffer, kind="svg", scale=6, dark="#000", light="#fff", xmldecl=False, title=link.code
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@require_GET
def export(request: HttpRequest, slug: str, public_id: UUID, fmt: str) -> HttpResponse:
    """The campaign's raw submissions, for the organisation's own people only (staff and admins)."""
    access, campaign = get_campaign_for_user(request, slug, public_id)
    if not access.is_member_staff or fmt not in ("csv", "xlsx"):
        raise Http404
    table = exports.rows(campaign.submissions.all())
    if fmt == "csv":
        data, content_type = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        data = exports.to_xlsx(table)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{campaign.public_id}.{fmt}"'
    return response


@login_required
@require_GET
def paper(request: HttpRequest, slug: str, public_id: UUID, code: str) -> HttpResponse:
    """The link's questionnaire on paper (PDF), in the language and easy-read chosen with `?lang=` and `?easy=1`."""
    _access, campaign = get_campaign_for_user(request, slug, public_id)
    link = (
        campaign.links.select_related("establishment", "organisation", "campaign__framework_version")
        .filter(code=code)
        .first()
    )
    if link is None:
        raise Http404
    lang = request.GET.get("lang", "") or translation.get_language() or "fr"
    pdf = render_pdf(link, url=respondent_url(request, link.code), lang=lang, easy=request.GET.get("easy") == "1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{link.code}-{link.questionnaire_code}.pdf"'
    return response
