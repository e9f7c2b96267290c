"""Answers checked on the server: types, choices, don't know, required, relevance, constraints and scores."""

from __future__ import annotations

import copy
import datetime
import functools
import random
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socle.lib.collection.answers import CODES, DONT_KNOW, AnswerError, Checked, Questionnaire, compile_questionnaire
from socle.lib.frameworks import document, expressions
from tests.framework_docs import SCALE, SEX, YES_NO, sector_document

Pick = Callable[[Sequence[Any]], Any]

TODAY = datetime.date(2025, 6, 15)
FORMS = {
    "name": "forms",
    "choices": [{"value": v, "label": {"fr": v}} for v in ("cvs", "groupe", "atelier", "aucune")],
}
LISTS = [YES_NO, SCALE, SEX, FORMS]


# --- Questionnaires under test --------------------------------------------------------------------------------


@functools.cache
def lcep() -> dict[str, Any]:
    return document.load(resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8"))


@functools.cache
def compiled(source: str, code: str) -> Questionnaire:
    return compile_questionnaire(lcep() if source == "lcep" else sector_document(), code)


def entry() -> Questionnaire:
    return compiled("lcep", "entry")


def mini() -> Questionnaire:
    return compiled("mini", "entry")


def question(name: str = "q", kind: str = "integer", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label": {"fr": name}, **extra}


def questionnaire(*questions: dict[str, Any], scores: Sequence[dict[str, Any]] = ()) -> Questionnaire:
    """A one-section questionnaire over the test choice lists."""
    sections = [{"code": "s", "label": {"fr": "S"}, "questions": list(questions)}]
    return Questionnaire({"code": "test", "sections": sections, "scores": list(scores)}, LISTS)


def one(kind: str, value: object, **extra: Any) -> Checked:
    """Checks ``value`` as the answer to a single question ``q`` of type ``kind``."""
    return questionnaire(question("q", kind, **extra)).check({"q": value}, today=TODAY)


def codes(checked: Checked) -> list[tuple[str, str]]:
    return [(error.question, error.code) for error in checked.errors]


MINI_COMPLETE = {"sexe": "f", "droits": "oui", "estime": "4", "urgences": "2"}

ENTRY_COMPLETE: dict[str, object] = {
    "sexe": "femme",
    "tranche_age": "a35_44",
    "date_arrivee": "2025-01-20",
    "logement_avant": "autre",
    "logement_avant_autre": "  Dans une voiture  ",
    "securite": "2",
    "droits_ouverts": "en_partie",
    "demarches_autonomie": 3,
    "compte_bancaire": "non",
    "depenses_essentielles": "parfois",
    "acces_soins": "difficile",
    "urgences_nb": "3",
    "situation_emploi": "recherche",
    "emploi_accompagnement": "oui",
    "personne_ressource": "oui",
    "es_qualites": "3",
    "es_capable": "4",
    "es_valeur": "2",
    "es_content": "3",
    "projets_avenir": "4",
    "who5_1": "3",
    "who5_2": "2",
    "who5_3": "4",
    "who5_4": "1",
    "who5_5": "5",
    "attentes": "Un logement.",
}


# --- A whole submission ---------------------------------------------------------------------------------------


def test_a_complete_answer_set_to_the_mini_questionnaire_is_ok_and_normalised() -> None:
    checked = mini().check({**MINI_COMPLETE, "estime": 4, "urgences": " 12 "}, today=TODAY)
    assert checked.ok and checked.errors == ()
    assert checked.answers == {"sexe": "f", "droits": "oui", "estime": "4", "urgences": 12}


def test_a_complete_plausible_lcep_entry_is_ok_with_its_scores() -> None:
    checked = entry().check(ENTRY_COMPLETE, today=TODAY)
    assert checked.ok, checked.errors
    assert checked.answers["date_arrivee"] == datetime.date(2025, 1, 20)
    assert checked.answers["logement_avant_autre"] == "Dans une voiture"
    assert checked.answers["demarches_autonomie"] == "3"
    assert checked.answers["urgences_nb"] == 3
    assert checked.scores == {"who5": (3 + 2 + 4 + 1 + 5) * 4, "estime_soi": 3}


def test_the_names_are_the_answerable_questions_in_document_order_without_notes() -> None:
    assert entry().names[:3] == ("sexe", "tranche_age", "date_arrivee")
    assert "intro_note" not in entry().names and "who5_note" not in entry().names
    assert mini().names == ("sexe", "droits", "estime", "urgences")


def test_an_empty_submission_reports_every_required_question_and_nothing_else() -> None:
    checked = mini().check({}, today=TODAY)
    assert codes(checked) == [("droits", "required")]
    assert checked.answers == {} and not checked.ok


def test_compiling_an_unknown_questionnaire_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        compile_questionnaire(sector_document(), "exit")


def test_compiling_a_question_with_an_unknown_choice_list_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown choice list"):
        questionnaire(question("q", "single_choice", choices="nowhere"))


def test_every_lcep_questionnaire_compiles() -> None:
    for code in ("entry", "follow_up", "staff"):
        assert compiled("lcep", code).names


# --- Required and don't know ----------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_a_required_question_left_empty_in_any_way_is_reported_as_required(empty: object) -> None:
    checked = mini().check({**MINI_COMPLETE, "droits": empty, "urgences": None}, today=TODAY)
    assert codes(checked) == [("droits", "required")]
    assert checked.errors[0].message == "This question is required."


def test_dont_know_counts_as_an_answer_to_a_required_question_that_offers_it() -> None:
    checked = mini().check({**MINI_COMPLETE, "droits": " dk "}, today=TODAY)
    assert checked.ok and checked.answers["droits"] == DONT_KNOW


def test_dont_know_is_refused_where_the_question_does_not_offer_it() -> None:
    checked = mini().check({**MINI_COMPLETE, "sexe": "dk"}, today=TODAY)
    assert codes(checked) == [("sexe", "dont_know_not_offered")]
    assert "sexe" not in checked.answers


@pytest.mark.parametrize(("kind", "value"), [("integer", "dk"), ("date", "dk"), ("multiple_choice", ["dk"])])
def test_dont_know_is_an_answer_of_any_type_when_offered(kind: str, value: object) -> None:
    checked = one(kind, value, dont_know=True, choices="forms" if kind == "multiple_choice" else None)
    assert checked.ok and checked.answers == {"q": "dk"}


def test_the_word_dk_is_reserved_even_in_a_text_question() -> None:
    assert codes(one("text", "dk")) == [("q", "dont_know_not_offered")]


# --- Choices --------------------------------------------------------------------------------------------------


def test_a_value_outside_the_choice_list_is_not_a_choice() -> None:
    checked = mini().check({**MINI_COMPLETE, "sexe": "femme"}, today=TODAY)
    assert codes(checked) == [("sexe", "not_a_choice")]
    assert checked.errors[0].message == "Choose one of the answers offered."


@pytest.mark.parametrize("value", [4, "4", " 4 "])
def test_a_scale_answer_may_be_given_as_its_number_or_its_text(value: object) -> None:
    assert one("scale", value, choices="scale5").answers == {"q": "4"}


@pytest.mark.parametrize(("value", "code"), [(4.0, "not_a_choice"), (True, "not_a_choice"), (["4"], "wrong_shape")])
def test_a_single_choice_takes_one_value_as_text_or_whole_number(value: object, code: str) -> None:
    assert codes(one("scale", value, choices="scale5")) == [("q", code)]


@pytest.mark.parametrize(
    "value",
    [["atelier", "cvs"], "atelier cvs", "  cvs   atelier ", ["cvs", "atelier", "cvs"], ("atelier", "", "cvs")],
)
def test_a_multiple_choice_is_a_list_or_spaced_string_normalised_to_the_lists_order(value: object) -> None:
    assert one("multiple_choice", value, choices="forms").answers == {"q": ["cvs", "atelier"]}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["cvs", "jardin"], "not_a_choice"),
        ("cvs jardin", "not_a_choice"),
        (["cvs", None], "wrong_shape"),
        ({"cvs": True}, "wrong_shape"),
        (["dk", "cvs"], "dont_know_not_offered"),
        (["dk"], "dont_know_not_offered"),
    ],
)
def test_a_multiple_choice_refuses_unknown_values_and_odd_shapes(value: object, code: str) -> None:
    assert codes(one("multiple_choice", value, choices="forms")) == [("q", code)]


