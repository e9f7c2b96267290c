"""Estimates across establishments, the establishment being the cluster (METHODS.md §2).

People answering in one establishment resemble each other more than people drawn at random from the whole
network; treating them as a simple random sample would make intervals too narrow. Here every estimate across
establishments is a **ratio estimator** ``R = Σ yᵢ / Σ xᵢ`` over establishments ``i``:

=========== ============================ ==========================
kind        yᵢ                            xᵢ
=========== ============================ ==========================
proportion  respondents in the numerator respondents in the denominator
mean        sum of the values            respondents with a value
ratio       sum of the numerator         sum of the denominator (activity)
evolution   pairs who improved           pairs (headline: share improved)
evolution   sum of the changes           pairs (:attr:`Estimate.change`: mean change)
=========== ============================ ==========================

**Variance** by Taylor linearisation, establishments as primary sampling units drawn with replacement, one
stratum, equal weights, no finite-population correction — what R's ``survey`` package computes for
``svymean``/``svyratio`` with ``svydesign(ids = ~establishment, data = …)``::

    V(R) = m / (m - 1) · Σᵢ (yᵢ - R·xᵢ)² / X²,   X = Σ xᵢ,  m = number of establishments

It needs, summed over establishments, ``Σyᵢ², Σxᵢyᵢ, Σxᵢ²`` of *establishment totals*: :class:`ClusterSums`
keeps them (and the pooled record), and is itself summable over any partition of the establishments
(organisations, regions). Build it with :meth:`ClusterSums.of` from **one record per establishment holding all
of that establishment's respondents in the cell** (the sum of its facts over campaigns, waves… as the cell
requires), never from partial records of one establishment. Pass a zero record for an establishment that took
part but has no respondent in the cell (a breakdown): it still counts in ``m``, as ``survey`` keeps every PSU
when estimating for a domain. :func:`jackknife_variance` (delete one establishment) is given to check the
linearisation; the two agree closely when there are many establishments.

**Design effect** (Kish): ``deff = V(R) / V_srs``, with ``V_srs = p(1 - p)/n`` for a proportion (and a share
improved) and ``s²/n`` for a mean (and a mean change), ``s²`` the pooled sample variance (``n - 1``), ``n`` the
respondents (or pairs). **Effective n** = ``n / deff`` (for a proportion ``p(1 - p)/V(R)``). When ``deff`` is
undefined (``V(R) = 0`` or ``V_srs = 0``, e.g. a proportion of 0 or 1) the effective n is ``n``. Activity
ratios have no individual units: no design effect, no effective n.

**Intervals**: proportions and shares improved get the **Korn-Graubard** interval, as
``survey::svyciprop(method = "beta")`` computes it: ``n* = n_eff · (t(n - 1, alpha/2) / t(m - 1, alpha/2))²``,
``x* = p·n*``, then the Clopper-Pearson bounds at ``(x*, n*)``: ``low = Beta⁻¹(alpha/2; x*, n* - x* + 1)`` (0 when
p = 0), ``high = Beta⁻¹(1 - alpha/2; x* + 1, n* - x*)`` (1 when p = 1). Where ``svyciprop`` would give no interval
(``V(R) = 0``), ``n_eff = n`` is used. Means, mean changes and ratios get ``R ± t(m - 1, 1 - alpha/2) · √V(R)``
(``survey``'s ``confint`` would use the normal quantile by default; with few establishments t(m - 1) is the
honest choice, and the Korn-Graubard interval uses the same degrees of freedom).

**Reliability**: ``cv = √V(R) / R``, and the Statistics Canada flag from ``cv`` and the effective n
(:func:`socle.lib.measurement.estimate.reliability_flag`); ``fragile`` when the effective n is below 30.
Fewer than two establishments give no between-establishment variance: :func:`consolidate` then returns the
simple-random-sample estimate of :func:`socle.lib.measurement.estimate.estimate_stats`, with ``clusters`` set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Self

import numpy as np
from scipy import special  # type: ignore[import-untyped]

from .compute import Indicator
from .estimate import (
    CONFIDENCE,
    FRAGILE_N,
    MIN_CELL,
    Estimate,
    Interval,
    estimate_stats,
    reliability_flag,
    sample_variance,
    student_quantile,
)
from .stats import (
    EXACT,
    STATS_CLASSES,
    ZERO,
    CountStats,
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    Stats,
    decimal_text,
    read_decimal,
    square,
    stats_from_dict,
    total,
)

__all__ = [
    "ClusterSums",
    "cluster_sums",
    "consolidate",
    "consolidate_indicator",
    "jackknife_variance",
    "korn_graubard_interval",
    "linearised_variance",
]

CLUSTER_KINDS: Final = frozenset({"proportion", "mean", "ratio", "evolution"})


def _components(stats: Stats) -> tuple[Decimal, Decimal, Decimal]:
    """(y, x, y of the change component) of one establishment's record."""
    if isinstance(stats, ProportionStats):
        return Decimal(stats.numerator), Decimal(stats.n), ZERO
    if isinstance(stats, MeanStats):
        return stats.total, Decimal(stats.n), ZERO
    if isinstance(stats, RatioStats):
        return stats.numerator, stats.denominator, ZERO
    if isinstance(stats, EvolutionStats):
        return Decimal(stats.improved), Decimal(stats.pairs), stats.sum_change
    if isinstance(stats, CountStats):
        raise ValueError("a count is a total, not a ratio: sum the counts, there is no clustered estimate")
    raise TypeError(f"not statistics: {stats!r}")


