"""The five fields of the Nexem network and a controlled list of establishment types per field.

Initial data (loaded by migration 0002 and again by ``socle demo --reset``); more can be added in the admin.
Type codes follow the usual French acronyms.
"""

from __future__ import annotations

from typing import Any

FIELDS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "lcep",
        "Lutte contre les exclusions et la pauvreté",
        "Fight against exclusion and poverty",
        [
            (
                "chrs",
                "CHRS (centre d'hébergement et de réinsertion sociale)",
                "CHRS (shelter and social rehabilitation centre)",
            ),
            ("chu", "Centre d'hébergement d'urgence", "Emergency shelter"),
            ("accueil-de-jour", "Accueil de jour", "Day centre"),
            (
                "pension-de-famille",
                "Pension de famille / maison relais",
                "Family boarding house (pension de famille)",
            ),
            ("residence-sociale", "Résidence sociale", "Social residence"),
            ("aci", "ACI (atelier et chantier d'insertion)", "ACI (work integration workshop)"),
            (
                "cada",
                "CADA (centre d'accueil de demandeurs d'asile)",
                "CADA (asylum seekers' reception centre)",
            ),
            (
                "huda",
                "HUDA (hébergement d'urgence des demandeurs d'asile)",
                "HUDA (emergency housing for asylum seekers)",
            ),
            ("maraude", "Maraude / équipe mobile", "Street outreach team"),
            ("siao", "SIAO / 115", "SIAO / 115 helpline"),
            ("lhss", "LHSS (lits halte soins santé)", "LHSS (health-care beds for homeless people)"),
        ],
    ),
    (
        "handicap",
        "Handicap",
        "Disability",
        [
            ("esat", "ESAT", "ESAT (sheltered work)"),
            ("ime", "IME (institut médico-éducatif)", "IME (medical-educational institute)"),
            ("foyer-de-vie", "Foyer de vie", "Residential home"),
            ("fam", "FAM (foyer d'accueil médicalisé)", "FAM (medicalised residential home)"),
            ("mas", "MAS (maison d'accueil spécialisée)", "MAS (specialised care home)"),
            ("savs", "SAVS", "SAVS (support for independent living)"),
            ("sessad", "SESSAD", "SESSAD (home-based special education)"),
        ],
    ),
    (
        "protection-enfance",
        "Protection de l'enfance",
        "Child protection",
        [
            ("mecs", "MECS (maison d'enfants à caractère social)", "MECS (children's home)"),
            ("foyer-enfance", "Foyer de l'enfance", "Children's emergency home"),
            ("aemo", "Service d'AEMO", "Educational support in the family (AEMO)"),
            ("placement-familial", "Placement familial", "Foster care service"),
            ("lieu-de-vie", "Lieu de vie et d'accueil", "Small residential unit (lieu de vie)"),
        ],
    ),
    (
        "personnes-agees",
        "Autonomie des personnes âgées",
        "Autonomy of older people",
        [
            ("ehpad", "EHPAD", "EHPAD (nursing home)"),
            ("residence-autonomie", "Résidence autonomie", "Independent-living residence"),
            ("ssiad", "SSIAD (soins infirmiers à domicile)", "SSIAD (home nursing)"),
            ("saad", "SAAD (aide à domicile)", "SAAD (home help)"),
        ],
    ),
    (
        "pjm",
        "Protection juridique des majeurs",
        "Legal protection of adults",
        [
            (
                "smjpm",
                "Service mandataire judiciaire à la protection des majeurs",
                "Guardianship service (MJPM)",
            ),
            (
                "sisf",
                "Service d'information et de soutien aux tuteurs familiaux",
                "Support service for family guardians",
            ),
            ("maj", "Service de mesure d'accompagnement judiciaire", "Court-ordered support service (MAJ)"),
        ],
    ),
]


def load_fields(field_model: Any, type_model: Any) -> None:
    """Creates or updates the fields and their types; takes the models so that migrations can pass theirs."""
    for position, (code, name_fr, name_en, types) in enumerate(FIELDS):
        field, _ = field_model.objects.update_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
        )
        for type_position, (type_code, type_fr, type_en) in enumerate(types):
            type_model.objects.update_or_create(
                field=field,
                code=type_code,
                defaults={"name_fr": type_fr, "name_en": type_en, "position": type_position},
            )