def test_dont_know_alone_is_the_answer_to_a_multiple_choice_that_offers_it() -> None:
    assert codes(one("multiple_choice", ["dk", "cvs"], choices="forms", dont_know=True)) == [("q", "wrong_shape")]
    assert one("multiple_choice", "dk", choices="forms", dont_know=True).answers == {"q": "dk"}


def test_an_empty_multiple_choice_is_unanswered() -> None:
    checked = one("multiple_choice", ["", " "], choices="forms", required=True)
    assert codes(checked) == [("q", "required")]


# --- Numbers, dates and texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), ("12", 12), (" -3 ", -3), ("+7", 7), ("007", 7), (10**12, 10**12), (f"-{10**12}", -(10**12))],
)
def test_an_integer_is_read_from_a_whole_number_or_its_digits(value: object, expected: int) -> None:
    checked = one("integer", value)
    assert checked.answers == {"q": expected} and type(checked.answers["q"]) is int


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (True, "not_an_integer"),
        ("3.0", "not_an_integer"),
        (3.0, "not_an_integer"),
        ("3,5", "not_an_integer"),
        ("1 000", "not_an_integer"),
        ("12a", "not_an_integer"),
        ("1e3", "not_an_integer"),
        (10**12 + 1, "not_an_integer"),
        ("9" * 5000, "not_an_integer"),
        ([3], "wrong_shape"),
        ({"value": 3}, "wrong_shape"),
    ],
)
def test_an_integer_refuses_decimals_booleans_huge_numbers_and_lists(value: object, code: str) -> None:
    checked = one("integer", value)
    assert codes(checked) == [("q", code)] and checked.answers == {}


