"""The impact pages' framework-free parts: which figures the public may see, and the SVG drawings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socle.lib.impact.public import PUBLIC_RULES, public_count, public_figure, public_rate
from socle.lib.impact.svg import TrendPoint, badge, trend_chart
from socle.lib.measurement.estimate import Estimate, Interval


def proportion(n: int, numerator: int, flag: str = "") -> Estimate:
    value = 100 * numerator / n if n else None
    return Estimate("proportion", value, n, Interval(1.0, 99.0, 0.95, "wilson"), flag=flag)


def test_a_figure_from_fewer_than_11_people_shows_neither_value_nor_n() -> None:
    shown = public_figure(proportion(10, 4), 4)
    assert shown.status == "x" and "frequency" in shown.reasons
    assert shown.value is None and shown.low is None and shown.n is None
    assert public_figure(proportion(11, 4), 4).shown


def test_a_unanimous_answer_of_fewer_than_30_people_is_masked_and_of_30_shown() -> None:
    for numerator in (0, 20):
        assert public_figure(proportion(20, numerator), numerator).status == "x"
    assert public_figure(proportion(30, 30), 30).shown
    assert public_figure(proportion(20, 19), 19).shown


def test_reliability_flags_carry_through() -> None:
    fragile = public_figure(proportion(40, 10, flag="E"), 10)
    assert fragile.shown and fragile.fragile
    unreliable = public_figure(proportion(40, 10, flag="F"), 10)
    assert unreliable.status == "F" and unreliable.value is None and unreliable.n == 40


def test_a_mean_has_no_attribute_rule_and_an_empty_cell_shows_nothing() -> None:
    mean = Estimate("mean", 3.2, 12, Interval(2.9, 3.5, 0.95, "t"))
    assert public_figure(mean, None).value == 3.2
    assert public_figure(Estimate("proportion", None, 0), 0).status == "-"
    with pytest.raises(ValueError, match="numerator"):
        public_figure(proportion(12, 3), 13)


@given(n=st.integers(0, 80), share=st.floats(0, 1), flag=st.sampled_from(["", "E", "F"]))
def test_no_shown_figure_breaks_the_rules(n: int, share: float, flag: str) -> None:
    numerator = round(n * share)
    shown = public_figure(proportion(n, numerator, flag), numerator)
    if shown.value is not None or shown.n is not None:
        assert n >= PUBLIC_RULES.min_respondents
    if shown.value is not None:
        assert flag != "F"
        assert not (numerator in (0, n) and n <= PUBLIC_RULES.attribute_max)


def test_activity_counts_and_rates() -> None:
    assert public_count(7, people=True).value is None and public_count(7, people=True).below == 11
    assert public_count(0, people=True).value == 0
    assert public_count(7, people=False).value == 7
    assert public_count(120, people=True).value == 120
    assert public_rate(30.0, Decimal(3), Decimal(10)).value is None  # 3 of 10 exits
    assert public_rate(0.0, Decimal(0), Decimal(20)).value is None  # nobody of 20: unanimous
    assert public_rate(25.0, Decimal(5), Decimal(20)).value == 25.0
    assert public_rate(82.5, Decimal("330"), Decimal("400.5")).value == 82.5  # not counts of people


def test_badge_and_chart_are_valid_svg_with_their_texts_escaped() -> None:
    drawn = badge("82 %", 'des personnes <accompagnées> & "suivies"')
    root = ET.fromstring(drawn)
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert "82 %" in "".join(root.itertext()) and "<accompagnées>" in "".join(root.itertext())
    chart = trend_chart(
        [TrendPoint("2024", 40.0, 30.0, 50.0), TrendPoint("2025", None), TrendPoint("<b>", 60.0)],
        title="Accès",
        maximum=100.0,
        unit=" %",
    )
    texts = "".join(ET.fromstring(chart).itertext())
    assert "40 %" in texts and "60 %" in texts and "<b>" in texts and "–" in texts
    with pytest.raises(ValueError, match="at least one"):
        trend_chart([], title="x")
