"""Sector figures against the network's frame: coverage, calibration weights and weighted estimates
(METHODS.md §2 and §3).

Participating establishments are not a random sample of the field: some types and regions take part much more
than others. The network's **frame** lists every establishment of the field (:class:`FrameEstablishment`: type,
region, people supported a year, whether it takes part). Three steps turn the participants' records into a sector
figure:

1. :func:`coverage` — how much of the frame takes part, overall, per stratum (type x region), per type and per
   region; a stratum **meets the rules** (:class:`CoverageRules`) when at least ``min_establishments``
   establishments take part and they support at least ``min_people_share`` of its people (both bounds included,
   compared exactly). The figure may be called **representative** only when every stratum of the frame meets
   them; otherwise it is published as "non représentatif : décrit les structures participantes", with the
   machine-readable :class:`CoverageReason` of each failure.
2. :func:`calibrate` — an establishment-level **calibration factor** ``gᵢ`` for each participating establishment
   such that, in every weighting stratum, the participants' people times their factors add up to the frame's
   people (post-stratification), or such that they add up to the frame's people of every type and of every
   region (raking). Sparse strata are collapsed or left out, extreme factors trimmed (see :func:`calibrate`).
3. :func:`weighted_estimate` — the weighted ratio estimator, its linearised variance with establishments as
   primary sampling units, the design effect and its weighting part, the interval, the reliability flag, and the
   unweighted estimate of :func:`socle.lib.measurement.cluster.consolidate` beside it.

**People unknown.** ``people = 0`` means "not known" (a frame row without the figure). :func:`coverage` counts
such establishments in ``unknown_size`` and their people as 0 (shares are over the known people; a stratum whose
people are all unknown is judged on its share of establishments instead). :func:`calibrate` imputes them the
median people of the known establishments of the same stratum (type x region), else of the same type, else of the
whole frame (1 when nothing is known), rounded half up and at least 1, and records it in :attr:`Weights.imputed`.
A negative number of people is an error.

Framework-free (no Django), floats and numpy: weights are estimates, not exact sums like the records of
:mod:`socle.lib.measurement.stats`.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from socle.lib.measurement.cluster import _components, cluster_sums, consolidate, korn_graubard_interval
from socle.lib.measurement.compute import Indicator
from socle.lib.measurement.estimate import (
    CONFIDENCE,
    Estimate,
    Interval,
    reliability_flag,
    student_quantile,
)
from socle.lib.measurement.stats import (
    STATS_CLASSES,
    Stats,
)

__all__ = [
    "ALL",
    "Collapse",
    "Coverage",
    "CoverageReason",
    "CoverageRules",
    "FrameEstablishment",
    "LeftOut",
    "Stratum",
    "StratumCoverage",
    "WeightedCell",
    "WeightedEstimate",
    "Weights",
    "calibrate",
    "coverage",
    "weighted_cell",
    "weighted_estimate",
]

ALL: Final = "*"  # "every type" or "every region" in a stratum's key
RULE_MIN_ESTABLISHMENTS: Final = "min_establishments"
RULE_MIN_PEOPLE_SHARE: Final = "min_people_share"

Stratum = tuple[str, str]
"""A stratum's key: ``(type, region)``; ``(type, ALL)`` is a whole type, ``(ALL, region)`` a whole region,
``(ALL, ALL)`` the whole frame, and ``(type, "B+C")`` the pooled regions B and C of a type."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FrameEstablishment:
    """One establishment of the network's frame. ``people``: people supported a year, 0 when not known (see the
    module docstring); ``participating``: whether it takes part in the sector's measurement."""

    key: str
    type: str
    region: str
    people: int
    participating: bool

    def __post_init__(self) -> None:
        if self.people < 0:
            raise ValueError(f"establishment {self.key!r}: people supported cannot be negative ({self.people})")
        if ALL in (self.type, self.region):
            raise ValueError(f"establishment {self.key!r}: {ALL!r} is reserved for 'every type / region'")

    @property
    def stratum(self) -> Stratum:
        return (self.type, self.region)


@dataclass(frozen=True)
class CoverageRules:
    """Thresholds the network sets (METHODS.md §3).

    ``min_establishments`` and ``min_people_share``: what a stratum (type x region) needs for the figure to be
    called representative. ``min_weighting_establishments`` (at least 2, so that every design stratum has a
    variance): fewer participating establishments than this and a stratum is collapsed for weighting (see
    :func:`calibrate`). ``trim``: calibration factors above ``trim`` x their median are trimmed (None: never).
    ``max_iterations`` and ``tolerance`` (relative error on every margin) bound raking and re-calibration.
    """

    min_establishments: int = 3
    min_people_share: float = 0.10
    trim: float | None = 3.5
    min_weighting_establishments: int = 2
    max_iterations: int = 500
    tolerance: float = 1e-9

    def __post_init__(self) -> None:
        if self.min_establishments < 0:
            raise ValueError("min_establishments cannot be negative")
        if not 0 <= self.min_people_share <= 1:
            raise ValueError("min_people_share is a share between 0 and 1")
        if self.trim is not None and not self.trim > 1:
            raise ValueError("trim must be above 1 (a multiple of the median factor), or None")
        if self.min_weighting_establishments < 2:
            raise ValueError("min_weighting_establishments must be at least 2: a lone establishment has no variance")
        if self.max_iterations < 1 or not self.tolerance > 0:
            raise ValueError("max_iterations must be at least 1 and tolerance positive")


