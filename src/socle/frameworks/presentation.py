"""What the framework pages show, read from a version's document (no queries here, except the base version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from socle.frameworks.models import FrameworkVersion, text_in
from socle.lib.frameworks import expressions
from socle.lib.frameworks.merge import own_codes
from socle.lib.frameworks.validate import questionnaire_names, stage

STAGE_KEYS = ("need", "activity", "output", "outcome_short", "outcome_medium", "impact")
STAGE_TITLES = {
    "need": _("Needs"),
    "activity": _("Activities"),
    "output": _("Outputs"),
    "outcome_short": _("Short-term outcomes"),
    "outcome_medium": _("Medium-term outcomes"),
    "impact": _("Impact"),
}
KIND_LABELS = {
    "proportion": _("Proportion"),
    "mean": _("Mean of a score"),
    "count": _("Count"),
    "ratio": _("Ratio of activity data"),
    "evolution": _("Evolution between two waves"),
}
QUESTION_TYPE_LABELS = {
    "single_choice": _("Single choice"),
    "multiple_choice": _("Multiple choice"),
    "scale": _("Pictorial scale"),
    "either_or": _("Either-or"),
    "integer": _("Whole number"),
    "decimal": _("Decimal number"),
    "date": _("Date"),
    "text": _("Short text"),
    "long_text": _("Long text"),
    "note": _("Note"),
}
AUDIENCE_LABELS = {"people_supported": _("People supported"), "staff": _("Staff"), "partners": _("Partners")}
WAVE_LABELS = {"entry": _("Entry"), "follow_up": _("Follow-up"), "exit": _("Exit")}
BREAKDOWN_LABELS = {
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "establishment_type": _("Establishment type"),
    "region": _("Region"),
    "wave": _("Wave"),
    "mode": _("Mode of collection"),
}
DIRECTION_LABELS = {"up": _("Higher is better"), "down": _("Lower is better"), "none": _("No better direction")}
LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "ar": "العربية",
    "ro": "Română",
    "uk": "Українська",
    "ru": "Русский",
    "pt": "Português",
    "de": "Deutsch",
    "it": "Italiano",
}


def language() -> str:
    return (get_language() or "fr")[:2]


def own_elements(version: FrameworkVersion) -> dict[str, set[str]]:
    return own_codes(version.content) if version.base_version_id else {}


def stage_key(node: Mapping[str, Any]) -> str:
    return STAGE_KEYS[stage(node)]


@dataclass
class TocNode:
    code: str
    kind: str
    label: str
    description: str
    leads_to: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    own: bool = False


@dataclass
class TocStage:
    key: str
    title: str
    nodes: list[TocNode]


DIMENSION_TITLES = {
    "what": _("What"),
    "who": _("Who"),
    "how_much": _("How much"),
    "contribution": _("Contribution"),
    "risk": _("Risk"),
}


def theory_of_change(doc: Mapping[str, Any], own: Mapping[str, set[str]] | None = None) -> list[TocStage]:
    """The theory of change as stages of nodes, each node with the labels it leads to: the list alternative."""
    own_nodes = (own or {}).get("nodes", set())
    labels = {n["code"]: text_in(n["label"]) for n in doc.get("nodes", [])}
    leads: dict[str, list[str]] = {}
    for link in doc.get("links", []):
        leads.setdefault(link["from"], []).append(labels.get(link["to"], link["to"]))
    measured: dict[str, list[str]] = {}
    for indicator in doc.get("indicators", []):
        for outcome in indicator["outcomes"]:
            measured.setdefault(outcome, []).append(text_in(indicator["label"]))
    stages = {key: TocStage(key, str(STAGE_TITLES[key]), []) for key in STAGE_KEYS}
    for node in doc.get("nodes", []):
        dimensions = [(str(DIMENSION_TITLES[k]), text_in(v)) for k, v in (node.get("dimensions") or {}).items()]
        stages[stage_key(node)].nodes.append(
            TocNode(
                node["code"],
                node["kind"],
                labels[node["code"]],
                text_in(node.get("description")),
                leads.get(node["code"], []),
                measured.get(node["code"], []),
                dimensions,
                node["code"] in own_nodes,
            )
        )
    return [s for s in stages.values() if s.nodes]


@dataclass
class Feed:
    questionnaire: str
    questionnaire_title: str
    name: str
    label: str
    is_score: bool


@dataclass
class IndicatorRow:
    code: str
    label: str
    definition: str
    kind: str
    kind_label: str
    source: str
    outcomes: list[str]
    formula: list[tuple[str, str]]
    feeds: list[Feed]
    unit: str
    direction: str
    breakdowns: list[str]
    sdg: list[str]
    iris: list[str]
    maps_to: str
    own: bool


FORMULA_TITLES = {
    "numerator": _("Counted when"),
    "denominator": _("Out of"),
    "condition": _("Among answers where"),
    "value": _("Value"),
    "from_wave": _("From wave"),
    "to_wave": _("To wave"),
    "improvement": _("Improved when the change is above"),
    "factor": _("Factor"),
}


def indicators(doc: Mapping[str, Any], own: Mapping[str, set[str]] | None = None) -> list[IndicatorRow]:
    own_indicators = (own or {}).get("indicators", set())
    nodes = {n["code"]: text_in(n["label"]) for n in doc.get("nodes", [])}
    questionnaires = {q["code"]: q for q in doc.get("questionnaires", [])}
    sector_labels = {i["code"]: text_in(i["label"]) for i in doc.get("indicators", [])}
    out = []
    for ind in doc.get("indicators", []):
        names: set[str] = set()
        for key in ("numerator", "denominator", "condition", "value"):
            if key in ind and ind["source"] == "answers":
                names |= expressions.references(expressions.parse(ind[key]))
        feeds = []
        for code in ind.get("questionnaires", []):
            questionnaire = questionnaires.get(code)
            if questionnaire is None:
                continue
            known = questionnaire_names(questionnaire)
            for name in sorted(names):
                item = known.get(name)
                if item is not None:
                    feeds.append(
                        Feed(code, text_in(questionnaire["title"]), name, text_in(item["label"]), "expression" in item)
                    )
        formula = []
        for key in ("numerator", "denominator", "condition", "value", "from_wave", "to_wave", "improvement"):
            if key in ind:
                value = ind[key]
                shown = str(WAVE_LABELS.get(value, value)) if key in ("from_wave", "to_wave") else str(value)
                formula.append((str(FORMULA_TITLES[key]), shown))
        out.append(
            IndicatorRow(
                code=ind["code"],
                label=text_in(ind["label"]),
                definition=text_in(ind["definition"]),
                kind=ind["kind"],
                kind_label=str(KIND_LABELS[ind["kind"]]),
                source=ind["source"],
                outcomes=[nodes.get(o, o) for o in ind["outcomes"]],
                formula=formula,
                feeds=feeds,
                unit=str(ind.get("unit", "")),
                direction=str(DIRECTION_LABELS[ind.get("direction", "none")]),
                breakdowns=[str(BREAKDOWN_LABELS[b]) for b in ind.get("breakdowns", [])],
                sdg=list(ind.get("sdg", [])),
                iris=list(ind.get("iris", [])),
                maps_to=sector_labels.get(ind.get("maps_to", ""), ""),
                own=ind["code"] in own_indicators,
            )
        )
    return out


@dataclass
class Choice:
    value: str
    label: str
    picture: str


@dataclass
class QuestionView:
    name: str
    type: str
    type_label: str
    label: str
    hint: str
    choices: list[Choice]
    dont_know: bool
    required: bool
    relevance: str
    constraint: str
    constraint_message: str
    own: bool


@dataclass
class SectionView:
    code: str
    label: str
    relevance: str
    questions: list[QuestionView]
    own: bool


def pick(item: Mapping[str, Any], key: str, lang: str, easy: bool) -> str:
    """`item[key]` in `lang`, or its easy-read version `item["easy_" + key]` when `easy` and it has one."""
    if easy and isinstance(item.get(f"easy_{key}"), dict):
        chosen = text_in(item[f"easy_{key}"], lang)
        if chosen:
            return chosen
    return text_in(item.get(key), lang)


def questionnaire_sections(
    doc: Mapping[str, Any],
    questionnaire: Mapping[str, Any],
    *,
    lang: str,
    easy: bool,
    own: Mapping[str, set[str]] | None = None,
) -> list[SectionView]:
    lists = {cl["name"]: cl["choices"] for cl in doc.get("choice_lists", [])}
    own_questions = (own or {}).get("questions", set())
    own_sections = (own or {}).get("sections", set())
    sections = []
    for section in questionnaire["sections"]:
        questions = []
        for q in section["questions"]:
            choices = [
                Choice(c["value"], pick(c, "label", lang, easy), c.get("picture", ""))
                for c in lists.get(q.get("choices", ""), [])
            ]
            questions.append(
                QuestionView(
                    name=q["name"],
                    type=q["type"],
                    type_label=str(QUESTION_TYPE_LABELS[q["type"]]),
                    label=pick(q, "label", lang, easy),
                    hint=pick(q, "hint", lang, easy),
                    choices=choices,
                    dont_know=bool(q.get("dont_know")),
                    required=bool(q.get("required")),
                    relevance=q.get("relevance", ""),
                    constraint=q.get("constraint", ""),
                    constraint_message=text_in(q.get("constraint_message"), lang),
                    own=q["name"] in own_questions,
                )
            )
        sections.append(
            SectionView(
                section["code"],
                pick(section, "label", lang, easy),
                section.get("relevance", ""),
                questions,
                section["code"] in own_sections,
            )
        )
    return sections


def has_easy_read(questionnaire: Mapping[str, Any]) -> bool:
    return any("easy_label" in q for s in questionnaire["sections"] for q in s["questions"])


def find(items: Sequence[Mapping[str, Any]], key: str, code: str) -> Mapping[str, Any] | None:
    return next((item for item in items if item.get(key) == code), None)
