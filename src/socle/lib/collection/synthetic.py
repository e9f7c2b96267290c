"""Synthetic people supported and their answers, for tests, the demo and benchmarks. Every person is invented.

The model is small and explicit, so that results computed from the answers can be checked against it:

- **An establishment** (:class:`Setting`) shifts the latent traits of the people it supports: its type sets where
  people slept before and where they sleep now, and a random effect per establishment on well-being, rights,
  progress and perceived quality makes answers cluster by establishment. The random part is drawn so that the
  intra-class correlation of latent well-being is ``icc`` (0.05 by default, a usual value for services); the
  WHO-5 score, measured with error, clusters a little less.
- **A person** (:class:`Person`) has latent traits on a standard normal scale: well-being, self-esteem
  (correlated with well-being, r ≈ 0.6), rights, autonomy with paperwork, resources, health, social ties,
  outlook, and the housing and employment situations; and a propensity to answer "don't know" (1.5 % to 6.5 %,
  4 % on average) where a question offers it.
- **At follow-up** (and exit) the same person has moved (:func:`followed`): well-being changes by a normal
  amount centred on +0.35 standard deviations (so about two people in three feel better, one in three does not),
  rights and autonomy improve more, some people move into stable housing, some find work.
- **Answers** (:func:`answers`) come from the traits through ordinal thresholds: each item of a scale is the
  trait plus its own noise (WHO-5 items load 0.8 on well-being, self-esteem items 0.75 on self-esteem), cut into
  the scale's choices. Questions the model knows (the LCEP questionnaires' names: ``who5_1``, ``droits_ouverts``,
  ``logement_actuel``…) follow their trait; any other question gets a plausible answer from its type (a scale
  follows well-being, a choice is drawn evenly, an integer is small). Skip logic is the questionnaire's own: the
  person's answers to every question are made first, then :meth:`Questionnaire.relevant` says which questions
  are asked, and only those are kept. The answers are then checked with :meth:`Questionnaire.check`; an answer
  the check refuses (a constraint of a question the model does not know) is dropped or becomes "don't know".

Everything is drawn from the ``random.Random`` given, in a fixed order: the same seed gives the same people and
the same answers, byte for byte. No Django import: the caller compiles the questionnaire and passes the
framework document's questionnaire and choice lists.
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from statistics import NormalDist
from typing import Any, Final

from socle.lib.collection.answers import DONT_KNOW, Questionnaire, compile_questionnaire

__all__ = [
    "ENTRY",
    "EXIT",
    "FOLLOW_UP",
    "HOUSING_LADDER",
    "MODES",
    "WAVES",
    "Answered",
    "Form",
    "Person",
    "Place",
    "QuestionSpec",
    "Setting",
    "Simulated",
    "answer_days",
    "answering",
    "answers",
    "default_periods",
    "draw_setting",
    "followed",
    "form_of",
    "make_form",
    "new_person",
    "person_rng",
    "respond",
    "setting_rng",
    "simulate",
]

ENTRY: Final = "entry"
FOLLOW_UP: Final = "follow_up"
EXIT: Final = "exit"
WAVES: Final = (ENTRY, FOLLOW_UP, EXIT)

# --- Questionnaires as the generator sees them -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """One question of a questionnaire: what the generator needs to invent an answer."""

    name: str
    type: str
    choices: tuple[str, ...]  # the values of its choice list, in order
    dont_know: bool
    required: bool


@dataclass(frozen=True)
class Form:
    """A compiled questionnaire and its questions in document order (notes included)."""

    questionnaire: Questionnaire
    questions: tuple[QuestionSpec, ...]

    @property
    def code(self) -> str:
        return self.questionnaire.code


def make_form(questionnaire: Questionnaire, spec: Mapping[str, Any], choice_lists: Sequence[Mapping[str, Any]]) -> Form:
    """The form of a compiled questionnaire, from the document's questionnaire ``spec`` and choice lists."""
    lists = {str(item["name"]): tuple(str(c["value"]) for c in item.get("choices", [])) for item in choice_lists}
    questions = tuple(
        QuestionSpec(
            name=str(question["name"]),
            type=str(question["type"]),
            choices=lists.get(str(question.get("choices", "")), ()),
            dont_know=bool(question.get("dont_know")),
            required=bool(question.get("required")),
        )
        for section in spec.get("sections", [])
        for question in section.get("questions", [])
    )
    return Form(questionnaire, questions)