@dataclass(frozen=True, slots=True)
class ClusterSums:
    """What a clustered estimate needs, summable over establishments (see the module docstring).

    ``clusters``: establishments; ``pooled``: the sum of their records; ``yy``, ``xy``, ``xx``: sums over
    establishments of yᵢ², xᵢyᵢ, xᵢ²; ``change_yy``, ``change_xy``: the same for the change component of an
    evolution (0 otherwise). Exact, and JSON round-trip like the records of :mod:`.stats`.
    """

    pooled: Stats
    clusters: int = 0
    yy: Decimal = ZERO
    xy: Decimal = ZERO
    xx: Decimal = ZERO
    change_yy: Decimal = ZERO
    change_xy: Decimal = ZERO

    @property
    def kind(self) -> str:
        return self.pooled.kind

    @classmethod
    def zero(cls, kind: str) -> Self:
        """No establishment yet."""
        if kind not in CLUSTER_KINDS:
            raise ValueError(f"no clustered estimate for a {kind}")
        return cls(STATS_CLASSES[kind]())

    @classmethod
    def of(cls, stats: Stats) -> Self:
        """One establishment, from the record of all its respondents in the cell."""
        y, x, change = _components(stats)
        return cls(
            stats,
            1,
            Decimal(square(y)),
            EXACT.multiply(x, y),
            Decimal(square(x)),
            Decimal(square(change)),
            EXACT.multiply(x, change),
        )

    def __add__(self, other: object) -> Self:
        if not isinstance(other, ClusterSums):
            return NotImplemented
        if other.kind != self.kind:
            raise ValueError(f"cannot add clustered sums of a {self.kind} and of a {other.kind}")
        return type(self)(
            self.pooled + other.pooled,
            self.clusters + other.clusters,
            EXACT.add(self.yy, other.yy),
            EXACT.add(self.xy, other.xy),
            EXACT.add(self.xx, other.xx),
            EXACT.add(self.change_yy, other.change_yy),
            EXACT.add(self.change_xy, other.change_xy),
        )

    def __radd__(self, other: object) -> Self:
        if other == 0 and not isinstance(other, bool):
            return self
        return NotImplemented

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "clusters": self.clusters,
            "pooled": self.pooled.to_dict(),
            "yy": decimal_text(self.yy),
            "xy": decimal_text(self.xy),
            "xx": decimal_text(self.xx),
            "change_yy": decimal_text(self.change_yy),
            "change_xy": decimal_text(self.change_xy),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        pooled = data.get("pooled")
        if not isinstance(pooled, Mapping):
            raise ValueError("clustered sums: 'pooled' must be the record of a kind of statistics")
        clusters = data.get("clusters")
        if not isinstance(clusters, int) or isinstance(clusters, bool):
            raise ValueError(f"clusters: expected an integer, got {clusters!r}")
        names = ("yy", "xy", "xx", "change_yy", "change_xy")
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(f"clustered sums: missing field(s) {', '.join(missing)}")
        result = cls(stats_from_dict(pooled), clusters, *(read_decimal(data[name], name) for name in names))
        if result.kind not in CLUSTER_KINDS or data.get("kind", result.kind) != result.kind:
            raise ValueError(f"clustered sums: bad kind {data.get('kind')!r}")
        return result


