"""The demo's sector figures: the sector campaign ``demo-2026`` joined by the member organisations (Horizon
Solidaire's entry campaign with its answers; entry campaigns of the other members, including four more members
added here so that every type of establishment has several participants, answered by invented people of
``socle.collection.synthetic``), consolidated, reviewed by the members and published. Most strata of the demo
frame (type x region) have no participant: the figures are labelled "non représentatif"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from socle.collection.actions import open_campaign
from socle.collection.demo import load_demo_sector_campaign
from socle.collection.models import Campaign
from socle.collection.synthetic import organisation_version, populate
from socle.lib.identifiers import siren_with_check_digit
from socle.network.access import establishments_of
from socle.network.demo import demo_establishment
from socle.network.models import EstablishmentType, Field, Network, Organisation
from socle.sector import actions, costs
from socle.sector.models import CostMapping, Decision, Publication, UnitCost

PEOPLE_PER_ESTABLISHMENT = 30
# More members of the demo network, who take part in the sector campaign only: slug, name, SIREN prefix,
# [(establishment, type, département, places, people a year, employees)]
SECTOR_MEMBERS: list[tuple[str, str, str, list[tuple[str, str, str, int, int, int]]]] = [
    (
        "collectif-le-fil",
        "Collectif Le Fil (démo)",
        "85100001",
        [
            ("Accueil de jour Le Fil", "accueil-de-jour", "75", 0, 800, 7),
            ("Maraude Le Fil", "maraude", "75", 0, 500, 5),
            ("Centre d'hébergement d'urgence Le Fil", "chu", "93", 70, 400, 20),
        ],
    ),
    (
        "maisons-relais-ouest",
        "Maisons Relais de l'Ouest (démo)",
        "85100002",
        [
            ("Pension de famille Les Embruns", "pension-de-famille", "44", 24, 30, 4),
            ("Résidence sociale Le Quai", "residence-sociale", "35", 60, 90, 5),
            ("CHRS L'Estuaire", "chrs", "44", 55, 150, 18),
        ],
    ),
    (
        "terre-asile-sud",
        "Terre d'Asile Sud (démo)",
        "85100003",
        [
            ("CADA Les Oliviers", "cada", "13", 100, 210, 14),
            ("Centre d'hébergement d'urgence Le Mistral", "chu", "13", 80, 350, 22),
            ("Accueil de jour La Canebière", "accueil-de-jour", "13", 0, 600, 6),
        ],
    ),
    (
        "chantiers-du-partage",
        "Chantiers du Partage (démo)",
        "85100004",
        [
            ("ACI Les Jardins de Garonne", "aci", "31", 26, 50, 8),
            ("ACI La Ressourcerie", "aci", "34", 20, 35, 6),
            ("Pension de famille Le Capitole", "pension-de-famille", "31", 22, 28, 3),
            ("Maraude Garonne", "maraude", "31", 0, 300, 4),
            ("Résidence sociale Saint-Cyprien", "residence-sociale", "31", 50, 80, 4),
            ("CADA Les Platanes", "cada", "31", 90, 150, 12),
        ],
    ),
]
SEED = 2026
# Not Horizon Solidaire's "Entrées 2026 (démo)": campaign names stay unique across the demo.
CAMPAIGN_NAMES = {"entry": "Secteur {year} : entrées (démo)", "follow_up": "Secteur {year} : suivis (démo)"}
# Outcomes the demo values (its follow-up against its entry: the change in the share of people), with the default
# cautious scenarios: indicator, unit cost, units a year, what is avoided.
MAPPINGS = [
    ("i04_no_emergency_visit", "emergency_visit", "1", "Un passage aux urgences évité par an et par personne"),
]
# slug → (decision, comment, agrees to be named)
REVIEWS = {
    "horizon-solidaire": (Decision.VALIDATED, "", True),
    "toits-partages": (Decision.VALIDATED, "", True),
    "passerelle-insertion": (
        Decision.COMMENTED,
        "Nos deux établissements du Nord accueillent surtout des demandeurs d'asile : à lire avec prudence.",
        False,
    ),
}


def _sector_members(network: Network) -> None:
    lcep = Field.objects.get(code="lcep")
    types = {t.code: t for t in EstablishmentType.objects.filter(field=lcep)}
    counter = 500
    for slug, name, siren_prefix, establishments in SECTOR_MEMBERS:
        organisation, _created = Organisation.objects.update_or_create(
            network=network,
            siren=siren_with_check_digit(siren_prefix),
            defaults={"slug": slug, "name": name, "is_member": True},
        )
        for est_name, type_code, departement, places, people, employees in establishments:
            counter += 1
            demo_establishment(network, lcep, types[type_code], organisation, counter, est_name, departement,
                               places, people, employees, True)  # fmt: skip


def _avoided_costs(network: Network) -> None:
    costs.load_starting_costs(network, acting_user=None)
    for indicator, code, quantity, description in MAPPINGS:
        if CostMapping.objects.filter(network=network, indicator=indicator).exists():
            continue
        actions.save_mapping(
            network,
            indicator=indicator,
            wave="follow_up",
            baseline_wave="entry",
            unit_cost=UnitCost.objects.get(network=network, code=code),
            quantity=Decimal(quantity),
            description=description,
            scenarios=costs.DEFAULT_SCENARIOS,
            comparison_group=False,
            acting_user=None,
        )


def load_demo_sector(network: Network) -> Publication:
    """Once: running the demo again finds the publication."""
    sector_campaign = load_demo_sector_campaign(network)
    found = Publication.objects.filter(sector_campaign=sector_campaign).order_by("-version").first()
    if found is not None:
        return found
    today = timezone.localdate()
    _sector_members(network)
    # People answer between the campaign's start and yesterday (follow-ups are moved within these days): no answer
    # is dated in the future.
    days = (sector_campaign.starts_on, today - datetime.timedelta(days=1))
    for slug in ("toits-partages", "passerelle-insertion", *(m[0] for m in SECTOR_MEMBERS)):
        organisation = Organisation.objects.get(network=network, slug=slug)
        version = organisation_version(organisation, sector_campaign.framework_version)
        establishments = list(establishments_of(organisation).filter(participates=True).order_by("finess"))
        campaigns: dict[str, Campaign] = {}
        for wave, name in CAMPAIGN_NAMES.items():
            label = name.format(year=today.year)
            found_campaign = Campaign.objects.filter(organisation=organisation, name=label).first()
            campaigns[wave] = found_campaign or open_campaign(
                organisation,
                version,
                name=label,
                wave=wave,
                starts_on=sector_campaign.starts_on,
                ends_on=sector_campaign.ends_on,
                establishments=establishments,
                acting_user=None,
                sector_campaign=sector_campaign,
            )
        populate(
            organisation,
            version,
            campaigns,
            establishments,
            people_per_establishment=PEOPLE_PER_ESTABLISHMENT,
            seed=SEED,
            year=today.year,
            periods={wave: days for wave in campaigns},
        )
    _avoided_costs(network)
    consolidation = actions.consolidate(sector_campaign, acting_user=None)
    consolidation = actions.open_review(
        consolidation,
        message="Voici les chiffres consolidés de la campagne LCEP 2026 : validez-les ou commentez-les avant "
        "publication.",
        acting_user=None,
    )
    taking_part = set(actions.participants(consolidation))
    for slug, (decision, comment, named) in REVIEWS.items():
        organisation = Organisation.objects.get(network=network, slug=slug)
        if organisation.pk in taking_part:
            actions.review(consolidation, organisation, decision=decision, comment=comment, named=named,
                           acting_user=None)  # fmt: skip
    return actions.publish(consolidation, acting_user=None)
