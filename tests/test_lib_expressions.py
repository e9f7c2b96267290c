"""socle.lib.frameworks.expressions: the XLSForm-style language of relevance, constraints, scores and indicators."""

from __future__ import annotations

import ast
import datetime
import math
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socle.lib.frameworks import expressions
from socle.lib.frameworks.expressions import (
    SUPPORTED_FUNCTIONS,
    Expression,
    ExpressionError,
    evaluate,
    functions_used,
    is_true,
    parse,
    references,
    rename,
    to_text,
    uses_current,
)


def examples(count: int) -> settings:
    return settings(max_examples=count, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def value(
    text: str, values: dict[str, object] | None = None, current: object = None, today: datetime.date | None = None
) -> object:
    return evaluate(parse(text), values or {}, current=current, today=today)


def holds(
    text: str, values: dict[str, object] | None = None, current: object = None, today: datetime.date | None = None
) -> bool:
    return is_true(parse(text), values or {}, current=current, today=today)


# --- Answers and conditions -----------------------------------------------------------------------------------


def test_a_single_choice_answer_equals_its_value() -> None:
    assert holds("${q} = 'oui'", {"q": "oui"})
    assert not holds("${q} = 'oui'", {"q": "non"})
    assert holds("${q} != 'oui'", {"q": "non"})


@pytest.mark.parametrize("answers", [{}, {"q": ""}, {"q": None}, {"q": []}])
def test_an_unanswered_question_equals_the_empty_string(answers: dict[str, object]) -> None:
    assert holds("${q} = ''", answers)
    assert not holds("${q} != ''", answers)
    assert value("${q}", answers) in ("", ())


def test_an_answered_question_differs_from_the_empty_string() -> None:
    assert holds("${q} != ''", {"q": "oui"})
    assert holds("${q} != ''", {"q": "dk"})
    assert holds("${q} != ''", {"q": 0})
    assert not holds("${q} = ''", {"q": ["a"]})


def test_an_unanswered_question_differs_from_every_choice() -> None:
    assert holds("${q} != 'oui'", {})
    assert not holds("${q} = 'oui'", {})


def test_selected_looks_inside_a_multiple_choice_answer() -> None:
    assert holds("selected(${q}, 'a')", {"q": ["a", "b"]})
    assert holds("selected(${q}, 'b')", {"q": ("a", "b")})
    assert not holds("selected(${q}, 'c')", {"q": ["a", "b"]})


def test_selected_compares_a_single_choice_answer_with_the_value() -> None:
    assert holds("selected(${q}, 'a')", {"q": "a"})
    assert not holds("selected(${q}, 'a')", {"q": "a b"})
    assert holds("selected(${q}, 1)", {"q": [1, 2]})


def test_selected_is_false_for_an_unanswered_question() -> None:
    assert not holds("selected(${q}, 'a')", {})
    assert not holds("selected(${q}, '')", {"q": ""})
    assert not holds("selected(${q}, 'a')", {"q": []})


def test_a_relevance_can_combine_a_choice_and_an_age() -> None:
    relevance = parse("selected(${q}, 'a') and ${age} >= 18")
    assert is_true(relevance, {"q": ["a"], "age": "18"})
    assert is_true(relevance, {"q": ["a", "c"], "age": 40})
    assert not is_true(relevance, {"q": ["a"], "age": 17})
    assert not is_true(relevance, {"q": ["b"], "age": 40})
    assert not is_true(relevance, {"q": ["a"]})
    assert not is_true(relevance, {"q": ["a"], "age": "dk"})


def test_not_negates_a_condition() -> None:
    condition = parse("not(${q} = 'non')")
    assert is_true(condition, {"q": "oui"})
    assert is_true(condition, {})
    assert not is_true(condition, {"q": "non"})


def test_or_needs_one_true_side_and_and_needs_both() -> None:
    assert holds("${a} = 'x' or ${b} = 'y'", {"b": "y"})
    assert not holds("${a} = 'x' or ${b} = 'y'", {})
    assert not holds("${a} = 'x' and ${b} = 'y'", {"a": "x"})
    assert value("1 and 2") is True
    assert value("0 or ''") is False


def test_and_binds_tighter_than_or() -> None:
    assert holds("1 = 1 or 1 = 2 and 1 = 2")
    assert not holds("(1 = 1 or 1 = 2) and 1 = 2")


@pytest.mark.parametrize(
    ("answer", "truth"),
    [
        ("oui", True),
        ("dk", True),
        ("", False),
        (None, False),
        (0, False),
        (0.0, False),
        ("0", True),
        (3, True),
        ([], False),
        (["a"], True),
        (datetime.date(2024, 1, 1), True),
        (False, False),
        (True, True),
    ],
)
def test_a_value_is_true_unless_empty_zero_false_or_missing(answer: object, truth: bool) -> None:
    assert holds("${q}", {"q": answer}) is truth
    assert holds("not(${q})", {"q": answer}) is not truth


def test_if_picks_the_branch_its_condition_names() -> None:
    assert value("if(${age} >= 18, 'adult', 'minor')", {"age": 20}) == "adult"
    assert value("if(${age} >= 18, 'adult', 'minor')", {"age": 12}) == "minor"
    assert value("if(${age} >= 18, 'adult', 'minor')", {}) == "minor"
    assert value("if(1, 5, 1 div 0)") == 5


def test_a_constraint_checks_the_current_answer() -> None:
    constraint = parse(". >= 0 and . <= 120")
    assert uses_current(constraint)
    assert is_true(constraint, {}, current=30)
    assert is_true(constraint, {}, current="45")
    assert is_true(constraint, {}, current=0)
    assert not is_true(constraint, {}, current=130)
    assert not is_true(constraint, {}, current=-1)
    assert not is_true(constraint, {}, current=None)
    assert not is_true(constraint, {}, current="dk")


def test_the_current_answer_of_a_constraint_may_be_compared_with_other_answers() -> None:
    assert holds(". <= ${people}", {"people": "12"}, current=10)
    assert not holds(". <= ${people}", {"people": "12"}, current=13)


# --- Scores and arithmetic ------------------------------------------------------------------------------------

WHO5 = "(${a}+${b}+${c}+${d}+${e}) * 4"


def test_the_who5_score_adds_five_items_and_multiplies_by_four() -> None:
    assert value(WHO5, {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}) == 60
    assert value(WHO5, {"a": "5", "b": "5", "c": "5", "d": "5", "e": "5"}) == 100


def test_a_missing_item_leaves_the_score_without_value() -> None:
    assert value(WHO5, {"a": 5, "b": 4, "c": 3, "d": 2}) is None
    assert value(WHO5, {"a": 5, "b": 4, "c": 3, "d": 2, "e": ""}) is None
    assert value(WHO5, {"a": 5, "b": 4, "c": 3, "d": 2, "e": None}) is None


def test_a_dont_know_item_leaves_the_score_without_value() -> None:
    assert value(WHO5, {"a": 5, "b": 4, "c": 3, "d": 2, "e": "dk"}) is None


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_no_value_makes_every_comparison_false(op: str) -> None:
    assert not holds(f"${{score}} * 4 {op} 50", {"score": "dk"})
    assert not holds(f"1 div 0 {op} ''")
    assert not holds(f"'' {op} 1 div 0")


def test_arithmetic_on_text_has_no_value() -> None:
    assert value("${q} + 1", {"q": "oui"}) is None
    assert value("-${q}", {"q": "oui"}) is None
    assert value("${q} * 2", {"q": ["1"]}) is None
    assert value("today() + 1", today=datetime.date(2024, 1, 1)) is None


def test_division_by_zero_has_no_value() -> None:
    assert value("1 div 0") is None
    assert value("1 div (2 - 2)") is None
    assert value("7 mod 0") is None
    assert value("${n} div ${d}", {"n": 3, "d": "0"}) is None


def test_div_is_a_true_division() -> None:
    assert value("3 div 2") == Decimal("1.5")
    assert value("4 div 2") == 2
    assert isinstance(value("4 div 2"), int)
    assert value("1 div 3 * 3") == Decimal("0.9999999999999999999999999999")


def test_mod_keeps_the_sign_of_the_dividend() -> None:
    assert value("7 mod 3") == 1
    assert value("-7 mod 3") == -1
    assert value("7 mod -3") == 1
    assert value("7.5 mod 2") == Decimal("1.5")


def test_multiplication_binds_tighter_than_addition() -> None:
    assert value("1 + 2 * 3") == 7
    assert holds("1 + 2 * 3 = 7")
    assert value("(1 + 2) * 3") == 9
    assert value("10 - 6 div 2") == 7
    assert value("1 + 7 mod 4") == 4


def test_operators_of_one_level_apply_from_left_to_right() -> None:
    assert value("10 - 4 - 3") == 3
    assert value("10 - (4 - 3)") == 9
    assert value("8 div 4 div 2") == 1
    assert value("2 * 6 div 3 mod 3") == 1


def test_unary_minus_binds_tighter_than_multiplication() -> None:
    assert value("-3 + 5") == 2
    assert value("-(2 + 3)") == -5
    assert value("2 * -3") == -6
    assert value("--3") == 3
    assert value("1 - -1") == 2
    assert value("-${a}", {}) is None


def test_numeric_strings_count_as_numbers() -> None:
    assert value("${a} + 1", {"a": "3"}) == 4
    assert value("${a} * 2", {"a": " 2.5 "}) == 5
    assert holds("${a} = 3", {"a": "3.0"})
    assert holds("${a} > ${b}", {"a": "10", "b": "9"})
    assert value("${a} + 1", {"a": "1e3"}) is None
    assert value("${a} + 1", {"a": "nan"}) is None


def test_decimal_arithmetic_is_exact() -> None:
    assert holds("0.1 + 0.2 = 0.3")
    assert holds("${a} + ${b} = 0.3", {"a": 0.1, "b": 0.2})
    assert holds("${a} + ${b} = 0.3", {"a": Decimal("0.1"), "b": "0.2"})


def test_whole_numbers_are_ints_and_others_decimals() -> None:
    assert value("2.5 * 2") == 5
    assert isinstance(value("2.5 * 2"), int)
    assert value("${f}", {"f": 2.5}) == Decimal("2.5")
    assert isinstance(value("${f}", {"f": 2.5}), Decimal)
    assert isinstance(value("${f}", {"f": 3.0}), int)


@pytest.mark.parametrize("answer", [float("nan"), float("inf"), Decimal("Infinity"), Decimal("NaN"), 10**400])
def test_numbers_that_are_not_finite_or_too_large_have_no_value(answer: object) -> None:
    assert value("${a} + 1", {"a": answer}) is None


def test_booleans_count_as_one_and_zero() -> None:
    assert value("(${a} = 'oui') + (${b} = 'oui') + (${c} = 'oui')", {"a": "oui", "c": "oui"}) == 2


def test_numbers_beyond_the_range_of_answers_have_no_value() -> None:
    big = "9" * 200
    assert value(f"{big} * {big}") is None
    assert value(f"{big} + 1") == int(big) + 1


def test_digits_are_ascii_digits() -> None:
    assert value("${a} + 1", {"a": "\u0663"}) is None
    with pytest.raises(ExpressionError, match="unexpected character"):
        parse("\u0663 + 1")


def test_a_number_literal_too_large_is_refused() -> None:
    with pytest.raises(ExpressionError, match="number too large at column 1"):
        parse("1" * 301)


# --- Texts and dates ------------------------------------------------------------------------------------------


def test_strings_may_use_double_quotes() -> None:
    assert value('"it\'s"') == "it's"
    assert holds('${q} = "oui"', {"q": "oui"})
    assert value("'say \"hi\"'") == 'say "hi"'


def test_texts_are_equal_or_different_but_not_ordered() -> None:
    assert holds("'a' = 'a'")
    assert holds("'a' != 'b'")
    assert not holds("'b' > 'a'")
    assert not holds("'a' < 'b'")


def test_a_multiple_choice_answer_reads_as_its_values_joined_by_spaces() -> None:
    assert holds("${q} = 'a b'", {"q": ["a", "b"]})


def test_dates_compare_with_today() -> None:
    today = datetime.date(2024, 6, 15)
    assert holds("${birth} < today()", {"birth": datetime.date(1990, 1, 1)}, today=today)
    assert holds("${birth} < today()", {"birth": "1990-01-01"}, today=today)
    assert not holds("${visit} > today()", {"visit": "2024-06-15"}, today=today)
    assert holds("${visit} = today()", {"visit": datetime.datetime(2024, 6, 15, 10, 30)}, today=today)
    assert holds("${visit} >= '2024-01-01'", {"visit": datetime.date(2024, 3, 1)})
    assert holds("'2024-02-01' > '2024-01-31'")
    assert not holds("${visit} < today()", {}, today=today)


def test_today_defaults_to_the_current_date() -> None:
    assert value("today()") == datetime.date.today()


def test_today_may_be_given_as_a_datetime() -> None:
    now = datetime.datetime(2024, 6, 15, 10, 30)
    assert value("today()", today=now) == datetime.date(2024, 6, 15)
    assert holds("today() = '2024-06-15'", today=now)
    assert holds("${d} < today()", {"d": datetime.date(2024, 1, 1)}, today=now)


# --- Functions ------------------------------------------------------------------------------------------------


def test_count_selected_counts_the_values_chosen() -> None:
    assert value("count-selected(${q})", {"q": ["a", "b", "c"]}) == 3
    assert value("count-selected(${q})", {"q": []}) == 0
    assert value("count-selected(${q})", {}) == 0
    assert value("count-selected(${q})", {"q": "a"}) == 1
    assert holds("count-selected(${q}) >= 2", {"q": ["a", "b"]})


def test_string_length_counts_characters() -> None:
    assert value("string-length(${q})", {"q": "héllo"}) == 5
    assert value("string-length(${q})", {}) == 0
    assert value("string-length(12.5)") == 4


def test_coalesce_falls_back_on_the_second_value() -> None:
    assert value("coalesce(${a}, ${b})", {"b": "x"}) == "x"
    assert value("coalesce(${a}, ${b})", {"a": "y", "b": "x"}) == "y"
    assert value("coalesce(1 div 0, 7)") == 7
    assert value("coalesce(${a}, 0)", {"a": "dk"}) == "dk"


def test_number_and_int_convert_text() -> None:
    assert value("number('3.5')") == Decimal("3.5")
    assert value("number('abc')") is None
    assert value("number(${q} = 'oui')", {"q": "oui"}) == 1
    assert value("int(-3.7)") == -3
    assert value("int('3.7')") == 3
    assert value("int('dk')") is None


def test_round_rounds_half_away_from_zero() -> None:
    assert value("round(2.5)") == 3
    assert value("round(-2.5)") == -3
    assert value("round(2.675, 2)") == Decimal("2.68")
    assert value("round(1 div 3, 3)") == Decimal("0.333")
    assert value("round(1234, -2)") == 1200
    assert value("round(12, 2)") == 12
    assert value("round(${a}, 1)", {}) is None


def test_min_max_and_sum_take_one_or_more_numbers() -> None:
    assert value("min(3, '1', 2)") == 1
    assert value("max(3, 1.5, 2)") == 3
    assert value("sum(1, 2.5, '3')") == Decimal("6.5")
    assert value("sum(${a})", {"a": 4}) == 4
    assert value("sum(${a}, ${b})", {"a": 4}) is None
    assert value("max(${a}, 1)", {"a": "dk"}) is None


def test_the_supported_functions_are_those_of_the_spec() -> None:
    assert {
        "not",
        "selected",
        "count-selected",
        "string-length",
        "if",
        "coalesce",
        "number",
        "int",
        "round",
        "min",
        "max",
        "sum",
        "today",
    } == SUPPORTED_FUNCTIONS


# --- Looking at expressions -----------------------------------------------------------------------------------


def test_references_uses_current_and_functions_used_describe_an_expression() -> None:
    expression = parse("selected(${q}, 'a') and count-selected(${r}) > 1 or . = ${q}")
    assert references(expression) == {"q", "r"}
    assert uses_current(expression)
    assert functions_used(expression) == {"selected", "count-selected"}
    plain = parse("1 + 1")
    assert references(plain) == frozenset()
    assert not uses_current(plain)
    assert functions_used(plain) == frozenset()


def test_rename_replaces_reference_names() -> None:
    renamed = rename(parse("${old} = 'x' and selected(${other}, ${old})"), {"old": "new"})
    assert references(renamed) == {"new", "other"}
    assert renamed.text == "${new} = 'x' and selected(${other}, ${new})"
    assert renamed == parse(renamed.text)


def test_rename_refuses_a_name_that_is_not_a_reference() -> None:
    with pytest.raises(ExpressionError, match="'new name' is not a valid reference name"):
        rename(parse("${old}"), {"old": "new name"})


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1+2*3", "1 + 2 * 3"),
        ("(1+2)*3", "(1 + 2) * 3"),
        ("((1))", "1"),
        ("10 - (4 - 3)", "10 - (4 - 3)"),
        ("(10 - 4) - 3", "(10 - 4) - 3"),
        ("not( ${a}='x' )", "not(${a} = 'x')"),
        ("-(1+2)", "-(1 + 2)"),
        ("- - 3", "--3"),
        ("1 - -3", "1 - -3"),
        ("(${a} = 1) = (${b} = 2)", "(${a} = 1) = (${b} = 2)"),
        ("${a} or ${b} and ${c}", "${a} or ${b} and ${c}"),
        ("(${a} or ${b}) and ${c}", "(${a} or ${b}) and ${c}"),
        ('"x"', "'x'"),
        ('"it\'s"', '"it\'s"'),
        ("2.50 + .5 + 3.", "2.5 + 0.5 + 3"),
        (".>=0 and .<=120", ". >= 0 and . <= 120"),
        ("if(${a}>1,'x',round(${b}))", "if(${a} > 1, 'x', round(${b}))"),
    ],
)
def test_to_text_writes_the_canonical_text(text: str, canonical: str) -> None:
    expression = parse(text)
    assert to_text(expression) == canonical
    assert parse(canonical).tree == expression.tree


