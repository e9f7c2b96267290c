"""Learning paths as data: the document's checks, quiz scoring, and Markdown rendered safely."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from socle.lib.learning.diff import diff
from socle.lib.learning.document import PathError, dump_yaml, read_path
from socle.lib.learning.markdown import markdown_problems, render
from socle.lib.learning.quiz import pass_mark, score


def document() -> dict[str, Any]:
    return {
        "socle_learning": 1,
        "code": "essai",
        "version": 1,
        "title": {"fr": "Essai", "en": "Trial"},
        "summary": {"fr": "Un parcours d'essai."},
        "duration_minutes": 30,
        "modules": [
            {
                "code": "m1",
                "title": {"fr": "Module 1"},
                "lessons": [{"code": "l1", "title": {"fr": "Leçon"}, "body": {"fr": "## Titre\n\nTexte **gras**."}}],
                "quiz": [
                    {
                        "code": "q1",
                        "question": {"fr": "Deux et deux ?"},
                        "choices": [
                            {"text": {"fr": "4"}, "correct": True, "feedback": {"fr": "Oui."}},
                            {"text": {"fr": "5"}, "correct": False, "feedback": {"fr": "Non."}},
                        ],
                    },
                    {
                        "code": "q2",
                        "question": {"fr": "Le ciel ?"},
                        "choices": [
                            {"text": {"fr": "Bleu"}, "correct": True, "feedback": {"fr": "Oui."}},
                            {"text": {"fr": "Vert"}, "correct": False, "feedback": {"fr": "Non."}},
                            {"text": {"fr": "Rouge"}, "correct": False, "feedback": {"fr": "Non."}},
                        ],
                    },
                    {
                        "code": "q3",
                        "question": {"fr": "Un ?"},
                        "choices": [
                            {"text": {"fr": "1"}, "correct": True, "feedback": {"fr": "Oui."}},
                            {"text": {"fr": "2"}, "correct": False, "feedback": {"fr": "Non."}},
                        ],
                    },
                ],
                "exercises": [
                    {"code": "e1", "title": {"fr": "Faire"}, "check": "campaign", "instructions": {"fr": "Ouvrez."}}
                ],
            }
        ],
    }


def test_a_valid_document_reads_into_a_path() -> None:
    path = read_path(document())
    assert path.code == "essai" and [m.code for m in path.modules] == ["m1"]
    assert path.modules[0].quiz[1].answer == 0 and path.exercises[0][1].check == "campaign"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(socle_learning=2), "socle_learning"),
        (lambda d: d["modules"][0]["quiz"][0]["choices"][1].update(correct=True), "modules[0].quiz[0].choices"),
        (lambda d: d["modules"][0]["quiz"][1].update(code="q1"), "modules[0].quiz[1].code"),
        (lambda d: d["modules"][0]["exercises"][0].update(check="hack"), "modules[0].exercises[0].check"),
        (lambda d: d["modules"][0]["lessons"][0].update(body={"fr": "<script>x</script>"}), "lessons[0].body.fr"),
        (lambda d: d["modules"][0]["lessons"][0].update(body={"fr": "[x](javascript:alert(1))"}), "body.fr"),
        (lambda d: d["modules"][0]["lessons"][0].update(title={"en": "Only English"}), "lessons[0].title"),
        (lambda d: d["modules"][0].update(lessons=[]), "modules[0].lessons"),
        (lambda d: d.update(code="Pas un code"), "code"),
    ],
)
def test_every_problem_says_where_it_is(change: Any, where: str) -> None:
    broken = copy.deepcopy(document())
    change(broken)
    with pytest.raises(PathError) as error:
        read_path(broken)
    assert any(where in problem for problem in error.value.problems), error.value.problems


def test_quiz_scoring_with_feedback_and_pass_mark() -> None:
    questions = read_path(document()).modules[0].quiz
    result = score(questions, {"q1": 0, "q2": 1})
    assert (result.right, result.total, result.passed) == (1, 3, False)
    assert [m.correct for m in result.marked] == [True, False, False] and result.marked[2].given is None
    assert score(questions, {"q1": 0, "q2": 0, "q3": 1}).passed  # 2 of 3
    assert [pass_mark(n) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 2, 3, 4, 4]
    with pytest.raises(ValueError, match="no choice 7"):
        score(questions, {"q1": 7})


def test_markdown_is_rendered_safely() -> None:
    html = render("## Titre\n\n<b>gras</b> [Socle](/learn/) et [ailleurs](https://example.org)")
    assert "<h3>Titre</h3>" in html and "&lt;b&gt;" in html and 'href="/learn/"' in html
    assert markdown_problems("# Titre") and markdown_problems("![x](/a.png)")
    assert markdown_problems("[x](http://example.org)") and not markdown_problems("[x](https://example.org)")


def test_the_diff_names_each_element_added_removed_or_changed_and_its_fields() -> None:
    old = document()
    assert diff(old, copy.deepcopy(old)) == []
    new = copy.deepcopy(old)
    new["title"] = {"fr": "Essai 2"}
    new["modules"][0]["lessons"][0]["body"] = {"fr": "Autre texte."}
    new["modules"][0]["quiz"].pop(2)
    new["modules"][0]["exercises"][0]["check"] = "answers"
    new["modules"].append({"code": "m2", "title": {"fr": "Deux"}, "lessons": [], "quiz": [], "exercises": []})
    assert [(c.action, c.kind, c.key, c.fields) for c in diff(old, new)] == [
        ("changed", "path", "", ("title",)),
        ("added", "module", "m2", ()),
        ("changed", "lesson", "m1/l1", ("body",)),
        ("removed", "question", "m1/q3", ()),
        ("changed", "exercise", "m1/e1", ("check",)),
    ]
    removed = diff(new, old)
    assert ("removed", "module", "m2") in [(c.action, c.kind, c.key) for c in removed]
    assert [c.label for c in removed if c.key == "m1/q3"] == [{"fr": "Un ?"}]


def test_the_diff_sees_a_new_order_but_not_an_addition_as_one() -> None:
    old = document()
    old["modules"].append({"code": "m2", "title": {"fr": "Deux"}, "lessons": [], "quiz": [], "exercises": []})
    swapped = copy.deepcopy(old)
    swapped["modules"].reverse()
    swapped["modules"][1]["quiz"].reverse()
    assert [(c.kind, c.key, c.fields) for c in diff(old, swapped)] == [
        ("path", "", ("modules",)),
        ("module", "m1", ("quiz",)),
    ]
    grown = copy.deepcopy(old)
    grown["modules"][0]["quiz"].append(copy.deepcopy(grown["modules"][0]["quiz"][0]) | {"code": "q4"})
    assert [(c.action, c.kind, c.key) for c in diff(old, grown)] == [("added", "question", "m1/q4")]
    assert diff({}, {"modules": "nonsense"}) == []


def test_dump_yaml_writes_lessons_as_they_were_written_and_reads_back_equal() -> None:
    import yaml

    text = dump_yaml(document())
    assert "    body:\n      fr: |-\n        ## Titre\n\n        Texte **gras**.\n" in text
    assert yaml.safe_load(text) == document()


def test_lesson_headings_sit_under_the_pages_own() -> None:
    assert render("## A") == "<h3>A</h3>\n"
    assert render("## A\n\n### B", top=4) == "<h4>A</h4>\n<h5>B</h5>\n"
    assert render("##### E", top=4) == "<h6>E</h6>\n"  # never beyond h6