def form_of(document: Mapping[str, Any], code: str) -> Form:
    """The form of questionnaire ``code`` of an (effective) framework document; ``KeyError`` when it has none."""
    for spec in document.get("questionnaires", []):
        if spec.get("code") == code:
            return make_form(compile_questionnaire(document, code), spec, document.get("choice_lists", []))
    raise KeyError(code)


# --- Establishments ----------------------------------------------------------------------------------------------

# The ladder of housing situations (values of the LCEP list "housing_situation"), from the street to a home.
HOUSING_LADDER: Final = ("rue", "urgence", "tiers", "insertion", "logement_adapte", "logement")

# Where people slept just before they came, by type of establishment (weights).
_HOUSING_BEFORE: Final[Mapping[str, Mapping[str, float]]] = {
    "chu": {"rue": 45, "urgence": 20, "tiers": 20, "insertion": 5, "logement": 5, "autre": 5},
    "chrs": {"rue": 25, "urgence": 35, "tiers": 20, "insertion": 5, "logement": 10, "autre": 5},
    "pension-de-famille": {
        "rue": 15, "urgence": 20, "insertion": 40, "tiers": 10, "logement_adapte": 5, "logement": 5, "autre": 5,
    },
    "residence-sociale": {
        "tiers": 30, "insertion": 25, "urgence": 15, "logement": 15, "rue": 5, "logement_adapte": 5, "autre": 5,
    },
    "accueil-de-jour": {"rue": 60, "urgence": 15, "tiers": 15, "logement": 5, "autre": 5},
    "maraude": {"rue": 75, "urgence": 10, "tiers": 10, "autre": 5},
    "siao": {"rue": 40, "urgence": 30, "tiers": 20, "autre": 10},
    "cada": {"urgence": 30, "rue": 20, "tiers": 35, "autre": 15},
    "huda": {"urgence": 35, "rue": 25, "tiers": 30, "autre": 10},
    "aci": {"logement": 40, "tiers": 20, "insertion": 15, "logement_adapte": 10, "urgence": 10, "rue": 5},
    "lhss": {"rue": 40, "urgence": 30, "insertion": 10, "tiers": 10, "autre": 10},
}  # fmt: skip
_HOUSING_DEFAULT: Final[Mapping[str, float]] = {
    "rue": 30, "urgence": 25, "tiers": 20, "insertion": 10, "logement_adapte": 5, "logement": 5, "autre": 5,
}  # fmt: skip
# Where people sleep while an establishment that accommodates them supports them.
_ACCOMMODATION: Final[Mapping[str, str]] = {
    "chu": "urgence",
    "chrs": "insertion",
    "pension-de-famille": "logement_adapte",
    "residence-sociale": "logement_adapte",
    "cada": "insertion",
    "huda": "urgence",
    "lhss": "insertion",
}
# Mean shifts of latent traits by type: well-being, rights.
_KIND_SHIFT: Final[Mapping[str, tuple[float, float]]] = {
    "chu": (-0.15, -0.1),
    "maraude": (-0.25, -0.3),
    "accueil-de-jour": (-0.1, -0.15),
    "pension-de-famille": (0.15, 0.2),
    "residence-sociale": (0.1, 0.2),
    "aci": (0.15, 0.25),
    "cada": (0.0, -0.6),
    "huda": (-0.05, -0.6),
}


@dataclass(frozen=True, slots=True)
class Setting:
    """An establishment as the people it supports live it: its type code and its effects (latent units)."""

    kind: str
    wellbeing: float
    rights: float
    progress: float
    quality: float

    @property
    def accommodates(self) -> bool:
        return self.kind in _ACCOMMODATION


