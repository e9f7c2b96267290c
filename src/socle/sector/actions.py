"""Writes of sector figures: the network's thresholds, consolidating a sector campaign, opening it to the members'
review, a member's review, publishing.

Each function is one transaction that writes one audit row and takes the acting user; anything wrong raises
``ActionError`` with a message for the person, and nothing is written. The order is fixed: a consolidation is
computed (draft), opened to the review of the participating organisations, then published; published figures
never change (a new consolidation, reviewed and published, makes a new version).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.audit.models import record
from socle.collection.models import SectorCampaign
from socle.network.actions import ActionError
from socle.network.models import Network, Organisation
from socle.sector.compute import public_figures, results_of
from socle.sector.costs import sector_avoided_costs
from socle.sector.inputs import sector_inputs
from socle.sector.models import (
    Consolidation,
    ConsolidationStatus,
    CostMapping,
    Decision,
    Method,
    Publication,
    Review,
    SectorSettings,
    UnitCost,
)

__all__ = ["consolidate", "open_review", "publish", "review", "settings_of", "update_settings"]


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def settings_of(network: Network) -> SectorSettings:
    """The network's thresholds (the defaults of METHODS.md §3 until it changes them); not saved by a read."""
    found = SectorSettings.objects.filter(network=network).first()
    return found if found is not None else SectorSettings(network=network)


def update_settings(
    network: Network,
    *,
    min_establishments: int,
    min_people_share: Decimal,
    trim: Decimal,
    method: str,
    acting_user: Any,
    min_weighting_establishments: int = 2,
) -> SectorSettings:
    if not 1 <= min_establishments <= 1000:
        raise ActionError(_("The number of establishments per stratum is between 1 and 1000."))
    if not Decimal(0) <= min_people_share <= Decimal(1):
        raise ActionError(_("The share of people is between 0 and 1."))
    if not 1 <= min_weighting_establishments <= 100:
        raise ActionError(_("The number of establishments needed to weight a type is between 1 and 100."))
    if trim <= Decimal(1):
        raise ActionError(_("Weight trimming must be above 1 (times the median weight)."))
    if method not in Method.values:
        raise ActionError(_("Choose post-stratification or raking."))
    with transaction.atomic():
        found, _created = SectorSettings.objects.update_or_create(
            network=network,
            defaults={
                "min_establishments": min_establishments,
                "min_people_share": min_people_share,
                "trim": trim,
                "method": method,
                "min_weighting_establishments": min_weighting_establishments,
                "updated_by": _actor(acting_user),
            },
        )
        record(
            "sector.settings_updated",
            actor=acting_user,
            network=network,
            target=network.slug,
            min_establishments=min_establishments,
            min_people_share=str(min_people_share),
            trim=str(trim),
            method=method,
            min_weighting_establishments=min_weighting_establishments,
        )
    return found


def consolidate(sector_campaign: SectorCampaign, *, acting_user: Any) -> Consolidation:
    """Computes the sector figures of a sector campaign from its members' facts (a new draft). Earlier drafts and
    consolidations still in review are superseded: members review one set of figures at a time."""
    settings = settings_of(sector_campaign.network)
    inputs = sector_inputs(sector_campaign)
    if not inputs.records:
        raise ActionError(_("No member has results in this sector campaign yet: there is nothing to consolidate."))
    results = results_of(inputs, settings)
    results["avoided_costs"] = sector_avoided_costs(sector_campaign.network, results)
    with transaction.atomic():
        SectorCampaign.objects.select_for_update().filter(pk=sector_campaign.pk).first()
        number = (
            Consolidation.objects.filter(sector_campaign=sector_campaign).aggregate(m=Max("number"))["m"] or 0
        ) + 1
        Consolidation.objects.filter(
            sector_campaign=sector_campaign, status__in=[ConsolidationStatus.DRAFT, ConsolidationStatus.REVIEW]
        ).update(status=ConsolidationStatus.SUPERSEDED)
        consolidation = Consolidation.objects.create(
            network=sector_campaign.network,
            sector_campaign=sector_campaign,
            number=number,
            results=results,
            computed_by=_actor(acting_user),
        )
        record(
            "sector.consolidated",
            actor=acting_user,
            network=sector_campaign.network,
            target=str(consolidation.public_id),
            sector_campaign=sector_campaign.code,
            number=number,
            organisations=len(inputs.organisations),
            establishments=len(inputs.organisation_of),
        )
    return consolidation