def test_the_integer_message_says_what_to_write() -> None:
    assert one("integer", "trois").errors[0].message == "Write a whole number, for example 3."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3,5", "3.5"),
        ("12.5", "12.5"),
        (" -0,25 ", "-0.25"),
        (",5", "0.5"),
        (7, "7"),
        (2.25, "2.25"),
        (Decimal("1.50"), "1.5"),
        ("1000000000000", "1000000000000"),
    ],
)
def test_a_decimal_is_read_with_a_point_or_a_french_comma(value: object, expected: str) -> None:
    checked = one("decimal", value)
    assert checked.answers == {"q": Decimal(expected)} and isinstance(checked.answers["q"], Decimal)


@pytest.mark.parametrize(
    "value",
    [True, "1e5", "NaN", float("nan"), float("inf"), Decimal("Infinity"), "3,5,6", "0.1234567890123", 10**13, "abc"],
)
def test_a_decimal_refuses_booleans_exponents_infinities_and_too_many_digits(value: object) -> None:
    assert codes(one("decimal", value)) == [("q", "not_a_number")]


@pytest.mark.parametrize(
    ("value", "expected"), [("2024-02-29", "2024-02-29"), (datetime.date(2024, 1, 2), "2024-01-02")]
)
def test_a_date_is_read_from_iso_text_or_a_date(value: object, expected: str) -> None:
    assert one("date", value).answers == {"q": datetime.date.fromisoformat(expected)}


@pytest.mark.parametrize(
    "value", ["2023-02-29", "29/02/2024", "2024-2-9", "2024-02-29T10:00", 20240229, datetime.datetime(2024, 1, 2)]
)
def test_a_date_refuses_other_formats_and_days_that_do_not_exist(value: object) -> None:
    checked = one("date", value)
    assert codes(checked) == [("q", "not_a_date")]
    assert checked.errors[0].message.startswith("Write a date as YYYY-MM-DD")


@pytest.mark.parametrize(("kind", "limit"), [("text", 5_000), ("long_text", 20_000)])
def test_a_text_is_stripped_and_limited_in_length(kind: str, limit: int) -> None:
    assert one(kind, "  " + "é" * limit + "\n").answers == {"q": "é" * limit}
    assert codes(one(kind, "é" * (limit + 1))) == [("q", "too_long")]


@pytest.mark.parametrize(
    ("value", "code"), [("a\x00b", "wrong_shape"), ("a\ud800b", "wrong_shape"), (12, "wrong_shape")]
)
def test_a_text_refuses_characters_no_database_stores_and_non_texts(value: object, code: str) -> None:
    assert codes(one("text", value)) == [("q", code)]


# --- Keys that are not questions ------------------------------------------------------------------------------


def test_unknown_keys_give_one_error_each_after_the_questions_sorted() -> None:
    checked = mini().check({**MINI_COMPLETE, "zz": 1, "sexe": "x", "aa": None, "Droits": "oui"}, today=TODAY)
    assert codes(checked) == [
        ("sexe", "not_a_choice"),
        ("Droits", "unknown_question"),
        ("aa", "unknown_question"),
        ("zz", "unknown_question"),
    ]