def draw_setting(rng: random.Random, kind: str, *, icc: float = 0.05) -> Setting:
    """An establishment of type ``kind`` (an LCEP type code; any other is a generic service).

    Its random effect on well-being has the variance that makes the latent intra-class correlation ``icc``
    together with the small shift of its type.
    """
    if not 0 <= icc < 1:
        raise ValueError("icc is a share between 0 and 1 (excluded)")
    shift_wellbeing, shift_rights = _KIND_SHIFT.get(kind, (0.0, 0.0))
    between = icc / (1 - icc)  # variance of the establishment effect for a person-level variance of 1
    kind_variance = 0.012  # about the variance of the type shifts over the LCEP frame
    sd = math.sqrt(max(between - kind_variance, 0.0))
    return Setting(
        kind=kind,
        wellbeing=shift_wellbeing + rng.gauss(0, sd),
        rights=shift_rights + rng.gauss(0, math.sqrt(between)),
        progress=rng.gauss(0, 0.12),
        quality=rng.gauss(0, 0.35),
    )


# --- People ------------------------------------------------------------------------------------------------------

_SEXES: Final = (("homme", 62.0), ("femme", 36.0), ("autre", 2.0))
_AGES: Final = ("a18_24", "a25_34", "a35_44", "a45_54", "a55_64", "a65_plus")
_AGE_WEIGHTS: Final[Mapping[str, tuple[float, ...]]] = {
    "default": (16, 24, 23, 19, 13, 5),
    "pension-de-famille": (3, 10, 20, 30, 27, 10),
    "residence-sociale": (12, 22, 22, 20, 16, 8),
    "cada": (25, 38, 22, 10, 4, 1),
    "huda": (27, 38, 21, 9, 4, 1),
    "aci": (18, 28, 24, 19, 11, 0),
}


@dataclass(frozen=True, slots=True)
class Person:
    """One invented person supported, at one moment: traits on a standard normal scale, and situations.

    ``change`` is how much well-being moved since entry (0 at entry).
    """

    sex: str
    age_band: str
    housing_before: str
    housing_now: str
    employment: str
    wellbeing: float
    esteem: float
    rights: float
    autonomy: float
    resources: float
    health: float
    ties: float
    outlook: float
    quality: float
    dont_know: float
    change: float = 0.0


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _mix(rng: random.Random, *parts: tuple[float, float], noise: float) -> float:
    return sum(weight * value for weight, value in parts) + rng.gauss(0, noise)


def new_person(rng: random.Random, setting: Setting) -> Person:
    """A person supported by ``setting``, as they are at entry."""
    sex = rng.choices([s for s, _ in _SEXES], [w for _, w in _SEXES])[0]
    age_band = rng.choices(_AGES, _AGE_WEIGHTS.get(setting.kind, _AGE_WEIGHTS["default"]))[0]
    housing_before = _weighted(rng, _HOUSING_BEFORE.get(setting.kind, _HOUSING_DEFAULT))
    housing_now = _ACCOMMODATION.get(setting.kind, housing_before)
    wellbeing = setting.wellbeing + rng.gauss(0, 1) - (0.1 if sex == "femme" else 0.0)
    esteem = _mix(rng, (0.6, wellbeing), noise=0.8)
    rights = setting.rights + _mix(rng, (0.3, wellbeing), noise=0.95)
    autonomy = _mix(rng, (0.5, rights), (0.3, wellbeing), noise=0.8)
    resources = _mix(rng, (0.4, rights), (0.3, wellbeing), noise=0.85)
    health = _mix(rng, (0.4, wellbeing), noise=0.9)
    ties = _mix(rng, (0.45, wellbeing), noise=0.9)
    outlook = _mix(rng, (0.5, wellbeing), (0.3, esteem), noise=0.8)
    quality = setting.quality + rng.gauss(0, 0.9)
    return Person(
        sex=sex,
        age_band=age_band,
        housing_before=housing_before,
        housing_now=housing_now,
        employment=_employment_at_entry(rng, setting, age_band, wellbeing),
        wellbeing=wellbeing,
        esteem=esteem,
        rights=rights,
        autonomy=autonomy,
        resources=resources,
        health=health,
        ties=ties,
        outlook=outlook,
        quality=quality,
        dont_know=rng.uniform(0.015, 0.065),
    )


