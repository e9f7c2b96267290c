"""Small framework documents for tests, and helpers that store them through the real actions."""

from __future__ import annotations

import copy
from typing import Any

from socle.frameworks import actions
from socle.frameworks.models import Framework, FrameworkVersion
from socle.lib.frameworks.document import dump_yaml
from socle.network.models import Network, Organisation

YES_NO = {
    "name": "yes_no",
    "choices": [
        {"value": "oui", "label": {"fr": "Oui", "en": "Yes"}},
        {"value": "non", "label": {"fr": "Non", "en": "No"}},
    ],
}
SCALE = {
    "name": "scale5",
    "choices": [
        {"value": str(v), "label": {"fr": f"Niveau {v}", "en": f"Level {v}"}, "picture": f"face_{v}"}
        for v in range(1, 6)
    ],
}
SEX = {
    "name": "sex",
    "choices": [
        {"value": "f", "label": {"fr": "Femme", "en": "Woman"}},
        {"value": "h", "label": {"fr": "Homme", "en": "Man"}},
        {"value": "a", "label": {"fr": "Autre", "en": "Other"}},
    ],
}


def sector_document(code: str = "mini", version: int = 1) -> dict[str, Any]:
    """A small, valid sector framework: two outcomes, three indicators, entry and follow-up questionnaires."""
    questions = [
        {"name": "sexe", "type": "single_choice", "label": {"fr": "Vous êtes", "en": "You are"}, "choices": "sex"},
        {
            "name": "droits",
            "type": "either_or",
            "label": {"fr": "Avez-vous vos droits ?", "en": "Do you have your rights?"},
            "easy_label": {"fr": "Vous avez vos aides ?", "en": "Do you get your benefits?"},
            "choices": "yes_no",
            "dont_know": True,
            "required": True,
        },
        {
            "name": "estime",
            "type": "scale",
            "label": {"fr": "Je suis content de moi", "en": "I am happy with myself"},
            "choices": "scale5",
        },
        {
            "name": "urgences",
            "type": "integer",
            "label": {"fr": "Passages aux urgences", "en": "Emergency visits"},
            "constraint": ". >= 0 and . <= 100",
            "constraint_message": {"fr": "Entre 0 et 100", "en": "Between 0 and 100"},
            "relevance": "${droits} != ''",
        },
    ]
    questionnaire = {
        "code": "entry",
        "audience": "people_supported",
        "waves": ["entry"],
        "title": {"fr": "Questionnaire d'entrée", "en": "Entry questionnaire"},
        "sections": [{"code": "main", "label": {"fr": "Vous", "en": "You"}, "questions": questions}],
    }
    follow_up = copy.deepcopy(questionnaire)
    follow_up.update(code="follow_up", waves=["follow_up", "exit"], title={"fr": "Suivi", "en": "Follow-up"})
    return {
        "socle_framework": 1,
        "code": code,
        "kind": "sector",
        "field": "lcep",
        "version": version,
        "title": {"fr": "Mini référentiel", "en": "Mini framework"},
        "languages": ["fr", "en"],
        "stakeholders": [{"code": "people", "label": {"fr": "Personnes", "en": "People"}}],
        "nodes": [
            {"code": "need_rights", "kind": "need", "label": {"fr": "Droits non ouverts", "en": "Rights not open"}},
            {"code": "act_support", "kind": "activity", "label": {"fr": "Accompagnement", "en": "Support"}},
            {
                "code": "out_rights",
                "kind": "outcome",
                "term": "short",
                "stakeholder": "people",
                "label": {"fr": "Accès aux droits", "en": "Access to rights"},
            },
            {
                "code": "out_esteem",
                "kind": "outcome",
                "term": "medium",
                "label": {"fr": "Estime de soi", "en": "Self-esteem"},
            },
            {"code": "impact", "kind": "impact", "label": {"fr": "Sortie de la pauvreté", "en": "Out of poverty"}},
        ],
        "links": [
            {"from": "need_rights", "to": "act_support"},
            {"from": "act_support", "to": "out_rights"},
            {"from": "out_rights", "to": "out_esteem"},
            {"from": "out_esteem", "to": "impact"},
        ],
        "indicators": [
            {
                "code": "i_rights",
                "label": {"fr": "Accès aux droits", "en": "Access to rights"},
                "definition": {"fr": "Part des personnes qui ont leurs droits", "en": "Share with their rights"},
                "outcomes": ["out_rights"],
                "kind": "proportion",
                "source": "answers",
                "questionnaires": ["entry", "follow_up"],
                "numerator": "${droits} = 'oui'",
                "unit": "%",
                "factor": 100,
                "direction": "up",
                "breakdowns": ["sex", "region"],
            },
            {
                "code": "i_esteem",
                "label": {"fr": "Estime de soi", "en": "Self-esteem"},
                "definition": {"fr": "Évolution de l'estime de soi", "en": "Change in self-esteem"},
                "outcomes": ["out_esteem"],
                "kind": "evolution",
                "source": "answers",
                "questionnaires": ["entry", "follow_up"],
                "value": "${estime}",
                "from_wave": "entry",
                "to_wave": "follow_up",
                "direction": "up",
            },
            {
                "code": "i_housing",
                "label": {"fr": "Sorties vers le logement", "en": "Exits to housing"},
                "definition": {"fr": "Part des sorties vers un logement", "en": "Share of exits to housing"},
                "outcomes": ["impact"],
                "kind": "ratio",
                "source": "activity",
                "numerator": "${exits_housing}",
                "denominator": "${exits}",
                "unit": "%",
                "factor": 100,
                "direction": "up",
            },
        ],
        "choice_lists": copy.deepcopy([YES_NO, SCALE, SEX]),
        "questionnaires": [questionnaire, follow_up],
        "activity_items": [
            {"code": "exits", "label": {"fr": "Sorties", "en": "Exits"}, "type": "integer"},
            {
                "code": "exits_housing",
                "label": {"fr": "Sorties vers un logement", "en": "Exits to housing"},
                "type": "integer",
            },
        ],
        "activity_checks": [
            {
                "code": "housing_le_exits",
                "rule": "${exits_housing} <= ${exits}",
                "message": {
                    "fr": "Plus de sorties vers un logement que de sorties",
                    "en": "More exits to housing than exits",
                },
            },
        ],
        "breakdowns": {"sex": "sexe"},
    }