def test_a_score_sent_as_an_answer_is_an_unknown_question() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "who5": 80}, today=TODAY)
    assert codes(checked) == [("who5", "unknown_question")]
    assert "computed" in checked.errors[0].message


def test_a_note_takes_no_answer_but_an_empty_one_is_ignored() -> None:
    assert entry().check({**ENTRY_COMPLETE, "intro_note": "", "who5_note": None}, today=TODAY).ok
    checked = entry().check({**ENTRY_COMPLETE, "intro_note": "lu"}, today=TODAY)
    assert codes(checked) == [("intro_note", "wrong_shape")]


# --- Relevance ------------------------------------------------------------------------------------------------


def test_a_question_skipped_by_relevance_but_answered_is_not_asked() -> None:
    checked = mini().check({"sexe": "f", "urgences": "3"}, today=TODAY)
    assert codes(checked) == [("droits", "required"), ("urgences", "not_asked")]
    assert checked.answers == {"sexe": "f"}


def test_a_question_skipped_by_relevance_is_never_required() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "tranche_age": "a65_plus", "situation_emploi": None}, today=TODAY)
    assert codes(checked) == [("emploi_accompagnement", "not_asked")]


def test_the_lcep_work_section_skipped_for_people_over_65_refuses_its_answers() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "tranche_age": "a65_plus"}, today=TODAY)
    assert codes(checked) == [("situation_emploi", "not_asked"), ("emploi_accompagnement", "not_asked")]
    assert "situation_emploi" not in checked.answers


def test_a_question_whose_own_relevance_is_false_is_not_asked() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "situation_emploi": "emploi"}, today=TODAY)
    assert codes(checked) == [("emploi_accompagnement", "not_asked")]
    without = {k: v for k, v in ENTRY_COMPLETE.items() if k != "emploi_accompagnement"}
    assert entry().check({**without, "situation_emploi": "emploi"}, today=TODAY).ok


def test_relevance_reads_the_normalised_earlier_answers() -> None:
    form = questionnaire(question("a", "decimal"), question("b", "text", relevance="${a} > 3", required=True))
    assert codes(form.check({"a": "3,5"}, today=TODAY)) == [("b", "required")]
    assert form.check({"a": "2,5"}, today=TODAY).ok


def test_relevance_does_not_see_later_answers() -> None:
    form = questionnaire(question("a", "integer", relevance="${b} = 1"), question("b", "integer"))
    assert codes(form.check({"a": 5, "b": 1}, today=TODAY)) == [("a", "not_asked")]


def test_an_answer_to_a_question_not_asked_does_not_make_later_questions_asked() -> None:
    form = questionnaire(
        question("a", "either_or", choices="yes_no"),
        question("b", "either_or", choices="yes_no", relevance="${a} = 'oui'"),
        question("c", "text", relevance="${b} = 'oui'", required=True),
    )
    assert codes(form.check({"a": "non", "b": "oui"}, today=TODAY)) == [("b", "not_asked")]


def test_a_refused_answer_does_not_cascade_into_errors_on_the_questions_depending_on_it() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "logement_avant": "bateau"}, today=TODAY)
    assert codes(checked) == [("logement_avant", "not_a_choice")]
    assert "logement_avant_autre" not in checked.answers


def test_relevance_can_read_a_score_computed_from_earlier_answers() -> None:
    form = questionnaire(
        question("a", "integer"),
        question("b", "text", relevance="${double} > 10", required=True),
        scores=[{"name": "double", "label": {"fr": "D"}, "expression": "${a} * 2"}],
    )
    assert codes(form.check({"a": 6}, today=TODAY)) == [("b", "required")]
    assert form.check({"a": 5}, today=TODAY).ok


def test_relevant_tells_which_questions_are_asked_notes_included() -> None:
    relevant = entry().relevant({"tranche_age": "a25_34", "situation_emploi": "recherche"}, today=TODAY)
    assert relevant["intro_note"] and relevant["situation_emploi"] and relevant["emploi_accompagnement"]
    assert not relevant["logement_avant_autre"]
    assert list(relevant)[:2] == ["intro_note", "sexe"]
    over_65 = entry().relevant({"tranche_age": "a65_plus", "situation_emploi": "recherche"})
    assert not over_65["situation_emploi"] and not over_65["emploi_accompagnement"]