def _employment_at_entry(rng: random.Random, setting: Setting, age_band: str, wellbeing: float) -> str:
    if age_band == "a65_plus":
        return "retraite"
    if setting.kind == "aci":
        return _weighted(rng, {"insertion": 85, "emploi": 5, "formation": 3, "recherche": 7})
    weights = {"emploi": 12.0, "insertion": 5.0, "formation": 5.0, "recherche": 42.0, "sans_recherche": 36.0}
    if wellbeing > 0.5:
        weights["emploi"] += 6
        weights["sans_recherche"] -= 6
    if age_band == "a55_64":
        weights["retraite"] = 8.0
    if setting.kind in ("cada", "huda"):
        weights = {"formation": 8.0, "recherche": 22.0, "sans_recherche": 70.0}  # no right to work at first
    return _weighted(rng, weights)


def followed(person: Person, rng: random.Random, setting: Setting) -> Person:
    """The same person some months later: well-being moved by a normal amount (centred on +0.35 standard
    deviations plus the establishment's progress effect), and the other traits and situations with it."""
    change = rng.gauss(0.35 + setting.progress, 0.75)
    wellbeing = person.wellbeing + change
    rights = person.rights + 0.55 + 0.3 * change + rng.gauss(0, 0.4)
    return replace(
        person,
        wellbeing=wellbeing,
        esteem=person.esteem + 0.6 * change + rng.gauss(0.05, 0.4),
        rights=rights,
        autonomy=person.autonomy + 0.3 + 0.2 * change + rng.gauss(0, 0.3),
        resources=person.resources + 0.25 + 0.2 * change + rng.gauss(0, 0.3),
        health=person.health + 0.3 + 0.3 * change + rng.gauss(0, 0.3),
        ties=person.ties + 0.2 + 0.3 * change + rng.gauss(0, 0.3),
        outlook=person.outlook + 0.5 * change + rng.gauss(0.1, 0.4),
        quality=person.quality + 0.3 * change,
        housing_now=_moved(rng, person, setting, change, rights),
        employment=_employment_later(rng, person.employment, change),
        change=person.change + change,
    )


def _moved(rng: random.Random, person: Person, setting: Setting, change: float, rights: float) -> str:
    stable = min(max(0.12 + 0.1 * change + 0.06 * rights, 0.02), 0.6)
    if rng.random() < stable:
        return rng.choice(("logement", "logement", "logement_adapte"))
    current = person.housing_now
    if setting.accommodates or current not in HOUSING_LADDER:
        return current
    step = HOUSING_LADDER.index(current)
    draw = rng.random()
    if draw < 0.25 + 0.1 * change and step < len(HOUSING_LADDER) - 1:
        return HOUSING_LADDER[step + 1]
    if draw > 0.94 and step > 0:
        return HOUSING_LADDER[step - 1]
    return current


def _employment_later(rng: random.Random, employment: str, change: float) -> str:
    draw = rng.random()
    if employment == "recherche" and draw < min(max(0.22 + 0.1 * change, 0.05), 0.6):
        return _weighted(rng, {"emploi": 50, "insertion": 25, "formation": 25})
    if employment == "sans_recherche" and draw < 0.15:
        return "recherche"
    if employment in ("emploi", "insertion", "formation") and draw < 0.08:
        return "recherche"
    return employment


# --- Answers -----------------------------------------------------------------------------------------------------

