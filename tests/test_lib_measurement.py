"""The indicator engine (socle.lib.measurement): statistics from answers and activity data, estimates checked
against statsmodels and scipy, "don't know" and unanswered questions, every LCEP indicator, and clustering."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import functools
import json
import math
import random
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from socle.lib.collection.answers import compile_questionnaire
from socle.lib.frameworks import document
from socle.lib.measurement import cluster, compute, estimate, stats
from socle.lib.measurement.cluster import ClusterSums, cluster_sums, consolidate
from socle.lib.measurement.compute import (
    IndicatorError,
    activity_contribution,
    answer_contribution,
    compile_indicator,
    pair_contribution,
)
from socle.lib.measurement.estimate import reliability_flag
from socle.lib.measurement.stats import (
    CountStats,
    EvolutionStats,
    MeanStats,
    ProportionStats,
    RatioStats,
    stats_from_dict,
)
from tests.framework_docs import sector_document

with warnings.catch_warnings():  # statsmodels 0.14 uses pandas helpers that pandas 3 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.weightstats import DescrStatsW

TOLERANCE = 1e-9
TODAY = datetime.date(2025, 6, 15)


@functools.cache
def lcep() -> dict[str, Any]:
    text = resources.files("socle.frameworks").joinpath("data/lcep.yaml").read_text(encoding="utf-8")
    return document.load(text, filename="lcep.yaml")


def lcep_indicator(code: str) -> compute.Indicator:
    found = next(i for i in lcep()["indicators"] if i["code"] == code)
    return compile_indicator(found, lcep())


def mini_indicator(code: str, **changes: Any) -> compute.Indicator:
    doc = sector_document()
    found = copy.deepcopy(next(i for i in doc["indicators"] if i["code"] == code))
    found.update(changes)
    for key in [key for key, value in changes.items() if value is None]:
        del found[key]
    return compile_indicator(found, doc)


def proportion(numerator: str, denominator: str | None = None, code: str = "p") -> compute.Indicator:
    definition: dict[str, Any] = {
        "code": code,
        "kind": "proportion",
        "source": "answers",
        "questionnaires": ["entry"],
        "numerator": numerator,
        "factor": 100,
    }
    if denominator is not None:
        definition["denominator"] = denominator
    return compile_indicator(definition, sector_document())


def close(actual: float | None, expected: float) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def total(records: Sequence[stats.Stats]) -> Any:
    return sum(records[1:], records[0])


# --- Records ----------------------------------------------------------------------------------------------------


def test_records_add_subtract_and_start_at_zero() -> None:
    a = ProportionStats(n=3, numerator=2, dont_know=1)
    b = ProportionStats(n=2, numerator=0, dont_know=4)
    assert a + b == ProportionStats(n=5, numerator=2, dont_know=5)
    assert a + b == b + a
    assert sum([a, b]) == a + b  # the built-in sum starts at 0
    assert a + b - b == a
    assert -a + a == ProportionStats()
    assert ProportionStats().is_zero() and not a.is_zero()
    m = MeanStats(n=1, total=Decimal("1.5"), sum_squares=Decimal("2.25"))
    assert m + m == MeanStats(n=2, total=Decimal(3), sum_squares=Decimal("4.5"))
    with pytest.raises(TypeError):
        _ = a + m  # type: ignore[operator]


def test_records_are_exact_where_floats_are_not() -> None:
    tenth = MeanStats(n=1, total=Decimal("0.1"), sum_squares=Decimal("0.01"))
    assert sum([tenth] * 3) == MeanStats(n=3, total=Decimal("0.3"), sum_squares=Decimal("0.03"))
    assert 0.1 + 0.1 + 0.1 != 0.3  # what a float record would have got wrong
    third = Decimal(1) / Decimal(3)  # a score divided by 3, with 28 digits
    record = MeanStats(n=1, total=third, sum_squares=stats.EXACT.multiply(third, third))
    assert (record + record + record - record - record) == record


def test_records_refuse_wrong_types() -> None:
    with pytest.raises(TypeError, match="n must be an int"):
        ProportionStats(n=True)
    with pytest.raises(TypeError, match="total must be a finite Decimal"):
        MeanStats(total=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="finite Decimal"):
        MeanStats(total=Decimal("NaN"))
    assert MeanStats(total=3).total == Decimal(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "record",
    [
        ProportionStats(n=12, numerator=5, dont_know=2),
        MeanStats(n=3, total=Decimal("12.75"), sum_squares=Decimal("60.5625"), dont_know=1),
        CountStats(total=Decimal("2.5"), n=2, dont_know=0, missing=1),
        RatioStats(numerator=Decimal(3), denominator=Decimal(10), reports=2, missing=0),
        EvolutionStats(pairs=2, sum_from=Decimal(5), sum_to=Decimal("7.5"), sum_squares_change=Decimal("3.25")),
        MeanStats(n=1, total=Decimal("-0.0000001"), sum_squares=Decimal("1E-14")),
    ],
)
def test_records_round_trip_through_json(record: stats.Stats) -> None:
    data = json.loads(json.dumps(record.to_dict()))
    assert stats_from_dict(data) == record
    assert type(record).from_dict(data) == record
    assert data["kind"] == record.kind


def test_to_dict_writes_exact_decimal_text() -> None:
    record = MeanStats(n=2, total=Decimal("12.50"), sum_squares=Decimal("1E+2"), dont_know=0)
    assert record.to_dict() == {"kind": "mean", "n": 2, "total": "12.5", "sum_squares": 100, "dont_know": 0}
    assert stats.decimal_text(Decimal("0.000")) == 0
    assert stats.decimal_text(Decimal("-0.0100")) == "-0.01"
    assert stats.decimal_text(Decimal("1E-7")) == "0.0000001"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "mean", "n": 1, "total": "1", "sum_squares": "1"}, "missing field 'dont_know'"),
        ({"kind": "mean", "n": 1.0, "total": "1", "sum_squares": "1", "dont_know": 0}, "n: expected an integer"),
        ({"kind": "mean", "n": 1, "total": 1.5, "sum_squares": "1", "dont_know": 0}, "total: expected an integer"),
        ({"kind": "mean", "n": 1, "total": "1,5", "sum_squares": "1", "dont_know": 0}, "total: expected"),
        ({"kind": "mean", "n": 1, "total": "1", "sum_squares": "1", "dont_know": 0, "x": 1}, "unknown field"),
        ({"kind": "median"}, "unknown kind"),
    ],
)
def test_from_dict_says_what_is_wrong(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        stats_from_dict(data)
    with pytest.raises(ValueError, match="expected statistics of kind 'proportion'"):
        ProportionStats.from_dict({"kind": "mean"})


def test_number_reads_stored_values() -> None:
    assert stats.number("4") == 4 and isinstance(stats.number("4"), int)
    assert stats.number("12.5") == Decimal("12.5")
    assert stats.number("1E-7") == Decimal("1E-7")
    assert stats.number(True) == 1
    assert stats.number(0.1) == Decimal("0.1")
    for nothing in ("", "dk", "oui", None, ["1"], float("nan"), Decimal("Infinity"), datetime.date(2025, 1, 1)):
        assert stats.number(nothing) is None


# --- Intervals against statsmodels and scipy -------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize(("successes", "n"), [(0, 1), (1, 1), (0, 12), (12, 12), (7, 20), (1, 3), (350, 1000)])
def test_wilson_interval_is_statsmodels_wilson(successes: int, n: int, level: float) -> None:
    low, high = estimate.wilson_interval(successes, n, level)
    expected_low, expected_high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    assert close(low, max(0.0, expected_low)) and close(high, min(1.0, expected_high))


def test_quantiles_are_scipy_quantiles() -> None:
    for df in (1, 2, 7, 29, 500):
        assert close(estimate.student_quantile(0.95, df), scipy_stats.t.ppf(0.975, df))
    assert close(estimate.normal_quantile(0.9), scipy_stats.norm.ppf(0.95))
    with pytest.raises(ValueError, match="between 0 and 1"):
        estimate.normal_quantile(95)


# --- A yes/no proportion with "don't know" ---------------------------------------------------------------------

YES_NO_ANSWERS = ["oui"] * 23 + ["non"] * 14 + ["dk"] * 6 + [None] * 4


def test_yes_no_proportion_with_dont_know_matches_statsmodels() -> None:
    indicator = mini_indicator("i_rights")  # numerator ${droits} = 'oui', default denominator, factor 100
    records = [
        answer_contribution(indicator, {} if answer is None else {"sexe": "f", "droits": answer})
        for answer in YES_NO_ANSWERS
    ]
    whole = total(records)
    assert whole == ProportionStats(n=37, numerator=23, dont_know=6)  # "don't know" out of n, counted; blanks nowhere
    result = estimate.estimate_indicator(indicator, whole)
    assert close(result.value, 100 * 23 / 37)
    low, high = proportion_confint(23, 37, alpha=0.05, method="wilson")
    assert result.interval is not None and result.interval.method == "wilson"
    assert close(result.interval.low, 100 * low) and close(result.interval.high, 100 * high)
    assert close(result.standard_error, 100 * math.sqrt(23 / 37 * 14 / 37 / 37))
    assert close(result.dont_know_share, 6 / 43)
    assert result.dont_know == 6
    assert not result.fragile and not result.masked and result.n == 37


# --- WHO-5 ------------------------------------------------------------------------------------------------------


def who5_answers(seed: int, respondents: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    people = []
    for _ in range(respondents):
        base = rng.randint(0, 5)
        people.append({f"who5_{i}": str(min(5, max(0, base + rng.randint(-1, 1)))) for i in range(1, 6)})
    return people


def test_who5_mean_matches_statsmodels_and_scipy() -> None:
    indicator = lcep_indicator("i10_wellbeing_who5")  # mean of the score ${who5} = raw total * 4 (0-100)
    assert indicator.scores_read == {"who5"}
    entry = compile_questionnaire(lcep(), "entry")
    people = who5_answers(5, 24)
    values = []
    records = []
    for answers in people:
        scores = entry.check(answers, today=TODAY).scores
        values.append(float(scores["who5"]))  # type: ignore[arg-type]
        records.append(answer_contribution(indicator, answers, scores))
    # one "don't know" item: no score, counted as don't know; one item missing: no score, not counted
    with_dont_know = {**people[0], "who5_3": "dk"}
    records.append(answer_contribution(indicator, with_dont_know, entry.check(with_dont_know).scores))
    missing = {key: value for key, value in people[1].items() if key != "who5_5"}
    records.append(answer_contribution(indicator, missing, entry.check(missing).scores))
    whole = total(records)
    assert whole.n == 24 and whole.dont_know == 1
    assert whole.total == Decimal(int(sum(values)))
    result = estimate.estimate_indicator(indicator, whole)
    data = np.array(values)
    assert close(result.value, float(data.mean()))
    described = DescrStatsW(data)
    low, high = described.tconfint_mean(alpha=0.05)
    assert result.interval is not None and result.interval.method == "t"
    assert close(result.interval.low, low) and close(result.interval.high, high)
    scipy_low, scipy_high = scipy_stats.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=scipy_stats.sem(data))
    assert close(result.interval.low, scipy_low) and close(result.interval.high, scipy_high)
    assert close(result.standard_error, float(scipy_stats.sem(data)))
    assert close(result.dont_know_share, 1 / 25)
    assert result.fragile  # 24 < 30


def test_mean_of_one_value_has_no_interval_and_of_none_no_value() -> None:
    one = estimate.estimate_stats(MeanStats(n=1, total=Decimal(40), sum_squares=Decimal(1600)))
    assert one.value == 40 and one.interval is None and one.masked and one.fragile
    nothing = estimate.estimate_stats(MeanStats(dont_know=2))
    assert nothing.value is None and nothing.dont_know_share == 1 and nothing.flag == "F"


def test_mean_reads_scale_answers_and_filters_by_condition() -> None:
    indicator = compile_indicator(
        {
            "code": "m",
            "kind": "mean",
            "source": "answers",
            "questionnaires": ["entry"],
            "value": "${estime}",
            "condition": "${sexe} = 'f'",
        },
        sector_document(),
    )
    assert answer_contribution(indicator, {"sexe": "f", "estime": "4"}) == MeanStats(
        n=1, total=Decimal(4), sum_squares=Decimal(16)
    )
    assert answer_contribution(indicator, {"sexe": "h", "estime": "4"}) == MeanStats()  # outside the condition
    assert answer_contribution(indicator, {"estime": "4"}) == MeanStats()  # condition over an unanswered question
    assert answer_contribution(indicator, {"sexe": "dk", "estime": "4"}) == MeanStats(dont_know=1)
    assert answer_contribution(indicator, {"sexe": "f", "estime": "dk"}) == MeanStats(dont_know=1)
    assert answer_contribution(indicator, {"sexe": "f"}) == MeanStats()


# --- "Don't know" and unanswered in proportions ----------------------------------------------------------------


def test_dont_know_is_out_of_the_default_denominator_and_counted() -> None:
    indicator = lcep_indicator("i01_access_rights")
    assert answer_contribution(indicator, {"droits_ouverts": "oui_tous"}) == ProportionStats(n=1, numerator=1)
    assert answer_contribution(indicator, {"droits_ouverts": "non"}) == ProportionStats(n=1)
    assert answer_contribution(indicator, {"droits_ouverts": "dk"}) == ProportionStats(dont_know=1)
    assert answer_contribution(indicator, {}) == ProportionStats()  # unanswered: not counted


def test_explicit_denominator_leaves_out_the_population_and_dont_know() -> None:
    indicator = lcep_indicator("i02_access_care")  # among those who needed care (not 'pas_besoin')
    assert answer_contribution(indicator, {"acces_soins": "difficile"}) == ProportionStats(n=1, numerator=1)
    assert answer_contribution(indicator, {"acces_soins": "non"}) == ProportionStats(n=1)
    assert answer_contribution(indicator, {"acces_soins": "pas_besoin"}) == ProportionStats()
    assert answer_contribution(indicator, {"acces_soins": "dk"}) == ProportionStats(dont_know=1)
    assert answer_contribution(indicator, {}) == ProportionStats()


def test_a_denominator_true_for_dont_know_still_leaves_it_out() -> None:
    indicator = proportion("${droits} = 'oui'", "${droits} != ''")
    assert answer_contribution(indicator, {"droits": "dk"}) == ProportionStats(dont_know=1)
    assert answer_contribution(indicator, {"droits": "non"}) == ProportionStats(n=1)


def test_section_not_asked_is_not_counted() -> None:
    indicator = lcep_indicator("i05_work_training")  # the work section is not asked from 65
    assert answer_contribution(indicator, {"tranche_age": "a65_plus"}) == ProportionStats()
    assert answer_contribution(indicator, {"situation_emploi": "retraite"}) == ProportionStats()
    assert answer_contribution(indicator, {"situation_emploi": "recherche"}) == ProportionStats(n=1)
    assert answer_contribution(indicator, {"situation_emploi": "formation"}) == ProportionStats(n=1, numerator=1)
    assert answer_contribution(indicator, {"situation_emploi": "dk"}) == ProportionStats(dont_know=1)


def test_numerator_over_two_questions() -> None:
    both = proportion("${droits} = 'oui' and ${estime} >= 4")
    assert answer_contribution(both, {"droits": "oui", "estime": "5"}) == ProportionStats(n=1, numerator=1)
    assert answer_contribution(both, {"droits": "non", "estime": "5"}) == ProportionStats(n=1)
    assert answer_contribution(both, {"droits": "non"}) == ProportionStats()  # one unanswered: not counted
    assert answer_contribution(both, {"droits": "non", "estime": "dk"}) == ProportionStats(dont_know=1)
    # skip logic: with an explicit denominator, the "no" to the first question counts as a "no"
    skip = proportion("${droits} = 'oui' and ${estime} >= 4", "${droits} != ''")
    assert answer_contribution(skip, {"droits": "non"}) == ProportionStats(n=1)
    assert answer_contribution(skip, {"droits": "oui"}) == ProportionStats(n=1)
    assert answer_contribution(skip, {"droits": "oui", "estime": "dk"}) == ProportionStats(dont_know=1)
    # a population over another question: someone in it who left the numerator's question unanswered is not counted
    women = proportion("${droits} = 'oui'", "${sexe} = 'f'")
    assert answer_contribution(women, {"sexe": "f"}) == ProportionStats()
    assert answer_contribution(women, {"sexe": "f", "droits": "non"}) == ProportionStats(n=1)
    assert answer_contribution(women, {"sexe": "h", "droits": "dk"}) == ProportionStats()
    assert answer_contribution(women, {"sexe": "dk", "droits": "oui"}) == ProportionStats(dont_know=1)


def test_integer_and_multiple_choice_conditions() -> None:
    visits = lcep_indicator("i04_no_emergency_visit")
    assert answer_contribution(visits, {"urgences_nb": 0}) == ProportionStats(n=1, numerator=1)
    assert answer_contribution(visits, {"urgences_nb": 3}) == ProportionStats(n=1)
    assert answer_contribution(visits, {"urgences_nb": "dk"}) == ProportionStats(dont_know=1)
    participation = lcep_indicator("i13_participation")
    assert answer_contribution(participation, {"participation": ["cvs", "entraide"]}) == ProportionStats(
        n=1, numerator=1
    )
    assert answer_contribution(participation, {"participation": ["aucune"]}) == ProportionStats(n=1)
    assert answer_contribution(participation, {"participation": "dk"}) == ProportionStats(dont_know=1)
    assert answer_contribution(participation, {"participation": ["dk"]}) == ProportionStats(dont_know=1)
    assert answer_contribution(participation, {"participation": []}) == ProportionStats()


def test_a_score_needs_the_scores() -> None:
    indicator = lcep_indicator("i10_wellbeing_who5")
    with pytest.raises(IndicatorError, match="who5"):
        answer_contribution(indicator, {"who5_1": "3"})
    with pytest.raises(IndicatorError, match="use pair_contribution"):
        answer_contribution(lcep_indicator("i09_self_esteem_progress"), {})
    with pytest.raises(IndicatorError, match="activity"):
        answer_contribution(lcep_indicator("i03_exits_stable_housing"), {})
    with pytest.raises(IndicatorError, match="not activity data"):
        activity_contribution(lcep_indicator("i01_access_rights"), {})
    with pytest.raises(IndicatorError, match="not an evolution"):
        pair_contribution(lcep_indicator("i01_access_rights"), {}, {})
    with pytest.raises(IndicatorError, match="cannot compute a median"):
        compile_indicator({"code": "x", "kind": "median", "source": "answers"})
    with pytest.raises(IndicatorError, match="numerator"):
        compile_indicator({"code": "x", "kind": "proportion", "source": "answers", "numerator": "${a} ="})


def test_score_through_other_scores_is_dont_know() -> None:
    doc = sector_document()
    doc["questionnaires"][0]["scores"] = [
        {"name": "double", "label": {"fr": "d"}, "expression": "${estime} * 2"},
        {"name": "plus", "label": {"fr": "p"}, "expression": "${double} + 1"},
    ]
    definition = {
        "code": "m",
        "kind": "mean",
        "source": "answers",
        "questionnaires": ["entry"],
        "value": "${plus}",
    }
    indicator = compile_indicator(definition, doc)
    assert indicator.score_questions["plus"] == {"estime"}
    assert answer_contribution(indicator, {"estime": "dk"}, {"double": None, "plus": None}) == MeanStats(dont_know=1)
    assert answer_contribution(indicator, {}, {"double": None, "plus": None}) == MeanStats()
    assert answer_contribution(indicator, {"estime": "2"}, {"double": 4, "plus": 5}).total == 5


# --- Counts -----------------------------------------------------------------------------------------------------


def test_counts_over_answers_and_activity() -> None:
    everyone = compile_indicator(
        {"code": "c", "kind": "count", "source": "answers", "questionnaires": ["entry"]}, sector_document()
    )
    assert answer_contribution(everyone, {}) == CountStats(total=Decimal(1), n=1)
    women = compile_indicator(
        {"code": "c", "kind": "count", "source": "answers", "questionnaires": ["entry"], "condition": "${sexe} = 'f'"},
        sector_document(),
    )
    records = [answer_contribution(women, {"sexe": sex}) for sex in ["f", "f", "h", "dk", "f"]]
    whole = total(records)
    assert whole == CountStats(total=Decimal(3), n=3, dont_know=1)
    shown = estimate.estimate_indicator(women, whole)
    assert shown.value == 3 and shown.masked and shown.interval is None
    assert shown.redacted().value is None and shown.redacted().n == 3
    assert not estimate.estimate_stats(CountStats()).masked  # a count of 0 tells nothing about a person
    staff = compile_indicator({"code": "s", "kind": "count", "source": "activity", "value": "${staff_fte}"}, lcep())
    reports = [{"staff_fte": "2.5"}, {"staff_fte": Decimal("1.25")}, {}]
    whole_staff = total([activity_contribution(staff, report) for report in reports])
    assert whole_staff == CountStats(total=Decimal("3.75"), n=2, missing=1)
    assert not estimate.estimate_indicator(staff, whole_staff).masked  # activity data is not masked


# --- Activity ratio ---------------------------------------------------------------------------------------------


def test_activity_ratio_sums_reports_with_both_values() -> None:
    indicator = lcep_indicator("i03_exits_stable_housing")
    reports = [
        {"exits_total": 10, "exits_stable_housing": 4},
        {"exits_total": "6", "exits_stable_housing": "3"},
        {"exits_total": 5},  # numerator missing: not summed
        {"exits_total": 0, "exits_stable_housing": 0},
    ]
    whole = total([activity_contribution(indicator, report) for report in reports])
    assert whole == RatioStats(numerator=Decimal(7), denominator=Decimal(16), reports=3, missing=1)
    result = estimate.estimate_indicator(indicator, whole)
    assert close(result.value, 100 * 7 / 16) and result.interval is None and not result.masked
    assert estimate.estimate_stats(RatioStats(reports=1)).value is None  # a denominator of 0


# --- Evolution --------------------------------------------------------------------------------------------------

ESTEEM_PAIRS = [
    ((2, 2, 3, 2), (3, 3, 3, 3)),
    ((1, 2, 1, 2), (2, 2, 2, 2)),
    ((4, 4, 4, 4), (4, 4, 4, 3)),
    ((3, 2, 2, 3), (4, 4, 3, 4)),
    ((2, 3, 2, 3), (2, 3, 3, 3)),
    ((1, 1, 1, 1), (3, 3, 2, 2)),
    ((5, 4, 5, 4), (5, 5, 5, 4)),
    ((3, 3, 3, 3), (2, 3, 2, 3)),
    ((2, 2, 2, 1), (4, 3, 3, 3)),
    ((3, 4, 3, 4), (4, 4, 4, 4)),
    ((2, 1, 2, 2), (2, 2, 2, 3)),
    ((4, 3, 3, 3), (5, 4, 4, 4)),
]
ESTEEM_ITEMS = ("es_qualites", "es_capable", "es_valeur", "es_content")


def esteem(items: Sequence[int | str]) -> dict[str, str]:
    return {name: str(value) for name, value in zip(ESTEEM_ITEMS, items, strict=True)}


def test_paired_evolution_matches_scipy_and_statsmodels() -> None:
    indicator = lcep_indicator("i09_self_esteem_progress")  # estime_soi, improvement 0.5, share in %
    entry, follow_up = compile_questionnaire(lcep(), "entry"), compile_questionnaire(lcep(), "follow_up")
    records = []
    before_values, after_values = [], []
    for before_items, after_items in ESTEEM_PAIRS:
        before, after = esteem(before_items), esteem(after_items)
        before_scores, after_scores = entry.check(before).scores, follow_up.check(after).scores
        before_values.append(float(before_scores["estime_soi"]))  # type: ignore[arg-type]
        after_values.append(float(after_scores["estime_soi"]))  # type: ignore[arg-type]
        records.append(
            pair_contribution(indicator, before, after, before_scores=before_scores, after_scores=after_scores)
        )
    whole = total(records)
    changes = np.array(after_values) - np.array(before_values)
    improved = int(np.sum(changes > 0.5))
    assert whole.pairs == 12 and whole.improved == improved
    assert whole.sum_change == Decimal(str(changes.sum()))
    result = estimate.estimate_indicator(indicator, whole)
    assert close(result.value, 100 * improved / 12)
    low, high = proportion_confint(improved, 12, method="wilson")
    assert result.interval is not None
    assert close(result.interval.low, 100 * low) and close(result.interval.high, 100 * high)
    change = result.change
    assert change is not None and change.interval is not None
    assert close(change.value, float(changes.mean()))  # in points of the score, not multiplied by 100
    paired = scipy_stats.ttest_rel(after_values, before_values).confidence_interval(0.95)
    assert close(change.interval.low, paired.low) and close(change.interval.high, paired.high)
    low, high = DescrStatsW(changes).tconfint_mean()
    assert close(change.interval.low, low) and close(change.interval.high, high)
    assert result.masked is False and result.fragile is True


def test_evolution_unpaired_dont_know_and_direction() -> None:
    indicator = mini_indicator("i_esteem")  # ${estime}, a scale question, entry → follow_up, direction up
    assert pair_contribution(indicator, {"estime": "2"}, {"estime": "3"}) == EvolutionStats(
        pairs=1, sum_from=Decimal(2), sum_to=Decimal(3), sum_squares_change=Decimal(1), improved=1
    )
    assert pair_contribution(indicator, {"estime": "3"}, {"estime": "3"}).improved == 0  # no change: not improved
    assert pair_contribution(indicator, {"estime": "2"}, None) == EvolutionStats(from_only=1)
    assert pair_contribution(indicator, None, {"estime": "2"}) == EvolutionStats(to_only=1)
    assert pair_contribution(indicator, {"estime": "2"}, {}) == EvolutionStats(from_only=1)
    assert pair_contribution(indicator, {"estime": "dk"}, {"estime": "2"}) == EvolutionStats(dont_know=1)
    assert pair_contribution(indicator, {"estime": "2"}, {"estime": "dk"}) == EvolutionStats(dont_know=1)
    assert pair_contribution(indicator, {"estime": "dk"}, None) == EvolutionStats()
    # the follow-up arrives: take the entry's record back out, put the pair in
    facts = pair_contribution(indicator, {"estime": "2"}, None)
    facts = (
        facts
        - pair_contribution(indicator, {"estime": "2"}, None)
        + pair_contribution(indicator, {"estime": "2"}, {"estime": "4"})
    )
    assert facts == EvolutionStats(
        pairs=1, sum_from=Decimal(2), sum_to=Decimal(4), sum_squares_change=Decimal(4), improved=1
    )
    down = mini_indicator("i_esteem", direction="down", improvement=1)
    assert pair_contribution(down, {"estime": "5"}, {"estime": "3"}).improved == 1  # fell by 2 > 1
    assert pair_contribution(down, {"estime": "4"}, {"estime": "3"}).improved == 0  # fell by 1, not more
    assert pair_contribution(down, {"estime": "3"}, {"estime": "5"}).improved == 0


# --- Every LCEP indicator ---------------------------------------------------------------------------------------


def lcep_person(rng: random.Random, questionnaire: Mapping[str, Any], lists: Mapping[str, list[str]]) -> dict[str, Any]:
    """Random answers to every question of a questionnaire (some "don't know", some unanswered)."""
    answers: dict[str, Any] = {}
    for section in questionnaire["sections"]:
        for question in section["questions"]:
            kind = question["type"]
            if kind in ("note", "text", "long_text", "date"):
                continue
            roll = rng.random()
            if roll < 0.08 and question.get("dont_know"):
                answers[question["name"]] = "dk"
                continue
            if roll < 0.12:
                continue
            if kind == "multiple_choice":
                options = [value for value in lists[question["choices"]] if value != "aucune"]
                answers[question["name"]] = rng.sample(options, rng.randint(1, 2))
            elif kind in ("single_choice", "scale", "either_or"):
                answers[question["name"]] = rng.choice(lists[question["choices"]])
            elif kind == "integer":
                answers[question["name"]] = rng.randint(0, 4)
            elif kind == "decimal":
                answers[question["name"]] = str(Decimal(rng.randint(0, 400)) / 10)
    return answers


def test_every_lcep_indicator_computes() -> None:
    doc = lcep()
    lists = {item["name"]: [choice["value"] for choice in item["choices"]] for item in doc["choice_lists"]}
    questionnaires = {q["code"]: q for q in doc["questionnaires"]}
    compiled = {code: compile_questionnaire(doc, code) for code in questionnaires}
    rng = random.Random(2025)
    submissions: dict[str, list[tuple[dict[str, object], dict[str, object]]]] = {}
    for code, questionnaire in questionnaires.items():
        submissions[code] = []
        for _ in range(40):
            checked = compiled[code].check(lcep_person(rng, questionnaire, lists), today=TODAY)
            submissions[code].append((checked.answers, checked.scores))
    reports = [
        {item["code"]: rng.randint(5, 40) for item in doc["activity_items"] if item["type"] == "integer"}
        for _ in range(6)
    ]
    assert len(doc["indicators"]) == 15
    for definition in doc["indicators"]:
        indicator = compile_indicator(definition, doc)
        if indicator.kind == "evolution":
            assert indicator.from_wave == "entry" and indicator.to_wave == "follow_up"
            records: list[stats.Stats] = [
                pair_contribution(indicator, before[0], after[0], before_scores=before[1], after_scores=after[1])
                for before, after in zip(submissions["entry"], submissions["follow_up"], strict=True)
            ]
        elif indicator.source == "activity":
            records = [activity_contribution(indicator, report) for report in reports]
        else:
            records = [
                answer_contribution(indicator, answers, scores)
                for code in indicator.questionnaires
                for answers, scores in submissions[code]
            ]
        whole = total(records)
        assert isinstance(whole, type(compute.empty_stats(indicator)))
        result = estimate.estimate_indicator(indicator, whole)
        assert result.value is not None, indicator.code
        assert result.n > 0, indicator.code
        if indicator.source == "answers":
            assert result.interval is not None, indicator.code
            assert result.dont_know > 0, indicator.code  # 8 % answer "don't know" to each question
        if indicator.unit == "%" and indicator.kind != "evolution":
            assert 0 <= result.value <= 100, indicator.code
        assert stats_from_dict(json.loads(json.dumps(whole.to_dict()))) == whole


def test_respondent_breakdowns() -> None:
    values = compute.respondent_breakdowns(lcep(), {"sexe": "femme", "tranche_age": "dk"})
    assert values == {"sex": "femme", "age_band": "dk"}
    assert compute.respondent_breakdowns(lcep(), {}) == {"sex": "", "age_band": ""}


# --- Reliability, fragility, masking ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cv", "effective_n", "flag"),
    [
        (0.10, 100, ""),
        (0.165, 100, ""),
        (0.1654, 100, ""),  # 16.5 % once rounded to one decimal
        (0.1656, 100, "E"),  # 16.6 %
        (0.333, 100, "E"),
        (0.3334, 100, "E"),
        (0.3336, 100, "F"),
        (0.05, 29.9, "F"),
        (0.05, 30, ""),
        (None, 100, ""),
        (None, 12, "F"),
        (0.5, None, "F"),
        (float("inf"), None, "F"),
    ],
)
def test_reliability_flag(cv: float | None, effective_n: float | None, flag: str) -> None:
    assert reliability_flag(cv, effective_n) == flag


def test_fragile_and_masked_thresholds() -> None:
    assert estimate.FRAGILE_N == 30 and estimate.MIN_CELL == 5
    four = estimate.estimate_stats(ProportionStats(n=4, numerator=2), factor=100)
    assert four.masked and four.fragile and four.flag == "F"
    hidden = four.redacted()
    assert hidden.value is None and hidden.interval is None and hidden.n == 4
    five = estimate.estimate_stats(ProportionStats(n=5, numerator=2))
    assert not five.masked and five.fragile and five.redacted() is five
    thirty = estimate.estimate_stats(ProportionStats(n=30, numerator=15))
    assert not thirty.fragile
    assert not estimate.estimate_stats(ProportionStats(n=4, numerator=2), people=False).masked
    nobody = estimate.estimate_stats(ProportionStats(dont_know=3))
    assert nobody.value is None and nobody.interval is None and nobody.dont_know_share == 1
    assert json.loads(json.dumps(thirty.to_dict()))["interval"]["method"] == "wilson"


# --- Clustering -------------------------------------------------------------------------------------------------


def clustered_fixture(seed: int, establishments: int) -> tuple[list[ProportionStats], np.ndarray, np.ndarray]:
    """Respondents in establishments whose rates differ (so that the design effect is above 1)."""
    rng = np.random.default_rng(seed)
    records, outcomes, groups = [], [], []
    for index in range(establishments):
        size = int(rng.integers(8, 60))
        rate = float(np.clip(rng.normal(0.45, 0.15), 0.02, 0.98))
        answers = rng.random(size) < rate
        records.append(ProportionStats(n=size, numerator=int(answers.sum())))
        outcomes.extend(answers.astype(float))
        groups.extend([index] * size)
    return records, np.array(outcomes), np.array(groups)


def test_linearised_variance_is_the_cluster_robust_variance_of_statsmodels() -> None:
    records, outcomes, groups = clustered_fixture(11, 40)
    sums = cluster_sums(records)
    # Independent: OLS of the outcome on a constant, cluster-robust covariance by establishment. Its small-sample
    # correction G/(G - 1) * (N - 1)/(N - K) is m/(m - 1) with K = 1: the with-replacement linearised variance.
    fit = OLS(outcomes, np.ones(len(outcomes))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    variance = cluster.linearised_variance(sums)
    assert close(variance, float(fit.bse[0]) ** 2)
    # Independent again, a direct numpy formula over establishment totals.
    y = np.array([r.numerator for r in records], dtype=float)
    x = np.array([r.n for r in records], dtype=float)
    ratio = y.sum() / x.sum()
    direct = len(y) / (len(y) - 1) * np.sum((y - ratio * x) ** 2) / x.sum() ** 2
    assert close(variance, float(direct))
    # The delete-one-establishment jackknife agrees closely.
    jackknife = cluster.jackknife_variance(records)
    assert jackknife is not None and variance is not None
    assert abs(jackknife / variance - 1) < 0.05


def test_consolidated_proportion_design_effect_and_korn_graubard() -> None:
    records, outcomes, groups = clustered_fixture(3, 25)
    sums = cluster_sums(records)
    result = consolidate(sums, factor=100)
    n = len(outcomes)
    p = outcomes.mean()
    fit = OLS(outcomes, np.ones(n)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    variance = float(fit.bse[0]) ** 2
    assert result.clusters == 25 and result.n == n
    assert close(result.value, 100 * p)
    assert close(result.standard_error, 100 * math.sqrt(variance))
    deff = variance / (p * (1 - p) / n)
    assert result.design_effect is not None and result.design_effect > 1
    assert close(result.design_effect, deff)
    assert close(result.effective_n, n / deff)
    # Korn-Graubard as survey::svyciprop(method = "beta"), written out with scipy.stats
    effective = p * (1 - p) / variance
    effective *= (scipy_stats.t.ppf(0.025, n - 1) / scipy_stats.t.ppf(0.025, 25 - 1)) ** 2
    low = scipy_stats.beta.ppf(0.025, effective * p, effective * (1 - p) + 1)
    high = scipy_stats.beta.ppf(0.975, effective * p + 1, effective * (1 - p))
    assert result.interval is not None and result.interval.method == "korn-graubard"
    assert close(result.interval.low, 100 * low) and close(result.interval.high, 100 * high)
    # wider than the Wilson interval that ignores clustering
    simple = estimate.estimate_stats(sums.pooled, factor=100)
    assert simple.interval is not None
    assert result.interval.high - result.interval.low > simple.interval.high - simple.interval.low
    cv = math.sqrt(variance) / p
    assert close(result.cv, cv) and result.flag == reliability_flag(cv, n / deff)


def test_korn_graubard_at_zero_and_without_variance() -> None:
    records = [ProportionStats(n=40, numerator=0) for _ in range(5)]
    result = consolidate(cluster_sums(records), factor=100)
    assert result.value == 0 and result.design_effect is None and result.effective_n == 200
    assert result.interval is not None and result.interval.low == 0
    adjusted = 200 * (scipy_stats.t.ppf(0.025, 199) / scipy_stats.t.ppf(0.025, 4)) ** 2
    assert close(result.interval.high, 100 * scipy_stats.beta.ppf(0.975, 1, adjusted))


def test_consolidated_mean_and_ratio_and_evolution() -> None:
    rng = np.random.default_rng(8)
    mean_records, values, groups = [], [], []
    ratio_records = []
    evolution_records, changes, change_groups = [], [], []
    for index in range(30):
        size = int(rng.integers(5, 40))
        shift = rng.normal(0, 8)
        data = np.clip(np.round(rng.normal(55 + shift, 18, size)), 0, 100).astype(int)
        mean_records.append(
            MeanStats(n=size, total=Decimal(int(data.sum())), sum_squares=Decimal(int((data**2).sum())))
        )
        values.extend(data)
        groups.extend([index] * size)
        exits = int(rng.integers(5, 50))
        ratio_records.append(
            RatioStats(numerator=Decimal(int(rng.integers(0, exits))), denominator=Decimal(exits), reports=4)
        )
        steps = rng.integers(-1, 3, size)
        evolution_records.append(
            EvolutionStats(
                pairs=size,
                sum_from=Decimal(int(data.sum())),
                sum_to=Decimal(int((data + steps).sum())),
                sum_squares_change=Decimal(int((steps**2).sum())),
                improved=int((steps > 0).sum()),
            )
        )
        changes.extend(steps)
        change_groups.extend([index] * size)
    values_array = np.array(values, dtype=float)
    mean = consolidate(cluster_sums(mean_records))
    fit = OLS(values_array, np.ones(len(values_array))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert close(mean.value, float(values_array.mean()))
    assert close(mean.standard_error, float(fit.bse[0]))
    deff = float(fit.bse[0]) ** 2 / (values_array.var(ddof=1) / len(values_array))
    assert close(mean.design_effect, deff) and close(mean.effective_n, len(values_array) / deff)
    half = scipy_stats.t.ppf(0.975, 29) * float(fit.bse[0])
    assert mean.interval is not None and mean.interval.method == "t-linearised"
    assert close(mean.interval.low, float(values_array.mean()) - half)
    ratio = consolidate(cluster_sums(ratio_records), factor=100, people=False)
    y = np.array([float(r.numerator) for r in ratio_records])
    x = np.array([float(r.denominator) for r in ratio_records])
    r = y.sum() / x.sum()
    variance = 30 / 29 * np.sum((y - r * x) ** 2) / x.sum() ** 2
    assert close(ratio.value, 100 * r) and close(ratio.standard_error, 100 * math.sqrt(variance))
    assert ratio.design_effect is None and ratio.effective_n is None and not ratio.masked and not ratio.fragile
    evolution = consolidate(cluster_sums(evolution_records), factor=100)
    changes_array = np.array(changes, dtype=float)
    fit = OLS(changes_array, np.ones(len(changes_array))).fit(cov_type="cluster", cov_kwds={"groups": change_groups})
    assert evolution.change is not None
    assert close(evolution.change.value, float(changes_array.mean()))
    assert close(evolution.change.standard_error, float(fit.bse[0]))
    improved = (changes_array > 0).astype(float)
    fit = OLS(improved, np.ones(len(improved))).fit(cov_type="cluster", cov_kwds={"groups": change_groups})
    assert close(evolution.value, 100 * improved.mean())
    assert close(evolution.standard_error, 100 * float(fit.bse[0]))
    jackknife = cluster.jackknife_variance(evolution_records, change=True)
    linearised = cluster.linearised_variance(cluster_sums(evolution_records), change=True)
    assert jackknife is not None and linearised is not None and abs(jackknife / linearised - 1) < 0.1


def test_cluster_sums_add_round_trip_and_fall_back() -> None:
    records, _, _ = clustered_fixture(4, 6)
    sums = cluster_sums(records)
    assert sums == cluster_sums(records[:2]) + cluster_sums(records[2:])
    assert sum([cluster_sums(records[:3]), cluster_sums(records[3:])]) == sums
    assert ClusterSums.from_dict(json.loads(json.dumps(sums.to_dict()))) == sums
    assert cluster_sums([], "proportion") == ClusterSums.zero("proportion")
    with pytest.raises(ValueError, match="say which kind"):
        cluster_sums([])
    with pytest.raises(ValueError, match="not a ratio"):
        ClusterSums.of(CountStats())
    with pytest.raises(ValueError, match="cannot add"):
        _ = sums + ClusterSums.of(MeanStats())
    with pytest.raises(ValueError, match="pooled"):
        ClusterSums.from_dict({"kind": "proportion"})
    one = consolidate(ClusterSums.of(records[0]), factor=100)
    assert one == dataclasses.replace(estimate.estimate_stats(records[0], factor=100), clusters=1)
    empty = consolidate(cluster_sums([ProportionStats(), ProportionStats()]))
    assert empty.value is None and empty.flag == "F"
