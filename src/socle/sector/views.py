"""Pages of sector figures. Network staff: the sector campaigns with their consolidations, the network's thresholds,
a consolidation's figures, opening it to review, publishing (``sector_home``, ``consolidation``). Members: the
figures of the sector campaigns they took part in, their review, their own value beside the sector's quartiles
(``member_home``, ``member_consolidation``). Everybody: published figures (``public_sector``, ``public_campaign``)
and their open data (``public_opendata``: a zip of ``socle.sector.opendata``'s files).
Each view calls its access helper first (``socle.sector.access``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socle.collection.access import get_sector_campaign_for_user, sector_campaigns_of
from socle.collection.models import Wave
from socle.network.access import get_network_for_user, get_organisation_for_user
from socle.network.actions import ActionError
from socle.network.models import Network
from socle.sector import actions, opendata, presentation, queries
from socle.sector import costs as costs_module
from socle.sector.access import (
    consolidations_for_member,
    consolidations_of,
    get_consolidation_for_member,
    get_consolidation_for_network,
    get_publication,
    publications_of,
)
from socle.sector.forms import MappingForm, OpenReviewForm, ReviewForm, SettingsForm, UnitCostForm
from socle.sector.models import ConsolidationStatus, CostMapping, Review, UnitCost


def _results_context(results: dict[str, Any]) -> dict[str, Any]:
    return {
        "results": results,
        "indicators": presentation.indicators_of(results),
        "coverage": results.get("coverage", {}),
        "coverage_reasons": presentation.coverage_reasons(results),
        "left_out_types": presentation.left_out_types(results),
    }


# --- Network staff ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sector_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_network_for_user(request, slug, write=request.method == "POST")
    network = access.network
    current = actions.settings_of(network)
    initial = {
        "min_establishments": current.min_establishments,
        "min_people_share": current.min_people_share,
        "trim": current.trim,
        "method": current.method,
        "min_weighting_establishments": current.min_weighting_establishments,
    }
    form = SettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                actions.update_settings(network, **form.cleaned_data, acting_user=request.user)
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The thresholds are saved; they apply to the next consolidation."))
                return redirect("sector:home", slug)
        status = 422
    campaigns = list(sector_campaigns_of(network.pk).select_related("framework_version__framework"))
    consolidations = queries.consolidations_by_campaign(consolidations_of(network.pk).defer("results"))
    publications = queries.publications_by_campaign(publications_of(network))
    rows = [
        {"campaign": c, "consolidations": consolidations.get(c.pk, []), "publications": publications.get(c.pk, [])}
        for c in campaigns
    ]
    return render(
        request,
        "sector/network_home.html",
        {"network": network, "access": access, "rows": rows, "form": form},
        status=status,
    )


@login_required
@require_POST
def consolidate(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    _access, sector_campaign = get_sector_campaign_for_user(request, slug, public_id, write=True)
    try:
        consolidation = actions.consolidate(sector_campaign, acting_user=request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("sector:home", slug)
    messages.success(request, _("The sector figures are computed. Read them, then open them to the members' review."))
    return redirect("sector:consolidation", slug, consolidation.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def consolidation(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, found = get_consolidation_for_network(request, slug, public_id, write=request.method == "POST")
    review_form = OpenReviewForm()
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "open_review":
                review_form = OpenReviewForm(request.POST)
                if review_form.is_valid():
                    actions.open_review(found, message=review_form.cleaned_data["message"], acting_user=request.user)
                    messages.success(request, _("The participating members can now validate or comment the figures."))
                    return redirect("sector:consolidation", slug, public_id)
            elif step == "publish":
                publication = actions.publish(found, acting_user=request.user)
                messages.success(request, _("Published as version %(version)s.") % {"version": publication.version})
                return redirect("sector:consolidation", slug, public_id)
            else:
                messages.error(request, _("Unknown step."))
        except ActionError as error:
            messages.error(request, str(error))
        return redirect("sector:consolidation", slug, public_id)
    reviews = list(
        Review.objects.filter(consolidation=found).select_related("organisation").order_by("organisation__name")
    )
    participants = queries.participant_names(found)
    return render(
        request,
        "sector/consolidation.html",
        {
            "network": access.network,
            "access": access,
            "consolidation": found,
            "sector_campaign": found.sector_campaign,
            "reviews": reviews,
            "awaiting": [name for pk, name in participants if pk not in {r.organisation_id for r in reviews}],
            "review_form": review_form,
            "can_open_review": access.can_write and found.status == ConsolidationStatus.DRAFT,
            "can_publish": access.can_write and found.status == ConsolidationStatus.REVIEW,
            **_results_context(found.results),
        },
    )


# --- Members ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def member_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_organisation_for_user(request, slug)
    organisation = access.organisation
    found = list(
        consolidations_for_member(organisation.pk, organisation.network_id)
        .defer("results")
        .select_related("sector_campaign")
        .order_by("-review_opened_at")
    )
    mine = {r.consolidation_id: r for r in Review.objects.filter(organisation=organisation, consolidation__in=found)}
    rows = [{"consolidation": c, "review": mine.get(c.pk)} for c in found]
    return render(request, "sector/member_home.html", {"organisation": organisation, "access": access, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def member_consolidation(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access, found = get_consolidation_for_member(request, slug, public_id, write=request.method == "POST")
    organisation = access.organisation
    current = Review.objects.filter(consolidation=found, organisation=organisation).first()
    form = ReviewForm(
        initial={"decision": current.decision, "comment": current.comment, "named": current.named}
        if current
        else {"named": False}
    )
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                actions.review(found, organisation, **form.cleaned_data, acting_user=request.user)
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you: the network has your answer."))
                return redirect("sector:member_consolidation", slug, public_id)
        status = 422
    own = queries.own_results(organisation.pk, found)
    return render(
        request,
        "sector/member_consolidation.html",
        {
            "organisation": organisation,
            "access": access,
            "consolidation": found,
            "sector_campaign": found.sector_campaign,
            "review": current,
            "form": form,
            "participates": organisation.pk in actions.participants(found),
            "can_review": access.can_write and found.status == ConsolidationStatus.REVIEW,
            "benchmarks": queries.member_benchmarks(found, own),
            "own_costs": costs_module.organisation_avoided_costs(found, own.estimates, own.establishment_ids),
            **_results_context(found.results),
        },
        status=status,
    )


# --- Public -------------------------------------------------------------------------------------------------------


@require_GET
def public_sector(request: HttpRequest, network_slug: str) -> HttpResponse:
    network, latest = queries.latest_publications(network_slug)
    return render(request, "sector/public_sector.html", {"network": network, "publications": latest})


@require_GET
def public_campaign(request: HttpRequest, network_slug: str, code: str, version: int | None = None) -> HttpResponse:
    network, sector_campaign, publication = get_publication(network_slug, code, version)
    versions = list(
        publications_of(network)
        .filter(sector_campaign=sector_campaign)
        .order_by("-version")
        .values_list("version", "published_at")
    )
    return render(
        request,
        "sector/public_campaign.html",
        {
            "network": network,
            "sector_campaign": sector_campaign,
            "publication": publication,
            "versions": versions,
            "latest": versions[0][0] if versions else None,
            **_results_context(publication.figures),
        },
    )


# --- Avoided costs (network staff) --------------------------------------------------------------------------------


def _mapping_form(network: Network, data: Any = None) -> MappingForm:
    return MappingForm(
        data,
        indicators=queries.proportion_indicators(network),
        waves=[(str(v), str(label)) for v, label in Wave.choices],
        unit_costs=UnitCost.objects.filter(network=network).order_by("label_fr"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def costs(request: HttpRequest, slug: str) -> HttpResponse:
    """The network's unit costs and the mappings of sector indicators to them; adding both, loading the starting
    table of METHODS.md §5, removing a mapping."""
    access = get_network_for_user(request, slug, write=request.method == "POST")
    network = access.network
    cost_form = UnitCostForm()
    mapping_form = _mapping_form(network)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "load_starting":
                added = costs_module.load_starting_costs(network, acting_user=request.user)
                messages.success(request, _("%(n)s unit costs added from the starting table.") % {"n": added})
                return redirect("sector:costs", slug)
            if step == "add_cost":
                cost_form = UnitCostForm(request.POST)
                if cost_form.is_valid():
                    actions.save_unit_cost(network, cost_form.cleaned_data, acting_user=request.user)
                    messages.success(request, _("The unit cost is saved."))
                    return redirect("sector:costs", slug)
            elif step == "add_mapping":
                mapping_form = _mapping_form(network, request.POST)
                if mapping_form.is_valid():
                    data = mapping_form.cleaned_data
                    actions.save_mapping(
                        network,
                        indicator=data["indicator"],
                        wave=data["wave"],
                        baseline_wave=data["baseline_wave"],
                        unit_cost=data["unit_cost"],
                        quantity=data["quantity"],
                        description=data["description"],
                        scenarios=mapping_form.scenarios(),
                        comparison_group=data["comparison_group"],
                        acting_user=request.user,
                    )
                    messages.success(request, _("The mapping is saved; it applies from the next consolidation."))
                    return redirect("sector:costs", slug)
            elif step == "delete_mapping":
                mapping = CostMapping.objects.filter(network=network, public_id=request.POST.get("mapping")).first()
                if mapping is None:
                    raise Http404
                actions.delete_mapping(mapping, acting_user=request.user)
                messages.success(request, _("The mapping is removed."))
                return redirect("sector:costs", slug)
            else:
                messages.error(request, _("Unknown step."))
                return redirect("sector:costs", slug)
        except ActionError as error:
            target = mapping_form if step == "add_mapping" else cost_form
            target.add_error(None, str(error))
        status = 422
    unit_costs = list(UnitCost.objects.filter(network=network).order_by("label_fr"))
    mappings = list(CostMapping.objects.filter(network=network).select_related("unit_cost"))
    labels = dict(queries.proportion_indicators(network))
    waves = {str(value): str(label) for value, label in Wave.choices}
    rows = [
        {
            "mapping": m,
            "label": labels.get(m.indicator, m.indicator),
            "wave": waves.get(m.wave, m.wave),
            "baseline": waves.get(m.baseline_wave, m.baseline_wave),
        }
        for m in mappings
    ]
    return render(
        request,
        "sector/costs.html",
        {
            "network": network,
            "access": access,
            "unit_costs": unit_costs,
            "mappings": rows,
            "cost_form": cost_form,
            "mapping_form": mapping_form,
            "price_year": costs_module.price_year(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_cost(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    access = get_network_for_user(request, slug, write=request.method == "POST")
    found = UnitCost.objects.filter(network=access.network, public_id=public_id).first()
    if found is None:
        raise Http404
    fields = ("code", "label_fr", "label_en", "value", "low", "high", "unit", "year", "source", "verify", "note")
    form = UnitCostForm(initial={name: getattr(found, name) for name in fields})
    form.fields["code"].disabled = True
    status = 200
    if request.method == "POST":
        form = UnitCostForm(request.POST, initial={"code": found.code})
        form.fields["code"].disabled = True
        if form.is_valid():
            try:
                actions.save_unit_cost(access.network, form.cleaned_data, acting_user=request.user, cost=found)
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The unit cost is saved; it applies from the next consolidation."))
                return redirect("sector:costs", slug)
        status = 422
    return render(
        request,
        "sector/unit_cost.html",
        {"network": access.network, "access": access, "cost": found, "form": form},
        status=status,
    )


@require_GET
def public_opendata(request: HttpRequest, network_slug: str, code: str, version: int | None = None) -> HttpResponse:
    """The published figures as open data: a zip of the CSV files and their Data Package, made on the fly."""
    network, sector_campaign, publication = get_publication(network_slug, code, version)
    source = opendata.source_of(publication, base_url=settings.BASE_URL)
    response = HttpResponse(opendata.zip_bytes(source), content_type="application/zip")
    name = f"{network.slug}-{sector_campaign.code}-v{publication.version}-opendata.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