_NORMAL: Final = NormalDist()
_WHO5_CUTS: Final = (-1.05, -0.3, 0.3, 0.9, 1.65)  # 0..5, mean about 2.1 at entry: a WHO-5 of about 42
_AGREEMENT_CUTS: Final = (-1.5, -0.7, 0.05, 1.05)  # 1..5, mean about 3.3
_QUALITY_CUTS: Final = (-2.2, -1.5, -0.8, 0.3)  # 1..5, mean about 4.1: people rate the support well
_AUTONOMY_CUTS: Final = (-1.0, -0.3, 0.35, 1.1)
_TEXTS: Final[Mapping[str, tuple[str, ...]]] = {
    "attentes": (
        "Trouver un logement",
        "Avoir mes papiers",
        "Retrouver du travail",
        "Me soigner",
        "Être écouté",
        "Un endroit calme pour dormir",
    ),
    "changement_principal": (
        "J’ai un toit",
        "J’ai retrouvé confiance",
        "Mes papiers sont en règle",
        "Je vois un médecin",
        "J’ai des amis ici",
        "Rien n’a changé",
    ),
    "other_housing": ("Dans ma voiture", "À l’hôpital", "Dans un camping", "Chez mon employeur"),
    "generic": ("Rien de particulier", "Plus de temps avec les professionnels", "Des activités le week-end"),
}


@dataclass(frozen=True, slots=True)
class _Asked:
    """What an answer is made from: the person, the wave, the day, the random source."""

    person: Person
    wave: str
    on: datetime.date
    rng: random.Random

    def item(self, trait: float, loading: float) -> float:
        return loading * trait + math.sqrt(1 - loading * loading) * self.rng.gauss(0, 1)


def _ordinal(z: float, cuts: Sequence[float]) -> int:
    return bisect.bisect(cuts, z)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _who5(a: _Asked) -> object:
    return str(_ordinal(a.item(a.person.wellbeing, 0.8), _WHO5_CUTS))


def _esteem(a: _Asked) -> object:
    return str(_ordinal(a.item(a.person.esteem, 0.75), _AGREEMENT_CUTS) + 1)


def _quality(a: _Asked) -> object:
    return str(_ordinal(a.item(a.person.quality, 0.8), _QUALITY_CUTS) + 1)


def _outlook(a: _Asked) -> object:
    return str(_ordinal(a.item(a.person.outlook, 0.85), _AGREEMENT_CUTS) + 1)


def _rights(a: _Asked) -> object:
    return ("non", "en_partie", "oui_tous")[_ordinal(a.item(a.person.rights, 0.9), (-0.65, 0.5))]


def _autonomy(a: _Asked) -> object:
    return str(_ordinal(a.item(a.person.autonomy, 0.9), _AUTONOMY_CUTS) + 1)


def _bank(a: _Asked) -> object:
    return "oui" if a.item(a.person.rights, 0.8) > -0.55 else "non"


def _expenses(a: _Asked) -> object:
    return ("jamais", "parfois", "souvent", "toujours")[_ordinal(a.item(a.person.resources, 0.9), (-0.85, 0.2, 1.05))]


def _care(a: _Asked) -> object:
    if a.rng.random() < 0.18:
        return "pas_besoin"
    return ("non", "difficile", "oui")[_ordinal(a.item(a.person.health, 0.85), (-0.85, 0.25))]


def _emergencies(a: _Asked) -> object:
    return min(_poisson(a.rng, 0.55 * math.exp(-0.5 * a.person.health)), 20)


def _employment(a: _Asked) -> object:
    return a.person.employment


def _job_help(a: _Asked) -> object:
    return "oui" if a.rng.random() < (0.6 if a.wave == ENTRY else 0.75) else "non"


def _ties(a: _Asked) -> object:
    return "oui" if a.item(a.person.ties, 0.9) > -0.3 else "non"


def _safety(a: _Asked) -> object:
    level = {"rue": -1.0, "urgence": -0.2, "insertion": 0.5, "logement_adapte": 0.7, "logement": 0.8}
    z = level.get(a.person.housing_now, 0.0) + 0.3 * a.person.wellbeing + a.rng.gauss(0, 0.8)
    return str(_ordinal(z, (-0.6, 0.3)) + 1)


