"""From statistics to an estimate: value, interval, share of "don't know", reliability and masking.

:func:`estimate_stats` treats the respondents of a record as a simple random sample — right for one establishment,
and for one organisation as a first approximation (across establishments, use :mod:`.cluster`, which treats the
establishment as the cluster). Every division is done on exact fractions, and only the results are floats.

- **proportion**: ``p = numerator / n``, * ``factor``; **Wilson** score interval (Wilson 1927; Brown, Cai &
  DasGupta 2001), closed form, the same as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``:
  ``(x + z²/2) / (n + z²) ± z / (n + z²) · √(x(n - x)/n + z²/4)``, ``z`` the normal quantile at ``1 - alpha/2``;
  standard error ``√(p(1 - p)/n)`` (for the coefficient of variation only).
- **mean**: ``total / n`` * ``factor``; sample variance ``s² = (Σv² - (Σv)²/n) / (n - 1)``, computed exactly;
  **t** interval ``mean ± t(n - 1, 1 - alpha/2) · s/√n`` (none when ``n < 2``).
- **count**: ``total * factor``; no interval (a count of what was collected is not a sample estimate).
- **ratio** (activity): ``numerator / denominator`` * ``factor``; no interval for one establishment (activity
  data is a census of what happened there); across establishments :mod:`.cluster` gives the linearised one.
- **evolution**: the headline ``value`` is the **share of pairs who improved** * ``factor`` (a proportion, Wilson
  interval); :attr:`Estimate.change` holds the **mean change** (to - from) in the value's own unit, never
  multiplied by ``factor``, with its t interval over the pairs (the paired t interval).

Whatever the kind:

- ``dont_know_share`` = don't know / (n + don't know), None when both are 0;
- ``fragile``: n below :data:`FRAGILE_N` (30): the interval is wide and the estimate moves a lot from one
  campaign to the next; 30 is also Statistics Canada's minimum effective sample size (flag "F" below), so a
  fragile estimate at one establishment is exactly one flagged F;
- ``masked``: fewer than :data:`MIN_CELL` (5) respondents behind a value drawn from answers (for counts, a count
  of 1 to 4 people): the value must not be shown, lest it tell what identifiable people answered. Activity data
  (an establishment's own figures) is never masked. :meth:`Estimate.redacted` blanks what must not be shown;
- ``cv`` (coefficient of variation, standard error / |value|) and ``flag`` (:func:`reliability_flag`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Final

from scipy import special  # type: ignore[import-untyped]

from .compute import Indicator
from .stats import CountStats, EvolutionStats, MeanStats, ProportionStats, RatioStats, Stats

__all__ = [
    "CONFIDENCE",
    "CV_ACCEPTABLE",
    "CV_USE_WITH_CAUTION",
    "FRAGILE_N",
    "MIN_CELL",
    "MIN_EFFECTIVE_N",
    "Estimate",
    "Interval",
    "estimate_indicator",
    "estimate_stats",
    "normal_quantile",
    "reliability_flag",
    "sample_variance",
    "student_quantile",
    "t_interval",
    "wilson_interval",
]

CONFIDENCE: Final = 0.95
FRAGILE_N: Final = 30  # below this many respondents an estimate is fragile
MIN_CELL: Final = 5  # fewer respondents than this behind a value: masked (disclosure control)
MIN_EFFECTIVE_N: Final = 30  # Statistics Canada: an effective sample below this is not published ("F")
CV_ACCEPTABLE: Final = Decimal("16.5")  # CV in %, rounded to one decimal: up to this, publish
CV_USE_WITH_CAUTION: Final = Decimal("33.3")  # up to this, publish marked "E"; beyond, "F"


@dataclass(frozen=True)
class Interval:
    """A confidence interval: ``low`` and ``high`` (already * factor), its ``level`` and ``method``
    (``wilson``, ``t``, ``korn-graubard``, ``t-linearised``)."""

    low: float
    high: float
    level: float
    method: str


@dataclass(frozen=True)
class Estimate:
    """An indicator's estimate for one group (a cell of a dashboard). See the module docstring.

    ``n``: respondents in the denominator (proportion, mean), counted (count), pairs (evolution) or reports
    (ratio). ``value``, ``interval`` and ``standard_error`` are multiplied by the indicator's factor (except
    :attr:`change`); ``value`` is None when nothing allows it (n = 0, a denominator of 0). ``clusters``,
    ``design_effect`` and ``effective_n`` are set by :mod:`.cluster` (``effective_n`` is ``n`` here).
    """

    kind: str
    value: float | None
    n: int
    interval: Interval | None = None
    standard_error: float | None = None
    dont_know: int = 0
    dont_know_share: float | None = None
    cv: float | None = None
    flag: str = ""
    fragile: bool = False
    masked: bool = False
    clusters: int | None = None
    design_effect: float | None = None
    effective_n: float | None = None
    change: Estimate | None = None

    def redacted(self) -> Estimate:
        """This estimate as it may be shown: when masked, without value, interval, standard error, coefficient
        of variation, "don't know" counts or change."""
        if not self.masked:
            return self
        return replace(
            self,
            value=None,
            interval=None,
            standard_error=None,
            dont_know=0,
            dont_know_share=None,
            cv=None,
            change=None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


# --- Quantiles and intervals ------------------------------------------------------------------------------------


def _alpha(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"a confidence level is between 0 and 1, got {level!r}")
    return 1 - level


def normal_quantile(level: float) -> float:
    """``z`` such that a normal variable lies within ±z with probability ``level`` (1.959964 for 0.95)."""
    return float(special.ndtri(1 - _alpha(level) / 2))


def student_quantile(level: float, df: float) -> float:
    """The two-sided Student quantile ``t(df, 1 - alpha/2)``, as ``scipy.stats.t.ppf``."""
    return float(special.stdtrit(df, 1 - _alpha(level) / 2))


def wilson_interval(successes: int, n: int, level: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` (n > 0), within [0, 1]."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes} of {n}")
    z = normal_quantile(level)
    z2 = z * z
    centre = (successes + z2 / 2) / (n + z2)
    half = z / (n + z2) * math.sqrt(successes * (n - successes) / n + z2 / 4)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def t_interval(mean: float, variance_of_mean: float, df: float, level: float = CONFIDENCE) -> tuple[float, float]:
    """``mean ± t(df, 1 - alpha/2) · √variance_of_mean``."""
    half = student_quantile(level, df) * math.sqrt(variance_of_mean)
    return mean - half, mean + half


def reliability_flag(cv: float | None, effective_n: float | None) -> str:
    """Statistics Canada's quality flag: ``"F"`` when the effective sample is below :data:`MIN_EFFECTIVE_N` or the
    coefficient of variation above 33.3 %, ``"E"`` (use with caution) above 16.5 %, else ``""``.

    The CV is compared in percent rounded half up to one decimal, as the published tables read (16.5 is
    acceptable, 16.6 is E, 33.3 is E, 33.4 is F). An unknown CV (a value of 0, or no standard error, as for
    activity data at one establishment) leaves only the effective-n rule.
    """
    if effective_n is not None and effective_n < MIN_EFFECTIVE_N:
        return "F"
    if cv is None or not math.isfinite(cv):
        return "" if cv is None else "F"
    percent = Decimal(repr(abs(float(cv)) * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if percent > CV_USE_WITH_CAUTION:
        return "F"
    if percent > CV_ACCEPTABLE:
        return "E"
    return ""


# --- Helpers ----------------------------------------------------------------------------------------------------


def _float(value: Fraction) -> float:
    return float(value)


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def _scaled(interval: tuple[float, float], factor: float, level: float, method: str) -> Interval:
    low, high = interval[0] * factor, interval[1] * factor
    return Interval(min(low, high), max(low, high), level, method)


def _cv(standard_error: float | None, value: float | None) -> float | None:
    if standard_error is None or value is None or value == 0:
        return None
    return standard_error / abs(value)


def sample_variance(n: int, total: Decimal, sum_squares: Decimal) -> Fraction | None:
    """The unbiased sample variance ``(Σv² - (Σv)²/n) / (n - 1)``, exactly; None when n < 2."""
    if n < 2:
        return None
    sum_ = Fraction(total)
    result = (Fraction(sum_squares) - sum_ * sum_ / n) / (n - 1)
    return max(result, Fraction(0))


# --- Estimates --------------------------------------------------------------------------------------------------


def _proportion(
    successes: int, n: int, dont_know: int, factor: Fraction, level: float, people: bool, kind: str
) -> Estimate:
    share = _share(dont_know, n + dont_know)
    masked = people and n < MIN_CELL
    if n <= 0:
        return Estimate(
            kind, None, n, dont_know=dont_know, dont_know_share=share, flag="F", fragile=True, masked=masked
        )
    p = Fraction(successes, n)
    scale = float(factor)
    standard_error = math.sqrt(_float(p * (1 - p) / n))
    cv = _cv(standard_error, float(p))
    return Estimate(
        kind,
        _float(p * factor),
        n,
        interval=_scaled(wilson_interval(successes, n, level), scale, level, "wilson"),
        standard_error=standard_error * scale,
        dont_know=dont_know,
        dont_know_share=share,
        cv=cv,
        flag=reliability_flag(cv, n),
        fragile=n < FRAGILE_N,
        masked=masked,
        effective_n=float(n),
    )


def _mean(
    n: int,
    total: Decimal,
    sum_squares: Decimal,
    dont_know: int,
    factor: Fraction,
    level: float,
    people: bool,
    kind: str,
) -> Estimate:
    share = _share(dont_know, n + dont_know)
    masked = people and n < MIN_CELL
    if n <= 0:
        return Estimate(
            kind, None, n, dont_know=dont_know, dont_know_share=share, flag="F", fragile=True, masked=masked
        )
    mean = Fraction(total) / n
    scale = float(factor)
    variance = sample_variance(n, total, sum_squares)
    interval = standard_error = None
    if variance is not None:
        variance_of_mean = _float(variance / n)
        standard_error = math.sqrt(variance_of_mean) * scale
        interval = _scaled(t_interval(float(mean), variance_of_mean, n - 1, level), scale, level, "t")
    value = _float(mean * factor)
    cv = _cv(standard_error, value)
    return Estimate(
        kind,
        value,
        n,
        interval=interval,
        standard_error=standard_error,
        dont_know=dont_know,
        dont_know_share=share,
        cv=cv,
        flag=reliability_flag(cv, n),
        fragile=n < FRAGILE_N,
        masked=masked,
        effective_n=float(n),
    )


def estimate_stats(
    stats: Stats, *, factor: Decimal | int | Fraction = 1, level: float = CONFIDENCE, people: bool = True
) -> Estimate:
    """The estimate of a record, treating its respondents as a simple random sample; see the module docstring.

    ``factor`` multiplies the value (100 for a percentage); ``people`` says whether the record counts people
    (answers: masked below :data:`MIN_CELL`) or activity (never masked).
    """
    scale = Fraction(factor)
    _alpha(level)
    if isinstance(stats, ProportionStats):
        return _proportion(stats.numerator, stats.n, stats.dont_know, scale, level, people, stats.kind)
    if isinstance(stats, MeanStats):
        return _mean(stats.n, stats.total, stats.sum_squares, stats.dont_know, scale, level, people, stats.kind)
    if isinstance(stats, CountStats):
        total = Fraction(stats.total)
        return Estimate(
            stats.kind,
            _float(total * scale),
            stats.n,
            dont_know=stats.dont_know,
            dont_know_share=_share(stats.dont_know, stats.n + stats.dont_know),
            masked=people and 0 < total < MIN_CELL,
        )
    if isinstance(stats, RatioStats):
        denominator = Fraction(stats.denominator)
        value = None if denominator == 0 else _float(Fraction(stats.numerator) / denominator * scale)
        return Estimate(stats.kind, value, stats.reports)
    if isinstance(stats, EvolutionStats):
        headline = _proportion(stats.improved, stats.pairs, stats.dont_know, scale, level, people, stats.kind)
        change = _mean(
            stats.pairs,
            stats.sum_change,
            stats.sum_squares_change,
            stats.dont_know,
            Fraction(1),
            level,
            people,
            "change",
        )
        # A change near 0 makes the coefficient of variation meaningless: only the effective-n rule flags it.
        change = replace(change, cv=None, flag=reliability_flag(None, stats.pairs))
        return replace(headline, change=change)
    raise TypeError(f"not statistics: {stats!r}")


def estimate_indicator(indicator: Indicator, stats: Stats, *, level: float = CONFIDENCE) -> Estimate:
    """:func:`estimate_stats` with the indicator's factor, and masking when it counts people."""
    return estimate_stats(stats, factor=indicator.factor, level=level, people=indicator.people)
