"""The checks of meaning a framework document must pass once its shape is right (the JSON Schema ran first).

Every problem names its path in the document. An organisation framework is checked on its own terms (its
additions must not reuse the base's codes) and then merged with its base (`merge.effective`) and checked as a
whole; problems found in the merged document are reported at the path of the organisation's own element.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import expressions
from .problems import Path, Problem

STAGES = {"need": 0, "activity": 1, "output": 2, "outcome": 3, "impact": 5}
CHOICE_TYPES = {"single_choice", "multiple_choice", "scale", "either_or"}
NUMBER_TYPES = {"integer", "decimal"}
RESPONDENT_BREAKDOWNS = ("sex", "age_band")
DONT_KNOW = "dk"

# Which optional fields each kind of indicator uses, by source.
INDICATOR_FIELDS: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    # (kind, source): (required fields, optional fields)
    ("proportion", "answers"): ({"questionnaires", "numerator"}, {"denominator"}),
    ("proportion", "activity"): ({"numerator", "denominator"}, set()),
    ("mean", "answers"): ({"questionnaires", "value"}, {"condition"}),
    ("count", "answers"): ({"questionnaires"}, {"condition"}),
    ("count", "activity"): ({"value"}, set()),
    ("ratio", "activity"): ({"numerator", "denominator"}, set()),
    ("evolution", "answers"): ({"questionnaires", "value", "from_wave", "to_wave"}, {"improvement"}),
}
KIND_FIELDS = {
    "questionnaires",
    "numerator",
    "denominator",
    "condition",
    "value",
    "from_wave",
    "to_wave",
    "improvement",
}
EXPRESSION_FIELDS = ("numerator", "denominator", "condition", "value")


def stage(node: Mapping[str, Any]) -> int:
    """The column of a node in the theory of change: medium-term outcomes come after short-term ones."""
    kind = str(node["kind"])
    if kind == "outcome" and node.get("term") == "medium":
        return 4
    return STAGES[kind]


@dataclass
class _Checker:
    document: Mapping[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unique(self, items: Iterable[tuple[Path, str]], what: str) -> None:
        seen: dict[str, Path] = {}
        for path, code in items:
            if code in seen:
                self.add(path, f"the {what} '{code}' is already used at {_fmt(seen[code])}")
            else:
                seen[code] = path

    def expression(self, path: Path, text: str, *, known: set[str], allow_current: bool, scope: str) -> None:
        try:
            parsed = expressions.parse(text)
        except expressions.ExpressionError as error:
            self.add(path, f"cannot read the expression: {error}")
            return
        if expressions.uses_current(parsed) and not allow_current:
            self.add(path, "'.' (the current answer) is only allowed in a constraint")
        for name in sorted(expressions.references(parsed) - known):
            self.add(path, f"unknown {scope} '{name}'")


def _fmt(path: Path) -> str:
    from .problems import format_path

    return format_path(path)


def _texts(value: Any, path: Path) -> Iterable[tuple[Path, dict[str, str]]]:
    """Every text (a mapping with 'fr') in the document, with its path."""
    if isinstance(value, dict):
        if "fr" in value and all(isinstance(v, str) for v in value.values()):
            yield path, value
            return
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def questionnaire_names(questionnaire: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Question names (notes excluded) and score names of a questionnaire, each with its definition."""
    names: dict[str, Mapping[str, Any]] = {}
    for section in questionnaire.get("sections", []):
        for question in section.get("questions", []):
            if question["type"] != "note":
                names[question["name"]] = question
    for score in questionnaire.get("scores", []):
        names[score["name"]] = score
    return names


def _check_languages(c: _Checker, doc: Mapping[str, Any]) -> None:
    languages = list(doc.get("languages", []))
    if "fr" not in languages:
        c.add(("languages",), "French ('fr') must be one of the languages")
    elif languages[0] != "fr":
        c.add(("languages",), "French ('fr') comes first")
    for path, text in _texts(doc, ()):
        for language in text:
            if language not in languages:
                c.add((*path, language), f"the language '{language}' is not in the document's languages {languages}")


def _check_kind(c: _Checker, doc: Mapping[str, Any]) -> None:
    if doc["kind"] == "sector":
        for key in ("base", "organisation", "questionnaire_extensions"):
            if key in doc:
                c.add((key,), f"'{key}' belongs to organisation frameworks only")
        if "field" not in doc:
            c.add(("field",), "a sector framework names its field")
        for index, indicator in enumerate(doc.get("indicators", [])):
            if "maps_to" in indicator:
                c.add(("indicators", index, "maps_to"), "only an organisation's own indicator maps to a sector one")
    else:
        for key in ("base", "organisation"):
            if key not in doc:
                c.add((key,), f"an organisation framework names its '{key}'")
        if "breakdowns" in doc:
            c.add(("breakdowns",), "the breakdowns come from the sector framework and cannot be changed")