def _arrival(a: _Asked) -> object:
    return (a.on - datetime.timedelta(days=a.rng.randrange(0, 75))).isoformat()


def _participation(a: _Asked) -> object:
    engagement = 0.4 * a.person.ties + 0.3 * a.person.wellbeing + a.rng.gauss(0, 0.8)
    if engagement < -0.4:
        return ["aucune"]
    lift = min(max(engagement, 0.0), 1.5) * 0.1
    shares = (("cvs", 0.25), ("groupe_expression", 0.3), ("activite_collective", 0.75), ("entraide", 0.2))
    chosen = [value for value, share in shares if a.rng.random() < share + lift]
    return chosen or ["activite_collective"]


def _evolution(a: _Asked) -> object:
    return ("moins_bien", "pareil", "mieux")[_ordinal(a.person.change + a.rng.gauss(0, 0.5), (-0.35, 0.2))]


def _text(key: str, share: float) -> Callable[[_Asked], object]:
    def make(a: _Asked) -> object:
        return a.rng.choice(_TEXTS[key]) if a.rng.random() < share else None

    return make


_KNOWN: Final[Mapping[str, Callable[[_Asked], object]]] = {
    "sexe": lambda a: a.person.sex,
    "tranche_age": lambda a: a.person.age_band,
    "date_arrivee": _arrival,
    "logement_avant": lambda a: a.person.housing_before,
    "logement_actuel": lambda a: a.person.housing_now,
    "logement_avant_autre": _text("other_housing", 0.7),
    "logement_actuel_autre": _text("other_housing", 0.7),
    "securite": _safety,
    "droits_ouverts": _rights,
    "demarches_autonomie": _autonomy,
    "compte_bancaire": _bank,
    "depenses_essentielles": _expenses,
    "acces_soins": _care,
    "urgences_nb": _emergencies,
    "situation_emploi": _employment,
    "emploi_accompagnement": _job_help,
    "personne_ressource": _ties,
    "es_qualites": _esteem,
    "es_capable": _esteem,
    "es_valeur": _esteem,
    "es_content": _esteem,
    "projets_avenir": _outlook,
    **{f"who5_{n}": _who5 for n in range(1, 6)},
    "qualite_ecoute": _quality,
    "qualite_respect": _quality,
    "qualite_decisions": _quality,
    "participation": _participation,
    "situation_evolution": _evolution,
    "attentes": _text("attentes", 0.35),
    "changement_principal": _text("changement_principal", 0.3),
}


def _generic(question: QuestionSpec, a: _Asked) -> object:
    """A plausible answer to a question the model does not know, from its type."""
    kind = question.type
    if question.choices and (kind == "scale" or all(c.isdigit() for c in question.choices)):
        cuts = [_NORMAL.inv_cdf(i / len(question.choices)) for i in range(1, len(question.choices))]
        return question.choices[_ordinal(a.item(a.person.wellbeing, 0.5), cuts)]
    if question.choices:
        choice = a.rng.choice(question.choices)
        return [choice] if kind == "multiple_choice" else choice
    if kind == "integer":
        return a.rng.choice((0, 0, 1, 1, 2, 3, 5))
    if kind == "decimal":
        return str(a.rng.choice((0, 1, 2.5, 4, 7.5, 12)))
    if kind == "date":
        return (a.on - datetime.timedelta(days=a.rng.randrange(1, 365))).isoformat()
    if kind in ("text", "long_text"):
        return a.rng.choice(_TEXTS["generic"]) if a.rng.random() < 0.2 else None
    return None


def _fits(question: QuestionSpec, value: object) -> bool:
    """Whether a value the model made is one the question offers (another framework may name its choices
    differently): else the generic answer is used."""
    if not question.choices or value is None:
        return True
    if isinstance(value, list):
        return all(item in question.choices for item in value)
    return value in question.choices


