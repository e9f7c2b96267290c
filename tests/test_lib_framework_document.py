"""Framework files: canonical round trip, and mistakes reported with their file, line and path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from socle.lib.frameworks import document
from socle.lib.frameworks.diff import diff
from socle.lib.frameworks.merge import effective
from socle.lib.frameworks.problems import FrameworkDocumentError, format_path
from tests.framework_docs import organisation_document, sector_document


def lcep_text() -> str:
    return resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8")


class Org:
    slug = "asso-a"
    name = "Association A"


def test_the_lcep_framework_is_valid_and_has_fifteen_indicators() -> None:
    doc = document.load(lcep_text(), filename="lcep.yaml")
    assert len(doc["indicators"]) == 15
    assert {q["code"] for q in doc["questionnaires"]} >= {"entry", "follow_up", "staff"}
    assert "notice" in doc and "officiel" in doc["notice"]["fr"]


@pytest.mark.parametrize("source", ["lcep", "mini"])
def test_export_import_export_gives_the_same_bytes_in_yaml_and_json(source: str) -> None:
    text = lcep_text() if source == "lcep" else document.dump_yaml(sector_document())
    doc = document.load(text, filename="in.yaml")
    first_yaml = document.dump_yaml(doc)
    assert document.dump_yaml(document.load(first_yaml, filename="out.yaml")) == first_yaml
    first_json = document.dump_json(doc)
    assert document.dump_json(document.load(first_json, filename="out.json")) == first_json
    assert document.load(first_json, filename="out.json") == document.load(first_yaml, filename="out.yaml")


def test_the_canonical_form_orders_keys_and_languages_whatever_the_input_order() -> None:
    doc = sector_document()
    shuffled = {key: doc[key] for key in reversed(list(doc))}
    shuffled["title"] = {"en": "Mini framework", "fr": "Mini référentiel"}
    assert document.dump_yaml(document.load(json.dumps(shuffled), fmt="json")) == document.dump_yaml(
        document.load(document.dump_yaml(doc))
    )
    assert document.dump_yaml(doc).startswith("socle_framework: 1\ncode: mini\nkind: sector\n")


def test_a_choice_value_written_as_a_number_is_read_as_text() -> None:
    text = document.dump_yaml(sector_document()).replace("value: '1'", "value: 1")
    assert "value: 1\n" in text
    doc = document.load(text)
    assert doc["choice_lists"][1]["choices"][0]["value"] == "1"


def test_an_organisation_framework_round_trips_and_merges_with_its_base() -> None:
    base = document.load(document.dump_yaml(sector_document()))
    own = document.load(document.dump_yaml(organisation_document(Org())), base=base)  # type: ignore[arg-type]
    assert document.dump_yaml(document.load(document.dump_yaml(own), base=base)) == document.dump_yaml(own)
    merged = effective(base, own)
    assert [i["code"] for i in merged["indicators"]][-3:] == ["own_rights_full", "own_garden", "own_count"]
    entry = next(q for q in merged["questionnaires"] if q["code"] == "entry")
    assert entry["sections"][-1]["code"] == "own_section"
    assert base["indicators"] == merged["indicators"][:3], "the sector core is copied unchanged"


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _append(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in [int(p) if p.isdigit() else p for p in path.split(".")]:
            target = target[part]
        target.append(copy.deepcopy(value))

    return mutate


Q = "questionnaires.0.sections.0.questions"
MISTAKES: list[tuple[str, Mutation, str, str]] = [
    (
        "unknown question in an indicator",
        _set("indicators.0.numerator", "${q_logement} = 'oui'"),
        "indicators[0].numerator",
        "unknown question 'q_logement'",
    ),
    ("unknown key", _set("indicators.0.colour", "red"), "indicators[0]", "unknown key 'colour'"),
    ("missing required key", _delete("indicators.1.label"), "indicators[1]", "'label' is a required property"),
    ("wrong word", _set("nodes.0.kind", "besoin"), "nodes[0].kind", "'besoin' is not one of"),
    ("code with capitals", _set("nodes.1.code", "Act-Support"), "nodes[1].code", "expected a code"),
    (
        "duplicate indicator code",
        _set("indicators.1.code", "i_rights"),
        "indicators[1].code",
        "the indicator code 'i_rights' is already used at indicators[0].code",
    ),
    ("link to an unknown node", _set("links.0.to", "nowhere"), "links[0].to", "unknown node 'nowhere'"),
    (
        "link going backwards",
        _append("links", {"from": "impact", "to": "need_rights"}),
        "links[4]",
        "a link goes forward",
    ),
    (
        "expression that does not parse",
        _set(f"{Q}.3.relevance", "${droits} = = 'oui'"),
        "questionnaires[0].sections[0].questions[3].relevance",
        "cannot read the expression",
    ),
    (
        "scale with four points",
        _append("choice_lists.1.choices", {"value": "6", "label": {"fr": "Six"}}),
        "questionnaires[0].sections[0].questions[2].choices",
        "a pictorial scale has 3 or 5 points",
    ),
    (
        "either-or with three choices",
        _set(f"{Q}.1.choices", "sex"),
        "questionnaires[0].sections[0].questions[1].choices",
        "an either-or question has 2 choices",
    ),
    (
        "unknown choice list",
        _set(f"{Q}.0.choices", "genres"),
        "questionnaires[0].sections[0].questions[0].choices",
        "unknown choice list 'genres'",
    ),
    ("text without French", _set("nodes.0.label", {"en": "Rights"}), "nodes[0].label", "'fr' is a required property"),
    (
        "language not declared",
        _set("nodes.0.label", {"fr": "Droits", "de": "Rechte"}),
        "nodes[0].label.de",
        "the language 'de' is not in the document's languages",
    ),
    (
        "indicator field the kind does not use",
        _set("indicators.1.denominator", "${estime} > 0"),
        "indicators[1].denominator",
        "'denominator' is not used by a evolution indicator",
    ),
    (
        "ratio over answers",
        _set("indicators.2.source", "answers"),
        "indicators[2].source",
        "a ratio indicator cannot be computed from answers data",
    ),
    (
        "indicator measuring an activity",
        _set("indicators.0.outcomes", ["act_support"]),
        "indicators[0].outcomes[0]",
        "'act_support' is a activity",
    ),
    (
        "reserved choice value",
        _set("choice_lists.0.choices.1.value", "dk"),
        "choice_lists[0].choices[1].value",
        "'dk' is kept",
    ),
    (
        "evolution between the same waves",
        _set("indicators.1.to_wave", "entry"),
        "indicators[1].to_wave",
        "an evolution compares two different waves",
    ),
    (
        "activity check on an unknown item",
        _set("activity_checks.0.rule", "${exits_hotel} <= ${exits}"),
        "activity_checks[0].rule",
        "unknown activity item 'exits_hotel'",
    ),
    (
        "maps_to in a sector framework",
        _set("indicators.0.maps_to", "i_esteem"),
        "indicators[0].maps_to",
        "only an organisation's own indicator maps",
    ),
    (
        "current value in a relevance",
        _set(f"{Q}.3.relevance", ". > 3"),
        "questionnaires[0].sections[0].questions[3].relevance",
        "'.' (the current answer) is only allowed",
    ),
]


@pytest.mark.parametrize(("mutation", "path", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_reported_with_file_line_and_path(mutation: Mutation, path: str, message: str) -> None:
    doc = sector_document()
    mutation(doc)
    text = document.dump_yaml(doc)
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load(text, filename="mini.yaml")
    problems = caught.value.problems
    found = [p for p in problems if format_path(p.path) == path and message in p.message]
    assert found, f"expected '{path}: {message}' among {[str(p) for p in problems]}"
    problem = found[0]
    assert problem.file == "mini.yaml"
    assert problem.line is not None
    assert str(problem).startswith(f"mini.yaml:{problem.line}: {path}: ")


def test_the_line_points_at_the_mistake_in_the_file() -> None:
    doc = sector_document()
    doc["indicators"][0]["numerator"] = "${q_logement} = 'oui'"
    text = document.dump_yaml(doc)
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load(text, filename="mini.yaml")
    line = caught.value.problems[0].line
    assert line is not None
    assert "q_logement" in text.splitlines()[line - 1]


def test_a_key_written_twice_is_reported_not_silently_overwritten() -> None:
    text = document.dump_yaml(sector_document()).replace("code: mini\n", "code: mini\ncode: other\n", 1)
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load(text, filename="twice.yaml")
    assert str(caught.value) == "twice.yaml:3: code: the key 'code' appears twice"


def test_text_that_is_not_yaml_or_json_names_its_line() -> None:
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load("code: mini\n  kind: [sector\n", filename="broken.yaml")
    assert caught.value.problems[0].line == 2
    assert "not valid YAML" in str(caught.value)
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load('{"code": "mini",\n "kind": }', filename="broken.json")
    assert str(caught.value).startswith("broken.json:2: (document): not valid JSON")


def test_yaml_aliases_are_refused_before_they_can_expand() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    with pytest.raises(FrameworkDocumentError, match="aliases") as caught:
        document.load(bomb, filename="bomb.yaml")
    assert caught.value.problems[0].line == 2


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(FrameworkDocumentError, match="must be a mapping"):
        document.load("- a\n- b\n", filename="list.yaml")


def test_an_organisation_framework_cannot_reuse_a_sector_code() -> None:
    base = document.load(document.dump_yaml(sector_document()))
    own = organisation_document(Org())  # type: ignore[arg-type]
    own["indicators"][1]["code"] = "i_rights"
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load(document.dump_yaml(own), filename="own.yaml", base=base)
    assert "own.yaml" in str(caught.value)
    assert "indicators[1].code: 'i_rights' belongs to the sector framework, which cannot be changed" in str(
        caught.value
    )


def test_problems_in_an_organisation_extension_are_reported_where_the_organisation_wrote_them() -> None:
    base = document.load(document.dump_yaml(sector_document()))
    own = organisation_document(Org())  # type: ignore[arg-type]
    own["questionnaire_extensions"][0]["sections"][0]["questions"][0]["name"] = "droits"
    with pytest.raises(FrameworkDocumentError) as caught:
        document.load(document.dump_yaml(own), filename="own.yaml", base=base)
    paths = [format_path(p.path) for p in caught.value.problems]
    assert "questionnaire_extensions[0].sections[0].questions[0].name" in paths


def test_an_organisation_mapping_must_name_a_sector_indicator() -> None:
    base = document.load(document.dump_yaml(sector_document()))
    own = organisation_document(Org())  # type: ignore[arg-type]
    own["indicators"][0]["maps_to"] = "i_nothing"
    with pytest.raises(FrameworkDocumentError, match=r"indicators\[0\]\.maps_to: unknown sector indicator 'i_nothing'"):
        document.load(document.dump_yaml(own), base=base)


def test_diff_names_added_removed_and_changed_elements() -> None:
    old = document.load(document.dump_yaml(sector_document()))
    new = copy.deepcopy(old)
    new["indicators"][0]["label"]["fr"] = "Accès effectif aux droits"
    new["indicators"].pop(1)
    new["nodes"].append({"code": "out_new", "kind": "outcome", "term": "short", "label": {"fr": "Nouveau"}})
    new["questionnaires"][0]["sections"][0]["questions"].pop(3)
    changes = {(c.action, c.collection, c.key): c for c in diff(old, new)}
    assert changes[("changed", "indicators", "i_rights")].fields == ("label",)
    assert ("removed", "indicators", "i_esteem") in changes
    assert ("added", "nodes", "out_new") in changes
    assert ("removed", "questions", "entry/urgences") in changes
    assert diff(old, copy.deepcopy(old)) == []


def test_the_published_schema_is_valid_json_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(document.schema())


@pytest.mark.parametrize(
    ("text", "filename", "where"),
    [
        ('title: "x\ud800"\n', "f.yaml", "f.yaml:1: (document)"),
        ('{"title": {"fr": "\\ud800"}}', "f.json", "f.json:1: title.fr"),
        ('title:\n  fr: "\\ud800"\n', "f.yaml", "f.yaml:2: title.fr"),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_is(text: str, filename: str, where: str) -> None:
    with pytest.raises(document.FrameworkDocumentError) as caught:
        document.parse_text(text, filename=filename)
    assert str(caught.value.problems[0]) == f"{where}: the text holds an invalid character (a lone surrogate)"
