"""The difference of two independent estimates (socle.lib.measurement.compare) against scipy, to 1e-9."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from socle.lib.measurement.compare import Difference, difference, is_real

GRID = [
    (50.0, 7.9, 75.0, 6.8, 0.95),
    (12.5, 0.4, 12.1, 0.3, 0.90),
    (0.0, 0.0, 0.0, 0.0, 0.95),
    (61.2, 3.3, 48.0, 2.1, 0.99),
    (-4.0, 1.0, 3.5, 2.5, 0.95),
]


@pytest.mark.parametrize(("a", "se_a", "b", "se_b", "level"), GRID)
def test_the_interval_is_the_normal_interval_of_the_difference_as_scipy_computes_it(
    a: float, se_a: float, b: float, se_b: float, level: float
) -> None:
    result = difference(a, se_a, b, se_b, level=level)
    se = math.sqrt(se_a**2 + se_b**2)
    assert result.value == pytest.approx(b - a, abs=1e-9)
    assert result.standard_error == pytest.approx(se, abs=1e-9)
    if se > 0:
        low, high = stats.norm.interval(level, loc=b - a, scale=se)
    else:
        low = high = b - a
    assert result.low == pytest.approx(low, abs=1e-9)
    assert result.high == pytest.approx(high, abs=1e-9)
    assert result.level == level


def test_the_interval_matches_a_two_sample_z_test_of_two_proportions() -> None:
    """Two independent proportions, 20/40 then 30/40: the interval excludes 0 exactly when the two-sided
    unpooled z test rejects at 5 %."""
    p1, p2, n = 0.5, 0.75, 40
    se1, se2 = math.sqrt(p1 * (1 - p1) / n), math.sqrt(p2 * (1 - p2) / n)
    result = difference(p1, se1, p2, se2)
    z = (p2 - p1) / math.hypot(se1, se2)
    p_value = 2 * stats.norm.sf(abs(z))
    assert result.excludes_zero == (p_value < 0.05)
    assert result.excludes_zero


def test_without_a_standard_error_only_the_difference_is_known() -> None:
    result = difference(10.0, None, 14.0, 1.0)
    assert result == Difference(4.0, None, None, None, 0.95)
    assert not result.excludes_zero


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="se_a"):
        difference(1.0, -1.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="value_b"):
        difference(1.0, 1.0, math.nan, 1.0)
    with pytest.raises(ValueError, match="level"):
        difference(1.0, 1.0, 2.0, 1.0, level=1.5)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
errors = st.floats(min_value=0, max_value=1e4, allow_nan=False)


@settings(max_examples=100, derandomize=True)
@given(finite, errors, finite, errors)
def test_swapping_the_campaigns_mirrors_the_difference(a: float, se_a: float, b: float, se_b: float) -> None:
    forward, backward = difference(a, se_a, b, se_b), difference(b, se_b, a, se_a)
    assert forward.value == -backward.value
    assert forward.standard_error == backward.standard_error
    assert forward.low is not None and backward.high is not None
    assert forward.low == pytest.approx(-backward.high, abs=1e-6)
    assert is_real(forward) == is_real(backward)
