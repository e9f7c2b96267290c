"""Demo content for frameworks: the LCEP sector framework, published, and an organisation framework for the demo's
first member, Horizon Solidaire, with three own indicators (one feeds a sector indicator). Safe to run again."""

from __future__ import annotations

from importlib import resources
from typing import Any

from socle.frameworks.actions import create_draft, load_framework_text, open_consultation
from socle.frameworks.models import FrameworkVersion
from socle.lib.frameworks.document import dump_yaml
from socle.network.models import Network, Organisation


def lcep_text() -> str:
    """The LCEP sector framework file shipped with Socle."""
    return resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8")


def horizon_document(organisation: Organisation, base_version: int = 1) -> dict[str, Any]:
    return {
        "socle_framework": 1,
        "code": f"{organisation.slug}-lcep",
        "kind": "organisation",
        "organisation": organisation.slug,
        "base": {"framework": "lcep", "version": base_version},
        "version": 1,
        "title": {"fr": f"Référentiel de {organisation.name}", "en": f"{organisation.name}'s framework"},
        "description": {
            "fr": "Le référentiel LCEP, complété par ce qui compte pour notre association : le jardin partagé "
            "de la pension de famille et l'accès au numérique.",
            "en": "The LCEP framework, with what matters to our association: the shared garden of the family "
            "boarding house and digital access.",
        },
        "languages": ["fr", "en"],
        "nodes": [
            {"code": "own_act_garden", "kind": "activity", "label": {"fr": "Jardin partagé", "en": "Shared garden"}},
            {
                "code": "own_oc_digital",
                "kind": "outcome",
                "term": "short",
                "label": {"fr": "Les personnes utilisent les services en ligne", "en": "People use online services"},
            },
            {
                "code": "own_oc_garden",
                "kind": "outcome",
                "term": "short",
                "label": {"fr": "Les personnes prennent part au jardin", "en": "People take part in the garden"},
            },
        ],
        "links": [
            {"from": "own_act_garden", "to": "own_oc_garden"},
            {"from": "own_oc_garden", "to": "oc_ties"},
            {"from": "act_rights", "to": "own_oc_digital"},
            {"from": "own_oc_digital", "to": "oc_admin"},
        ],
        "indicators": [
            {
                "code": "own_digital_access",
                "label": {"fr": "Démarches en ligne faites seul·e", "en": "Online procedures done alone"},
                "definition": {
                    "fr": "Part des personnes qui font seules leurs démarches en ligne.",
                    "en": "Share of people who do their online procedures on their own.",
                },
                "outcomes": ["own_oc_digital", "oc_admin"],
                "kind": "proportion",
                "source": "answers",
                "questionnaires": ["entry"],
                "numerator": "${own_numerique} = 'oui'",
                "unit": "%",
                "factor": 100,
                "direction": "up",
                "breakdowns": ["sex", "establishment_type"],
                "maps_to": "i07_admin_autonomy",
            },
            {
                "code": "own_garden_share",
                "label": {"fr": "Participation au jardin", "en": "Taking part in the garden"},
                "definition": {
                    "fr": "Part des personnes qui viennent au jardin partagé au moins une fois par mois.",
                    "en": "Share of people who come to the shared garden at least once a month.",
                },
                "outcomes": ["own_oc_garden"],
                "kind": "proportion",
                "source": "answers",
                "questionnaires": ["entry"],
                "numerator": "${own_jardin} = 'oui'",
                "unit": "%",
                "factor": 100,
                "direction": "up",
            },
            {
                "code": "own_respondents",
                "label": {"fr": "Personnes interrogées à l'entrée", "en": "People asked at entry"},
                "definition": {
                    "fr": "Nombre de questionnaires d'entrée remplis.",
                    "en": "Entry questionnaires filled in.",
                },
                "outcomes": ["own_oc_garden"],
                "kind": "count",
                "source": "answers",
                "questionnaires": ["entry"],
                "direction": "none",
            },
        ],
        "questionnaire_extensions": [
            {
                "questionnaire": "entry",
                "sections": [
                    {
                        "code": "own_s_horizon",
                        "label": {"fr": "Horizon Solidaire", "en": "Horizon Solidaire"},
                        "questions": [
                            {
                                "name": "own_numerique",
                                "type": "either_or",
                                "label": {
                                    "fr": "Faites-vous seul·e vos démarches en ligne ?",
                                    "en": "Do you do your online procedures on your own?",
                                },
                                "easy_label": {
                                    "fr": "Sur Internet, vous faites vos papiers tout seul ?",
                                    "en": "On the internet, do you do your forms alone?",
                                },
                                "choices": "yes_no",
                                "dont_know": True,
                            },
                            {
                                "name": "own_jardin",
                                "type": "either_or",
                                "label": {
                                    "fr": "Venez-vous au jardin partagé au moins une fois par mois ?",
                                    "en": "Do you come to the shared garden at least once a month?",
                                },
                                "easy_label": {
                                    "fr": "Vous venez au jardin chaque mois ?",
                                    "en": "Do you come to the garden every month?",
                                },
                                "choices": "yes_no",
                            },
                        ],
                    }
                ],
            }
        ],
    }


CONSULTATION_MESSAGE = (
    "Voici le brouillon de la version 2 du référentiel LCEP. Dites-nous, pour chaque indicateur, s'il faut le "
    "garder, le modifier ou le retirer, et commentez ce qui vous semble à revoir. Nous en parlerons à l'atelier "
    "du mois prochain."
)


def load_demo_frameworks(network: Network) -> FrameworkVersion:
    """LCEP v1 published in the demo network, and its draft v2 open to the members' consultation; Horizon
    Solidaire's framework v1 published on LCEP v1."""
    sector = load_framework_text(lcep_text(), filename="lcep.yaml", network=network, publish=True).version
    horizon = Organisation.objects.get(network=network, slug="horizon-solidaire")
    load_framework_text(dump_yaml(horizon_document(horizon, sector.number)), filename="horizon-lcep.yaml", publish=True)
    if not FrameworkVersion.objects.filter(framework=sector.framework).exclude(pk=sector.pk).exists():
        draft = create_draft(sector.framework, acting_user=None)
        open_consultation(draft, message=CONSULTATION_MESSAGE, acting_user=None)
    return sector