def test_expressions_are_values() -> None:
    assert parse("1 + ${a}") == parse("1 + ${a}")
    assert hash(parse("1 + ${a}")) == hash(parse("1 + ${a}"))
    assert parse("1+${a}").tree == parse("1 + ${a}").tree
    assert str(parse("1+${a}")) == "1+${a}"
    assert isinstance(parse("1"), Expression)


# --- Errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("1 +", "unexpected end of expression", 3),
        ("", "empty expression", 0),
        ("   ", "empty expression", 0),
        ("(1 + 2", "unclosed '(' at column 1", 0),
        ("sum(1, 2", "unclosed '(' at column 4", 3),
        ("1 + 2)", "unexpected ')' at column 6", 5),
        ("sum(1,)", "unexpected ')' at column 7", 6),
        ("1 + * 2", "unexpected '*' at column 5", 4),
        ("1 2", "unexpected number 2 at column 3", 2),
        ("'a' 'b'", "unexpected string 'b' at column 5", 4),
        ("${a} ${b}", "unexpected reference ${b} at column 6", 5),
        ("..", "unexpected '.' at column 2", 1),
        ("${q} = 'oui", "unclosed string starting at column 8", 7),
        ("1 + ${q", "'${q' is not a valid reference at column 5", 4),
        ("${1q} = 1", "'${1q}' is not a valid reference at column 1", 0),
        ("$q = 1", "'$q' is not a valid reference at column 1", 0),
        ("${" + "a" * 65 + "}", "reference name longer than 64 characters at column 1", 0),
        ("jr:choice-name(${q}, 'x')", "unknown function 'jr:choice-name' at column 1", 0),
        ("1 + pulldata('f', 'x')", "unknown function 'pulldata' at column 5", 4),
        ("foo = 1", "unexpected name 'foo' at column 1", 0),
        ("${a} AND ${b}", "unexpected name 'AND' at column 6", 5),
        ("not ${q}", "expected '(' after 'not' at column 5", 4),
        ("selected(${q})", "'selected' takes 2 arguments, not 1 at column 1", 0),
        ("round(1, 2, 3)", "'round' takes 1 or 2 arguments, not 3 at column 1", 0),
        ("sum()", "'sum' takes at least 1 argument, not 0 at column 1", 0),
        ("today(1)", "'today' takes 0 arguments, not 1 at column 1", 0),
        ("0 <= . <= 120", "comparisons cannot be chained (join them with 'and') at column 8", 7),
        ("1 ! 2", "unexpected character '!' at column 3", 2),
        ("1 == 2", "unexpected '=' at column 4", 3),
        ("1 & 2", "unexpected character '&' at column 3", 2),
    ],
)
def test_a_syntax_error_says_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse(text)
    assert raised.value.message == message
    assert str(raised.value) == message
    assert raised.value.position == position
    assert raised.value.text == text