def open_review(consolidation: Consolidation, *, message: str, acting_user: Any) -> Consolidation:
    """Shows a draft to the participating organisations, who validate or comment it."""
    with transaction.atomic():
        locked = Consolidation.objects.select_for_update().get(pk=consolidation.pk)
        if locked.status != ConsolidationStatus.DRAFT:
            raise ActionError(_("Only a draft consolidation can be opened to the members' review."))
        locked.status = ConsolidationStatus.REVIEW
        locked.review_opened_at = timezone.now()
        locked.message = message.strip()[:5000]
        locked.save(update_fields=["status", "review_opened_at", "message"])
        record(
            "sector.review_opened",
            actor=acting_user,
            network=locked.network,
            target=str(locked.public_id),
            number=locked.number,
        )
    return locked


def participants(consolidation: Consolidation) -> list[int]:
    """Ids of the organisations whose results the consolidation holds."""
    return [int(pk) for pk in consolidation.results.get("participants", {}).get("organisation_ids", [])]


def review(
    consolidation: Consolidation,
    organisation: Organisation,
    *,
    decision: str,
    comment: str,
    named: bool,
    acting_user: Any,
) -> Review:
    """A participating organisation validates or comments the figures in review (again and again until they are
    published: the latest answer counts), and says whether it may be named."""
    if decision not in Decision.values:
        raise ActionError(_("Validate the figures or comment them."))
    comment = comment.strip()
    if decision == Decision.COMMENTED and not comment:
        raise ActionError(_("Write your comment."))
    if len(comment) > 5000:
        raise ActionError(_("A comment holds at most 5,000 characters."))
    with transaction.atomic():
        locked = Consolidation.objects.select_for_update().get(pk=consolidation.pk)
        if locked.status != ConsolidationStatus.REVIEW:
            raise ActionError(_("These figures are not in review any more."))
        if organisation.pk not in participants(locked):
            raise ActionError(_("Only the organisations whose results these figures hold review them."))
        found, _created = Review.objects.update_or_create(
            consolidation=locked,
            organisation=organisation,
            defaults={"decision": decision, "comment": comment, "named": named, "given_by": _actor(acting_user)},
        )
        record(
            "sector.reviewed",
            actor=acting_user,
            network=locked.network,
            organisation=organisation,
            target=str(locked.public_id),
            decision=decision,
            named=named,
        )
    return found


def publish(consolidation: Consolidation, *, acting_user: Any) -> Publication:
    """Publishes figures in review: a new frozen version of the sector campaign's published figures, naming the
    organisations that agreed to it."""
    with transaction.atomic():
        locked = Consolidation.objects.select_for_update().select_related("sector_campaign").get(pk=consolidation.pk)
        if locked.status != ConsolidationStatus.REVIEW:
            raise ActionError(_("Figures are published after the members' review: open the review first."))
        named = sorted(
            Review.objects.filter(consolidation=locked, named=True)
            .select_related("organisation")
            .values_list("organisation__name", flat=True)
        )
        version = (
            Publication.objects.filter(sector_campaign=locked.sector_campaign).aggregate(m=Max("version"))["m"] or 0
        ) + 1
        Consolidation.objects.filter(
            sector_campaign=locked.sector_campaign, status=ConsolidationStatus.PUBLISHED
        ).update(status=ConsolidationStatus.SUPERSEDED)
        publication = Publication.objects.create(
            network=locked.network,
            sector_campaign=locked.sector_campaign,
            consolidation=locked,
            version=version,
            figures=public_figures(locked.results),
            named_organisations=named,
            published_by=_actor(acting_user),
        )
        locked.status = ConsolidationStatus.PUBLISHED
        locked.save(update_fields=["status"])
        record(
            "sector.published",
            actor=acting_user,
            network=locked.network,
            target=str(publication.public_id),
            sector_campaign=locked.sector_campaign.code,
            version=version,
        )
    return publication