def test_relevant_reads_raw_answers_and_ignores_those_it_cannot_read() -> None:
    assert entry().relevant({"logement_avant": " autre "})["logement_avant_autre"]
    assert not entry().relevant({"logement_avant": ["autre"]})["logement_avant_autre"]


# --- Constraints ----------------------------------------------------------------------------------------------


def test_a_constraint_failure_carries_the_questionnaires_message_in_every_language() -> None:
    checked = mini().check({**MINI_COMPLETE, "urgences": "150"}, today=TODAY)
    assert checked.errors == (
        AnswerError("urgences", "constraint", "Between 0 and 100", {"fr": "Entre 0 et 100", "en": "Between 0 and 100"}),
    )
    assert "urgences" not in checked.answers


def test_lcep_refuses_none_of_these_ticked_with_another_activity() -> None:
    follow_up = compiled("lcep", "follow_up")
    checked = follow_up.check({"participation": ["cvs", "aucune"]}, today=TODAY)
    [error] = [error for error in checked.errors if error.question == "participation"]
    assert error.code == "constraint"
    assert error.text is not None and error.text["fr"].startswith("« Aucune de ces activités »")
    assert error.message == "“None of these” cannot be ticked together with another answer."
    assert follow_up.check({"participation": "aucune"}, today=TODAY).answers["participation"] == ["aucune"]


def test_the_constraint_is_skipped_for_dont_know() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "urgences_nb": "dk"}, today=TODAY)
    assert checked.ok and checked.answers["urgences_nb"] == "dk"


def test_only_the_first_error_of_a_question_is_reported_shape_before_constraint() -> None:
    checked = mini().check({**MINI_COMPLETE, "urgences": "cent cinquante"}, today=TODAY)
    assert codes(checked) == [("urgences", "not_an_integer")]


def test_a_constraint_sees_every_answer_and_today() -> None:
    form = questionnaire(
        question("arrival", "date", constraint=". <= today() and . >= ${birth}"),
        question("birth", "date"),
    )
    assert form.check({"arrival": "2025-06-15", "birth": "1990-01-01"}, today=TODAY).ok
    assert codes(form.check({"arrival": "2025-06-16"}, today=TODAY)) == [("arrival", "constraint")]
    assert codes(form.check({"arrival": "1980-06-16", "birth": "1990-01-01"}, today=TODAY)) == [
        ("arrival", "constraint")
    ]


def test_a_constraint_without_a_message_gets_a_generic_one() -> None:
    checked = one("integer", 5, constraint=". < 3")
    assert checked.errors == (AnswerError("q", "constraint", "This answer is not accepted: check it.", None),)


def test_a_constraint_naming_a_refused_answer_is_not_judged() -> None:
    form = questionnaire(question("a", "integer"), question("b", "integer", constraint=". > ${a}"))
    assert codes(form.check({"a": "x", "b": 1}, today=TODAY)) == [("a", "not_an_integer")]


# --- Scores ---------------------------------------------------------------------------------------------------


def test_the_who5_score_is_the_sum_of_its_items_times_four() -> None:
    items = {f"who5_{i}": str(v) for i, v in enumerate([5, 5, 4, 0, 1], start=1)}
    assert entry().check({**ENTRY_COMPLETE, **items}, today=TODAY).scores["who5"] == 60


def test_dont_know_on_one_who5_item_makes_the_score_missing() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "who5_3": "dk"}, today=TODAY)
    assert checked.ok and checked.scores["who5"] is None
    assert checked.scores["estime_soi"] == 3


def test_a_missing_item_makes_the_score_missing() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "who5_3": None}, today=TODAY)
    assert codes(checked) == [("who5_3", "required")] and checked.scores["who5"] is None


def test_a_mean_score_may_be_a_decimal() -> None:
    checked = entry().check({**ENTRY_COMPLETE, "es_valeur": "3"}, today=TODAY)
    assert checked.scores["estime_soi"] == Decimal("3.25")


def test_a_score_can_use_an_earlier_score() -> None:
    form = questionnaire(
        question("a", "integer"),
        scores=[
            {"name": "s1", "label": {"fr": "1"}, "expression": "${a} + 1"},
            {"name": "s2", "label": {"fr": "2"}, "expression": "${s1} * 2"},
        ],
    )
    assert form.check({"a": 2}, today=TODAY).scores == {"s1": 3, "s2": 6}


