"""Disclosure control for everything that leaves an organisation (socle.lib.sector.disclosure, METHODS.md §4):
primary rules, secondary suppression that leaves no masked value to rebuild from the cells shown and their
margins, rounding, and what a way out may show."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from socle.lib.measurement.estimate import Estimate, Interval
from socle.lib.sector.disclosure import (
    TOTAL,
    Cell,
    Decision,
    DisclosureError,
    DisclosureRules,
    Key,
    assert_protected,
    audit,
    primary,
    problems,
    protect,
    published,
    published_value,
    round_count,
    with_margins,
)

FAST = settings(max_examples=40, deadline=None, derandomize=True)
RULES = DisclosureRules()


def even(n: int, establishments: str = "abc", numerator: int | None = None, flag: str = "") -> Cell:
    """A cell of ``n`` respondents spread as evenly as possible over ``establishments``."""
    share, rest = divmod(n, len(establishments))
    contributions = {e: share + (i < rest) for i, e in enumerate(establishments)}
    return Cell(n, {e: k for e, k in contributions.items() if k}, numerator, flag)


def masked(decisions: Mapping[Key, Decision]) -> set[Key]:
    return {key for key, decision in decisions.items() if decision.masked}


# --- Primary rules ----------------------------------------------------------------------------------------------


def test_a_cell_under_11_respondents_is_masked_for_frequency() -> None:
    assert primary(even(10)) == Decision("x", ("frequency",))
    assert primary(even(11)) == Decision("ok")


def test_a_cell_from_two_establishments_is_masked_whatever_its_size() -> None:
    assert primary(even(300, "ab")) == Decision("x", ("establishments",))
    assert primary(even(300, "abc")).status == "ok"


def test_one_establishment_with_86_percent_of_the_respondents_dominates() -> None:
    assert primary(Cell(100, {"a": 86, "b": 7, "c": 7})) == Decision("x", ("dominance",))
    assert primary(Cell(100, {"a": 85, "b": 8, "c": 7})).status == "ok"  # 85 % exactly passes


def test_everyone_answering_yes_in_a_15_person_cell_is_masked() -> None:
    assert primary(even(15, numerator=15)) == Decision("x", ("attribute",))
    assert primary(even(15, numerator=0)) == Decision("x", ("attribute",))
    assert primary(even(15, numerator=14)).status == "ok"


def test_a_unanimous_answer_from_30_people_is_a_group_result_and_published() -> None:
    assert primary(even(29, numerator=29)).status == "x"
    assert primary(even(30, numerator=30)).status == "ok"


def test_a_cell_breaking_several_rules_says_so() -> None:
    assert primary(Cell(4, {"a": 4}, 4)).reasons == ("frequency", "establishments", "dominance", "attribute")


def test_reliability_flags_become_statuses_and_empty_cells_are_not_published() -> None:
    assert primary(even(40, flag="E")).status == "E"
    assert primary(even(40, flag="F")).status == "F"
    assert primary(Cell(0)).status == "-"


def test_bad_cells_and_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="contributions sum"):
        Cell(12, {"a": 5, "b": 5})
    with pytest.raises(ValueError, match="numerator"):
        Cell(12, {"a": 12}, 13)
    with pytest.raises(ValueError, match="flag"):
        Cell(12, {"a": 12}, flag="X")
    with pytest.raises(ValueError, match="dominance"):
        DisclosureRules(dominance=1.5)


# --- Secondary suppression, by hand -----------------------------------------------------------------------------


def grid(values: list[list[int]]) -> dict[Key, Cell]:
    interior = {}
    for r, row in enumerate(values):
        for c, n in enumerate(row):
            interior[(f"r{r}", f"c{c}")] = even(n, numerator=n // 2)
    return with_margins(interior)


def test_one_small_cell_takes_its_smallest_neighbours_in_its_row_and_column_and_closes_the_rectangle() -> None:
    table = grid(
        [
            [5, 30, 25, 40],
            [50, 60, 70, 80],
            [35, 90, 45, 55],
        ]
    )
    decisions = protect(table)
    assert decisions[("r0", "c0")] == Decision("x", ("frequency",))
    assert masked(decisions) == {("r0", "c0"), ("r0", "c2"), ("r2", "c0"), ("r2", "c2")}
    assert all(decisions[key].status == "x" for key in masked(decisions) - {("r0", "c0")})
    assert all(decisions[key].status == "ok" for key in table if TOTAL in key)  # margins all published
    assert_protected(table, decisions)


def test_in_one_dimension_two_small_cells_that_add_up_to_less_than_11_take_a_third() -> None:
    table = with_margins({(k,): even(n, numerator=n // 2) for k, n in {"a": 4, "b": 5, "c": 20, "d": 30}.items()})
    decisions = protect(table)
    assert masked(decisions) == {("a",), ("b",), ("c",)}
    assert decisions[("",)].status == "ok"
    exposures = audit(table, decisions)
    assert exposures[("a",)].respondents == (1, 27)  # a + b + c = 29, b and c at least 1


def test_masked_cells_of_a_line_must_not_be_one_establishment_together() -> None:
    interior = {
        ("a",): Cell(12, {"e1": 12}, 6),  # establishments, dominance
        ("b",): Cell(12, {"e1": 12}, 6),  # same establishment: together still one establishment
        ("c",): even(20, "xyz", numerator=10),
        ("d",): even(40, "xyz", numerator=20),
    }
    decisions = protect(with_margins(interior))
    assert masked(decisions) == {("a",), ("b",), ("c",)}


def test_two_unanimous_masked_cells_of_a_row_would_tell_their_answer_so_another_cell_is_masked() -> None:
    interior = {
        ("a",): even(12, numerator=12),  # everyone "yes"
        ("b",): even(14, numerator=14),  # everyone "yes"
        ("c",): even(40, numerator=30),
    }
    table = with_margins(interior)
    decisions = protect(table)
    assert masked(decisions) == {("a",), ("b",), ("c",)}
    assert audit(table, decisions)[("a",)].others == (0, 10)


def test_a_masked_cell_whose_answer_a_published_margin_already_tells_is_protected() -> None:
    # region r0: 40 people who all answered "no" (a group result, published); its small cell cannot hide it
    table = with_margins(
        {
            ("r0", "c0"): even(5, numerator=0),
            ("r0", "c1"): even(35, numerator=0),
            ("r1", "c0"): even(30, numerator=10),
            ("r1", "c1"): even(40, numerator=20),
        }
    )
    decisions = protect(table)
    assert decisions[("r0", TOTAL)].status == "ok"
    exposure = audit(table, decisions)[("r0", "c0")]
    assert exposure.numerator == (0, 0)
    assert exposure.protected


def test_a_small_row_whose_cells_are_all_small_masks_its_total_rather_than_tell_they_are_small() -> None:
    # total 11 = 3 + 8: both masked, each at most 10, which proves them small: the total goes too
    table = with_margins({("a",): even(3, numerator=1), ("b",): even(8, numerator=4)})
    decisions = protect(table)
    assert masked(decisions) == set(table)
    assert_protected(table, decisions)


def test_a_dominance_cell_must_not_be_provably_dominated() -> None:
    interior = {
        ("a",): Cell(100, {"e1": 86, "e2": 7, "e3": 7}),
        ("b",): even(2),
        ("c",): even(200),
    }
    table = with_margins(interior)
    decisions = protect(table)
    assert decisions[("a",)] == Decision("x", ("dominance",))
    exposure = audit(table, decisions)[("a",)]
    assert exposure.required == 102  # 86 / 102 <= 85 % < 86 / 101
    assert exposure.respondents == (1, 300)  # 302 in all, b and c at least 1 each
    # a and b alone: a + b = 102 and b >= 1, so a <= 101: provably dominated, hence c too
    assert masked(decisions) == {("a",), ("b",), ("c",)}
    without_c = {**decisions, ("c",): Decision("ok")}
    assert audit(table, without_c)[("a",)].problems == ("respondents are at most 101, under the required 102",)


def test_empty_cells_are_neither_published_nor_masks() -> None:
    table = grid([[5, 0, 30], [40, 50, 60]])
    decisions = protect(table)
    assert decisions[("r0", "c1")] == Decision("-")
    assert ("r0", "c1") not in audit(table, decisions)
    assert_protected(table, decisions)


def test_unreliable_cells_are_preferred_as_complements_but_do_not_protect_when_published() -> None:
    interior = {
        ("a",): even(5, numerator=2),
        ("b",): even(20, numerator=10),
        ("c",): even(25, numerator=10, flag="F"),
        ("d",): even(40, numerator=10),
    }
    decisions = protect(with_margins(interior))
    assert masked(decisions) == {("a",), ("c",)}  # c's estimate was not shown anyway
    only_primary = {key: primary(cell) for key, cell in with_margins(interior).items()}
    assert only_primary[("c",)].status == "F"
    with pytest.raises(DisclosureError, match="rebuilt exactly"):
        assert_protected(with_margins(interior), only_primary)


def test_a_table_that_does_not_add_up_is_refused() -> None:
    table = with_margins({("a",): even(20), ("b",): even(30)})
    table[("",)] = even(49)
    with pytest.raises(ValueError, match="hold 50 respondents, their margin 49"):
        protect(table)


def test_problems_lists_a_published_cell_that_breaks_a_rule() -> None:
    table = with_margins({("a",): even(5), ("b",): even(30)})
    decisions = {key: Decision("ok") for key in table}
    assert problems(table, decisions) == ["('a',): published but breaks frequency"]


# --- Secondary suppression, on adversarial tables ---------------------------------------------------------------

SIZES = [0, 0, 1, 2, 4, 6, 9, 11, 12, 15, 25, 40, 80]


@st.composite
def tables(draw: st.DrawFn, shape: tuple[int, ...], proportions: bool = True) -> dict[Key, Cell]:
    interior: dict[Key, Cell] = {}
    axes = [[f"{'rtu'[d]}{i}" for i in range(size)] for d, size in enumerate(shape)]
    for key in itertools.product(*axes):
        n = draw(st.sampled_from(SIZES))
        if n == 0:
            interior[key] = Cell(0, {}, 0 if proportions else None)
            continue
        establishments = draw(st.lists(st.sampled_from("abcde"), min_size=1, max_size=3, unique=True))
        cuts = sorted(draw(st.lists(st.integers(0, n), min_size=len(establishments) - 1)))[: len(establishments) - 1]
        cuts += [n] * (len(establishments) - 1 - len(cuts))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
        contributions = {e: k for e, k in zip(establishments, parts, strict=True) if k}
        numerator = draw(st.sampled_from([0, n, n // 3])) if proportions else None
        interior[key] = Cell(n, contributions, numerator, draw(st.sampled_from(["", "", "E", "F"])))
    return with_margins(interior)


def lines_of(table: Mapping[Key, Cell]) -> list[tuple[Key, list[Key]]]:
    result = []
    for margin in table:
        for d, coordinate in enumerate(margin):
            if coordinate == TOTAL:
                members = [k for k in table if k[d] != TOTAL and k[:d] + k[d + 1 :] == margin[:d] + margin[d + 1 :]]
                if members:
                    result.append((margin, members))
    return result


def independent_intervals(
    table: Mapping[Key, Cell], decisions: Mapping[Key, Decision], part: str
) -> dict[Key, tuple[float, float]]:
    """An attacker written apart from the module: one continuous variable per cell of the table, published and
    empty cells fixed, masked cells at least 1 respondent, every line adding up (``linprog``)."""

    def value(cell: Cell) -> int:
        if part == "respondents":
            return cell.respondents
        numerator = cell.numerator or 0
        return numerator if part == "numerator" else cell.respondents - numerator

    keys = sorted(table)
    index = {key: i for i, key in enumerate(keys)}
    rows = []
    for margin, members in lines_of(table):
        row = np.zeros(len(keys))
        row[index[margin]] -= 1
        for member in members:
            row[index[member]] += 1
        rows.append(row)
    low_floor = 1 if part == "respondents" else 0
    bounds = [(low_floor, None) if decisions[key].masked else (value(table[key]), value(table[key])) for key in keys]
    result = {}
    for key in keys:
        if not decisions[key].masked:
            continue
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(keys))
            objective[index[key]] = sign
            solved = linprog(objective, A_eq=np.array(rows), b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
            ends.append(np.inf if solved.status == 3 else sign * solved.fun)
        result[key] = (ends[0], ends[1])
    return result


def check_protected(table: dict[Key, Cell], proportions: bool = True) -> None:
    decisions = protect(table)
    assert set(decisions) == set(table)
    for key, cell in table.items():
        decision = decisions[key]
        if cell.respondents == 0:
            assert decision.status == "-"
            continue
        if decision.published:
            assert cell.respondents >= 11
            assert sum(1 for n in cell.contributions.values() if n) >= 3
            assert max(cell.contributions.values()) <= 0.85 * cell.respondents
            assert not (cell.numerator in (0, cell.respondents) and cell.respondents < 30)
            assert decision.status == {"": "ok", "E": "E", "F": "F"}[cell.flag]
    for margin, members in lines_of(table):
        hidden = [k for k in [margin, *members] if decisions[k].masked]
        assert len(hidden) != 1, (margin, hidden)
    exposures = audit(table, decisions)
    assert set(exposures) == masked(decisions)
    for key, exposure in exposures.items():
        assert exposure.protected, (key, exposure)
        low, high = exposure.respondents
        assert low <= table[key].respondents <= high and low < high
        if "frequency" in decisions[key].reasons:
            assert high >= 11
    for part in ("respondents", "numerator", "others") if proportions else ("respondents",):
        for key, (low, high) in independent_intervals(table, decisions, part).items():
            if low == high:  # only allowed when a published margin shows that whole group answered alike
                assert part != "respondents" and low == 0, (key, part)
                assert exposures[key].protected


@FAST
@given(tables((6,)))
def test_one_dimension_no_masked_value_can_be_rebuilt(table: dict[Key, Cell]) -> None:
    check_protected(table)


@FAST
@given(st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(tables))
def test_two_dimensions_no_masked_value_can_be_rebuilt(table: dict[Key, Cell]) -> None:
    check_protected(table)


@FAST
@given(st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(lambda shape: tables(shape, proportions=False)))
def test_two_dimensions_of_counts_no_masked_value_can_be_rebuilt(table: dict[Key, Cell]) -> None:
    check_protected(table, proportions=False)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(tables((2, 2, 3)))
def test_three_dimensions_no_masked_value_can_be_rebuilt(table: dict[Key, Cell]) -> None:
    check_protected(table)


def _verdicts(table: dict[Key, Cell], decisions: Mapping[Key, Decision], quick: bool) -> dict[Key, bool]:
    return {key: exposure.protected for key, exposure in audit(table, decisions, quick=quick).items()}


@FAST
@given(st.tuples(st.integers(1, 6), st.integers(0, 4)).flatmap(lambda shape: tables(tuple(s for s in shape if s))))
def test_the_quick_audit_gives_the_full_audits_verdict_on_every_cell(table: dict[Key, Cell]) -> None:
    """problems() runs the quick audit: on primary masks only (often unprotected) and on protect's result, every
    cell's verdict is the full audit's, and so is whether problems() finds anything."""
    for decisions in ({key: primary(cell) for key, cell in table.items()}, protect(table)):
        full = _verdicts(table, decisions, quick=False)
        assert _verdicts(table, decisions, quick=True) == full
        assert bool(problems(table, decisions)) == (not all(full.values()))
    assert problems(table, protect(table)) == []


# --- What may be shown ------------------------------------------------------------------------------------------


def test_counts_are_rounded_to_5() -> None:
    assert [round_count(n) for n in (0, 2, 3, 11, 12, 13, 15, 17, 18, 1234)] == [0, 0, 5, 10, 10, 15, 15, 15, 20, 1235]
    assert round_count(15, 10) == 20 and round_count(14, 10) == 10
    with pytest.raises(ValueError, match="base"):
        round_count(3, 0)


ESTIMATE = Estimate("proportion", 42.0, 123, interval=Interval(33.0, 51.0, 0.95, "wilson"), flag="E")


def test_a_published_estimate_shows_its_value_interval_and_rounded_count() -> None:
    shown = published(ESTIMATE, Decision("E"))
    assert (shown.status, shown.value, shown.low, shown.high, shown.respondents) == ("E", 42.0, 33.0, 51.0, 125)
    assert published_value(ESTIMATE, Decision("ok")) == 42.0


def test_an_unreliable_estimate_shows_its_count_only_and_a_masked_one_nothing() -> None:
    assert published(ESTIMATE, Decision("F")).value is None
    assert published(ESTIMATE, Decision("F")).respondents == 125
    hidden = published(ESTIMATE, Decision("x", ("frequency",)))
    assert (hidden.value, hidden.low, hidden.respondents) == (None, None, None)
    assert published_value(ESTIMATE, Decision("F")) is None
    assert published_value(ESTIMATE, Decision("x", ("secondary",))) is None