def cluster_sums(records: Iterable[Stats], kind: str | None = None) -> ClusterSums:
    """:class:`ClusterSums` of establishments, one record each (``kind`` is needed only when there is none)."""
    records = list(records)
    if not records:
        if kind is None:
            raise ValueError("no establishment: say which kind of statistics")
        return ClusterSums.zero(kind)
    first = records[0]
    if any(type(record) is not type(first) for record in records):
        kinds = sorted({record.kind for record in records})
        raise ValueError(f"cannot add clustered sums of a {' and of a '.join(kinds)}")
    # As the sum of ClusterSums.of(record), without building one per establishment.
    yy = xy = xx = change_yy = change_xy = ZERO
    for record in records:
        y, x, change = _components(record)
        yy = EXACT.add(yy, square(y))
        xy = EXACT.add(xy, EXACT.multiply(x, y))
        xx = EXACT.add(xx, square(x))
        change_yy = EXACT.add(change_yy, square(change))
        change_xy = EXACT.add(change_xy, EXACT.multiply(x, change))
    return ClusterSums(total(records[1:], first), len(records), yy, xy, xx, change_yy, change_xy)


# --- Variance ---------------------------------------------------------------------------------------------------


def _linearised(m: int, y: Fraction, x: Fraction, yy: Fraction, xy: Fraction, xx: Fraction) -> Fraction | None:
    """``m/(m - 1) · Σ(yᵢ - R xᵢ)² / X²``, exactly; None when m < 2 or X = 0."""
    if m < 2 or x == 0:
        return None
    ratio = y / x
    residuals = yy - 2 * ratio * xy + ratio * ratio * xx
    return max(Fraction(0), Fraction(m, m - 1) * residuals / (x * x))


def linearised_variance(sums: ClusterSums, *, change: bool = False) -> float | None:
    """The linearised variance of the headline ratio (or, ``change=True``, of an evolution's mean change),
    without the factor; None with fewer than two establishments or a denominator of 0."""
    y, x, _ = _components(sums.pooled)
    if change:
        if not isinstance(sums.pooled, EvolutionStats):
            raise ValueError("only an evolution has a change component")
        y = sums.pooled.sum_change
        variance = _linearised(
            sums.clusters,
            Fraction(y),
            Fraction(x),
            Fraction(sums.change_yy),
            Fraction(sums.change_xy),
            Fraction(sums.xx),
        )
    else:
        variance = _linearised(
            sums.clusters, Fraction(y), Fraction(x), Fraction(sums.yy), Fraction(sums.xy), Fraction(sums.xx)
        )
    return None if variance is None else float(variance)


def jackknife_variance(records: Sequence[Stats], *, change: bool = False) -> float | None:
    """Delete-one-establishment jackknife variance of the headline ratio (or the mean change), without factor:
    ``(m - 1)/m · Σⱼ (R₍ⱼ₎ - R̄)²``, R₍ⱼ₎ the ratio without establishment j and R̄ their mean. None with fewer
    than two establishments or when leaving one out empties the denominator."""
    if len(records) < 2:
        return None
    parts = [_components(record) for record in records]
    y = np.array([float(part[2] if change else part[0]) for part in parts])
    x = np.array([float(part[1]) for part in parts])
    left_out_x = x.sum() - x
    if np.any(left_out_x == 0):
        return None
    replicates = (y.sum() - y) / left_out_x
    m = len(records)
    return float((m - 1) / m * np.sum((replicates - replicates.mean()) ** 2))


# --- Intervals --------------------------------------------------------------------------------------------------