def test_a_score_outside_its_bounds_is_left_empty_and_the_answers_are_kept() -> None:
    form = questionnaire(
        question("a", "integer"),
        scores=[{"name": "s", "label": {"fr": "S"}, "expression": "${a}", "min": 0, "max": 10}],
    )
    assert form.check({"a": 10}, today=TODAY).scores == {"s": 10}
    checked = form.check({"a": 11}, today=TODAY)
    assert checked.ok and checked.answers == {"a": 11} and checked.scores == {"s": None}


# --- Generated submissions ------------------------------------------------------------------------------------

SOURCES = [("mini", "entry"), ("lcep", "entry"), ("lcep", "follow_up"), ("lcep", "staff")]

INTEGERS = [0, 1, 2, 7, 42, 100, 365, -4, 10**12, -(10**12)]
DECIMALS = [Decimal(v) for v in ("0", "2.5", "12.75", "59.999", "-1.5", "1000000000000", "0.000000000001")]
DATES = [datetime.date(2024, 2, 29), datetime.date(2000, 1, 1), datetime.date(2025, 6, 15), datetime.date(1970, 1, 1)]
TEXTS = ["Un toit.", "Trouver un travail, et voir mes enfants.", "ligne 1\nligne 2", "« ça va » — 😀"]


def source_document(source: str) -> dict[str, Any]:
    return lcep() if source == "lcep" else sector_document()


def source_questionnaire(source: str, code: str) -> dict[str, Any]:
    return next(q for q in source_document(source)["questionnaires"] if q["code"] == code)


def holds(text: str | None, answers: Mapping[str, object], current: object = None) -> bool:
    return text is None or expressions.is_true(expressions.parse(text), answers, current=current, today=TODAY)


def canonical_value(spec: Mapping[str, Any], choices: Sequence[str], pick: Pick) -> object:
    """A valid normalised answer of the question's type."""
    kind = spec["type"]
    if kind == "multiple_choice":
        chosen = [choice for choice in choices if pick([True, False])]
        return chosen or [choices[0]]
    if choices:
        return pick(choices)
    if kind == "integer":
        return pick(INTEGERS)
    if kind == "decimal":
        return pick(DECIMALS)
    if kind == "date":
        return pick(DATES)
    return pick([*TEXTS, "é" * (5_000 if kind == "text" else 20_000)])


def raw_forms(spec: Mapping[str, Any], value: object) -> list[object]:
    """Ways a client may send ``value``."""
    if value == DONT_KNOW:
        return ["dk", " dk "] + ([["dk"]] if spec["type"] == "multiple_choice" else [])
    if isinstance(value, list):
        return [list(value), list(reversed(value)), " ".join(value), value + value]
    if isinstance(value, bool):  # pragma: no cover - never generated
        raise AssertionError
    if isinstance(value, int):
        return [value, str(value), f" {value} "]
    if isinstance(value, Decimal):
        text = format(value, "f")
        exact_float = [float(value)] if Decimal(repr(float(value))) == value else []
        return [value, text, text.replace(".", ","), *exact_float]
    if isinstance(value, datetime.date):
        return [value, value.isoformat()]
    assert isinstance(value, str)
    forms: list[object] = [value, f"  {value}\n"]
    if spec["type"] in ("scale", "single_choice", "either_or") and value.isdigit():
        forms.append(int(value))
    return forms


def valid_submission(source: str, code: str, pick: Pick) -> tuple[dict[str, object], dict[str, object]]:
    """Walks the questionnaire like a respondent: a valid answer (or none, where allowed) to each question asked.

    Returns the raw submission and the normalised answers expected. Relevance and constraints are evaluated
    here with the expression module directly, not through the code under test."""
    lists = {
        item["name"]: [str(c["value"]) for c in item["choices"]] for item in source_document(source)["choice_lists"]
    }
    raw: dict[str, object] = {}
    expected: dict[str, object] = {}
    for section in source_questionnaire(source, code)["sections"]:
        section_asked = holds(section.get("relevance"), expected)
        for spec in section["questions"]:
            if spec["type"] == "note" or not section_asked or not holds(spec.get("relevance"), expected):
                continue
            options = (
                ["value"] + (["dk"] if spec.get("dont_know") else []) + ([None] if not spec.get("required") else [])
            )
            value = pick(options)
            if value == "value":
                value = canonical_value(spec, lists.get(spec.get("choices", ""), []), pick)
                if not holds(spec.get("constraint"), expected, current=value):
                    value = "dk" if spec.get("dont_know") else None
                    assert value is not None or not spec.get("required"), "no valid answer to offer"
            if value is None:
                empty = pick(["absent", None, "", "  ", []])
                if empty != "absent":
                    raw[spec["name"]] = empty
                continue
            raw[spec["name"]] = pick(raw_forms(spec, value))
            expected[spec["name"]] = value
    return raw, expected


