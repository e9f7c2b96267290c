"""Synthetic people and answers (socle.lib.collection.synthetic): reproducible, always accepted by the
questionnaire, and shaped as intended (correlations, clustering, change at follow-up, don't-knows, skip logic)."""

from __future__ import annotations

import datetime
import json
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import pytest

from socle.lib.collection import synthetic as people
from socle.lib.collection.answers import DONT_KNOW, Questionnaire
from socle.lib.frameworks.document import check_document, parse_text

ENTRY_DAY = datetime.date(2025, 3, 3)
FOLLOW_UP_DAY = datetime.date(2025, 9, 1)
KINDS = ["chrs"] * 26 + ["chu"] * 11 + ["accueil-de-jour"] * 12 + ["pension-de-famille"] * 14 + ["aci"] * 12
KINDS += ["residence-sociale"] * 6 + ["cada"] * 8 + ["huda"] * 4 + ["maraude"] * 4


@pytest.fixture(scope="module")
def lcep() -> dict[str, Any]:
    text = resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8")
    return check_document(parse_text(text, filename="lcep.yaml"))


@pytest.fixture(scope="module")
def forms(lcep: dict[str, Any]) -> dict[str, people.Form]:
    return {code: people.form_of(lcep, code) for code in ("entry", "follow_up")}


Pair = tuple[int, dict[str, object], dict[str, object]]  # establishment, entry answers, follow-up answers


@pytest.fixture(scope="module")
def population(forms: dict[str, people.Form]) -> list[Pair]:
    """3,600 people in 72 establishments, each answering at entry and at follow-up."""
    pairs: list[Pair] = []
    for place in range(72):
        setting = people.draw_setting(people.setting_rng(7, f"e{place}"), KINDS[place % len(KINDS)])
        for number in range(50):
            rng = people.person_rng(7, f"e{place}", number)
            person = people.new_person(rng, setting)
            entry = people.answers(forms["entry"], person, rng, wave="entry", on=ENTRY_DAY)
            later = people.followed(person, rng, setting)
            follow_up = people.answers(forms["follow_up"], later, rng, wave="follow_up", on=FOLLOW_UP_DAY)
            pairs.append((place, entry, follow_up))
    return pairs


def who5(answers: Mapping[str, object]) -> int | None:
    items = [answers.get(f"who5_{n}") for n in range(1, 6)]
    if any(item in (None, DONT_KNOW) for item in items):
        return None
    return 4 * sum(int(str(item)) for item in items)


def esteem(answers: Mapping[str, object]) -> float | None:
    items = [answers.get(name) for name in ("es_qualites", "es_capable", "es_valeur", "es_content")]
    if any(item in (None, DONT_KNOW) for item in items):
        return None
    return sum(int(str(item)) for item in items) / 4


def share(values: Sequence[object], wanted: set[object]) -> float:
    answered = [v for v in values if v not in (None, DONT_KNOW)]
    return sum(v in wanted for v in answered) / len(answered)


def icc(groups: Mapping[int, list[float]]) -> float:
    """One-way ANOVA estimate of the intra-class correlation."""
    sizes = [len(g) for g in groups.values()]
    k, n = len(groups), sum(sizes)
    grand = statistics.fmean(x for g in groups.values() for x in g)
    between = sum(len(g) * (statistics.fmean(g) - grand) ** 2 for g in groups.values()) / (k - 1)
    within = sum((x - statistics.fmean(g)) ** 2 for g in groups.values() for x in g) / (n - k)
    n0 = (n - sum(s * s for s in sizes) / n) / (k - 1)
    return (between - within) / (between + (n0 - 1) * within)


# --- Reproducible -------------------------------------------------------------------------------------------------


def _story(forms: dict[str, people.Form], seed: int) -> bytes:
    filled = people.simulate(
        {"entry": [forms["entry"]], "follow_up": [forms["follow_up"]]},
        [people.Place("750000001", "chrs", 40), people.Place("130000002", "maraude", 40)],
        seed=seed,
    )
    return json.dumps(
        [[f.place, f.number, f.answered.wave, f.answered.day.isoformat(), f.answered.seconds, f.answered.mode,
          f.answered.quote_consent, f.answered.answers] for f in filled],
        ensure_ascii=False,
    ).encode()  # fmt: skip


def test_the_same_seed_gives_the_same_data_byte_for_byte(forms: dict[str, people.Form]) -> None:
    first = _story(forms, seed=11)
    assert first == _story(forms, seed=11)
    assert first != _story(forms, seed=12)