def _json(value: object) -> object:
    """A normalised answer as JSON holds it (as ``socle.collection.actions.stored_answers`` writes it)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def answers(form: Form, person: Person, rng: random.Random, *, wave: str, on: datetime.date) -> dict[str, object]:
    """The person's answers to ``form`` on day ``on``, at ``wave``: only the questions asked, every answer
    accepted by ``form.questionnaire.check(..., today=on)``, normalised and JSON-ready (choice values as
    strings, integers as ints, dates as ``YYYY-MM-DD``, decimals as strings), in document order."""
    if wave not in WAVES:
        raise ValueError(f"unknown wave {wave!r}")
    asked_by = _Asked(person, wave, on, rng)
    intended: dict[str, object] = {}
    for question in form.questions:
        if question.type == "note":
            continue
        dont_know = rng.random() < person.dont_know
        blank = rng.random() < 0.02
        make = _KNOWN.get(question.name)
        value = make(asked_by) if make is not None else None
        if make is None or not _fits(question, value):
            value = _generic(question, asked_by)
        if question.dont_know and dont_know:
            value = DONT_KNOW
        elif blank and not question.required:
            value = None
        if value is not None:
            intended[question.name] = value
    relevant = form.questionnaire.relevant(intended, today=on)
    given = {name: value for name, value in intended.items() if relevant[name]}
    return _accepted(form, given, on)


def _accepted(form: Form, given: dict[str, object], on: datetime.date) -> dict[str, object]:
    """The answers as the check keeps them; an answer it refuses becomes "don't know" when the question offers
    it, else is dropped (at most three rounds, as each change may open or close other questions)."""
    specs = {question.name: question for question in form.questions}
    for _round in range(3):
        checked = form.questionnaire.check(given, today=on)
        if checked.ok:
            return {name: _json(value) for name, value in checked.answers.items()}
        for error in checked.errors:
            spec = specs.get(error.question)
            if spec is not None and spec.dont_know and given.get(error.question) != DONT_KNOW:
                given[error.question] = DONT_KNOW
            else:
                given.pop(error.question, None)
    raise ValueError(f"no acceptable answers to {form.code!r}: {checked.errors[:3]}")  # pragma: no cover


# --- People answering waves --------------------------------------------------------------------------------------
#
# A person's whole story is drawn from their own random source, ``person_rng(seed, place, number)``: whether they
# answer at follow-up and exit, the days, their traits, their answers, the mode and the time. So a person's data do
# not depend on how many other people there are, and a builder can skip a person already stored without drawing
# anything (``answering`` is drawn first, alone).

MODES: Final = ("self", "assisted", "paper")
_MODE_WEIGHTS: Final[Mapping[str, tuple[int, int, int]]] = {
    "maraude": (45, 42, 13),  # outreach and day centres: staff help more
    "accueil-de-jour": (45, 42, 13),
    "siao": (45, 42, 13),
}
_DEFAULT_MODE_WEIGHTS: Final = (65, 27, 8)


def setting_rng(seed: int, place: str) -> random.Random:
    """The random source of an establishment's effects (``place``: its FINESS number, or any stable name)."""
    return random.Random(f"{seed}/{place}")


def person_rng(seed: int, place: str, number: int) -> random.Random:
    """The random source of the ``number``-th person of ``place``."""
    return random.Random(f"{seed}/{place}/{number}")


def default_periods(year: int) -> dict[str, tuple[datetime.date, datetime.date]]:
    """The dates of each wave's campaign in ``year``: entry in the first half, follow-up from April, exit in the
    second half."""
    return {
        ENTRY: (datetime.date(year, 1, 1), datetime.date(year, 6, 30)),
        FOLLOW_UP: (datetime.date(year, 4, 1), datetime.date(year, 12, 31)),
        EXIT: (datetime.date(year, 7, 1), datetime.date(year, 12, 31)),
    }


def answering(rng: random.Random, shares: Mapping[str, float]) -> dict[str, bool]:
    """Which waves the person answers: always entry; follow-up and exit each with its share (two draws, always)."""
    return {ENTRY: True, **{wave: rng.random() < shares.get(wave, 0.0) for wave in (FOLLOW_UP, EXIT)}}