def test_an_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unexpected end of expression"):
        parse("(")


# --- Limits ---------------------------------------------------------------------------------------------------


def test_a_text_of_2000_characters_is_accepted_and_a_longer_one_refused() -> None:
    longest = "1" + " + 1" * 499 + "   "
    assert len(longest) == 2000
    assert value(longest) == 500
    with pytest.raises(ExpressionError, match="expression longer than 2000 characters"):
        parse(longest + " ")


def test_long_sums_are_not_deep() -> None:
    items = " + ".join(f"${{q{i}}}" for i in range(150))
    assert value(items, {f"q{i}": 1 for i in range(150)}) == 150


def test_50_open_parentheses_are_accepted_and_51_refused() -> None:
    assert value("(" * 50 + "1" + ")" * 50) == 1
    with pytest.raises(ExpressionError, match="nested more than 50 levels deep at column 51") as raised:
        parse("(" * 51 + "1" + ")" * 51)
    assert raised.value.position == 50


def test_a_tree_more_than_50_levels_high_is_refused() -> None:
    assert value("-" * 50 + "1") == 1
    with pytest.raises(ExpressionError, match="nested more than 50 levels deep"):
        parse("-" * 51 + "1")
    with pytest.raises(ExpressionError, match="nested more than 50 levels deep"):
        parse("not(" * 51 + "1" + ")" * 51)