# --- Coverage ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumCoverage:
    """Coverage of one stratum (or of a type, a region, the whole frame: see :data:`Stratum`).

    ``establishments`` and ``people``: in the frame; ``participating`` and ``people_covered``: of those, the ones
    taking part; ``unknown_size``: frame establishments whose people are not known (counted as 0);
    ``establishment_share`` and ``people_share`` (None when the denominator is 0); ``failed``: the rules it does
    not meet (:data:`RULE_MIN_ESTABLISHMENTS`, :data:`RULE_MIN_PEOPLE_SHARE`), empty when it meets them.
    """

    stratum: Stratum
    establishments: int
    participating: int
    people: int
    people_covered: int
    unknown_size: int
    establishment_share: float | None
    people_share: float | None
    failed: tuple[str, ...]

    @property
    def meets_rules(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class CoverageReason:
    """Why a figure is not representative: ``stratum`` fails ``rule`` with ``value`` against ``threshold``."""

    stratum: Stratum
    rule: str
    value: float
    threshold: float


@dataclass(frozen=True)
class Coverage:
    """The frame's coverage; ``representative`` when every stratum (type x region) of the frame meets the
    rules, else ``reasons`` lists every failure (stratum by stratum, in the order of ``strata``)."""

    rules: CoverageRules
    overall: StratumCoverage
    strata: Mapping[Stratum, StratumCoverage]
    by_type: Mapping[str, StratumCoverage]
    by_region: Mapping[str, StratumCoverage]
    representative: bool
    reasons: tuple[CoverageReason, ...]


def _exact(value: float) -> Fraction:
    """A float threshold as the decimal the network typed (0.1 is 1/10, not the binary 0.1000000000000000055)."""
    return Fraction(repr(float(value)))


def _stratum_coverage(
    stratum: Stratum, members: Sequence[FrameEstablishment], rules: CoverageRules
) -> tuple[StratumCoverage, list[CoverageReason]]:
    establishments = len(members)
    participating = sum(1 for e in members if e.participating)
    people = sum(e.people for e in members)
    covered = sum(e.people for e in members if e.participating)
    reasons: list[CoverageReason] = []
    if participating < rules.min_establishments:
        reasons.append(
            CoverageReason(stratum, RULE_MIN_ESTABLISHMENTS, float(participating), float(rules.min_establishments))
        )
    # The share of people; when no one's people are known, the share of establishments stands for it.
    share = Fraction(covered, people) if people else Fraction(participating, establishments or 1)
    if share < _exact(rules.min_people_share):
        reasons.append(CoverageReason(stratum, RULE_MIN_PEOPLE_SHARE, float(share), rules.min_people_share))
    result = StratumCoverage(
        stratum,
        establishments,
        participating,
        people,
        covered,
        sum(1 for e in members if e.people == 0),
        participating / establishments if establishments else None,
        covered / people if people else None,
        tuple(reason.rule for reason in reasons),
    )
    return result, reasons


def _check_frame(frame: Iterable[FrameEstablishment]) -> list[FrameEstablishment]:
    rows = list(frame)
    keys = [row.key for row in rows]
    if len(set(keys)) != len(keys):
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"the frame lists some establishments twice: {', '.join(duplicated)}")
    return rows


def coverage(frame: Iterable[FrameEstablishment], rules: CoverageRules = CoverageRules()) -> Coverage:
    """Coverage of the frame by the participating establishments, overall, per stratum (type x region), per type
    and per region (see :class:`StratumCoverage`). Only the strata (type x region) decide ``representative``;
    the rules are also applied to types, regions and the whole frame, for information."""
    rows = _check_frame(frame)
    cells: dict[Stratum, list[FrameEstablishment]] = defaultdict(list)
    types: dict[str, list[FrameEstablishment]] = defaultdict(list)
    regions: dict[str, list[FrameEstablishment]] = defaultdict(list)
    for row in rows:
        cells[row.stratum].append(row)
        types[row.type].append(row)
        regions[row.region].append(row)
    strata: dict[Stratum, StratumCoverage] = {}
    reasons: list[CoverageReason] = []
    for key in sorted(cells):
        strata[key], failed = _stratum_coverage(key, cells[key], rules)
        reasons.extend(failed)
    overall, _ = _stratum_coverage((ALL, ALL), rows, rules)
    return Coverage(
        rules,
        overall,
        strata,
        {t: _stratum_coverage((t, ALL), types[t], rules)[0] for t in sorted(types)},
        {r: _stratum_coverage((ALL, r), regions[r], rules)[0] for r in sorted(regions)},
        bool(strata) and not reasons,
        tuple(reasons),
    )


# --- Calibration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collapse:
    """Stratum ``stratum`` of the frame was merged into weighting stratum ``into`` (for raking, ``(ALL,
    region)`` into ``(ALL, pooled regions)`` or ``(ALL, ALL)``: the region's margin was pooled or dropped)."""

    stratum: Stratum
    into: Stratum
    reason: str