def korn_graubard_interval(
    p: float, effective_n: float, n: int, clusters: int, level: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The Korn-Graubard interval of a proportion ``p`` (see the module docstring), as
    ``survey::svyciprop(method = "beta")`` with ``df = clusters - 1``; None when n < 2 or clusters < 2."""
    if n < 2 or clusters < 2 or effective_n <= 0:
        return None
    alpha = 1 - level
    adjust = (student_quantile(level, n - 1) / student_quantile(level, clusters - 1)) ** 2
    size = effective_n * adjust
    successes = p * size
    low = 0.0 if p <= 0 else float(special.betaincinv(successes, size - successes + 1, alpha / 2))
    high = 1.0 if p >= 1 else float(special.betaincinv(successes + 1, size - successes, 1 - alpha / 2))
    return low, high


# --- Consolidation ----------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def _ratio_part(
    kind: str,
    m: int,
    y: Fraction,
    x: Fraction,
    moments: tuple[Fraction, Fraction, Fraction],
    srs_variance: Fraction | None,
    n: int,
    scale: Fraction,
    level: float,
    binary: bool,
    people: bool,
    dont_know: int,
) -> Estimate:
    """The clustered estimate of one ratio component."""
    dont_know_share = _share(dont_know, n + dont_know)
    masked = people and n < MIN_CELL
    variance = _linearised(m, y, x, *moments)
    if variance is None:
        return Estimate(
            kind,
            None,
            n,
            dont_know=dont_know,
            dont_know_share=dont_know_share,
            flag="F",
            fragile=people,
            masked=masked,
            clusters=m,
        )
    ratio = y / x
    factor = float(scale)
    deff = float(variance / srs_variance) if variance > 0 and srs_variance else None
    effective_n: float | None = None
    if people:
        effective_n = float(n) / deff if deff else float(n)
    standard_error = math.sqrt(float(variance))
    interval: Interval | None = None
    if binary:
        bounds = korn_graubard_interval(float(ratio), effective_n or float(n), n, m, level)
        if bounds is not None:
            interval = Interval(bounds[0] * factor, bounds[1] * factor, level, "korn-graubard")
    else:
        half = student_quantile(level, m - 1) * standard_error
        low, high = (float(ratio) - half) * factor, (float(ratio) + half) * factor
        interval = Interval(min(low, high), max(low, high), level, "t-linearised")
    cv = None if ratio == 0 else standard_error / abs(float(ratio))
    return Estimate(
        kind,
        float(ratio * scale),
        n,
        interval=interval,
        standard_error=standard_error * abs(factor),
        dont_know=dont_know,
        dont_know_share=dont_know_share,
        cv=cv,
        flag=reliability_flag(cv, effective_n),
        fragile=effective_n is not None and effective_n < FRAGILE_N,
        masked=masked,
        clusters=m,
        design_effect=deff,
        effective_n=effective_n,
    )


def _proportion_srs(successes: int, n: int) -> Fraction | None:
    if n <= 0:
        return None
    p = Fraction(successes, n)
    return p * (1 - p) / n


def _mean_srs(n: int, total: Decimal, sum_squares: Decimal) -> Fraction | None:
    variance = sample_variance(n, total, sum_squares)
    return None if variance is None else variance / n


def consolidate(
    sums: ClusterSums,
    *,
    factor: Decimal | int | Fraction = 1,
    level: float = CONFIDENCE,
    people: bool = True,
) -> Estimate:
    """The estimate across establishments, each a cluster; see the module docstring.

    ``factor`` multiplies value, interval and standard error (not an evolution's mean change); ``people`` as for
    :func:`socle.lib.measurement.estimate.estimate_stats` (activity ratios: False).
    """
    scale = Fraction(factor)
    pooled = sums.pooled
    m = sums.clusters
    if m < 2:
        return replace(estimate_stats(pooled, factor=factor, level=level, people=people), clusters=m)
    y_decimal, x_decimal, _ = _components(pooled)
    y, x = Fraction(y_decimal), Fraction(x_decimal)
    moments = (Fraction(sums.yy), Fraction(sums.xy), Fraction(sums.xx))
    if isinstance(pooled, ProportionStats):
        return _ratio_part(
            pooled.kind,
            m,
            y,
            x,
            moments,
            _proportion_srs(pooled.numerator, pooled.n),
            pooled.n,
            scale,
            level,
            True,
            people,
            pooled.dont_know,
        )
    if isinstance(pooled, MeanStats):
        return _ratio_part(
            pooled.kind,
            m,
            y,
            x,
            moments,
            _mean_srs(pooled.n, pooled.total, pooled.sum_squares),
            pooled.n,
            scale,
            level,
            False,
            people,
            pooled.dont_know,
        )
    if isinstance(pooled, RatioStats):
        return _ratio_part(pooled.kind, m, y, x, moments, None, pooled.reports, scale, level, False, False, 0)
    if isinstance(pooled, EvolutionStats):
        headline = _ratio_part(
            pooled.kind,
            m,
            y,
            x,
            moments,
            _proportion_srs(pooled.improved, pooled.pairs),
            pooled.pairs,
            scale,
            level,
            True,
            people,
            pooled.dont_know,
        )
        change = _ratio_part(
            "change",
            m,
            Fraction(pooled.sum_change),
            x,
            (Fraction(sums.change_yy), Fraction(sums.change_xy), Fraction(sums.xx)),
            _mean_srs(pooled.pairs, pooled.sum_change, pooled.sum_squares_change),
            pooled.pairs,
            Fraction(1),
            level,
            False,
            people,
            pooled.dont_know,
        )
        change = replace(change, cv=None, flag=reliability_flag(None, change.effective_n))
        return replace(headline, change=change)
    raise ValueError(f"no clustered estimate for a {pooled.kind}")


def consolidate_indicator(indicator: Indicator, sums: ClusterSums, *, level: float = CONFIDENCE) -> Estimate:
    """:func:`consolidate` with the indicator's factor, and masking when it counts people."""
    return consolidate(sums, factor=indicator.factor, level=level, people=indicator.people)