def test_thousands_of_open_parentheses_give_an_expression_error_not_a_recursion_error() -> None:
    with pytest.raises(ExpressionError):
        parse("(" * 1999)
    with pytest.raises(ExpressionError):
        parse("-" * 1999 + "1")


def _deepest(template: str) -> str:
    """The most deeply nested text accepted, made by nesting ``template`` into itself."""
    text = "1"
    while True:
        deeper = template.format(text)
        try:
            parse(deeper)
        except ExpressionError:
            return text
        text = deeper


def test_the_deepest_expressions_allowed_need_little_stack() -> None:
    """Even with only 500 frames of stack (Python's default is 1000), the deepest expressions are handled."""
    texts = [
        _deepest("({})"),
        _deepest("sum(0 and 1 or 1 and 1 = 1 + 1 * {})"),
        _deepest("if(1, {}, 2)"),
        _deepest("-(0 or 1 and 1 = 1 - 1 div {})"),
    ]
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for text in texts:
                expression, again = parse(text), parse(text)
                assert expression == again and hash(expression) == hash(again)
                evaluate(expression, {})
                assert parse(to_text(expression)).tree == expression.tree
                rename(expression, {"a": "b"})
        except BaseException as error:
            failures.append(error)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(500)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    assert failures == []


def test_the_module_never_hands_text_to_python_and_imports_no_django() -> None:
    tree = ast.parse(Path(expressions.__file__).read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"eval", "exec", "compile", "__import__"}
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(module.startswith(("django", "socle", "ast")) for module in modules)