def _check_theory(c: _Checker, doc: Mapping[str, Any]) -> None:
    stakeholders = {s["code"] for s in doc.get("stakeholders", [])}
    c.unique(((("stakeholders", i, "code"), s["code"]) for i, s in enumerate(doc.get("stakeholders", []))), "code")
    nodes = doc.get("nodes", [])
    c.unique(((("nodes", i, "code"), n["code"]) for i, n in enumerate(nodes)), "node code")
    by_code = {n["code"]: n for n in nodes}
    for index, node in enumerate(nodes):
        path: Path = ("nodes", index)
        if node["kind"] == "outcome" and "term" not in node:
            c.add((*path, "term"), "an outcome says its term: short or medium")
        if node["kind"] != "outcome":
            for key in ("term", "dimensions"):
                if key in node:
                    c.add((*path, key), f"only outcomes have '{key}'")
        if "stakeholder" in node and node["stakeholder"] not in stakeholders:
            c.add((*path, "stakeholder"), f"unknown stakeholder '{node['stakeholder']}'")
    seen_links: set[tuple[str, str]] = set()
    for index, link in enumerate(doc.get("links", [])):
        path = ("links", index)
        ends = []
        for end in ("from", "to"):
            if link[end] not in by_code:
                c.add((*path, end), f"unknown node '{link[end]}'")
            else:
                ends.append(by_code[link[end]])
        if link["from"] == link["to"]:
            c.add(path, "a link cannot go from a node to itself")
        elif len(ends) == 2 and stage(ends[0]) > stage(ends[1]):
            c.add(
                path,
                f"a link goes forward (need → activity → output → outcome → impact), not from "
                f"{ends[0]['kind']} '{link['from']}' back to {ends[1]['kind']} '{link['to']}'",
            )
        ends_key = (str(link["from"]), str(link["to"]))
        if ends_key in seen_links:
            c.add(path, f"the link {link['from']} → {link['to']} is already there")
        seen_links.add(ends_key)


def _check_choice_lists(c: _Checker, doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    lists = doc.get("choice_lists", [])
    c.unique(((("choice_lists", i, "name"), cl["name"]) for i, cl in enumerate(lists)), "choice list")
    for index, choice_list in enumerate(lists):
        values = [
            (("choice_lists", index, "choices", j, "value"), ch["value"]) for j, ch in enumerate(choice_list["choices"])
        ]
        c.unique(values, "choice value")
        for path, value in values:
            if value == DONT_KNOW:
                c.add(path, "'dk' is kept for \"don't know / prefer not to say\": set dont_know on the question")
    return {cl["name"]: cl for cl in lists}


def _check_questionnaires(c: _Checker, doc: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]]) -> None:
    questionnaires = doc.get("questionnaires", [])
    c.unique(((("questionnaires", i, "code"), q["code"]) for i, q in enumerate(questionnaires)), "questionnaire code")
    for qi, questionnaire in enumerate(questionnaires):
        base: Path = ("questionnaires", qi)
        names: list[tuple[Path, str]] = []
        sections = []
        for si, section in enumerate(questionnaire["sections"]):
            sections.append(((*base, "sections", si, "code"), section["code"]))
            for ki, question in enumerate(section["questions"]):
                names.append(((*base, "sections", si, "questions", ki, "name"), question["name"]))
        for ci, score in enumerate(questionnaire.get("scores", [])):
            names.append(((*base, "scores", ci, "name"), score["name"]))
        c.unique(sections, "section code")
        c.unique(names, "question name")
        known = set(questionnaire_names(questionnaire))
        for si, section in enumerate(questionnaire["sections"]):
            spath: Path = (*base, "sections", si)
            if "relevance" in section:
                c.expression(
                    (*spath, "relevance"), section["relevance"], known=known, allow_current=False, scope="question"
                )
            for ki, question in enumerate(section["questions"]):
                _check_question(c, (*spath, "questions", ki), question, lists, known)
        for ci, score in enumerate(questionnaire.get("scores", [])):
            spath = (*base, "scores", ci)
            c.expression(
                (*spath, "expression"),
                score["expression"],
                known=known - {score["name"]},
                allow_current=False,
                scope="question",
            )
            if "min" in score and "max" in score and score["min"] > score["max"]:
                c.add((*spath, "min"), "min is above max")