def organisation_document(
    organisation: Organisation,
    base_code: str = "mini",
    base_version: int = 1,
    code: str | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """An organisation's additions: one outcome, three own indicators (one mapped to a sector one), questions."""
    return {
        "socle_framework": 1,
        "code": code or f"{organisation.slug}-{base_code}",
        "kind": "organisation",
        "organisation": organisation.slug,
        "base": {"framework": base_code, "version": base_version},
        "version": version,
        "title": {"fr": f"Référentiel de {organisation.name}"},
        "languages": ["fr", "en"],
        "nodes": [
            {
                "code": "own_out_garden",
                "kind": "outcome",
                "term": "short",
                "label": {"fr": "Plaisir au jardin", "en": "Joy in the garden"},
            }
        ],
        "links": [{"from": "act_support", "to": "own_out_garden"}],
        "indicators": [
            {
                "code": "own_rights_full",
                "label": {"fr": "Droits complets"},
                "definition": {"fr": "Droits complets"},
                "outcomes": ["out_rights"],
                "kind": "proportion",
                "source": "answers",
                "questionnaires": ["entry"],
                "numerator": "${droits} = 'oui' and ${own_garden} = 'oui'",
                "maps_to": "i_rights",
            },
            {
                "code": "own_garden",
                "label": {"fr": "Jardin"},
                "definition": {"fr": "Part au jardin"},
                "outcomes": ["own_out_garden"],
                "kind": "proportion",
                "source": "answers",
                "questionnaires": ["entry"],
                "numerator": "${own_garden} = 'oui'",
            },
            {
                "code": "own_count",
                "label": {"fr": "Répondants"},
                "definition": {"fr": "Nombre de répondants"},
                "outcomes": ["own_out_garden"],
                "kind": "count",
                "source": "answers",
                "questionnaires": ["entry"],
            },
        ],
        "questionnaire_extensions": [
            {
                "questionnaire": "entry",
                "sections": [
                    {
                        "code": "own_section",
                        "label": {"fr": "Notre association"},
                        "questions": [
                            {
                                "name": "own_garden",
                                "type": "either_or",
                                "label": {"fr": "Venez-vous au jardin ?"},
                                "choices": "yes_no",
                            },
                        ],
                    },
                ],
            },
        ],
    }


def load(
    document: dict[str, Any], *, network: Network | None = None, publish: bool = True, user: Any = None
) -> FrameworkVersion:
    result = actions.load_framework_text(
        dump_yaml(document), filename="test.yaml", network=network, publish=publish, acting_user=user
    )
    return result.version


def published_sector(network: Network, code: str = "mini") -> FrameworkVersion:
    return load(sector_document(code), network=network)


def sector_framework(network: Network, code: str = "mini") -> Framework:
    return published_sector(network, code).framework
