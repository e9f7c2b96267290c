"""Property-based tests of the indicator engine: the statistics of any partition of the data, summed, are exactly
the statistics of the whole, in any order; estimates follow; records survive JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.measurement import cluster, compute, estimate, stats
from socle.lib.measurement.stats import (
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    stats_from_dict,
)
from tests.framework_docs import sector_document

FAST = settings(max_examples=100, deadline=None, derandomize=True)
S = TypeVar("S", ProportionStats, MeanStats, RatioStats, EvolutionStats)

DOCUMENT = sector_document()
RIGHTS = compute.compile_indicator(next(i for i in DOCUMENT["indicators"] if i["code"] == "i_rights"), DOCUMENT)
RIGHTS_AMONG_WOMEN = compute.compile_indicator(
    {
        "code": "rights_women",
        "kind": "proportion",
        "source": "answers",
        "questionnaires": ["entry"],
        "numerator": "${droits} = 'oui'",
        "denominator": "${sexe} = 'f'",
        "factor": 100,
    },
    DOCUMENT,
)
VISITS = compute.compile_indicator(
    {"code": "visits", "kind": "mean", "source": "answers", "questionnaires": ["entry"], "value": "${urgences}"},
    DOCUMENT,
)
ESTEEM = compute.compile_indicator(next(i for i in DOCUMENT["indicators"] if i["code"] == "i_esteem"), DOCUMENT)
HOUSING = compute.compile_indicator(next(i for i in DOCUMENT["indicators"] if i["code"] == "i_housing"), DOCUMENT)

maybe_dont_know = st.sampled_from(["dk", None, ""])
proportion_answers = st.fixed_dictionaries(
    {},
    optional={"droits": st.sampled_from(["oui", "non", "dk"]), "sexe": st.sampled_from(["f", "h", "a", "dk"])},
)
# Stored answers of a number question: ints, decimal text (as decimals are stored), "don't know" or nothing.
numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False).map(str),
)
number_answers = st.one_of(numbers, maybe_dont_know)
scale_answers = st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), maybe_dont_know)
activity_values = st.one_of(st.integers(0, 10**6), st.decimals(0, 10**4, places=2).map(str), st.none())


def check_partition(data: st.DataObject, records: Sequence[S], zero: S, factor: int = 100) -> S:
    """Every property of summing: any partition, any order, incrementally, with subtractions, through JSON."""
    whole = stats.total(records, zero)
    groups = data.draw(st.lists(st.integers(0, 5), min_size=len(records), max_size=len(records)), label="groups")
    parts: dict[int, S] = {}
    for record, group in zip(records, groups, strict=True):
        parts[group] = parts.get(group, zero) + record
    part_list = list(parts.values())
    assert stats.total(part_list, zero) == whole
    assert stats.total(data.draw(st.permutations(part_list), label="order"), zero) == whole
    assert stats.total(data.draw(st.permutations(records), label="records order"), zero) == whole
    assert sum(part_list, zero) == whole
    assert estimate.estimate_stats(stats.total(part_list, zero), factor=factor) == estimate.estimate_stats(
        whole, factor=factor
    )
    for record in (whole, *part_list):
        assert stats_from_dict(json.loads(json.dumps(record.to_dict()))) == record
    # corrections: taking every record back out leaves nothing
    remaining = whole
    for record in records:
        remaining = remaining - record
    assert remaining == zero and remaining.is_zero()
    return whole


@FAST
@given(st.data(), st.lists(proportion_answers, max_size=60))
def test_proportion_partition(data: st.DataObject, people: list[dict[str, str]]) -> None:
    for indicator in (RIGHTS, RIGHTS_AMONG_WOMEN):
        records = [compute.answer_contribution(indicator, answers) for answers in people]
        whole = check_partition(data, records, ProportionStats())
        # and the whole is what a direct count gives
        if indicator is RIGHTS:
            assert whole.n == sum(a.get("droits") in ("oui", "non") for a in people)
            assert whole.dont_know == sum(a.get("droits") == "dk" for a in people)
        else:
            women = [a for a in people if a.get("sexe") in ("f", "dk")]
            assert whole.n == sum(a["sexe"] == "f" and a.get("droits") in ("oui", "non") for a in women)
            assert whole.n + whole.dont_know == sum("droits" in a for a in women)
        assert whole.numerator == sum(
            a.get("droits") == "oui" and (indicator is RIGHTS or a.get("sexe") == "f") for a in people
        )


@FAST
@given(st.data(), st.lists(number_answers, max_size=60))
def test_mean_partition(data: st.DataObject, answers: list[Any]) -> None:
    records = [compute.answer_contribution(VISITS, {} if a is None else {"urgences": a}) for a in answers]
    whole = check_partition(data, records, MeanStats(), factor=1)
    values = [Decimal(a) for a in answers if a not in ("dk", None, "")]
    assert whole.n == len(values)
    assert whole.total == stats.exact_sum(values)  # exact, whatever the order of addition
    assert whole.dont_know == answers.count("dk")
    result = estimate.estimate_stats(whole)
    if values:
        direct = math.fsum(float(v) for v in values) / len(values)
        assert result.value is not None and math.isclose(result.value, direct, rel_tol=1e-9, abs_tol=1e-9)


@FAST
@given(st.data(), st.lists(st.tuples(st.one_of(scale_answers, st.none()), scale_answers), max_size=50))
def test_evolution_partition(data: st.DataObject, pairs: list[tuple[Any, Any]]) -> None:
    records = [
        compute.pair_contribution(
            ESTEEM,
            {"estime": before} if before is not None else None,
            {"estime": after} if after is not None else {},
        )
        for before, after in pairs
    ]
    whole = check_partition(data, records, EvolutionStats())
    complete = [(int(b), int(a)) for b, a in pairs if b and a and b != "dk" and a != "dk"]
    assert whole.pairs == len(complete)
    assert whole.improved == sum(a > b for b, a in complete)
    assert whole.sum_change == sum(a - b for b, a in complete)


@FAST
@given(
    st.data(),
    st.lists(st.fixed_dictionaries({}, optional={"exits": activity_values, "exits_housing": activity_values})),
)
def test_activity_ratio_partition(data: st.DataObject, reports: list[dict[str, Any]]) -> None:
    records = [compute.activity_contribution(HOUSING, report) for report in reports]
    whole = check_partition(data, records, RatioStats())
    both = [r for r in reports if r.get("exits") is not None and r.get("exits_housing") is not None]
    assert whole.reports == len(both) and whole.missing == len(reports) - len(both)
    assert whole.denominator == stats.exact_sum(Decimal(r["exits"]) for r in both)


establishment = st.integers(0, 80).flatmap(
    lambda n: st.integers(0, n).map(lambda x: ProportionStats(n=n, numerator=x, dont_know=n % 3))
)


@FAST
@given(st.data(), st.lists(establishment, min_size=0, max_size=40))
def test_cluster_sums_partition_over_organisations(data: st.DataObject, records: list[ProportionStats]) -> None:
    whole = cluster.cluster_sums(records, "proportion")
    organisations = data.draw(st.lists(st.integers(0, 4), min_size=len(records), max_size=len(records)))
    by_organisation: dict[int, list[ProportionStats]] = {}
    for record, organisation in zip(records, organisations, strict=True):
        by_organisation.setdefault(organisation, []).append(record)
    sums = [cluster.cluster_sums(group) for group in by_organisation.values()]
    combined = sum(data.draw(st.permutations(sums)), cluster.ClusterSums.zero("proportion"))
    assert combined == whole
    assert cluster.ClusterSums.from_dict(json.loads(json.dumps(whole.to_dict()))) == whole
    assert cluster.consolidate(combined, factor=100) == cluster.consolidate(whole, factor=100)


def _mean_record(values: Sequence[int]) -> MeanStats:
    return MeanStats(n=len(values), total=Decimal(sum(values)), sum_squares=Decimal(sum(v * v for v in values)))


@FAST
@given(st.lists(st.lists(st.integers(0, 100), min_size=1, max_size=30), min_size=2, max_size=25))
def test_linearised_variance_matches_a_direct_formula(establishments: list[list[int]]) -> None:
    records = [_mean_record(values) for values in establishments]
    variance = cluster.linearised_variance(cluster.cluster_sums(records))
    y = [sum(values) for values in establishments]
    x = [len(values) for values in establishments]
    ratio = sum(y) / sum(x)
    m = len(records)
    direct = m / (m - 1) * math.fsum((yi - ratio * xi) ** 2 for yi, xi in zip(y, x, strict=True)) / sum(x) ** 2
    assert variance is not None and math.isclose(variance, direct, rel_tol=1e-9, abs_tol=1e-12)


@FAST
@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_proportion(case: tuple[int, int]) -> None:
    successes, n = case
    low, high = estimate.wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1