def _check_question(
    c: _Checker, path: Path, question: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]], known: set[str]
) -> None:
    kind = question["type"]
    if kind in CHOICE_TYPES:
        if "choices" not in question:
            c.add(path, f"a {kind} question names its choice list in 'choices'")
        elif question["choices"] not in lists:
            c.add((*path, "choices"), f"unknown choice list '{question['choices']}'")
        else:
            count = len(lists[question["choices"]]["choices"])
            if kind == "scale" and count not in (3, 5):
                c.add(
                    (*path, "choices"), f"a pictorial scale has 3 or 5 points, and '{question['choices']}' has {count}"
                )
            if kind == "either_or" and count != 2:
                c.add(
                    (*path, "choices"), f"an either-or question has 2 choices, and '{question['choices']}' has {count}"
                )
    elif "choices" in question:
        c.add((*path, "choices"), f"a {kind} question has no choice list")
    if kind == "note":
        for key in ("required", "dont_know", "constraint"):
            if question.get(key):
                c.add((*path, key), f"a note takes no answer, so it has no '{key}'")
    if "relevance" in question:
        c.expression(
            (*path, "relevance"),
            question["relevance"],
            known=known - {question["name"]},
            allow_current=False,
            scope="question",
        )
    if "constraint" in question:
        c.expression((*path, "constraint"), question["constraint"], known=known, allow_current=True, scope="question")
    if "constraint_message" in question and "constraint" not in question:
        c.add((*path, "constraint_message"), "a constraint message without a constraint")


def _check_activity(c: _Checker, doc: Mapping[str, Any]) -> set[str]:
    items = doc.get("activity_items", [])
    c.unique(((("activity_items", i, "code"), a["code"]) for i, a in enumerate(items)), "activity item")
    checks = doc.get("activity_checks", [])
    c.unique(((("activity_checks", i, "code"), a["code"]) for i, a in enumerate(checks)), "activity check")
    known = {a["code"] for a in items}
    for index, check in enumerate(checks):
        c.expression(
            ("activity_checks", index, "rule"), check["rule"], known=known, allow_current=False, scope="activity item"
        )
    return known


def _check_breakdowns(c: _Checker, doc: Mapping[str, Any]) -> None:
    questionnaires = [q for q in doc.get("questionnaires", []) if q["audience"] == "people_supported"]
    for key, name in (doc.get("breakdowns") or {}).items():
        found = [questionnaire_names(q).get(name) for q in questionnaires]
        if not any(found):
            c.add(("breakdowns", key), f"unknown question '{name}': no questionnaire for people supported asks it")
        elif any(q is not None and q.get("type") not in ("single_choice", "either_or") for q in found):
            c.add(("breakdowns", key), f"the question '{name}' must be a single choice to break results down")


def _check_indicators(c: _Checker, doc: Mapping[str, Any], activity: set[str]) -> None:
    indicators = doc.get("indicators", [])
    c.unique(((("indicators", i, "code"), ind["code"]) for i, ind in enumerate(indicators)), "indicator code")
    nodes = {n["code"]: n for n in doc.get("nodes", [])}
    questionnaires = {q["code"]: q for q in doc.get("questionnaires", [])}
    breakdowns = doc.get("breakdowns") or {}
    for index, indicator in enumerate(indicators):
        path: Path = ("indicators", index)
        for oi, outcome in enumerate(indicator["outcomes"]):
            node = nodes.get(outcome)
            if node is None:
                c.add((*path, "outcomes", oi), f"unknown node '{outcome}'")
            elif node["kind"] not in ("outcome", "impact"):
                c.add(
                    (*path, "outcomes", oi),
                    f"'{outcome}' is a {node['kind']}: an indicator measures an outcome or an impact",
                )
        kind, source = indicator["kind"], indicator["source"]
        fields = INDICATOR_FIELDS.get((kind, source))
        if fields is None:
            c.add((*path, "source"), f"a {kind} indicator cannot be computed from {source} data")
            continue
        required, optional = fields
        for key in sorted(required - set(indicator)):
            c.add(path, f"a {kind} indicator over {source} needs '{key}'")
        for key in sorted((set(indicator) & KIND_FIELDS) - required - optional):
            c.add((*path, key), f"'{key}' is not used by a {kind} indicator over {source}")
        if source == "answers":
            listed = []
            for qi, code in enumerate(indicator.get("questionnaires", [])):
                if code not in questionnaires:
                    c.add((*path, "questionnaires", qi), f"unknown questionnaire '{code}'")
                else:
                    listed.append(questionnaires[code])
            known = set.intersection(*(set(questionnaire_names(q)) for q in listed)) if listed else set()
            scope = "question"
            waves = {w for q in listed for w in q["waves"]}
            for key in ("from_wave", "to_wave"):
                if key in indicator and listed and indicator[key] not in waves:
                    c.add(
                        (*path, key),
                        f"none of the indicator's questionnaires is answered at the wave '{indicator[key]}'",
                    )
            if indicator.get("from_wave") is not None and indicator.get("from_wave") == indicator.get("to_wave"):
                c.add((*path, "to_wave"), "an evolution compares two different waves")
            for key in RESPONDENT_BREAKDOWNS:
                if key in indicator.get("breakdowns", []):
                    name = breakdowns.get(key)
                    if name is None:
                        c.add(
                            (*path, "breakdowns"), f"no question gives '{key}': set breakdowns.{key} in the framework"
                        )
                    elif listed and name not in known:
                        c.add(
                            (*path, "breakdowns"),
                            f"the question '{name}' ({key}) is not in every questionnaire of this indicator",
                        )
        else:
            known, scope = activity, "activity item"
            for key in (*RESPONDENT_BREAKDOWNS, "mode"):
                if key in indicator.get("breakdowns", []):
                    c.add((*path, "breakdowns"), f"activity data has no '{key}' breakdown")
        if not (source == "answers" and not indicator.get("questionnaires")):
            for key in EXPRESSION_FIELDS:
                if key in indicator:
                    c.expression((*path, key), indicator[key], known=known, allow_current=False, scope=scope)


