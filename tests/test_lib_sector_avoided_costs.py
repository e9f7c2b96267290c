"""Avoided public costs (socle.lib.sector.avoided_costs, METHODS.md §5): gross cost, SROI adjustments, a
low/central/high range, indexation to consumer prices, inputs checked, and the shipped starting data."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.sector.avoided_costs import (
    ILLUSTRATIVE,
    UNITS,
    Adjustments,
    CostMapping,
    Scenarios,
    UnitCost,
    avoided_cost,
    consumer_price_index,
    consumer_prices,
    indexed,
    starting_unit_costs,
    total,
)

D = Decimal
CPI = {2019: D("104"), 2020: D("104.5"), 2024: D("120")}
HOTEL = UnitCost("hotel_night", "Nuitée d'hôtel", D("100"), "night", 2024, "test source")
NIGHTS = CostMapping("exits_to_housing", "hotel_night", D("1"), "one night avoided per outcome")
BASE = Adjustments(D("0.2"), D("0.1"), D("0"), D("0.1"), D("0.035"), 2)


def test_ten_outcomes_at_100_euros_over_two_years_by_hand() -> None:
    result = avoided_cost(10, 10, 10, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024)
    # year 1: 10 * 100 * 0.8 * 0.9 * 1 = 720, discounted once: 720 / 1.035 = 695.652...
    # year 2: 720 * (1 - 0.1) = 648, discounted twice: 648 / 1.035² = 604.9149...
    assert result.gross_central == D("1000.00")
    assert [flow.central for flow in result.per_year] == [D("695.65"), D("604.91")]
    assert result.central == result.low == result.high == D("1300.57")
    assert result.label == ILLUSTRATIVE and result.illustrative


def test_a_comparison_group_removes_the_illustrative_label_and_total_keeps_it_if_any_part_lacks_one() -> None:
    measured = avoided_cost(1, 2, 3, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024, comparison_group=True)
    assert measured.label == "" and not measured.illustrative
    illustrative = avoided_cost(1, 2, 3, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024)
    assert total([measured, measured]).label == ""
    assert total([measured, illustrative]).label == ILLUSTRATIVE


def test_the_range_comes_from_outcomes_unit_cost_and_adjustments() -> None:
    cost = UnitCost("ed", "Urgences", D("161.50"), "visit", 2024, "Cour des comptes", high=D("227"))
    mapping = CostMapping("ed_visits", "ed", D("2"))
    scenarios = Scenarios(
        low=Adjustments(D("0.5"), D("0.3"), D("0.1"), D("0.5"), D("0.05"), 1),
        central=BASE,
        high=Adjustments(D("0"), D("0"), D("0"), D("0"), D("0"), 3),
    )
    result = avoided_cost(8, 10, 12, cost, mapping, scenarios, cpi=CPI, year=2024)
    assert result.low == D("8") * 2 * D("161.50") * D("0.5") * D("0.7") * D("0.9") / D("1.05")  # 777.24 exactly
    assert result.gross_high == D("12") * 2 * 227
    assert result.high == 3 * result.gross_high  # nothing deducted, nothing discounted, three years
    assert [flow.year for flow in result.per_year] == [1, 2, 3]
    assert result.per_year[2].low == 0  # the low scenario stops after one year
    basis = result.bases[0]
    assert basis.unit_cost.source == "Cour des comptes" and basis.outcomes == (8, 10, 12)


shares = st.decimals(min_value=0, max_value=1, places=3)


@st.composite
def ordered_scenarios(draw: st.DrawFn) -> Scenarios:
    columns = [sorted(draw(st.lists(shares, min_size=3, max_size=3)), reverse=True) for _ in range(5)]
    years = sorted(draw(st.lists(st.integers(1, 10), min_size=3, max_size=3)))
    low, central, high = (Adjustments(*(column[i] for column in columns), years=years[i]) for i in range(3))
    return Scenarios(low, central, high)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.decimals(min_value=0, max_value=10_000, places=1), min_size=3, max_size=3).map(sorted),
    st.lists(st.decimals(min_value=1, max_value=100_000, places=2), min_size=3, max_size=3).map(sorted),
    ordered_scenarios(),
    st.decimals(min_value=D("0.1"), max_value=500, places=1),
)
def test_low_is_never_above_central_nor_central_above_high(
    outcomes: list[Decimal], costs: list[Decimal], scenarios: Scenarios, quantity: Decimal
) -> None:
    cost = UnitCost("c", "c", costs[1], "day", 2019, "s", low=costs[0], high=costs[2])
    mapping = CostMapping("i", "c", quantity)
    result = avoided_cost(*outcomes, cost, mapping, scenarios, cpi=CPI, year=2024)
    assert 0 <= result.low <= result.central <= result.high
    assert result.gross_low <= result.gross_central <= result.gross_high
    assert result.central <= result.gross_central * scenarios.central.years  # adjustments never add value
    assert abs(sum(flow.central for flow in result.per_year) - result.central) <= D("0.01") * len(result.per_year)


def test_indexation_both_ways() -> None:
    cost_2019 = UnitCost("x", "x", D("104"), "day", 2019, "s")
    assert indexed(cost_2019, 2024, CPI) == D("120")
    cost_2024 = UnitCost("x", "x", D("120"), "day", 2024, "s")
    assert indexed(cost_2024, 2019, CPI) == D("104")
    assert indexed(cost_2024, 2024, {}) == D("120")  # same year: no index needed


def test_a_missing_index_year_is_named() -> None:
    with pytest.raises(ValueError, match="no value for 2013 \\(it covers 2019-2024\\): x"):
        indexed(UnitCost("x", "x", D("106"), "day", 2013, "s"), 2024, CPI)


def test_the_range_is_in_euros_of_the_year_asked() -> None:
    cost_2019 = UnitCost("hotel_night", "x", D("104"), "night", 2019, "s")
    result = avoided_cost(1, 1, 1, cost_2019, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024)
    assert result.gross_central == D("120.00")
    assert result.bases[0].indexed_cost == (D("120"), D("120"), D("120"))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Adjustments(D("1.2"), D("0"), D("0"), D("0"), D("0"), 1), "adjustments.deadweight"),
        (lambda: Adjustments(D("0"), D("-0.1"), D("0"), D("0"), D("0"), 1), "adjustments.attribution"),
        (lambda: Adjustments(D("0"), D("0"), D("2"), D("0"), D("0"), 1), "adjustments.displacement"),
        (lambda: Adjustments(D("0"), D("0"), D("0"), D("1.5"), D("0"), 1), "adjustments.drop_off"),
        (lambda: Adjustments(D("0"), D("0"), D("0"), D("0"), D("-0.01"), 1), "adjustments.discount_rate"),
        (lambda: Adjustments(D("0"), D("0"), D("0"), D("0"), D("0"), 0), "adjustments.years"),
        (lambda: Adjustments("abc", D("0"), D("0"), D("0"), D("0"), 1), "adjustments.deadweight"),  # type: ignore[arg-type]
        (lambda: UnitCost("x", "x", D("0"), "day", 2020, "s"), "unit_cost.value"),
        (lambda: UnitCost("x", "x", D("-5"), "day", 2020, "s"), "unit_cost.value"),
        (lambda: UnitCost("x", "x", D("5"), "fortnight", 2020, "s"), "unit_cost.unit"),
        (lambda: UnitCost("x", "x", D("5"), "day", 20, "s"), "unit_cost.year"),
        (lambda: UnitCost("x", "x", D("5"), "day", 2020, " "), "unit_cost.source"),
        (lambda: UnitCost("x", "x", D("5"), "day", 2020, "s", high=D("4")), "unit_cost.high"),
        (lambda: CostMapping("i", "x", D("0")), "mapping.quantity"),
        (lambda: Scenarios(BASE, replace(BASE, deadweight=D("0.5")), BASE), "scenarios.low.deadweight"),
        (lambda: Scenarios(BASE, BASE, replace(BASE, discount_rate=D("0.04"))), "scenarios.central.discount_rate"),
        (lambda: Scenarios(replace(BASE, years=3), BASE, BASE), "scenarios.low.years"),
        (lambda: avoided_cost(5, 4, 6, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024), "outcomes"),
        (lambda: avoided_cost(-1, 4, 6, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024), "outcomes_low"),
        (
            lambda: avoided_cost(
                1, 1, 1, HOTEL, CostMapping("i", "prison_day", D("1")), Scenarios.single(BASE), cpi=CPI, year=2024
            ),
            "mapping.unit_cost",
        ),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        build()


def test_ranges_in_euros_of_different_years_are_not_added() -> None:
    a = avoided_cost(1, 1, 1, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2024)
    b = avoided_cost(1, 1, 1, HOTEL, NIGHTS, Scenarios.single(BASE), cpi=CPI, year=2019)
    with pytest.raises(ValueError, match="different years"):
        total([a, b])
    both = total([a, a])
    assert both.central == 2 * a.central and both.per_year[1].central == 2 * a.per_year[1].central
    assert len(both.bases) == 2


# --- Shipped data -----------------------------------------------------------------------------------------------


def test_the_starting_unit_costs_load_and_every_row_has_its_source_and_year() -> None:
    costs = starting_unit_costs()
    assert len(costs) >= 10
    assert len({cost.code for cost in costs}) == len(costs)
    for cost in costs:
        assert cost.source.strip() and 2000 <= cost.year <= 2025
        assert cost.value > 0 and cost.unit in UNITS and cost.label and cost.label_en
    by_code = {cost.code: cost for cost in costs}
    assert by_code["rsa_single_month"].value == D("646.52") and by_code["rsa_single_month"].year == 2025
    assert by_code["prison_day"].value == D("106") and by_code["prison_day"].year == 2013
    assert by_code["hotel_night_115_paris"].verify
    assert by_code["emergency_visit"].high == D("227")


def test_the_consumer_price_index_loads_with_base_2015_and_its_doubts() -> None:
    index = consumer_price_index()
    assert index.values[2015] == 100
    assert set(range(2010, 2026)) <= set(index.values)
    assert all(index.values[y] < index.values[y + 1] for y in range(2015, 2025))
    assert "INSEE" in index.source and "2015" in index.base
    assert 2015 not in index.verify and 2024 in index.verify
    assert consumer_prices() == dict(index.values)


def test_every_starting_unit_cost_can_be_indexed_to_2025() -> None:
    prices = consumer_prices()
    for cost in starting_unit_costs():
        assert indexed(cost, 2025, prices) >= cost.value