# --- Properties -----------------------------------------------------------------------------------------------

LANGUAGE_CHARACTERS = "${}()0123456789.,'\" =!<>+-*_:abcdeilmnorstuvxyq\n"


@examples(300)
@given(st.text(max_size=60) | st.text(alphabet=LANGUAGE_CHARACTERS, max_size=60))
def test_parse_returns_or_raises_an_expression_error_on_any_text(text: str) -> None:
    try:
        expression = parse(text)
    except ExpressionError as error:
        assert error.position is None or 0 <= error.position <= len(text)
        assert error.text == text
    else:
        assert parse(to_text(expression)).tree == expression.tree


# Generated expressions are pairs (text, binding): how loosely the text binds, as in the module:
# 1 or, 2 and, 3 comparison, 4 + -, 5 * div mod, 6 unary minus, 7 atoms, calls and groups.
OR, AND, COMPARE, ADD, MULTIPLY, UNARY, ATOM = range(1, 8)
LEVEL = {"or": OR, "and": AND, "+": ADD, "-": ADD, "*": MULTIPLY, "div": MULTIPLY, "mod": MULTIPLY}
LEVEL |= dict.fromkeys(["=", "!=", "<", "<=", ">", ">="], COMPARE)
ARITY = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1, "if": 3, "coalesce": 2, "number": 1}
ARITY |= {"int": 1, "round": 2, "min": 2, "max": 3, "sum": 4, "today": 0}
Generated = tuple[str, int]