def test_a_person_does_not_depend_on_the_others(forms: dict[str, people.Form]) -> None:
    both = {"entry": [forms["entry"]]}
    small = people.simulate(both, [people.Place("p", "chrs", 5)], seed=3, shares={})
    large = people.simulate(both, [people.Place("p", "chrs", 50)], seed=3, shares={})
    assert [f.answered for f in small] == [f.answered for f in large[:5]]


# --- Always accepted by the questionnaire ------------------------------------------------------------------------


def _json(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value if not hasattr(value, "as_tuple") else str(value)


def _accepted_as_is(questionnaire: Questionnaire, answers: dict[str, object], day: datetime.date) -> None:
    checked = questionnaire.check(answers, today=day)
    assert checked.ok, checked.errors
    # already normalised: what submit stores is exactly what was made
    assert {name: _json(value) for name, value in checked.answers.items()} == answers
    relevant = questionnaire.relevant(answers, today=day)
    assert all(relevant[name] for name in answers)


def test_every_answer_passes_the_check_and_skip_logic_is_followed(
    population: list[Pair], forms: dict[str, people.Form]
) -> None:
    for _place, entry, follow_up in population:
        _accepted_as_is(forms["entry"].questionnaire, entry, ENTRY_DAY)
        _accepted_as_is(forms["follow_up"].questionnaire, follow_up, FOLLOW_UP_DAY)
    entries = [entry for _p, entry, _f in population]
    # the work section is skipped at 65 and over; the job-help question is asked only to job seekers
    older = [e for e in entries if e["tranche_age"] == "a65_plus"]
    assert older and all("situation_emploi" not in e for e in older)
    assert all(("emploi_accompagnement" in e) <= (e.get("situation_emploi") == "recherche") for e in entries)
    assert any("emploi_accompagnement" in e for e in entries)
    assert all(("logement_avant_autre" in e) <= (e.get("logement_avant") == "autre") for e in entries)
    assert any("logement_avant_autre" in e for e in entries)
    # questions of the other wave are never answered
    assert not any("qualite_ecoute" in e or "logement_actuel" in e for e in entries)


def test_questions_the_model_does_not_know_get_answers_of_their_type_that_pass_the_check() -> None:
    choice = [{"value": v, "label": {"fr": v}} for v in ("a", "b", "aucun")]
    questionnaire = {
        "code": "own",
        "audience": "people_supported",
        "waves": ["entry"],
        "sections": [
            {
                "code": "s",
                "questions": [
                    {"name": "note", "type": "note", "label": {"fr": "Bonjour"}},
                    {"name": "heures", "type": "decimal", "label": {"fr": "h"}, "constraint": ". <= 3"},
                    {"name": "nombre", "type": "integer", "label": {"fr": "n"}, "required": True, "dont_know": True,
                     "constraint": ". >= 1"},
                    {"name": "quoi", "type": "multiple_choice", "label": {"fr": "q"}, "choices": "abc",
                     "constraint": "not(selected(., 'aucun') and count-selected(.) > 1)"},
                    {"name": "niveau", "type": "scale", "label": {"fr": "s"}, "choices": "abc"},
                    {"name": "quand", "type": "date", "label": {"fr": "d"}, "relevance": "${niveau} = 'b'"},
                    {"name": "pourquoi", "type": "text", "label": {"fr": "t"}},
                ],
            }
        ],
    }  # fmt: skip
    document = {"questionnaires": [questionnaire], "choice_lists": [{"name": "abc", "choices": choice}]}
    form = people.form_of(document, "own")
    setting = people.draw_setting(random.Random(1), "unknown-kind")
    seen: Counter[str] = Counter()
    for number in range(400):
        rng = random.Random(number)
        answers = people.answers(form, people.new_person(rng, setting), rng, wave="entry", on=ENTRY_DAY)
        _accepted_as_is(form.questionnaire, answers, ENTRY_DAY)
        assert "note" not in answers and "nombre" in answers
        seen.update(answers.keys())
    # refused answers (the constraints) became "don't know" or were left out, never stored wrong
    assert 0 < seen["heures"] < 400 and seen["quand"] > 0 and seen["quoi"] > 300


# --- Shaped as intended -------------------------------------------------------------------------------------------


def test_wellbeing_and_self_esteem_are_correlated_and_items_hang_together(population: list[Pair]) -> None:
    pairs = [(who5(e), esteem(e)) for _p, e, _f in population]
    both = [(w, s) for w, s in pairs if w is not None and s is not None]
    assert len(both) > 2000  # a "don't know" to any of the 9 items leaves a person out
    assert 0.3 < statistics.correlation([w for w, _ in both], [s for _, s in both]) < 0.75
    items = [
        (int(str(e["who5_1"])), int(str(e["who5_2"])))
        for _p, e, _f in population
        if e.get("who5_1") not in (None, DONT_KNOW) and e.get("who5_2") not in (None, DONT_KNOW)
    ]
    assert statistics.correlation([a for a, _ in items], [b for _, b in items]) > 0.4
    scores = [w for w, _ in both]
    assert 35 < statistics.fmean(scores) < 50 and statistics.stdev(scores) > 15  # a population in hardship


def test_answers_cluster_by_establishment(population: list[Pair]) -> None:
    groups: dict[int, list[float]] = defaultdict(list)
    for place, entry, _f in population:
        score = who5(entry)
        if score is not None:
            groups[place].append(score)
    assert 0.015 < icc(groups) < 0.12  # about 0.05 intended; 72 establishments leave a wide margin


def test_people_are_better_at_follow_up_on_average_but_not_all(population: list[Pair]) -> None:
    changes = [(b - a) for _p, e, f in population if (a := who5(e)) is not None and (b := who5(f)) is not None]
    assert 4 < statistics.fmean(changes) < 12
    better = sum(c > 0 for c in changes) / len(changes)
    worse = sum(c < 0 for c in changes) / len(changes)
    assert 0.5 < better < 0.8 and worse > 0.15
    # rights open, and people move into stable housing
    rights = [e.get("droits_ouverts") for _p, e, _f in population], [f.get("droits_ouverts") for *_x, f in population]
    assert share(rights[1], {"oui_tous"}) - share(rights[0], {"oui_tous"}) > 0.1
    stable = {"logement", "logement_adapte"}
    before = share([e.get("logement_avant") for _p, e, _f in population], stable)
    now = share([f.get("logement_actuel") for *_x, f in population], stable)
    assert now - before > 0.15
    evolution = Counter(f.get("situation_evolution") for *_x, f in population)
    assert evolution["mieux"] > evolution["pareil"] > 0 and evolution["moins_bien"] > 0


def test_dont_know_is_3_to_5_percent_and_only_where_offered(
    population: list[Pair], forms: dict[str, people.Form]
) -> None:
    for index, code in ((1, "entry"), (2, "follow_up")):
        offered = {q.name for q in forms[code].questions if q.dont_know}
        answers = [pair[index] for pair in population]
        given = [value for a in answers for name, value in a.items() if name in offered]
        assert 0.03 < sum(v == DONT_KNOW for v in given) / len(given) < 0.05
        assert not any(v == DONT_KNOW for a in answers for name, v in a.items() if name not in offered)


def test_follow_up_and_exit_shares_and_days(forms: dict[str, people.Form]) -> None:
    filled = people.simulate(
        {"entry": [forms["entry"]], "follow_up": [forms["follow_up"]], "exit": [forms["follow_up"]]},
        [people.Place(f"p{n}", "chrs", 250) for n in range(4)],
        seed=5,
        shares={"follow_up": 0.7, "exit": 0.25},
    )
    waves = Counter(f.answered.wave for f in filled)
    assert waves["entry"] == 1000
    assert 0.65 < waves["follow_up"] / 1000 < 0.75 and 0.2 < waves["exit"] / 1000 < 0.3
    periods = people.default_periods(2025)
    by_person: dict[tuple[str, int], dict[str, datetime.date]] = defaultdict(dict)
    for f in filled:
        low, high = periods[f.answered.wave]
        assert low <= f.answered.day <= high and 8 <= f.answered.time.hour < 19
        by_person[(f.place, f.number)][f.answered.wave] = f.answered.day
    for days in by_person.values():
        assert days["entry"] <= days.get("follow_up", days["entry"] + datetime.timedelta(days=90))
    modes = Counter(f.answered.mode for f in filled)
    assert modes["self"] > modes["assisted"] > modes["paper"] > 0


def test_bad_arguments_are_refused(forms: dict[str, people.Form]) -> None:
    with pytest.raises(ValueError, match="icc"):
        people.draw_setting(random.Random(1), "chrs", icc=1.0)
    person = people.new_person(random.Random(1), people.draw_setting(random.Random(1), "chrs"))
    with pytest.raises(ValueError, match="wave"):
        people.answers(forms["entry"], person, random.Random(1), wave="later", on=ENTRY_DAY)
    with pytest.raises(KeyError):
        people.form_of({"questionnaires": []}, "entry")
