"""Edits of a framework document: each returns a new, valid document and leaves its input alone."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.frameworks import edit
from socle.lib.frameworks.document import Parsed, check_document
from socle.lib.frameworks.merge import effective
from socle.lib.frameworks.problems import FrameworkDocumentError
from tests.framework_docs import YES_NO, organisation_document, sector_document

ORG = SimpleNamespace(slug="asso-a", name="Association A")


def base() -> dict[str, Any]:
    return check_document(Parsed(sector_document()))


def own() -> dict[str, Any]:
    return check_document(Parsed(organisation_document(ORG)), base=base())  # type: ignore[arg-type]


def empty_own() -> dict[str, Any]:
    doc = organisation_document(ORG)  # type: ignore[arg-type]
    for key in ("nodes", "links", "indicators", "questionnaire_extensions"):
        doc.pop(key)
    return check_document(Parsed(doc), base=base())


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    return check_document(Parsed(doc), base=base())


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(FrameworkDocumentError) as caught:
        check_document(Parsed(doc), base=base())
    return [str(p) for p in caught.value.problems]


OUTCOME = {"code": "own_out_jobs", "kind": "outcome", "term": "medium", "label": {"fr": "Emploi", "en": "Jobs"}}
QUESTION = {"name": "own_job", "type": "either_or", "label": {"fr": "Avez-vous un emploi ?"}, "choices": "yes_no"}


def test_adding_an_outcome_and_its_link_gives_a_valid_document_and_leaves_the_input_alone() -> None:
    before = own()
    kept = copy.deepcopy(before)
    after = edit.add_link(edit.add_node(before, OUTCOME), {"from": "out_rights", "to": "own_out_jobs"})
    assert before == kept
    checked = valid(after)
    assert checked["nodes"][-1]["code"] == "own_out_jobs"
    assert {"from": "out_rights", "to": "own_out_jobs"} in checked["links"]


def test_adding_to_a_document_without_the_collection_creates_it() -> None:
    after = edit.add_node(empty_own(), OUTCOME)
    assert [n["code"] for n in valid(after)["nodes"]] == ["own_out_jobs"]


def test_an_extension_question_creates_the_section_once_then_appends_to_it() -> None:
    start = empty_own()
    kept = copy.deepcopy(start)
    one = edit.add_extension_question(start, "entry", "own_more", {"fr": "En plus"}, QUESTION)
    two = edit.add_extension_question(one, "entry", "own_more", {"fr": "Ignoré"}, {**QUESTION, "name": "own_job2"})
    assert start == kept
    assert one["questionnaire_extensions"] == [
        {
            "questionnaire": "entry",
            "sections": [{"code": "own_more", "label": {"fr": "En plus"}, "questions": [QUESTION]}],
        }
    ]
    section = valid(two)["questionnaire_extensions"][0]["sections"][0]
    assert section["label"] == {"fr": "En plus"}
    assert [q["name"] for q in section["questions"]] == ["own_job", "own_job2"]
    merged = effective(base(), two)
    entry = next(q for q in merged["questionnaires"] if q["code"] == "entry")
    assert entry["sections"][-1]["code"] == "own_more"


def test_an_extension_question_in_an_existing_extension_adds_a_new_section_when_asked() -> None:
    after = edit.add_extension_question(own(), "entry", "own_other", {"fr": "Autre"}, QUESTION)
    sections = valid(after)["questionnaire_extensions"][0]["sections"]
    assert [s["code"] for s in sections] == ["own_section", "own_other"]


def test_an_indicator_mapped_to_a_sector_indicator_validates() -> None:
    indicator = {
        "code": "own_jobs",
        "label": {"fr": "Emploi"},
        "definition": {"fr": "Part en emploi"},
        "outcomes": ["out_rights"],
        "kind": "proportion",
        "source": "answers",
        "questionnaires": ["entry"],
        "numerator": "${own_job} = 'oui'",
        "maps_to": "i_rights",
    }
    doc = edit.add_extension_question(own(), "entry", "own_section", {"fr": "x"}, QUESTION)
    assert valid(edit.add_indicator(doc, indicator))["indicators"][-1]["maps_to"] == "i_rights"


def test_an_indicator_over_an_unknown_question_is_named_by_the_check() -> None:
    indicator = {
        "code": "own_bad",
        "label": {"fr": "X"},
        "definition": {"fr": "X"},
        "outcomes": ["out_rights"],
        "kind": "proportion",
        "source": "answers",
        "questionnaires": ["entry"],
        "numerator": "${nowhere} = 'oui'",
    }
    found = problems(edit.add_indicator(own(), indicator))
    assert any("indicators[3].numerator" in p and "nowhere" in p for p in found)


def test_a_code_of_the_sector_is_refused_by_the_check() -> None:
    found = problems(edit.add_node(own(), {**OUTCOME, "code": "out_rights"}))
    assert any("nodes[1].code" in p and "sector" in p for p in found)


def test_a_choice_list_is_added() -> None:
    likert = {"name": "own_three", "choices": [{"value": str(i), "label": {"fr": str(i)}} for i in range(1, 4)]}
    assert valid(edit.add_choice_list(own(), likert))["choice_lists"] == [likert]


def test_ensure_choice_list_reuses_an_identical_list_of_the_base() -> None:
    doc, name = edit.ensure_choice_list(own(), {**YES_NO, "name": "anything"}, base=base())
    assert name == "yes_no"
    assert "choice_lists" not in doc


def test_ensure_choice_list_renames_a_different_list_whose_name_is_taken() -> None:
    other = {"name": "yes_no", "choices": [{"value": "y", "label": {"fr": "Y"}}, {"value": "n", "label": {"fr": "N"}}]}
    doc, name = edit.ensure_choice_list(own(), other, base=base())
    assert name == "yes_no_2"
    assert valid(doc)["choice_lists"] == [{**other, "name": "yes_no_2"}]


def _imported(list_name: str = "yes_no", values: tuple[str, str] = ("y", "n")) -> tuple[dict[str, Any], list[Any]]:
    questionnaire = {
        "code": "own_survey",
        "audience": "staff",
        "waves": ["exit"],
        "title": {"fr": "Enquête"},
        "sections": [
            {
                "code": "main",
                "label": {"fr": "Principal"},
                "questions": [
                    {"name": "happy", "type": "either_or", "label": {"fr": "Content ?"}, "choices": list_name},
                    {"name": "age", "type": "integer", "label": {"fr": "Âge"}},
                ],
            }
        ],
    }
    lists = [{"name": list_name, "choices": [{"value": v, "label": {"fr": v.upper()}} for v in values]}]
    return questionnaire, lists


def test_a_questionnaire_with_a_clashing_choice_list_gets_it_renamed() -> None:
    questionnaire, lists = _imported()
    start = own()
    kept = (copy.deepcopy(start), copy.deepcopy(questionnaire), copy.deepcopy(lists))
    after = edit.add_questionnaire(start, questionnaire, lists, base=base())
    assert (start, questionnaire, lists) == kept
    checked = valid(after)
    assert [cl["name"] for cl in checked["choice_lists"]] == ["yes_no_2"]
    assert checked["questionnaires"][0]["sections"][0]["questions"][0]["choices"] == "yes_no_2"
    assert edit.choice_list_plan(start, lists, base=base())[1] == {"yes_no": "yes_no_2"}


def test_a_questionnaire_reuses_an_identical_choice_list() -> None:
    questionnaire, lists = _imported(values=("oui", "non"))
    lists = [copy.deepcopy(YES_NO)]
    after = edit.add_questionnaire(own(), questionnaire, lists, base=base())
    checked = valid(after)
    assert "choice_lists" not in checked
    assert checked["questionnaires"][0]["sections"][0]["questions"][0]["choices"] == "yes_no"


def test_a_questionnaire_in_a_sector_document_adds_its_new_languages() -> None:
    questionnaire, lists = _imported("own_list")
    questionnaire["title"] = {"fr": "Enquête", "ar": "استبيان"}
    doc = edit.add_questionnaire(sector_document(), questionnaire, lists, languages=["fr", "ar"])
    checked = check_document(Parsed(doc))
    assert checked["languages"] == ["fr", "en", "ar"]
    assert checked["choice_lists"][-1]["name"] == "own_list"


def test_removing_a_node_removes_its_links() -> None:
    start = own()
    kept = copy.deepcopy(start)
    without_indicators = {**start, "indicators": [i for i in start["indicators"] if i["outcomes"] == ["out_rights"]]}
    after, removed = edit.remove_element(without_indicators, "nodes", "own_out_garden")
    assert start == kept
    assert removed == [edit.Removed("nodes", "own_out_garden"), edit.Removed("links", "act_support → own_out_garden")]
    checked = valid(after)
    assert "nodes" not in checked and "links" not in checked


def test_removing_a_node_an_indicator_measures_is_named_by_the_check() -> None:
    after, _removed = edit.remove_element(own(), "nodes", "own_out_garden")
    assert any("own_out_garden" in p for p in problems(after))


def test_removing_the_last_own_question_removes_its_section_and_extension() -> None:
    start = {**own(), "indicators": [i for i in own()["indicators"] if i["code"] == "own_count"]}
    after, removed = edit.remove_element(start, "questions", "entry/own_garden")
    assert removed == [edit.Removed("questions", "entry/own_garden"), edit.Removed("sections", "entry/own_section")]
    assert "questionnaire_extensions" not in valid(after)


def test_removing_one_own_question_of_two_keeps_the_section() -> None:
    start = edit.add_extension_question(own(), "entry", "own_section", {"fr": "x"}, QUESTION)
    after, removed = edit.remove_element(start, "questions", "entry/own_job")
    assert removed == [edit.Removed("questions", "entry/own_job")]
    assert [q["name"] for q in valid(after)["questionnaire_extensions"][0]["sections"][0]["questions"]] == [
        "own_garden"
    ]


def test_removing_an_indicator_a_link_and_a_section() -> None:
    after, removed = edit.remove_element(own(), "indicators", "own_count")
    assert removed == [edit.Removed("indicators", "own_count")]
    assert [i["code"] for i in valid(after)["indicators"]] == ["own_rights_full", "own_garden"]
    after, removed = edit.remove_element(own(), "links", "act_support → own_out_garden")
    assert "links" not in valid(after)
    after, removed = edit.remove_element(own(), "sections", "entry/own_section")
    assert removed == [edit.Removed("sections", "entry/own_section"), edit.Removed("questions", "entry/own_garden")]


def test_removing_what_is_not_own_is_an_error() -> None:
    with pytest.raises(edit.EditError):
        edit.remove_element(own(), "nodes", "out_rights")
    with pytest.raises(edit.EditError):
        edit.remove_element(own(), "questions", "entry/droits")
    with pytest.raises(edit.EditError):
        edit.remove_element(own(), "questions", "no_slash")
    with pytest.raises(edit.EditError):
        edit.remove_element(own(), "links", "no arrow")
    with pytest.raises(edit.EditError):
        edit.remove_element(own(), "everything", "x")


codes = st.from_regex(r"\Aown_[a-z][a-z0-9_]{0,10}\Z")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(codes, st.sampled_from(["short", "medium"])), min_size=1, max_size=5, unique_by=lambda t: t[0])
)
def test_any_sequence_of_new_outcomes_validates_and_removing_them_restores_the_document(
    outcomes: list[tuple[str, str]],
) -> None:
    start = empty_own()
    doc = start
    for code, term in outcomes:
        doc = edit.add_link(
            edit.add_node(doc, {"code": code, "kind": "outcome", "term": term, "label": {"fr": code}}),
            {"from": "act_support", "to": code},
        )
    assert start == empty_own()
    assert len(valid(doc)["nodes"]) == len(outcomes)
    for code, _term in reversed(outcomes):
        doc, removed = edit.remove_element(doc, "nodes", code)
        assert [r.collection for r in removed] == ["nodes", "links"]
    assert valid(doc) == start


@settings(max_examples=40, deadline=None)
@given(st.lists(codes, min_size=1, max_size=6, unique=True), st.data())
def test_any_extension_questions_validate_and_each_removal_keeps_the_document_valid(
    names: list[str], data: st.DataObject
) -> None:
    doc = empty_own()
    for name in names:
        section = data.draw(st.sampled_from(["own_a", "own_b"]))
        questionnaire = data.draw(st.sampled_from(["entry", "follow_up"]))
        doc = edit.add_extension_question(doc, questionnaire, section, {"fr": section}, {**QUESTION, "name": name})
    valid(doc)
    for name in data.draw(st.permutations(names)):
        questionnaire = next(
            e["questionnaire"]
            for e in doc["questionnaire_extensions"]
            for s in e["sections"]
            for q in s["questions"]
            if q["name"] == name
        )
        before = copy.deepcopy(doc)
        doc, _removed = edit.remove_element(doc, "questions", f"{questionnaire}/{name}")
        assert before != doc
        valid(doc)
    assert "questionnaire_extensions" not in doc