NAME_POOL = ["a", "b", "c", "q_1"]
STRINGS = st.text(st.characters(exclude_characters="'", codec="utf-8"), max_size=6).map(lambda s: (f"'{s}'", ATOM))
ATOMS: st.SearchStrategy[Generated] = st.one_of(
    st.integers(0, 10**6).map(lambda n: (str(n), ATOM)),
    st.decimals(0, 1000, places=2).map(lambda d: (f"{d:f}", ATOM)),
    STRINGS,
    st.sampled_from(["'oui'", '"dk"', "''", "'2024-01-31'"]).map(lambda s: (s, ATOM)),
    st.sampled_from(NAME_POOL).map(lambda name: (f"${{{name}}}", ATOM)),
    st.just((".", ATOM)),
    st.just(("today()", ATOM)),
)


def group(part: Generated, needed: bool, wanted: bool) -> str:
    return f"({part[0]})" if needed or wanted else part[0]


def binary(op: str, left: Generated, right: Generated, wrap_left: bool, wrap_right: bool) -> Generated:
    level = LEVEL[op]
    left_needed = left[1] < level or left[1] == level == COMPARE
    right_needed = right[1] < level or right[1] == level == COMPARE
    return f"{group(left, left_needed, wrap_left)} {op} {group(right, right_needed, wrap_right)}", level