def _check_own(c: _Checker, doc: Mapping[str, Any], base: Mapping[str, Any]) -> None:
    """An organisation's additions: no base code reused, extensions of sector questionnaires, mappings to sector
    indicators."""
    if doc["base"]["framework"] != base.get("code") or doc["base"]["version"] != base.get("version"):
        c.add(("base",), "the base given does not match the sector version supplied")
    pairs = [
        ("stakeholders", "code"),
        ("nodes", "code"),
        ("indicators", "code"),
        ("choice_lists", "name"),
        ("questionnaires", "code"),
        ("activity_items", "code"),
        ("activity_checks", "code"),
    ]
    for collection, key in pairs:
        taken = {item[key] for item in base.get(collection, [])}
        for index, item in enumerate(doc.get(collection, [])):
            if item[key] in taken:
                c.add(
                    (collection, index, key),
                    f"'{item[key]}' belongs to the sector framework, which cannot be changed: choose another code",
                )
    base_questionnaires = {q["code"]: q for q in base.get("questionnaires", [])}
    base_indicators = {i["code"] for i in base.get("indicators", [])}
    for index, extension in enumerate(doc.get("questionnaire_extensions", [])):
        target = base_questionnaires.get(extension["questionnaire"])
        if target is None:
            c.add(
                ("questionnaire_extensions", index, "questionnaire"),
                f"unknown sector questionnaire '{extension['questionnaire']}'",
            )
    for index, indicator in enumerate(doc.get("indicators", [])):
        if "maps_to" in indicator and indicator["maps_to"] not in base_indicators:
            c.add(("indicators", index, "maps_to"), f"unknown sector indicator '{indicator['maps_to']}'")


def _check_whole(doc: Mapping[str, Any]) -> list[Problem]:
    c = _Checker(doc)
    _check_languages(c, doc)
    _check_theory(c, doc)
    lists = _check_choice_lists(c, doc)
    _check_questionnaires(c, doc, lists)
    activity = _check_activity(c, doc)
    _check_breakdowns(c, doc)
    _check_indicators(c, doc, activity)
    return c.problems


def meaning_problems(doc: Mapping[str, Any], *, base: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem of meaning in a schema-valid document; an organisation document needs its base."""
    c = _Checker(doc)
    _check_kind(c, doc)
    if doc["kind"] == "sector":
        return c.problems + _check_whole(doc)
    if base is None:
        c.add(("base",), "the sector version this framework is based on is unknown")
        return c.problems
    if not c.problems:
        _check_own(c, doc, base)
    if c.problems:
        return c.problems
    from .merge import merge_with_origins

    merged, origins = merge_with_origins(base, doc)
    problems = []
    for problem in _check_whole(merged):
        path = origins.own_path(problem.path)
        if path is not None:
            problems.append(Problem(path, problem.message))
        else:
            problems.append(Problem(("base",), f"in the sector framework, {_fmt(problem.path)}: {problem.message}"))
    return problems