def junk_values() -> st.SearchStrategy[object]:
    words = sorted({str(c["value"]) for item in lcep()["choice_lists"] for c in item["choices"]} | {"f", "oui"})
    samples = ["dk", " dk ", "", "  ", "3,5", "2024-02-29", "2023-02-30", "aucune cvs", "3.0", "1e5", "\x00", "\ud800"]
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.decimals()
        | st.text(max_size=20)
        | st.sampled_from(words + samples)
        | st.dates()
        | st.datetimes()
    )
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3),
        max_leaves=6,
    )


def every_name(source: str, code: str) -> list[str]:
    spec = source_questionnaire(source, code)
    names = [q["name"] for section in spec["sections"] for q in section["questions"]]
    return names + [score["name"] for score in spec.get("scores", [])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.sampled_from(SOURCES))
def test_check_never_raises_and_every_error_names_a_question_or_an_unknown_key(
    data: st.DataObject, which: tuple[str, str]
) -> None:
    names = every_name(*which)
    keys = st.sampled_from(names) | st.text(max_size=10)
    raw = data.draw(st.dictionaries(keys, junk_values(), max_size=len(names) + 3))
    form = compiled(*which)
    checked = form.check(raw, today=TODAY)
    questions = set(names) - {score["name"] for score in source_questionnaire(*which).get("scores", [])}
    assert all(error.code in CODES for error in checked.errors)
    for error in checked.errors:
        assert error.question in questions or (error.code == "unknown_question" and error.question in raw)
    answered = [error.question for error in checked.errors if error.code != "unknown_question"]
    assert len(answered) == len(set(answered)), "at most one error per question"
    assert set(checked.answers) <= set(form.names)
    assert checked.ok == (checked.errors == ())


@settings(max_examples=80, deadline=None)
@given(data=st.data(), which=st.sampled_from(SOURCES))
def test_a_valid_answer_set_is_ok_and_checking_its_answers_again_changes_nothing(
    data: st.DataObject, which: tuple[str, str]
) -> None:
    raw, expected = valid_submission(*which, lambda options: data.draw(st.sampled_from(list(options))))
    form = compiled(*which)
    checked = form.check(raw, today=TODAY)
    assert checked.ok, (raw, checked.errors)
    assert checked.answers == expected
    again = form.check(checked.answers, today=TODAY)
    assert again.ok and again.answers == checked.answers and again.scores == checked.scores


@given(number=st.integers(-(10**12), 10**12), spaced=st.booleans())
def test_any_integer_in_range_is_read_from_its_digits(number: int, spaced: bool) -> None:
    text = f" {number} " if spaced else str(number)
    assert one("integer", text).answers == {"q": number}


@given(number=st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_any_decimal_in_range_is_read_from_its_text_with_a_comma(number: Decimal) -> None:
    assert one("decimal", format(number, "f").replace(".", ",")).answers == {"q": number}


@given(day=st.dates(min_value=datetime.date(1000, 1, 1)))
def test_any_date_is_read_from_its_iso_text(day: datetime.date) -> None:
    assert one("date", day.isoformat()).answers == {"q": day}


def test_one_compiled_questionnaire_checks_two_thousand_generated_submissions() -> None:
    rng = random.Random(2025)
    form = entry()
    for _ in range(2_000):
        raw, expected = valid_submission("lcep", "entry", rng.choice)
        spoilt = rng.random() < 0.2
        if spoilt:
            raw[rng.choice(form.names)] = rng.choice(["bateau", "-1", "2024-13-01", ["x"], {"x": 1}])
        checked = form.check(raw, today=TODAY)
        if not spoilt:
            assert checked.ok and checked.answers == expected


def test_answer_errors_are_hashable_values() -> None:
    error = AnswerError("q", "constraint", "No", {"fr": "Non"})
    assert error == AnswerError("q", "constraint", "No", {"fr": "Non"}) and hash(error) == hash(copy.copy(error))