def negative(operand: Generated, wrap: bool) -> Generated:
    return "-" + group(operand, operand[1] < UNARY, wrap), UNARY


def call(function: str, args: list[Generated]) -> Generated:
    args = (args + [("1", ATOM)] * 4)[: ARITY[function]]
    return f"{function}({', '.join(text for text, _ in args)})", ATOM


def grown(children: st.SearchStrategy[Generated]) -> st.SearchStrategy[Generated]:
    return st.one_of(
        st.builds(binary, st.sampled_from(sorted(LEVEL)), children, children, st.booleans(), st.booleans()),
        st.builds(negative, children, st.booleans()),
        st.builds(call, st.sampled_from(sorted(ARITY)), st.lists(children, max_size=4)),
    )


EXPRESSIONS = st.recursive(ATOMS, grown, max_leaves=12).map(lambda generated: generated[0])


@examples(300)
@given(EXPRESSIONS)
def test_the_canonical_text_of_an_expression_parses_to_the_same_tree(text: str) -> None:
    expression = parse(text)
    canonical = to_text(expression)
    again = parse(canonical)
    assert again.tree == expression.tree
    assert to_text(again) == canonical


ANSWERS = st.one_of(
    st.none(),
    st.sampled_from(["", "dk", "oui", "3", " 2.5 ", "-1", "2024-01-31", "2024-02-30", "1e5", "nan", "a b"]),
    st.text(max_size=5),
    st.integers() | st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.text(max_size=3) | st.integers() | st.floats() | st.decimals() | st.none(), max_size=3),
    st.tuples(st.text(max_size=3)),
    st.builds(object),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