# --- Avoided costs: the network's unit costs and mappings ---------------------------------------------------------


def save_unit_cost(
    network: Network, data: dict[str, Any], *, acting_user: Any, cost: UnitCost | None = None
) -> UnitCost:
    """Adds a unit cost, or changes ``cost`` (its code stays). ``data``: the fields of :class:`UnitCost`."""
    from socle.lib.sector import avoided_costs as lib

    code = cost.code if cost is not None else str(data.get("code", "")).strip()
    try:
        lib.UnitCost(
            code=code,
            label=str(data["label_fr"]),
            value=data["value"],
            unit=str(data["unit"]),
            year=int(data["year"]),
            source=str(data["source"]),
            low=data.get("low"),
            high=data.get("high"),
        )
    except ValueError as error:
        raise ActionError(str(error)) from error
    with transaction.atomic():
        if cost is None:
            if UnitCost.objects.filter(network=network, code=code).exists():
                raise ActionError(_("The network already has a unit cost with this code."))
            cost = UnitCost(network=network, code=code)
        for name in ("label_fr", "label_en", "value", "low", "high", "unit", "year", "source", "verify", "note"):
            if name in data:
                setattr(cost, name, data[name])
        cost.updated_by = _actor(acting_user)
        cost.save()
        record("sector.unit_cost_saved", actor=acting_user, network=network, target=cost.code, value=str(cost.value),
               year=cost.year)  # fmt: skip
    return cost


def save_mapping(
    network: Network,
    *,
    indicator: str,
    wave: str,
    unit_cost: UnitCost,
    baseline_wave: str = "",
    quantity: Decimal,
    description: str,
    scenarios: dict[str, Any],
    comparison_group: bool,
    acting_user: Any,
) -> CostMapping:
    """Values the outcomes of a sector indicator with a unit cost (one mapping per indicator, wave and cost)."""
    from socle.sector.costs import scenarios_of

    if unit_cost.network_id != network.pk:
        raise ActionError(_("Choose one of the network's unit costs."))
    if quantity <= 0:
        raise ActionError(_("The quantity avoided per person must be positive."))
    if baseline_wave == wave:
        raise ActionError(_("A change is counted since another wave than the outcome's."))
    if not description.strip():
        raise ActionError(_("Say what is avoided."))
    try:
        scenarios_of(scenarios)
    except ValueError as error:
        raise ActionError(str(error)) from error
    with transaction.atomic():
        found, _created = CostMapping.objects.update_or_create(
            network=network,
            indicator=indicator,
            wave=wave,
            unit_cost=unit_cost,
            defaults={
                "quantity": quantity,
                "baseline_wave": baseline_wave,
                "description": description.strip(),
                "scenarios": scenarios,
                "comparison_group": comparison_group,
                "updated_by": _actor(acting_user),
            },
        )
        record("sector.cost_mapping_saved", actor=acting_user, network=network, target=str(found.public_id),
               indicator=indicator, wave=wave, unit_cost=unit_cost.code, quantity=str(quantity))  # fmt: skip
    return found


def delete_mapping(mapping: CostMapping, *, acting_user: Any) -> None:
    with transaction.atomic():
        record("sector.cost_mapping_deleted", actor=acting_user, network=mapping.network, target=str(mapping.public_id),
               indicator=mapping.indicator, unit_cost=mapping.unit_cost.code)  # fmt: skip
        mapping.delete()