def answer_days(
    rng: random.Random, periods: Mapping[str, tuple[datetime.date, datetime.date]]
) -> dict[str, datetime.date]:
    """The day the person answers each wave: entry within its campaign, follow-up 3 to 6 months later, exit 1 to
    4 months after that, each moved within its own campaign's dates."""
    start, end = periods[ENTRY]
    entry = start + datetime.timedelta(days=rng.randrange((end - start).days + 1))
    later = entry + datetime.timedelta(days=rng.randrange(90, 181))
    last = later + datetime.timedelta(days=rng.randrange(30, 121))

    def within(day: datetime.date, wave: str) -> datetime.date:
        low, high = periods.get(wave, (day, day))
        return min(max(day, low), high)

    return {ENTRY: entry, FOLLOW_UP: within(later, FOLLOW_UP), EXIT: within(last, EXIT)}


@dataclass(frozen=True, slots=True)
class Answered:
    """One questionnaire filled by one person: when (``seconds`` after midnight, local time, office hours), how
    (``mode``: self, assisted or paper), whether open answers may be quoted, and the answers."""

    wave: str
    code: str
    day: datetime.date
    seconds: int
    mode: str
    quote_consent: bool | None
    answers: dict[str, object]

    @property
    def time(self) -> datetime.time:
        return datetime.time(self.seconds // 3600, self.seconds // 60 % 60, self.seconds % 60)


def respond(
    rng: random.Random,
    setting: Setting,
    forms: Mapping[str, Sequence[Form]],
    waves: Mapping[str, bool],
    days: Mapping[str, datetime.date],
) -> list[Answered]:
    """The questionnaires a person fills: at each wave they answer (``waves``, from :func:`answering`), every form
    of that wave (``forms``: wave → forms), the person having moved (:func:`followed`) since the wave before."""
    person = new_person(rng, setting)
    weights = _MODE_WEIGHTS.get(setting.kind, _DEFAULT_MODE_WEIGHTS)
    filled: list[Answered] = []
    for wave in WAVES:
        if wave != ENTRY:
            person = followed(person, rng, setting)
        if not waves.get(wave) or wave not in forms:
            continue
        for form in forms[wave]:
            given = answers(form, person, rng, wave=wave, on=days[wave])
            mode = rng.choices(MODES, weights)[0]
            consent = rng.choices((True, False, None), (45, 45, 10))[0]
            seconds = rng.randrange(8 * 3600, 19 * 3600)
            filled.append(Answered(wave, form.code, days[wave], seconds, mode, consent, given))
    return filled


@dataclass(frozen=True, slots=True)
class Place:
    """An establishment of a simulation: a stable name (a FINESS number), its type code, how many people."""

    name: str
    kind: str
    people: int


@dataclass(frozen=True, slots=True)
class Simulated:
    """One filled questionnaire of a simulation, with who filled it: ``place`` and the person's ``number``."""

    place: str
    number: int
    answered: Answered


def simulate(
    forms: Mapping[str, Sequence[Form]],
    places: Sequence[Place],
    *,
    seed: int,
    shares: Mapping[str, float] | None = None,
    periods: Mapping[str, tuple[datetime.date, datetime.date]] | None = None,
    icc: float = 0.05,
) -> list[Simulated]:
    """Every questionnaire filled by the people of ``places``, without a database: what
    ``socle.collection.synthetic.build`` stores for the same seed, places and shares (follow-up 0.7 and no exit
    by default), in the same order (place, person, wave)."""
    chosen = {FOLLOW_UP: 0.7, EXIT: 0.0} if shares is None else shares
    dates = periods or default_periods(2025)
    filled: list[Simulated] = []
    for place in places:
        setting = draw_setting(setting_rng(seed, place.name), place.kind, icc=icc)
        for number in range(place.people):
            rng = person_rng(seed, place.name, number)
            waves = answering(rng, chosen)
            days = answer_days(rng, dates)
            filled.extend(Simulated(place.name, number, one) for one in respond(rng, setting, forms, waves, days))
    return filled