@dataclass(frozen=True)
class LeftOut:
    """A stratum nothing could absorb: its frame people are not represented by the weighted figure, and its
    participating establishments' respondents are not used by it (they still count in the unweighted one)."""

    stratum: Stratum
    establishments: int
    participating: int
    people: int
    reason: str


@dataclass(frozen=True)
class Weights:
    """Establishment-level calibration (see :func:`calibrate`).

    ``factors``: ``gᵢ`` of every participating establishment kept; ``people``: the people used for it (imputed
    when unknown: ``imputed``); ``strata``: its weighting stratum, also its design stratum for the variance;
    ``targets``: frame people per weighting stratum (post-stratification) or per type (raking);
    ``collapsed``, ``left_out`` and ``left_out_establishments``: see :class:`Collapse` and :class:`LeftOut`;
    ``trimmed``: factor before trimming of each trimmed establishment, ``caps`` the bound per type;
    ``converged``: whether raking and re-calibration met every margin within the tolerance; ``population``: frame
    people represented.
    """

    method: str
    factors: Mapping[str, float]
    people: Mapping[str, int]
    strata: Mapping[str, Stratum]
    targets: Mapping[Stratum, float]
    collapsed: tuple[Collapse, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    left_out_establishments: frozenset[str] = frozenset()
    imputed: Mapping[str, int] = field(default_factory=dict)
    trimmed: Mapping[str, float] = field(default_factory=dict)
    caps: Mapping[str, float] = field(default_factory=dict)
    iterations: int = 0
    converged: bool = True
    population: float = 0.0

    def represented(self, key: str) -> float:
        """The frame people establishment ``key`` stands for: ``peopleᵢ · gᵢ`` (0 when not weighted)."""
        return self.people.get(key, 0) * self.factors.get(key, 0.0)


def _median_people(values: Sequence[int]) -> int | None:
    if not values:
        return None
    middle = Decimal(repr(float(statistics.median(values))))
    return max(1, int(middle.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _impute_people(rows: Sequence[FrameEstablishment]) -> tuple[dict[str, int], dict[str, int]]:
    """People per establishment, unknown ones imputed (module docstring), and the imputed ones."""
    known_cell: dict[Stratum, list[int]] = defaultdict(list)
    known_type: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.people > 0:
            known_cell[row.stratum].append(row.people)
            known_type[row.type].append(row.people)
    overall = _median_people([row.people for row in rows if row.people > 0]) or 1
    people: dict[str, int] = {}
    imputed: dict[str, int] = {}
    for row in rows:
        if row.people > 0:
            people[row.key] = row.people
            continue
        value = _median_people(known_cell[row.stratum]) or _median_people(known_type[row.type]) or overall
        people[row.key] = imputed[row.key] = value
    return people, imputed


def _pooled_label(regions: Sequence[str]) -> str:
    return regions[0] if len(regions) == 1 else "+".join(sorted(regions))


def _poststrata(
    rows: Sequence[FrameEstablishment], minimum: int
) -> tuple[dict[str, Stratum], list[Collapse], list[LeftOut]]:
    """The weighting stratum of every frame establishment of a type kept, the collapses and the types left out.

    Rule, type by type: a stratum (type x region) with at least ``minimum`` participating establishments stands
    alone; those with fewer are pooled together into ``(type, "B+C…")``, which stands if it reaches ``minimum``;
    otherwise the whole type is one stratum ``(type, ALL)``; a type with fewer than ``minimum`` participating
    establishments in all is left out."""
    by_type: dict[str, dict[str, list[FrameEstablishment]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_type[row.type][row.region].append(row)
    assigned: dict[str, Stratum] = {}
    collapsed: list[Collapse] = []
    left_out: list[LeftOut] = []
    for type_ in sorted(by_type):
        regions = by_type[type_]
        taking_part = {region: sum(1 for e in members if e.participating) for region, members in regions.items()}
        if sum(taking_part.values()) < minimum:
            for region in sorted(regions):
                members = regions[region]
                left_out.append(
                    LeftOut(
                        (type_, region),
                        len(members),
                        taking_part[region],
                        sum(e.people for e in members),
                        f"fewer than {minimum} participating establishments of this type in all regions",
                    )
                )
            continue
        small = sorted(region for region, count in taking_part.items() if count < minimum)
        pooled = sum(taking_part[region] for region in small)
        if small and pooled < minimum:
            whole: Stratum = (type_, ALL)
            for region in sorted(regions):
                for member in regions[region]:
                    assigned[member.key] = whole
                collapsed.append(
                    Collapse(
                        (type_, region),
                        whole,
                        f"the regions with fewer than {minimum} participating establishments of this type "
                        f"have {pooled} together: the whole type is one stratum",
                    )
                )
            continue
        pool: Stratum = (type_, ALL) if len(small) == len(regions) else (type_, _pooled_label(small))
        for region in sorted(regions):
            into = pool if region in small else (type_, region)
            if region in small:
                collapsed.append(
                    Collapse(
                        (type_, region),
                        into,
                        f"fewer than {minimum} participating establishments: pooled with the other such regions "
                        f"of the type",
                    )
                )
            for member in regions[region]:
                assigned[member.key] = into
    return assigned, collapsed, left_out


def _region_classes(
    rows: Sequence[FrameEstablishment], kept: Mapping[str, Stratum], minimum: int
) -> tuple[dict[str, str], list[Collapse]]:
    """Raking's region margin: regions with fewer than ``minimum`` participating establishments (of the types
    kept) are pooled; if the pool is still below ``minimum``, it joins every region (its margin is dropped)."""
    taking_part: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.key in kept:
            taking_part[row.region] += int(row.participating)
    small = sorted(region for region, count in taking_part.items() if count < minimum)
    pooled = sum(taking_part[region] for region in small)
    label: dict[str, str] = {region: region for region in taking_part}
    collapsed: list[Collapse] = []
    if small:
        into = ALL if pooled < minimum or len(small) == len(taking_part) else _pooled_label(small)
        for region in small:
            label[region] = into
            collapsed.append(
                Collapse(
                    (ALL, region),
                    (ALL, into),
                    f"fewer than {minimum} participating establishments in the region: "
                    + ("its margin is dropped" if into == ALL else "pooled with the other such regions"),
                )
            )
    return {row.key: label[row.region] for row in rows if row.key in kept}, collapsed


Margin = Sequence[tuple[npt.NDArray[np.bool_], float]]
"""A calibration margin: for each of its classes, which establishments belong to it and its target people."""


def _margin(labels: Sequence[str], targets: Mapping[str, float]) -> Margin:
    return [
        (np.array([value == label for value in labels], dtype=np.bool_), target) for label, target in targets.items()
    ]


def _fit(
    people: FloatArray,
    factors: FloatArray,
    free: npt.NDArray[np.bool_],
    margins: Sequence[Margin],
    rules: CoverageRules,
) -> tuple[FloatArray, int, bool]:
    """Iterative proportional fitting of the free factors so that Σ peopleᵢ gᵢ meets every margin's targets
    (one pass for a single margin: post-stratification). Returns the factors, the iterations and whether every
    target is met within ``rules.tolerance`` (relative)."""
    g = factors.copy()
    # The fixed establishments' part of every class does not change while the free ones move.
    classes = [
        (np.flatnonzero(members & free), float(np.sum(people[members & ~free] * g[members & ~free])), target)
        for margin in margins
        for members, target in margin
    ]
    for iteration in range(1, rules.max_iterations + 1):
        worst = 0.0
        for movable, fixed_part, target in classes:
            current = float(people[movable] @ g[movable])
            worst = max(worst, abs(current + fixed_part - target) / target)
            if current > 0:
                g[movable] *= max(target - fixed_part, 0.0) / current
        if worst <= rules.tolerance:
            return g, iteration, True
    return g, rules.max_iterations, False


def calibrate(
    frame: Iterable[FrameEstablishment],
    rules: CoverageRules = CoverageRules(),
    *,
    method: Literal["poststratification", "raking"] = "poststratification",
) -> Weights:
    """Establishment-level calibration factors ``gᵢ`` of the participating establishments (METHODS.md §3).

    Each participating establishment starts with its people ``peopleᵢ`` (its respondents will stand for them:
    :func:`weighted_estimate`). **Post-stratification**: in every weighting stratum ``c``,
    ``gᵢ = N_c / P_c``, ``N_c`` the frame's people in ``c`` and ``P_c`` the participants' people, so that
    ``Σ_{i∈c} peopleᵢ gᵢ = N_c``. Weighting strata are the strata (type x region), collapsed when sparse: a
    stratum with fewer than ``rules.min_weighting_establishments`` participating establishments is pooled with the
    other such strata of its type (regions ``"B+C"``), and when that pool is still too small the whole type is one
    stratum ``(type, ALL)``; a type with too few participating establishments in all is **left out** (its frame
    people are not represented, its participants not used), as nothing of another type can stand for it.

    **Raking** (``method="raking"``), for cells too sparse to post-stratify: iterative proportional fitting of
    ``gᵢ`` (from 1) to the type margins and the region margins — ``Σ peopleᵢ gᵢ`` equals the frame's people of
    every type and of every region. Types with too few participating establishments are left out as above;
    sparse regions are pooled, and if the pool is still too small the region margin is dropped for them. The
    design strata for the variance are then the types. Margins can be impossible to meet together (a region whose
    frame people are mostly of a type that takes part only elsewhere): after ``rules.max_iterations`` the type
    margins are met (they are fitted last), the region margins only approximately, and ``converged`` is False.

    **Trimming**: the cap of a type is ``rules.trim x`` the median factor of its participating establishments
    (before trimming); factors above their cap are set to it and the others re-calibrated — to the type totals
    (post-stratification) or to the type and region margins (raking), or to the overall total alone once every
    establishment of a class is trimmed — repeating until no factor exceeds its cap (a trimmed stratum's own total
    is then no longer met). The median is taken **within the type** so that trimming never moves people from one
    type to another: a type that takes part little has large factors by design, not by accident, and capping them
    against the whole network's median would pull the figure back towards the unweighted one (the coverage
    simulation of ``tests/test_lib_sector_weighting.py`` shows that bias). Trimming trades a little bias for less
    variance; the trimmed establishments and their factor before trimming are in :attr:`Weights.trimmed`.

    With establishment-level factors, the activity weight of establishment ``i`` is ``gᵢ`` itself (for
    post-stratification, frame people / participating people of its stratum).
    """
    if method not in ("poststratification", "raking"):
        raise ValueError(f"unknown calibration method {method!r}: 'poststratification' or 'raking'")
    rows = _check_frame(frame)
    minimum = rules.min_weighting_establishments
    people_of, imputed = _impute_people(rows)
    assigned, collapsed, left_out = _poststrata(rows, minimum)
    kept = [row for row in rows if row.key in assigned]
    participants = [row for row in kept if row.participating]
    left_out_keys = frozenset(row.key for row in rows if row.participating and row.key not in assigned)
    if not participants:
        return Weights(method, {}, {}, {}, {}, tuple(collapsed), tuple(left_out), left_out_keys, imputed)

    people = np.array([float(people_of[row.key]) for row in participants])
    type_labels = [row.type for row in participants]
    type_targets: dict[str, float] = defaultdict(float)
    for row in kept:
        type_targets[row.type] += people_of[row.key]
    margins: list[Margin]
    if method == "poststratification":
        cell_labels = ["|".join(assigned[row.key]) for row in participants]
        cell_targets: dict[str, float] = defaultdict(float)
        for row in kept:
            cell_targets["|".join(assigned[row.key])] += people_of[row.key]
        margins = [_margin(cell_labels, cell_targets)]
        design = {row.key: assigned[row.key] for row in participants}
        targets: dict[Stratum, float] = {assigned[row.key]: 0.0 for row in kept}
        for row in kept:
            targets[assigned[row.key]] += people_of[row.key]
        retrim: list[Margin] = [_margin(type_labels, type_targets)]
    else:
        region_of, region_collapses = _region_classes(rows, assigned, minimum)
        collapsed.extend(region_collapses)
        region_targets: dict[str, float] = defaultdict(float)
        for row in kept:
            region_targets[region_of[row.key]] += people_of[row.key]
        region_targets.pop(ALL, None)  # a dropped margin: no target
        region_labels = [region_of[row.key] for row in participants]
        # The type margin last: when the margins cannot all be met, the types' totals are.
        margins = [_margin(region_labels, region_targets), _margin(type_labels, type_targets)]
        design = {row.key: (row.type, ALL) for row in participants}
        targets = {(type_, ALL): total for type_, total in sorted(type_targets.items())}
        retrim = margins
    population = float(sum(type_targets.values()))
    overall: list[Margin] = [[(np.ones(len(participants), dtype=np.bool_), population)]]

    everyone = np.ones(len(participants), dtype=bool)
    g, iterations, converged = _fit(people, np.ones(len(participants)), everyone, margins, rules)
    trimmed: dict[str, float] = {}
    caps: dict[str, float] = {}
    if rules.trim is not None:
        # The cap of each establishment: trim x the median factor of its type, before trimming.
        type_names = sorted(type_targets)
        type_index = np.array([type_names.index(row.type) for row in participants])
        caps = {name: rules.trim * float(np.median(g[type_index == i])) for i, name in enumerate(type_names)}
        cap_of = np.array([caps[row.type] for row in participants])
        before = g.copy()
        capped = np.zeros(len(participants), dtype=np.bool_)
        for _ in range(len(participants)):
            over = g > cap_of * (1 + 1e-12)
            if not over.any():
                break
            capped |= over
            g[capped] = cap_of[capped]
            # Re-calibrate the others to the margins; to the overall total alone once a whole class is trimmed
            # (its people can then only go to the other classes).
            whole_class = any(not np.any(members & ~capped) for margin in retrim for members, _ in margin)
            g, more, converged = _fit(people, g, ~capped, overall if whole_class else retrim, rules)
            iterations += more
        g = np.minimum(g, cap_of)
        trimmed = {participants[i].key: float(before[i]) for i in np.flatnonzero(capped)}
    return Weights(
        method,
        {row.key: float(g[i]) for i, row in enumerate(participants)},
        {row.key: people_of[row.key] for row in participants},
        design,
        dict(sorted(targets.items())),
        tuple(collapsed),
        tuple(left_out),
        left_out_keys,
        imputed,
        trimmed,
        caps,
        iterations,
        converged,
        population,
    )


# --- Weighted estimates -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightedEstimate:
    """A weighted sector estimate (see :func:`weighted_estimate`).

    ``value``, ``interval`` and ``standard_error`` are multiplied by the indicator's factor (not an evolution's
    :attr:`change`). ``n``: respondents (pairs, reports for a ratio) in the domain; ``establishments``: PSUs with
    respondents in the domain, over ``strata`` design strata, ``degrees_of_freedom`` = establishments - strata;
    ``design_effect`` = V / V_srs and ``weighting_design_effect`` = Kish's 1 + CV² of the respondent weights
    (None for activity ratios); ``effective_n`` = n / design effect; ``cv`` and ``flag`` (Statistics Canada);
    ``population``: the frame people the respondents stand for (Σ wᵢ xᵢ; for a ratio Σ gᵢ xᵢ);
    ``left_out``: establishments with records that the weights leave out; ``unweighted``: the clustered estimate
    of :func:`socle.lib.measurement.cluster.consolidate` over the same records, as they are.
    """

    kind: str
    value: float | None
    n: int
    unweighted: Estimate
    interval: Interval | None = None
    standard_error: float | None = None
    establishments: int = 0
    strata: int = 0
    degrees_of_freedom: int = 0
    design_effect: float | None = None
    weighting_design_effect: float | None = None
    effective_n: float | None = None
    cv: float | None = None
    flag: str = "F"
    dont_know: int = 0
    dont_know_share: float | None = None
    population: float = 0.0
    left_out: int = 0
    change: WeightedEstimate | None = None


@dataclass(frozen=True)
class _Design:
    """Arrays over the PSUs (establishments with a record, weighted): stratum index, weights, domain mask."""

    keys: tuple[str, ...]
    stratum: npt.NDArray[np.int64]
    weight: FloatArray  # respondent weight (people) or establishment weight (activity)
    inside: npt.NDArray[np.bool_]


def _linearised_variance(design: _Design, z: FloatArray) -> float:
    """``Σ_h n_h/(n_h - 1) Σ_{i∈h} (zᵢ - z̄_h)²`` over the PSUs, with replacement, no fpc; a stratum with one PSU
    is centred on the mean over all PSUs (R's ``survey.lonely.psu = "adjust"``, svy's ``center``)."""
    counts = np.bincount(design.stratum)
    sums = np.bincount(design.stratum, weights=z, minlength=len(counts))
    grand = float(z.mean())
    total = 0.0
    several = counts > 1
    if several.any():
        means = np.divide(sums, counts, out=np.zeros(len(counts)), where=counts > 0)
        centred = z - means[design.stratum]
        squares = np.bincount(design.stratum, weights=centred * centred, minlength=len(counts))
        total += float(np.sum(counts[several] / (counts[several] - 1) * squares[several]))
    lonely = counts == 1
    if lonely.any():
        total += float(np.sum((sums[lonely] - grand) ** 2))
    return total


def _floats(values: Iterable[Decimal | int]) -> FloatArray:
    return np.array([float(value) for value in values], dtype=float)


def _field(record: Stats, name: str) -> Decimal:
    value = getattr(record, name)
    assert isinstance(value, Decimal)
    return value


def _part(
    kind: str,
    design: _Design,
    y: FloatArray,
    x: FloatArray,
    srs_sums: tuple[FloatArray, FloatArray] | None,
    n: int,
    *,
    scale: float,
    level: float,
    binary: bool,
    people: bool,
    unweighted: Estimate,
    dont_know: int,
    left_out: int,
) -> WeightedEstimate:
    """One ratio component: R = Σ wᵢ yᵢ / Σ wᵢ xᵢ over the domain's PSUs; see :func:`weighted_estimate`.

    ``srs_sums``: per PSU, (Σ v, Σ v²) of the respondents' values, for a mean's weighted variance."""
    w = design.weight * design.inside
    with_respondents = design.inside & (x > 0)
    dont_know_share = None if n + dont_know <= 0 else dont_know / (n + dont_know)
    strata = len(np.unique(design.stratum[with_respondents]))
    establishments = int(with_respondents.sum())
    df = establishments - strata
    base = WeightedEstimate(
        kind,
        None,
        n,
        unweighted,
        establishments=establishments,
        strata=strata,
        degrees_of_freedom=df,
        dont_know=dont_know,
        dont_know_share=dont_know_share,
        left_out=left_out,
    )
    x_total = float(np.sum(w * x))
    if x_total <= 0:
        return base
    ratio = float(np.sum(w * y)) / x_total
    variance = _linearised_variance(design, w * (y - ratio * x) / x_total)
    standard_error = math.sqrt(variance)
    deff = kish = None
    if people and n > 0:
        # Kish: n Σ wⱼ² / (Σ wⱼ)² over the respondents j, all xᵢ respondents of establishment i weighing wᵢ.
        kish = n * float(np.sum(x * w * w)) / x_total**2
        if binary:
            srs = ratio * (1 - ratio) / n
        elif srs_sums is not None and n > 1:
            total_v, total_v2 = srs_sums
            spread = float(np.sum(w * (total_v2 - 2 * ratio * total_v + x * ratio * ratio))) / x_total
            srs = max(spread, 0.0) * n / (n - 1) / n  # weighted s² with n/(n - 1), as R's svyvar
        else:
            srs = 0.0
        deff = variance / srs if variance > 0 and srs > 0 else None
    effective_n = (n / deff if deff else float(n)) if people else None
    interval: Interval | None = None
    if df > 0:
        if binary:
            bounds = korn_graubard_interval(ratio, effective_n or float(n), n, df + 1, level)
            if bounds is not None:
                interval = Interval(bounds[0] * scale, bounds[1] * scale, level, "korn-graubard")
        else:
            half = student_quantile(level, df) * standard_error
            low, high = (ratio - half) * scale, (ratio + half) * scale
            interval = Interval(min(low, high), max(low, high), level, "t-linearised")
    cv = None if ratio == 0 else standard_error / abs(ratio)
    return replace(
        base,
        value=ratio * scale,
        interval=interval,
        standard_error=standard_error * abs(scale),
        design_effect=deff,
        weighting_design_effect=kish,
        effective_n=effective_n,
        cv=cv,
        # Without degrees of freedom (as many design strata as establishments) there is no interval: the figure's
        # uncertainty cannot be stated, so it is not published as an estimate.
        flag=reliability_flag(cv, effective_n) if interval is not None else "F",
        population=x_total,
    )


def _checked(indicator: Indicator | str, records: Mapping[str, Stats], weights: Weights) -> tuple[str, Fraction, bool]:
    """(kind, factor, whether it counts people) of an indicator, after checking the records against the weights."""
    if isinstance(indicator, Indicator):
        # Activity proportions and ratios are both sums of a numerator and a denominator over reports.
        kind = "ratio" if indicator.source == "activity" and indicator.kind != "count" else indicator.kind
        scale, counts_people = Fraction(indicator.factor), indicator.people
    else:
        kind, scale, counts_people = indicator, Fraction(1), indicator != "ratio"
    if kind not in STATS_CLASSES or kind == "count":
        raise ValueError(f"no weighted estimate for a {kind}: sum counts, there is no ratio to weigh")
    for key, record in records.items():
        if record.kind != kind:
            raise ValueError(f"establishment {key!r}: a {record.kind} record for a {kind} indicator")
        if key not in weights.factors and key not in weights.left_out_establishments:
            raise ValueError(f"establishment {key!r} is not among the calibrated participating establishments")

    return kind, scale, counts_people


def weighted_estimate(
    indicator: Indicator | str,
    records: Mapping[str, Stats],
    weights: Weights,
    *,
    domain: Collection[str] | None = None,
    level: float = CONFIDENCE,
    unweighted: bool = True,
) -> WeightedEstimate:
    """The weighted sector estimate of an indicator (METHODS.md §2 and §3).

    ``indicator``: an :class:`Indicator` (its factor, and whether it counts people) or a kind of statistics
    (factor 1). ``records``: one record per participating establishment, by key, holding **all** its
    respondents in the cell (a zero record for one that took part without respondents in it). ``domain``: the
    keys of the establishments of a domain (a region, a type); None for all. ``unweighted=False`` skips the
    unweighted estimate (exact, and slow at sector scale; :attr:`WeightedEstimate.unweighted` then has no value)
    for callers that do not show it.

    **Estimator.** Respondents in establishment ``i`` stand for the people it supports, calibrated: each weighs
    ``wᵢ = peopleᵢ · gᵢ / xᵢ``, ``xᵢ`` its respondents in the denominator (respondents with a value, pairs), so
    that together they weigh ``peopleᵢ gᵢ``; then ``R = Σ wᵢ yᵢ / Σ wᵢ xᵢ`` with ``yᵢ`` as in
    :mod:`socle.lib.measurement.cluster` (numerator, sum of values, pairs improved, sum of changes). An evolution
    gives the share improved as value and the mean change as :attr:`WeightedEstimate.change`. An **activity
    ratio** weighs the establishment's totals by ``gᵢ`` (establishment-level weight: frame people /
    participating people of its stratum) — it has no respondents, hence no design effect nor effective n. A
    count has no weighted estimate (``ValueError``). Establishments the weights leave out are not used (counted
    in ``left_out``); a key the weights do not know raises ``ValueError``. An establishment without respondents
    in the cell adds nothing: the ratio then rests on the people behind the others.

    **Variance.** Taylor linearisation, establishments as primary sampling units drawn with replacement within
    the weighting strata as design strata, no finite-population correction — what R ``survey`` and ``svy`` give
    for ``svydesign(ids = ~establishment, strata = ~stratum, weights = ~w)``:
    ``V = Σ_h n_h/(n_h - 1) Σ_{i∈h} (zᵢ - z̄_h)²``, ``zᵢ = wᵢ (yᵢ - R xᵢ) / Σ wⱼ xⱼ``. The calibration's own
    variance reduction is ignored (the weights are taken as fixed): conservative. **Domains**: establishments
    outside the domain stay PSUs with zᵢ = 0 (their stratum's ``n_h`` counts them), as ``survey`` does; the
    degrees of freedom are those of the domain: PSUs with respondents in it - their strata (R's ``degf`` of a
    subset). A stratum with one PSU is centred on the mean of all PSUs (R's ``lonely.psu = "adjust"``).

    **Design effect** ``V / V_srs``: ``V_srs = p(1 - p)/n`` for a proportion or share improved (so that the
    effective n is ``p(1 - p)/V``, Korn-Graubard's), ``s²_w/n`` for a mean or mean change with
    ``s²_w = n/(n - 1) Σ w (v - R)² / Σ w`` over the respondents (R's ``svyvar``); its **weighting part** is
    Kish's ``n Σ w² / (Σ w)²`` over the respondents. **Interval**: Korn-Graubard for proportions and shares
    improved (:func:`socle.lib.measurement.cluster.korn_graubard_interval`, ``survey::svyciprop(method =
    "beta")``, df = PSUs - strata), ``R ± t(df) · √V`` for means, mean changes and ratios; none when df ≤ 0.
    **Reliability**: ``cv = √V / |R|`` and :func:`socle.lib.measurement.estimate.reliability_flag` with the
    effective n. **Unweighted** beside it: :func:`socle.lib.measurement.cluster.consolidate` over every record
    given (left-out establishments included, out-of-domain ones as zero records).
    """
    kind, scale, counts_people = _checked(indicator, records, weights)
    return WeightedCell(kind, scale, counts_people, records, weights, level).estimate(domain, unweighted=unweighted)


_COUNT_FIELDS: Final = {"proportion": "n", "mean": "n", "ratio": "reports", "evolution": "pairs"}


class WeightedCell:
    """The arrays :func:`weighted_estimate` needs for one indicator's records and weights, made once, so that the
    sector and each of its domains (regions, types) are estimated without reading the records again."""

    def __init__(
        self,
        kind: str,
        scale: Fraction,
        counts_people: bool,
        records: Mapping[str, Stats],
        weights: Weights,
        level: float,
    ) -> None:
        self.kind, self.scale, self.counts_people, self.level = kind, scale, counts_people, level
        self.records = records
        self.outside_weights = [key for key in records if key not in weights.factors]
        keys = tuple(sorted(key for key in records if key in weights.factors))
        self.keys = keys
        self.index = {key: i for i, key in enumerate(keys)}
        parts = [_components(records[key]) for key in keys]
        self.y, self.x = _floats(item[0] for item in parts), _floats(item[1] for item in parts)
        factors = np.array([weights.factors[key] for key in keys], dtype=float)
        people = np.array([weights.people[key] for key in keys], dtype=float)
        x = self.x
        self.weight = (
            factors if kind == "ratio" else np.divide(people * factors, x, out=np.zeros(len(keys)), where=x > 0)
        )
        labels = sorted({weights.strata[key] for key in keys})
        position = {label: i for i, label in enumerate(labels)}
        self.stratum = np.array([position[weights.strata[key]] for key in keys], dtype=np.int64)
        self.counts = np.array([int(getattr(records[key], _COUNT_FIELDS[kind])) for key in keys], dtype=np.int64)
        self.dont_know = np.array(
            [0 if kind == "ratio" else int(getattr(records[key], "dont_know", 0)) for key in keys], dtype=np.int64
        )
        self.squares: FloatArray | None = None
        self.change_y: FloatArray | None = None
        if kind == "mean":
            self.squares = _floats(_field(records[key], "sum_squares") for key in keys)
        elif kind == "evolution":
            self.change_y = _floats(item[2] for item in parts)
            self.squares = _floats(_field(records[key], "sum_squares_change") for key in keys)

    def estimate(self, domain: Collection[str] | None = None, *, unweighted: bool = True) -> WeightedEstimate:
        """The estimate over the establishments of ``domain`` (None: all); see :func:`weighted_estimate`."""
        kind, records = self.kind, self.records
        if domain is None:
            inside = np.ones(len(self.keys), dtype=np.bool_)
        else:
            inside = np.zeros(len(self.keys), dtype=np.bool_)
            for key in domain:
                i = self.index.get(key)
                if i is not None:
                    inside[i] = True
        plain = Estimate(kind, None, 0)
        if unweighted:
            zero = STATS_CLASSES[kind]()
            chosen = records if domain is None else {k: (r if k in domain else zero) for k, r in records.items()}
            plain = consolidate(
                cluster_sums(chosen.values(), kind), factor=self.scale, level=self.level, people=self.counts_people
            )
        left_out = sum(1 for key in self.outside_weights if domain is None or key in domain)
        design = _Design(self.keys, self.stratum, self.weight, inside)
        count = int(self.counts[inside].sum())
        dont_know = int(self.dont_know[inside].sum())

        def part(
            y_: FloatArray, srs: tuple[FloatArray, FloatArray] | None, *, binary: bool, change: bool = False
        ) -> WeightedEstimate:
            return _part(
                "change" if change else kind,
                design,
                y_,
                self.x,
                srs,
                count,
                scale=1.0 if change else float(self.scale),
                level=self.level,
                binary=binary,
                people=self.counts_people,
                unweighted=(plain.change or plain) if change else plain,
                dont_know=dont_know,
                left_out=left_out,
            )

        if kind == "proportion":
            return part(self.y, None, binary=True)
        if kind == "mean":
            assert self.squares is not None
            return part(self.y, (self.y, self.squares), binary=False)
        if kind == "ratio":
            return part(self.y, None, binary=False)
        if kind == "evolution":
            assert self.change_y is not None and self.squares is not None
            change = part(self.change_y, (self.change_y, self.squares), binary=False, change=True)
            change = replace(change, cv=None, flag=reliability_flag(None, change.effective_n))
            return replace(part(self.y, None, binary=True), change=change)
        raise ValueError(f"no weighted estimate for a {kind}")


def weighted_cell(
    indicator: Indicator | str, records: Mapping[str, Stats], weights: Weights, *, level: float = CONFIDENCE
) -> WeightedCell:
    """A :class:`WeightedCell` (checked as :func:`weighted_estimate` checks its arguments), whose ``estimate``
    gives the same results as :func:`weighted_estimate` for any domain."""
    kind, scale, counts_people = _checked(indicator, records, weights)
    return WeightedCell(kind, scale, counts_people, records, weights, level)