RESULT_TYPES = (type(None), bool, int, Decimal, str, datetime.date, tuple)


@examples(400)
@given(EXPRESSIONS, st.dictionaries(st.sampled_from(NAME_POOL), ANSWERS), ANSWERS, st.dates())
def test_evaluation_never_raises_whatever_the_answers(
    text: str, answers: dict[str, object], current: object, today: datetime.date
) -> None:
    expression = parse(text)
    result = evaluate(expression, answers, current=current, today=today)
    assert isinstance(result, RESULT_TYPES)
    assert isinstance(is_true(expression, answers, current=current, today=today), bool)
    if isinstance(result, Decimal):
        assert result.is_finite() and result != result.to_integral_value()


# Arithmetic over integers, generated with its text, its binding, its value computed here exactly with fractions,
# and its scale: the largest magnitude met on the way, which bounds the rounding error of divisions.
Arithmetic = tuple[str, int, Fraction | None, Fraction]


def truncated_remainder(left: Fraction, right: Fraction) -> Fraction:
    return left - right * math.trunc(left / right)


OPERATIONS: dict[str, Callable[[Fraction, Fraction], Fraction | None]] = {
    "+": lambda left, right: left + right,
    "-": lambda left, right: left - right,
    "*": lambda left, right: left * right,
    "mod": lambda left, right: None if right == 0 else truncated_remainder(left, right),
    "div": lambda left, right: None if right == 0 else left / right,
}


def computed(op: str, left: Arithmetic, right: Arithmetic, wrap_left: bool, wrap_right: bool) -> Arithmetic:
    level = LEVEL[op]
    # Operators of one level apply from left to right: an operand on the right of the same level needs a group.
    text = f"{group(left[:2], left[1] < level, wrap_left)} {op} {group(right[:2], right[1] <= level, wrap_right)}"
    result = None if left[2] is None or right[2] is None else OPERATIONS[op](left[2], right[2])
    return text, level, result, max(left[3], right[3], Fraction(0) if result is None else abs(result))


def negated(operand: Arithmetic, wrap: bool) -> Arithmetic:
    text = "-" + group(operand[:2], operand[1] < UNARY, wrap)
    return text, UNARY, None if operand[2] is None else -operand[2], operand[3]


INTEGERS: st.SearchStrategy[Arithmetic] = st.integers(0, 100).map(lambda n: (str(n), ATOM, Fraction(n), Fraction(n)))


def integer_arithmetic(children: st.SearchStrategy[Arithmetic]) -> st.SearchStrategy[Arithmetic]:
    return st.one_of(
        st.builds(computed, st.sampled_from(["+", "-", "*", "mod"]), children, children, st.booleans(), st.booleans()),
        st.builds(negated, children, st.booleans()),
    )


def with_division(children: st.SearchStrategy[Arithmetic]) -> st.SearchStrategy[Arithmetic]:
    # A divisor is a literal: a divisor computed as a tiny rounded quotient would not be the exact zero.
    return st.one_of(
        st.builds(computed, st.sampled_from(["+", "-", "*"]), children, children, st.booleans(), st.booleans()),
        st.builds(computed, st.just("div"), children, INTEGERS, st.booleans(), st.booleans()),
        st.builds(negated, children, st.booleans()),
    )


@examples(300)
@given(st.recursive(INTEGERS, integer_arithmetic, max_leaves=12))
def test_integer_arithmetic_agrees_with_exact_arithmetic(generated: Arithmetic) -> None:
    text, _binding, expected, _scale = generated
    assert value(text) == expected


@examples(300)
@given(st.recursive(INTEGERS, with_division, max_leaves=10))
def test_division_agrees_with_exact_arithmetic_to_many_digits(generated: Arithmetic) -> None:
    text, _binding, expected, scale = generated
    result = value(text)
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, int | Decimal)
        # Each division keeps 28 significant digits; a few of them cannot lose more than 20 of those.
        assert abs(Fraction(result) - expected) <= (1 + scale) / 10**20
