"""The organisation's results: the dashboard of a campaign, one indicator's page, exports of the figures, and the
results report (HTML and PDF). Every page reads facts through ``socle.measurement.dashboard``; raw answers are
never read here. The organisation's people and consenting facilitators read them (``get_organisation_for_user``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from socle.collection.access import campaigns_of
from socle.collection.exports import to_csv, to_xlsx
from socle.collection.models import Campaign
from socle.frameworks import presentation
from socle.lib import charts
from socle.lib.frameworks import diagram
from socle.measurement import dashboard as reads
from socle.measurement import exports, report
from socle.measurement.contributions import version_indicators
from socle.network.access import OrganisationAccess, establishments_of, get_organisation_for_user
from socle.network.models import Establishment, Organisation


class ResultsFilter(forms.Form):
    """The campaign and establishment a page shows (GET parameters; an unknown id is a 404, never a guess)."""

    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    establishment = forms.ChoiceField(label=gettext_lazy("Establishment"), required=False)

    def __init__(self, campaigns: Sequence[Campaign], establishments: Sequence[Establishment], data: Any) -> None:
        super().__init__(data)
        self.fields["campaign"].choices = [(str(c.public_id), c.name) for c in campaigns]  # type: ignore[attr-defined]
        self.fields["establishment"].choices = [  # type: ignore[attr-defined]
            ("", _("The whole organisation")),
            *((str(e.public_id), e.name) for e in establishments),
        ]


def _campaigns(organisation: Organisation) -> list[Campaign]:
    return list(
        campaigns_of(organisation.pk)
        .select_related("framework_version__framework", "framework_version__base_version")
        .order_by("-starts_on", "-pk")
    )


def _pick(rows: Sequence[Any], wanted: str | None) -> Any:
    if not wanted:
        return None
    try:
        key = UUID(wanted)
    except ValueError:
        raise Http404 from None
    for row in rows:
        if row.public_id == key:
            return row
    raise Http404


def _selection(
    request: HttpRequest, organisation: Organisation
) -> tuple[ResultsFilter, list[Campaign], Campaign | None, list[Establishment], Establishment | None]:
    campaigns = _campaigns(organisation)
    establishments = list(establishments_of(organisation).select_related("type").order_by("name"))
    campaign = _pick(campaigns, request.GET.get("campaign")) or (campaigns[0] if campaigns else None)
    establishment = _pick(establishments, request.GET.get("establishment"))
    form = ResultsFilter(
        campaigns,
        establishments,
        {
            "campaign": str(campaign.public_id) if campaign else "",
            "establishment": str(establishment.public_id) if establishment else "",
        },
    )
    return form, campaigns, campaign, establishments, establishment


def targets_for(organisation: Organisation, campaign: Campaign) -> dict[str, Decimal]:
    """The organisation's targets for the indicators of the campaign's framework."""
    from socle.improvement.queries import targets_of

    return {
        code: target.value for code, target in targets_of(organisation.pk, campaign.framework_version.framework).items()
    }


def _bars(results: Sequence[reads.Result], language: str) -> str:
    points = [
        charts.Point(
            r.info.label,
            r.estimate.value or 0.0,
            r.estimate.interval.low if r.estimate.interval else None,
            r.estimate.interval.high if r.estimate.interval else None,
            float(r.target) if r.target is not None else None,
        )
        for r in results
    ]
    return charts.data_uri(charts.estimate_bars(points, x_title=_("% of the people who answered"), language=language))


@lru_cache(maxsize=64)
def _toc_layout(version_pk: int, content_sha256: str, lang: str) -> diagram.Layout:
    """The diagram's layout (ordering the boxes is the costly part) once per version and language."""
    document = version_indicators(version_pk, content_sha256).document
    return diagram.layout(document.get("nodes", []), document.get("links", []), language=lang)


def toc_svg(board: reads.Dashboard) -> str:
    """The campaign's theory of change with each measured outcome's status (``socle.measurement.dashboard``)."""
    version = board.campaign.framework_version
    return diagram.render_svg(
        _toc_layout(version.pk, version.content_sha256, presentation.language()),
        title=_("Theory of change, coloured by results"),
        column_titles={k: str(v) for k, v in presentation.STAGE_TITLES.items()},
        status=board.statuses,
    )


def dashboard_context(access: OrganisationAccess, request: HttpRequest) -> dict[str, Any]:
    organisation = access.organisation
    form, campaigns, campaign, _establishments, establishment = _selection(request, organisation)
    context: dict[str, Any] = {
        "organisation": organisation,
        "access": access,
        "form": form,
        "campaign": campaign,
        "establishment": establishment,
    }
    if campaign is None:
        return context
    board = reads.dashboard(
        organisation.pk,
        campaign,
        campaigns,
        establishment=establishment,
        targets=targets_for(organisation, campaign),
    )
    language = presentation.language()
    context.update(
        {
            "board": board,
            "chart": _bars(board.percent_results, language) if board.percent_results else "",
            "toc": toc_svg(board),
            "query": request.GET.urlencode(),
        }
    )
    return context


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    return render(request, "measurement/dashboard.html", dashboard_context(access, request))


@login_required
@require_GET
def indicator(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    organisation = access.organisation
    form, campaigns, campaign, establishments, _establishment = _selection(request, organisation)
    if campaign is None:
        raise Http404
    version = campaign.framework_version
    known = reads.indicator_infos(version_indicators(version.pk, version.content_sha256).document).get(code)
    if known is None or known.source != "answers":
        raise Http404  # unknown here; activity indicators are read on the dashboard, per year
    page = reads.indicator_page(organisation.pk, campaign, code, campaigns, establishments)
    targets = targets_for(organisation, campaign)
    target = targets.get(code)
    language = presentation.language()
    shown = [(c, e) for c, e in page.trend if e.value is not None]
    trend_chart = ""
    if shown:
        points = [
            charts.Point(
                c.name,
                e.value or 0.0,
                e.interval.low if e.interval else None,
                e.interval.high if e.interval else None,
                float(target) if target is not None else None,
            )
            for c, e in shown
        ]
        trend_chart = charts.data_uri(
            charts.trend_points(
                points,
                y_title=page.info.unit or page.info.label,
                language=language,
                domain=(0, 100) if page.info.percent else None,
            )
        )
    return render(
        request,
        "measurement/indicator.html",
        {
            "organisation": organisation,
            "access": access,
            "form": form,
            "campaign": campaign,
            "page": page,
            "target": target,
            "trend_chart": trend_chart,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    organisation = access.organisation
    _form, campaigns, campaign, establishments, _establishment = _selection(request, organisation)
    if campaign is None:
        raise Http404
    table = exports.results_table(organisation.pk, campaign, campaigns, establishments)
    name = f"{organisation.slug}-results-{campaign.starts_on:%Y-%m-%d}"
    if fmt == "csv":
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            to_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_GET
def results_report(request: HttpRequest, slug: str, fmt: str = "html") -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    context = dashboard_context(access, request)
    if context.get("campaign") is None:
        raise Http404
    context.update(report.report_context(access.organisation, context["board"]))
    if fmt == "pdf":
        pdf = report.render_pdf(context, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        campaign = context["campaign"]
        response["Content-Disposition"] = (
            f'inline; filename="{access.organisation.slug}-report-{campaign.starts_on:%Y-%m-%d}.pdf"'
        )
        return response
    return render(request, "measurement/report.html", context)
