"""The demo's continuous improvement: Horizon Solidaire's targets for three indicators of its framework and four
actions of its plan (one of them overdue). Running the demo again updates the same rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from socle.accounts.models import User
from socle.frameworks.models import Framework
from socle.improvement import actions
from socle.improvement.access import planned_actions_of
from socle.improvement.models import ActionStatus
from socle.network.models import Network, Organisation

FRAMEWORK = "horizon-solidaire-lcep"

TARGETS = [
    ("i01_access_rights", Decimal(70), 365, "Objectif du projet associatif 2026-2028."),
    ("i10_wellbeing_who5", Decimal(55), 365, "Au-dessus du seuil de 50 qui suggère un bien-être faible."),
    ("i04_no_emergency_visit", Decimal(80), None, ""),
]

# title, description, outcomes, indicators, owner e-mail, due in days (negative: past), status
ACTIONS = [
    (
        "Permanence d'accès aux droits chaque semaine",
        "Une demi-journée par semaine avec une travailleuse sociale et un écrivain public, dans chaque établissement.",
        ["oc_rights"],
        ["i01_access_rights"],
        "equipe@horizon.socle.example",
        -20,
        ActionStatus.IN_PROGRESS,
    ),
    (
        "Convention avec la PASS de l'hôpital",
        "Des rendez-vous de soins sans passer par les urgences.",
        ["oc_care", "oc_emergency"],
        ["i02_access_care", "i04_no_emergency_visit"],
        "direction@horizon.socle.example",
        90,
        ActionStatus.PLANNED,
    ),
    (
        "Ateliers bien-être et activités collectives",
        "Sport adapté, jardin partagé, sorties culturelles.",
        ["oc_wellbeing"],
        ["i10_wellbeing_who5"],
        "",
        150,
        ActionStatus.PLANNED,
    ),
    (
        "Former l'équipe à l'entretien motivationnel",
        "",
        ["oc_project"],
        [],
        "direction@horizon.socle.example",
        -60,
        ActionStatus.DONE,
    ),
]


def load_demo_improvement(network: Network) -> None:
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    framework = Framework.objects.get(slug=FRAMEWORK, organisation=horizon)
    today = timezone.localdate()
    for code, value, days, note in TARGETS:
        due_on = today + datetime.timedelta(days=days) if days is not None else None
        actions.set_target(
            organisation=horizon,
            framework=framework,
            indicator=code,
            value=value,
            due_on=due_on,
            note=note,
            acting_user=None,
        )
    owners = {user.email: user for user in User.objects.filter(email__endswith="@horizon.socle.example")}
    existing = {a.title: a for a in planned_actions_of(horizon.pk).select_related("framework", "owner")}
    for title, description, outcomes, indicators, owner, days, status in ACTIONS:
        fields = {
            "title": title,
            "description": description,
            "outcomes": outcomes,
            "indicators": indicators,
            "owner": owners.get(owner),
            "due_on": today + datetime.timedelta(days=days),
            "status": status,
        }
        if title in existing:
            actions.update_action(existing[title], acting_user=None, **fields)
        else:
            actions.create_action(organisation=horizon, framework=framework, acting_user=None, **fields)
