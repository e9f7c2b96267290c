"""Pure helpers of campaign following and of the paper form: daily series, rates, completion, skip logic in words."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from socle.lib.collection import progress
from socle.lib.collection.answers import compile_questionnaire
from socle.lib.collection.paper import Condition, condition_of
from tests.framework_docs import sector_document

D = datetime.date


def test_daily_counts_fill_every_day_and_fold_answers_outside_the_period_onto_its_ends() -> None:
    series = progress.daily_counts(
        [(D(2026, 3, 2), 3), (D(2026, 2, 20), 1), (D(2026, 3, 9), 2), (D(2026, 3, 4), 1)], D(2026, 3, 1), D(2026, 3, 5)
    )
    assert series == [
        (D(2026, 3, 1), 1),
        (D(2026, 3, 2), 3),
        (D(2026, 3, 3), 0),
        (D(2026, 3, 4), 1),
        (D(2026, 3, 5), 2),
    ]
    assert sum(n for _, n in series) == 7
    with pytest.raises(ValueError):
        progress.daily_counts([], D(2026, 3, 5), D(2026, 3, 1))


def test_percent_rounds_half_up_and_has_no_value_without_a_denominator() -> None:
    assert progress.percent(1, 8) == Decimal("12.5")
    assert progress.percent(1, 3) == Decimal("33.3")
    assert progress.percent(2, 3) == Decimal("66.7")
    assert progress.percent(3, 0) is None
    assert progress.percent(3, None) is None


def test_question_completion_does_not_count_a_skipped_question_as_missing() -> None:
    questionnaire = compile_questionnaire(sector_document(), "entry")
    answers = [
        {"sexe": "f", "droits": "oui", "estime": "4", "urgences": 2},
        {"sexe": "h", "droits": "dk"},  # urgences asked (droits given), not answered
        {"droits": "non", "estime": "2", "urgences": 0},
    ]
    rows = {row.name: row for row in progress.question_completion(questionnaire, answers)}
    assert [name for name in rows] == ["sexe", "droits", "estime", "urgences"]
    assert (rows["droits"].asked, rows["droits"].answered, rows["droits"].dont_know) == (3, 2, 1)
    assert (rows["sexe"].asked, rows["sexe"].answered, rows["sexe"].unanswered) == (3, 2, 1)
    assert rows["urgences"].answered == 2 and rows["urgences"].unanswered == 1
    assert rows["estime"].answered_percent == Decimal("66.7")


def test_paired_share_counts_codes_that_match_an_entry() -> None:
    assert progress.paired_share(["a", "", "b", "c", "a"], {"a", "c"}) == (3, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${q} = 'autre'", Condition("q", ("autre",), True)),
        ("'autre' = ${q}", Condition("q", ("autre",), True)),
        ("${q} != 'a65_plus'", Condition("q", ("a65_plus",), False)),
        ("selected(${q}, 'x')", Condition("q", ("x",), True)),
        ("not(selected(${q}, 'x'))", Condition("q", ("x",), False)),
        ("${q} = 'a' or ${q} = 'b'", Condition("q", ("a", "b"), True)),
        ("${q} = 'a' or ${r} = 'b'", None),
        ("${q} != ''", Condition("q", (), True)),
        ("${q} = ''", Condition("q", (), False)),
        ("${q} = 'a' or ${q} != ''", None),
        ("${n} > 3", None),
        ("${q} = 'a' and ${r} = 'b'", None),
        ("${q} = ", None),
    ],
)
def test_simple_skip_logic_is_read_and_anything_else_is_left_to_a_general_instruction(text, expected) -> None:  # type: ignore[no-untyped-def]
    assert condition_of(text) == expected
